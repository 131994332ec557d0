//! Running a corpus on an engine: results per case, a per-area summary, and report files.
//! Results are appended to `results.jsonl` as they arrive, so an interrupted run still leaves
//! a valid record of what finished.

use crate::case::{load_dir, Case};
use crate::compare::{compare, Diff};
use crate::engine::{Engine, Outcome, Request};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

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
}

impl CaseResult {
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
        })
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
    let req = Request {
        definition: &case.definition,
        input: &case.input,
        behaviours: case.behaviours.as_ref(),
        context: case.context.as_ref(),
        seed: 0,
    };
    let outcome = engine.run(&req);
    let (class, reason) = match &outcome {
        Outcome::Unsupported(r) => (Class::Skipped, Some(r.clone())),
        Outcome::Poisoned(r) => (Class::Poisoned, Some(r.clone())),
        Outcome::Crashed(r) => (Class::Crashed, Some(r.clone())),
        Outcome::TimedOut => (Class::Timeout, Some("the engine did not answer in time".to_string())),
        _ => (Class::Fail, None),
    };
    let diffs = if class == Class::Fail { compare(&case.expect, &outcome) } else { Vec::new() };
    let class = if class == Class::Fail && diffs.is_empty() { Class::Pass } else { class };
    CaseResult { id: case.id.clone(), file: case.file.clone(), features: case.features.clone(), class, diffs, reason }
}

/// Runs cases in order, appending each result to `results.jsonl` in `report` when given.
pub fn run_all(
    engine: &mut dyn Engine,
    cases: &[Case],
    report: Option<&Path>,
    mut progress: impl FnMut(&CaseResult),
) -> std::io::Result<Vec<CaseResult>> {
    let mut sink = match report {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            Some(std::fs::File::create(dir.join("results.jsonl"))?)
        }
        None => None,
    };
    let mut out = Vec::with_capacity(cases.len());
    for case in cases {
        let r = run_case(engine, case);
        if let Some(f) = sink.as_mut() {
            writeln!(f, "{}", r.to_json(engine.name()))?;
            f.flush()?;
        }
        progress(&r);
        out.push(r);
    }
    Ok(out)
}

/// Totals per area (the first folder of the case id), indexed like [`Class::ALL`].
pub fn summary(results: &[CaseResult]) -> BTreeMap<String, [usize; 6]> {
    let mut by_area: BTreeMap<String, [usize; 6]> = BTreeMap::new();
    for r in results {
        let area = r.id.split('/').next().unwrap_or("").to_string();
        let slot = by_area.entry(area).or_default();
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

/// Writes `summary.json` beside `results.jsonl`.
pub fn write_summary(dir: &Path, engine: &str, results: &[CaseResult]) -> std::io::Result<()> {
    let class_counts = |n: [usize; 6]| -> Value {
        Value::Object(Class::ALL.iter().zip(n).map(|(c, k)| (c.as_str().to_string(), json!(k))).collect())
    };
    let areas: serde_json::Map<String, Value> =
        summary(results).into_iter().map(|(a, n)| (a, class_counts(n))).collect();
    let mut doc = json!({"engine": engine, "cases": results.len()});
    for c in Class::ALL {
        doc[c.as_str()] = json!(results.iter().filter(|r| r.class == c).count());
    }
    doc["areas"] = Value::Object(areas);
    std::fs::write(dir.join("summary.json"), serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n")
}
