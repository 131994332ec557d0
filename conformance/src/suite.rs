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

/// The result classes of DESIGN section 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    Pass,
    Fail,
    Skipped,
    Poisoned,
    Crashed,
    Timeout,
}

impl Class {
    pub const ALL: [Class; 6] =
        [Class::Pass, Class::Fail, Class::Skipped, Class::Poisoned, Class::Crashed, Class::Timeout];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Pass => "pass",
            Class::Fail => "fail",
            Class::Skipped => "skipped",
            Class::Poisoned => "poisoned",
            Class::Crashed => "crashed",
            Class::Timeout => "timeout",
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
    /// with class `Skipped` a known failure, with class `Pass` a listed case that now passes.
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

    /// One line of `results.jsonl`.
    pub fn to_json(&self, engine: &str) -> Value {
        let diffs: Vec<Value> = self
            .diffs
            .iter()
            .map(|d| json!({"pointer": d.pointer, "expected": d.expected, "actual": d.actual}))
            .collect();
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
        let diffs = diffs
            .iter()
            .map(|d| Diff {
                pointer: d.get("pointer").and_then(Value::as_str).unwrap_or_default().to_string(),
                expected: d.get("expected").cloned().unwrap_or_default(),
                actual: d.get("actual").cloned().unwrap_or_default(),
            })
            .collect();
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
    /// Feature ids or prefixes (`retry` or `retry.backoff`); none given: all.
    pub features: Vec<String>,
}

impl Selection {
    pub fn selects(&self, case: &Case) -> bool {
        let by_name = self.filters.is_empty() || self.filters.iter().any(|f| case.id.contains(f.as_str()));
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
    judge(case, outcome, started.elapsed(), engine.timing_tolerance())
}

/// Judges an engine's outcome for a case. `tolerance`: seconds a retry delay may be off.
pub fn judge(case: &Case, outcome: Outcome, duration: Duration, tolerance: f64) -> CaseResult {
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

/// Applies the engine's known failures: a listed case that does not pass becomes `Skipped`
/// with the listed reason (its diffs are kept for the reports); one that passes stays `Pass`
/// and is marked, so the summary can say the entry is stale.
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
        result.class = Class::Skipped;
    }
}

/// What a run of several cases gives.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub results: Vec<CaseResult>,
    /// Stopped (Ctrl-C) before every selected case ran.
    pub interrupted: bool,
}

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
    if failure.is_none() {
        let tolerance = engine.timing_tolerance();
        let mut reqs = send.iter().map(|&i| (i, cases[i].request()));
        engine.run_stream(&mut reqs, config.stop, &mut |i, outcome, took| {
            record(i, judge(&cases[i], outcome, took, tolerance), &mut failure)
        });
    }
    if let Some(e) = failure {
        return Err(e);
    }
    done.sort_by_key(|(i, _)| *i);
    let interrupted = done.len() < cases.len();
    Ok(Run { results: done.into_iter().map(|(_, r)| r).collect(), interrupted })
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
pub fn summary(results: &[CaseResult]) -> BTreeMap<String, [usize; 6]> {
    let mut by_area: BTreeMap<String, [usize; 6]> = BTreeMap::new();
    for r in results {
        let slot = by_area.entry(r.area().to_string()).or_default();
        slot[r.class as usize] += 1;
    }
    by_area
}

/// The summary as a fixed-width table.
pub fn summary_table(results: &[CaseResult]) -> String {
    let row = |name: &str, n: &[usize; 6]| {
        let mut line = format!("{name:<14}");
        for count in n {
            line += &format!(" {count:>8}");
        }
        line + &format!(" {:>8}\n", n.iter().sum::<usize>())
    };
    let mut s = format!("{:<14}", "area");
    for c in Class::ALL {
        s += &format!(" {:>8}", c.as_str());
    }
    s += &format!(" {:>8}\n", "total");
    let mut total = [0usize; 6];
    for (area, n) in summary(results) {
        s += &row(&area, &n);
        for (t, c) in total.iter_mut().zip(n) {
            *t += c;
        }
    }
    s + &row("all", &total)
}
