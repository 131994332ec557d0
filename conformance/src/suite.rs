//! Running a corpus on an engine: results per case, a per-area summary, and report files.
//! Results are appended to `results.jsonl` as they arrive, so an interrupted run still leaves
//! a valid record of what finished.

use crate::case::{load_dir, Case};
use crate::compare::{compare, Diff};
use crate::engine::{Engine, Request};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Pass,
    Fail,
    Skipped,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Pass => "pass",
            Class::Fail => "fail",
            Class::Skipped => "skipped",
        }
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
    let diffs = compare(&case.expect, &outcome);
    let class = if diffs.is_empty() { Class::Pass } else { Class::Fail };
    CaseResult {
        id: case.id.clone(),
        file: case.file.clone(),
        features: case.features.clone(),
        class,
        diffs,
        reason: None,
    }
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

/// Totals per area (the first folder of the case id).
pub fn summary(results: &[CaseResult]) -> BTreeMap<String, [usize; 3]> {
    let mut by_area: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for r in results {
        let area = r.id.split('/').next().unwrap_or("").to_string();
        let slot = by_area.entry(area).or_default();
        slot[r.class as usize] += 1;
    }
    by_area
}

/// The summary as a fixed-width table.
pub fn summary_table(results: &[CaseResult]) -> String {
    let mut s = format!("{:<14} {:>6} {:>6} {:>8} {:>6}\n", "area", "pass", "fail", "skipped", "total");
    let mut total = [0usize; 3];
    for (area, n) in summary(results) {
        s += &format!("{:<14} {:>6} {:>6} {:>8} {:>6}\n", area, n[0], n[1], n[2], n.iter().sum::<usize>());
        for i in 0..3 {
            total[i] += n[i];
        }
    }
    s += &format!("{:<14} {:>6} {:>6} {:>8} {:>6}\n", "all", total[0], total[1], total[2], total.iter().sum::<usize>());
    s
}

/// Writes `summary.json` beside `results.jsonl`.
pub fn write_summary(dir: &Path, engine: &str, results: &[CaseResult]) -> std::io::Result<()> {
    let areas: serde_json::Map<String, Value> =
        summary(results).into_iter().map(|(a, n)| (a, json!({"pass": n[0], "fail": n[1], "skipped": n[2]}))).collect();
    let count = |c: Class| results.iter().filter(|r| r.class == c).count();
    let doc = json!({
        "engine": engine,
        "cases": results.len(),
        "pass": count(Class::Pass),
        "fail": count(Class::Fail),
        "skipped": count(Class::Skipped),
        "areas": areas,
    });
    std::fs::write(dir.join("summary.json"), serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n")
}
