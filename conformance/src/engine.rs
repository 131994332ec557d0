//! Engines that run cases: the trait, and the reference interpreter in process. The process
//! engine is in [`crate::process`], the Step Functions API engine in [`crate::sfn`].

use asl::{Behaviours, ExecutionContext, RunOptions};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// One execution request, engine-neutral.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub definition: &'a Value,
    pub input: &'a Value,
    pub behaviours: Option<&'a Value>,
    pub context: Option<&'a Value>,
    pub seed: u64,
    /// The case's flags (`express`, `timing`...).
    pub flags: &'a [String],
    /// The case compares the execution history: an engine that cannot report a faithful one
    /// may answer `Unsupported` instead of failing the case. When false, nobody reads the
    /// history, and an engine may leave it out of its result (the reference does: building a
    /// history as JSON costs more than the run itself).
    pub expects_history: bool,
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

/// Called with each finished case of [`Engine::run_stream`]: its index, outcome and wall time;
/// `false` ends the stream (the caller could not record the result).
pub type Done<'d> = &'d mut dyn FnMut(usize, Outcome, Duration) -> bool;

pub trait Engine {
    fn name(&self) -> &str;
    /// The engine's own version string, for reports.
    fn version(&self) -> String {
        String::new()
    }
    fn run(&mut self, req: &Request) -> Outcome;

    /// How many cases the engine runs at once in [`Engine::run_stream`].
    fn concurrency(&self) -> usize {
        1
    }

    /// Seconds a measured retry delay may differ from the expected one: zero for engines with
    /// a virtual clock, more for engines that really wait.
    fn timing_tolerance(&self) -> f64 {
        0.0
    }

    /// Runs requests as they come, reporting each as it finishes (in any order). `stop`
    /// (Ctrl-C) ends the stream: no new case starts, and cases in flight may be abandoned
    /// without being reported. The default runs one case at a time.
    fn run_stream(&mut self, reqs: &mut dyn Iterator<Item = (usize, Request)>, stop: &AtomicBool, done: Done) {
        for (i, req) in reqs {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            let started = Instant::now();
            let outcome = self.run(&req);
            if !done(i, outcome, started.elapsed()) {
                return;
            }
        }
    }
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
        // The history is recorded either way, as an engine keeps it; it is converted to JSON
        // only for a case that reads it.
        let run = asl::run(&sm, req.input.clone(), &opts);
        let result = if req.expects_history { run.into_json() } else { run.into_json_without_history() };
        Outcome::Ran { result }
    }
}
