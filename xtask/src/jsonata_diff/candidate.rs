//! The Rust evaluators measured, all through `asl::jsonata::Evaluator`.

use super::cases::Case;
use super::compare::Outcome;
use anyhow::{bail, Result};
use asl::jsonata::{Bindings, Evaluator, Limits};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// The names `--candidate` accepts (`all` = every one compiled in).
pub fn names() -> Vec<&'static str> {
    let mut names = vec!["jlens"];
    if cfg!(feature = "jsonata-core") {
        names.push("jsonata-core");
    }
    names
}

pub fn by_name(name: &str) -> Result<Box<dyn Evaluator>> {
    match name {
        "jlens" => Ok(Box::new(asl::jsonata::Jlens)),
        #[cfg(feature = "jsonata-core")]
        "jsonata-core" => Ok(Box::new(super::jsonata_core::JsonataCore)),
        #[cfg(not(feature = "jsonata-core"))]
        "jsonata-core" => bail!(
            "jsonata-core is behind an xtask feature: cargo run -p xtask --features jsonata-core -- jsonata-diff --candidate jsonata-core"
        ),
        other => bail!("unknown candidate {other:?} (jlens, jsonata-core, all)"),
    }
}

/// A candidate's answers in case order, with its time spent compiling and evaluating.
pub struct CandidateRun {
    pub key: String,
    pub name: String,
    pub outcomes: Vec<Outcome>,
    pub compile_time: Duration,
    pub eval_time: Duration,
    /// Evaluations run (cases that compiled).
    pub evaluations: usize,
}

/// Evaluates every case; with `repeat` > 1 the whole set runs that many times and the fastest
/// pass's times are kept (the answers are those of the first pass).
pub fn evaluate_all(key: &str, evaluator: &dyn Evaluator, cases: &[Case], repeat: usize) -> CandidateRun {
    let mut run = pass(key, evaluator, cases);
    for _ in 1..repeat {
        let again = pass(key, evaluator, cases);
        if again.compile_time + again.eval_time < run.compile_time + run.eval_time {
            run.compile_time = again.compile_time;
            run.eval_time = again.eval_time;
        }
    }
    run
}

fn pass(key: &str, evaluator: &dyn Evaluator, cases: &[Case]) -> CandidateRun {
    let mut run = CandidateRun {
        key: key.to_string(),
        name: evaluator.name().to_string(),
        outcomes: Vec::with_capacity(cases.len()),
        compile_time: Duration::ZERO,
        eval_time: Duration::ZERO,
        evaluations: 0,
    };
    for case in cases {
        let started = Instant::now();
        let compiled = catch_unwind(AssertUnwindSafe(|| evaluator.compile(&case.expr)));
        run.compile_time += started.elapsed();
        let compiled = match compiled {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                run.outcomes.push(Outcome::from_rust(Err(e)));
                continue;
            }
            Err(_) => {
                run.outcomes.push(panicked());
                continue;
            }
        };
        let bindings = Bindings {
            vars: case.bindings.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            functions: &[],
            now_millis: case.now_millis,
            limits: Limits::default(),
        };
        let started = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| compiled.evaluate(case.input.as_ref(), &bindings)));
        run.eval_time += started.elapsed();
        run.evaluations += 1;
        run.outcomes.push(match result {
            Ok(r) => Outcome::from_rust(r),
            Err(_) => panicked(),
        });
    }
    run
}

fn panicked() -> Outcome {
    Outcome::Error { code: "PANIC".to_string(), message: "the evaluator panicked".to_string(), position: None }
}
