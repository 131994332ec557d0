//! Running a corpus on an engine: selection, results per case (known failures applied), a
//! per-area summary table. Report files are written by [`crate::report`].

use crate::case::{load_dir, Case};
use crate::compare::{compare_with, Diff};
use crate::engine::{Engine, Outcome};
use crate::expectations::Expectations;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// The result classes of DESIGN section 4, and `known-failure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    Pass,
    Fail,
    /// Not run: the engine cannot run the case (a feature it lacks).
    Skipped,
    Poisoned,
    Crashed,
    Timeout,
    /// Ran and did not pass, as `corpus/expectations/<engine>.toml` says it does (the reason
    /// is in the result): not counted against the run, but not a pass and not "not run".
    KnownFailure,
}

/// How many classes there are (the length of per-class count arrays).
pub const CLASSES: usize = 7;

impl Class {
    pub const ALL: [Class; CLASSES] = [
        Class::Pass,
        Class::Fail,
        Class::Skipped,
        Class::Poisoned,
        Class::Crashed,
        Class::Timeout,
        Class::KnownFailure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Pass => "pass",
            Class::Fail => "fail",
            Class::Skipped => "skipped",
            Class::Poisoned => "poisoned",
            Class::Crashed => "crashed",
            Class::Timeout => "timeout",
            Class::KnownFailure => "known-failure",
        }
    }

    pub fn parse(s: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Counts against the run (exit code non-zero).
    pub fn is_failure(self) -> bool {
        matches!(self, Class::Fail | Class::Crashed | Class::Timeout)
    }
}

#[derive(Debug, Clone)]
pub struct CaseResult {
    pub id: String,
    pub file: PathBuf,
    pub features: Vec<String>,
    pub class: Class,
    pub diffs: Vec<Diff>,
    pub reason: Option<String>,
    /// The reason given in `corpus/expectations/<engine>.toml` when the case is listed there:
    /// with class `KnownFailure` a known failure, with class `Pass` a listed case that now
    /// passes.
    pub expected_failure: Option<String>,
    /// Wall time the engine took for the case.
    pub duration: Duration,
}

impl CaseResult {
    /// The area of the case: the first folder of its id.
    pub fn area(&self) -> &str {
        self.id.split('/').next().unwrap_or("")
    }

    /// A listed known failure that passed this time.
    pub fn now_passes(&self) -> bool {
        self.class == Class::Pass && self.expected_failure.is_some()
    }

    /// `Ok` only when the case passed. Otherwise why not: the class, the reason and the diffs
    /// (a skipped, crashed or timed-out result has no diffs, and did not pass either).
    pub fn passed(&self) -> Result<(), String> {
        if self.class == Class::Pass {
            return Ok(());
        }
        let mut text = self.class.as_str().to_string();
        if let Some(reason) = &self.reason {
            text += &format!(": {reason}");
        }
        for d in &self.diffs {
            text += &format!("\n  {d}");
        }
        Err(text)
    }

    /// One line of `results.jsonl`.
    pub fn to_json(&self, engine: &str) -> Value {
        let diffs: Vec<Value> = self.diffs.iter().map(Diff::to_json).collect();
        json!({
            "case": self.id,
            "file": self.file.display().to_string(),
            "engine": engine,
            "class": self.class.as_str(),
            "features": self.features,
            "diffs": diffs,
            "reason": self.reason,
            "expected_failure": self.expected_failure,
            "ms": (self.duration.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
        })
    }

    /// Reads a line written by [`CaseResult::to_json`]: the engine name and the result.
    pub fn from_json(v: &Value) -> Option<(String, CaseResult)> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let diffs = v.get("diffs").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let diffs = diffs.iter().map(Diff::from_json).collect();
        let features = v.get("features").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let ms = v.get("ms").and_then(Value::as_f64).filter(|m| m.is_finite() && *m >= 0.0).unwrap_or(0.0);
        let result = CaseResult {
            id: text("case")?,
            file: PathBuf::from(text("file").unwrap_or_default()),
            features: features.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            class: Class::parse(v.get("class")?.as_str()?)?,
            diffs,
            reason: text("reason"),
            expected_failure: text("expected_failure"),
            duration: Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default(),
        };
        Some((text("engine").unwrap_or_default(), result))
    }
}

/// Which cases to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Substrings of case ids; a case runs when it contains any (none given: all).
    pub filters: Vec<String>,
    /// Substrings of case ids; a case that contains any does not run.
    pub excludes: Vec<String>,
    /// Feature ids or prefixes (`retry` or `retry.backoff`); none given: all.
    pub features: Vec<String>,
}

impl Selection {
    pub fn selects(&self, case: &Case) -> bool {
        let by_name = (self.filters.is_empty() || self.filters.iter().any(|f| case.id.contains(f.as_str())))
            && !self.excludes.iter().any(|f| case.id.contains(f.as_str()));
        let by_feature = self.features.is_empty()
            || case.features.iter().any(|cf| self.features.iter().any(|f| cf == f || cf.starts_with(&format!("{f}."))));
        by_name && by_feature
    }
}

/// Loads the cases of several corpus folders; load errors are returned, not fatal.
pub fn load(dirs: &[PathBuf], sel: &Selection) -> (Vec<Case>, Vec<String>) {
    let (mut cases, mut errors) = (Vec::new(), Vec::new());
    for dir in dirs {
        if !dir.is_dir() {
            errors.push(format!("{}: no such corpus folder", dir.display()));
            continue;
        }
        let (c, e) = load_dir(dir);
        cases.extend(c.into_iter().filter(|c| sel.selects(c)));
        errors.extend(e);
    }
    (cases, errors)
}

/// Runs one case on an engine and judges it.
pub fn run_case(engine: &mut dyn Engine, case: &Case) -> CaseResult {
    let started = Instant::now();
    let outcome = engine.run(&case.request());
    judge_case(case, outcome, started.elapsed(), engine.timing_tolerance())
}

/// Judges an engine's outcome for a case. `tolerance`: seconds a retry delay may be off.
pub fn judge_case(case: &Case, outcome: Outcome, duration: Duration, tolerance: f64) -> CaseResult {
    let (class, reason) = match &outcome {
        Outcome::Unsupported(r) => (Class::Skipped, Some(r.clone())),
        Outcome::Poisoned(r) => (Class::Poisoned, Some(r.clone())),
        Outcome::Crashed(r) => (Class::Crashed, Some(r.clone())),
        Outcome::TimedOut => (Class::Timeout, Some("the engine did not answer in time".to_string())),
        _ => (Class::Fail, None),
    };
    let diffs = if class == Class::Fail { compare_with(&case.expect, &outcome, tolerance) } else { Vec::new() };
    let class = if class == Class::Fail && diffs.is_empty() { Class::Pass } else { class };
    CaseResult {
        id: case.id.clone(),
        file: case.file.clone(),
        features: case.features.clone(),
        class,
        diffs,
        reason,
        expected_failure: None,
        duration,
    }
}

/// Applies the engine's known failures: a listed case that does not pass becomes
/// `KnownFailure` with the listed reason (its diffs are kept for the reports); one that passes
/// stays `Pass` and is marked, so the summary can say the entry is stale.
pub fn apply_expectations(result: &mut CaseResult, expectations: &Expectations) {
    let Some(entry) = expectations.lookup(&result.id) else { return };
    if result.class == Class::Skipped {
        // Not run (unsupported): the listing says nothing about it.
        return;
    }
    result.expected_failure = Some(entry.reason.clone());
    if result.class != Class::Pass {
        let was = result.class.as_str();
        let detail = result.reason.take().map(|r| format!(" ({r})")).unwrap_or_default();
        result.reason = Some(format!("known failure: {} [was {was}{detail}]", entry.reason));
        result.class = Class::KnownFailure;
    }
}

/// What a run of several cases gives.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub results: Vec<CaseResult>,
    /// Stopped (Ctrl-C) before every selected case ran.
    pub interrupted: bool,
    /// Set when the engine was declared hung ([`HUNG_AFTER`] timeouts in a row): why. The
    /// cases not sent after that are in `results` as timeouts that say so.
    pub hung: Option<String>,
}

/// After this many timeouts in a row (times the engine's concurrency: an engine running several
/// slow cases at once may see that many legitimately) the engine is declared hung: the cases
/// left are not sent (each would cost the whole timeout) and are classed `timeout` with that
/// reason.
pub const HUNG_AFTER: u32 = 3;

/// Says why the engine cannot run a case, or `None` when it can.
pub type Unsupported<'a> = &'a dyn Fn(&Case) -> Option<String>;

/// How [`run_all`] runs cases.
pub struct RunConfig<'a> {
    /// The engine's known failures.
    pub expectations: &'a Expectations,
    /// Checked before each case: setting it (the Ctrl-C handler does) ends the run after the
    /// current case.
    pub stop: &'a AtomicBool,
    /// Why the engine cannot run a case (features it declared unsupported): such cases are
    /// skipped without being sent.
    pub unsupported: Option<Unsupported<'a>>,
}

impl<'a> RunConfig<'a> {
    pub fn new(expectations: &'a Expectations, stop: &'a AtomicBool) -> RunConfig<'a> {
        RunConfig { expectations, stop, unsupported: None }
    }
}

/// Runs cases on the engine, as many at once as it runs ([`Engine::concurrency`]). After each
/// case, `on_result` sees it (to append it to `results.jsonl`, advance a progress bar); an
/// error there ends the run. `Run::results` keeps the order of `cases`.
pub fn run_all(
    engine: &mut dyn Engine,
    cases: &[Case],
    config: &RunConfig,
    mut on_result: impl FnMut(&CaseResult) -> std::io::Result<()>,
) -> std::io::Result<Run> {
    let mut done: Vec<(usize, CaseResult)> = Vec::with_capacity(cases.len());
    let mut failure: Option<std::io::Error> = None;
    let mut record = |i: usize, mut r: CaseResult, failure: &mut Option<std::io::Error>| {
        apply_expectations(&mut r, config.expectations);
        if let Err(e) = on_result(&r) {
            *failure = Some(e);
            return false;
        }
        done.push((i, r));
        true
    };
    // Cases the engine declared it cannot run are skipped without being sent.
    let mut send = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        match config.unsupported.and_then(|f| f(case)) {
            Some(reason) if failure.is_none() => {
                record(i, skipped(case, reason), &mut failure);
            }
            Some(_) => {}
            None => send.push(i),
        }
    }
    // Timeouts in a row; at the limit the engine is declared hung (for good: cases still in
    // flight may finish after that) and no further case is sent.
    let limit = HUNG_AFTER.saturating_mul(u32::try_from(engine.concurrency().max(1)).unwrap_or(u32::MAX));
    let (in_a_row, declared) = (std::cell::Cell::new(0u32), std::cell::Cell::new(false));
    let mut hung = None;
    if failure.is_none() {
        let tolerance = engine.timing_tolerance();
        let mut reqs = send.iter().map_while(|&i| (!declared.get()).then(|| (i, cases[i].request())));
        let mut answered = vec![false; cases.len()];
        engine.run_stream(&mut reqs, config.stop, &mut |i, outcome, took| {
            let timed_out = matches!(outcome, Outcome::TimedOut);
            in_a_row.set(if timed_out { in_a_row.get() + 1 } else { 0 });
            declared.set(declared.get() || in_a_row.get() >= limit);
            answered[i] = true;
            record(i, judge_case(&cases[i], outcome, took, tolerance), &mut failure)
        });
        if declared.get() && failure.is_none() {
            let why = format!("the engine timed out {limit} cases in a row and was declared hung");
            for &i in send.iter().filter(|&&i| !answered[i]) {
                let mut r = skipped(&cases[i], format!("not sent: {why}"));
                r.class = Class::Timeout;
                if !record(i, r, &mut failure) {
                    break;
                }
            }
            hung = Some(why);
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    done.sort_by_key(|(i, _)| *i);
    let interrupted = done.len() < cases.len();
    Ok(Run { results: done.into_iter().map(|(_, r)| r).collect(), interrupted, hung })
}

fn skipped(case: &Case, reason: String) -> CaseResult {
    CaseResult {
        id: case.id.clone(),
        file: case.file.clone(),
        features: case.features.clone(),
        class: Class::Skipped,
        diffs: Vec::new(),
        reason: Some(reason),
        expected_failure: None,
        duration: Duration::ZERO,
    }
}

/// Totals per area (the first folder of the case id), indexed like [`Class::ALL`].
pub fn summary(results: &[CaseResult]) -> BTreeMap<String, [usize; CLASSES]> {
    let mut by_area: BTreeMap<String, [usize; CLASSES]> = BTreeMap::new();
    for r in results {
        let slot = by_area.entry(r.area().to_string()).or_default();
        slot[r.class as usize] += 1;
    }
    by_area
}

/// The summary as a fixed-width table.
pub fn summary_table(results: &[CaseResult]) -> String {
    let width = |c: Class| c.as_str().len().max(8);
    let row = |name: &str, n: &[usize; CLASSES]| {
        let mut line = format!("{name:<14}");
        for (count, c) in n.iter().zip(Class::ALL) {
            line += &format!(" {count:>w$}", w = width(c));
        }
        line + &format!(" {:>8}\n", n.iter().sum::<usize>())
    };
    let mut s = format!("{:<14}", "area");
    for c in Class::ALL {
        s += &format!(" {:>w$}", c.as_str(), w = width(c));
    }
    s += &format!(" {:>8}\n", "total");
    let mut total = [0usize; CLASSES];
    for (area, n) in summary(results) {
        s += &row(&area, &n);
        for (t, c) in total.iter_mut().zip(n) {
            *t += c;
        }
    }
    s + &row("all", &total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(class: Class, reason: Option<&str>) -> CaseResult {
        CaseResult {
            id: "pass/x".into(),
            file: PathBuf::from("x.json"),
            features: Vec::new(),
            class,
            diffs: Vec::new(),
            reason: reason.map(str::to_string),
            expected_failure: None,
            duration: Duration::ZERO,
        }
    }

    #[test]
    fn only_a_pass_passes_even_without_diffs() {
        assert_eq!(result(Class::Pass, None).passed(), Ok(()));
        for class in [Class::Skipped, Class::Crashed, Class::Timeout, Class::Poisoned, Class::Fail] {
            let why = result(class, Some("why")).passed();
            assert_eq!(why, Err(format!("{}: why", class.as_str())));
        }
    }

    /// An engine that never answers in time; counts the requests it gets.
    struct Hung(usize);

    impl Engine for Hung {
        fn name(&self) -> &str {
            "hung"
        }
        fn run(&mut self, _: &crate::engine::Request) -> Outcome {
            self.0 += 1;
            Outcome::TimedOut
        }
    }

    fn case(i: usize) -> Case {
        let mut c: Case = serde_json::from_value(json!({
            "description": "d", "features": ["pass"], "confidence": "documented",
            "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "expect": {"status": "SUCCEEDED"}}))
        .expect("a case");
        c.id = format!("pass/c{i}");
        c
    }

    #[test]
    fn an_engine_that_times_out_three_cases_in_a_row_is_declared_hung() {
        let cases: Vec<Case> = (0..10).map(case).collect();
        let (exp, stop) = (Expectations::default(), AtomicBool::new(false));
        let mut engine = Hung(0);
        let run = run_all(&mut engine, &cases, &RunConfig::new(&exp, &stop), |_| Ok(())).expect("run");
        assert_eq!(engine.0, HUNG_AFTER as usize, "cases sent");
        assert_eq!(run.results.len(), 10);
        assert!(!run.interrupted);
        assert!(run.results.iter().all(|r| r.class == Class::Timeout));
        let not_sent =
            run.results.iter().filter(|r| r.reason.as_deref().unwrap_or("").starts_with("not sent: ")).count();
        assert_eq!(not_sent, 7);
        assert_eq!(run.hung.as_deref(), Some("the engine timed out 3 cases in a row and was declared hung"));
    }

    /// Runs two cases at a time; cases 0 and 7 succeed, the others time out.
    struct TwoAtATime(Vec<usize>);

    impl Engine for TwoAtATime {
        fn name(&self) -> &str {
            "two"
        }
        fn concurrency(&self) -> usize {
            2
        }
        fn run(&mut self, _: &crate::engine::Request) -> Outcome {
            Outcome::TimedOut
        }
        fn run_stream(
            &mut self,
            reqs: &mut dyn Iterator<Item = (usize, crate::engine::Request)>,
            _: &AtomicBool,
            done: crate::engine::Done,
        ) {
            loop {
                let batch: Vec<usize> = reqs.take(2).map(|(i, _)| i).collect();
                if batch.is_empty() {
                    return;
                }
                for i in batch {
                    self.0.push(i);
                    let outcome = match i {
                        0 | 7 => Outcome::Ran { result: json!({"status": "SUCCEEDED"}) },
                        _ => Outcome::TimedOut,
                    };
                    done(i, outcome, Duration::ZERO);
                }
            }
        }
    }

    #[test]
    fn a_concurrent_engine_is_declared_hung_for_good_after_more_timeouts() {
        let cases: Vec<Case> = (0..12).map(case).collect();
        let (exp, stop) = (Expectations::default(), AtomicBool::new(false));
        let mut engine = TwoAtATime(Vec::new());
        let run = run_all(&mut engine, &cases, &RunConfig::new(&exp, &stop), |_| Ok(())).expect("run");
        // Cases 1 to 6 time out (6 = 3 x concurrency 2): hung. Case 7 was in flight and passes,
        // which does not undo it.
        assert_eq!(engine.0, (0..8).collect::<Vec<_>>());
        assert_eq!(run.results.len(), 12);
        assert!(!run.interrupted);
        assert_eq!(run.results[7].class, Class::Pass);
        let not_sent: Vec<&str> = run
            .results
            .iter()
            .filter(|r| r.reason.as_deref().unwrap_or("").starts_with("not sent: "))
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(not_sent, ["pass/c8", "pass/c9", "pass/c10", "pass/c11"]);
        assert_eq!(run.hung.as_deref(), Some("the engine timed out 6 cases in a row and was declared hung"));
    }
}
