//! Engines that run cases. Today: the reference interpreter in process.

use asl::{Behaviours, ExecutionContext, RunOptions};
use serde_json::Value;

/// One execution request, engine-neutral.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub definition: &'a Value,
    pub input: &'a Value,
    pub behaviours: Option<&'a Value>,
    pub context: Option<&'a Value>,
    pub seed: u64,
}

/// What an engine reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The definition was rejected, with the diagnostic codes.
    Rejected { codes: Vec<String>, messages: Vec<String> },
    /// The execution ran; `result` is the object `aslcheck run` prints.
    Ran { result: Value },
    /// The engine cannot run this case (a feature it lacks, a behaviour it cannot express).
    Unsupported(String),
    /// An engine limit or throttling got in the way: not a conformance verdict.
    Poisoned(String),
    /// The engine process died or spoke garbage while running the case.
    Crashed(String),
    /// The engine did not answer within the time allowed.
    TimedOut,
    /// The case could not be run for a reason on our side (bad behaviours file...).
    Error(String),
}

pub trait Engine {
    fn name(&self) -> &str;
    /// The engine's own version string, for reports.
    fn version(&self) -> String {
        String::new()
    }
    fn run(&mut self, req: &Request) -> Outcome;
}

/// The `asl` reference interpreter.
#[derive(Debug, Default)]
pub struct Reference;

impl Engine for Reference {
    fn name(&self) -> &str {
        "reference"
    }

    fn version(&self) -> String {
        format!("asl {}", env!("CARGO_PKG_VERSION"))
    }

    fn run(&mut self, req: &Request) -> Outcome {
        // A definition given as a JSON string is the definition's text (for cases about
        // unparseable definitions).
        let (sm, diags) = match req.definition {
            Value::String(text) => asl::check_str(text),
            v => asl::check(v),
        };
        let Some(sm) = sm else {
            return Outcome::Rejected {
                codes: diags.iter().map(|d| d.code.to_string()).collect(),
                messages: diags.iter().map(|d| d.to_string()).collect(),
            };
        };
        let mut opts = RunOptions { seed: req.seed, ..RunOptions::default() };
        if let Some(b) = req.behaviours {
            match Behaviours::from_json(b) {
                Ok(b) => opts.behaviours = b,
                Err(e) => return Outcome::Error(e),
            }
        }
        if let Some(c) = req.context {
            match ExecutionContext::from_json(c) {
                Ok(c) => opts.context = c,
                Err(e) => return Outcome::Error(e),
            }
        }
        Outcome::Ran { result: asl::run(&sm, req.input.clone(), &opts).to_json() }
    }
}
