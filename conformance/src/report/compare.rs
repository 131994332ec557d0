//! `compare.md`: this run against a baseline run's `results.jsonl`: fixed, newly broken, new
//! crashes and timeouts, still failing, with counts. Cases pair up by engine name and case id;
//! when both runs have a single engine they pair up whatever the engines are called.

use super::Report;
use crate::suite::{CaseResult, Class};
use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

/// One case whose class is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub engine: String,
    pub id: String,
    /// `None`: the case was not in the baseline.
    pub before: Option<Class>,
    pub after: Class,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Failed before, passes now.
    pub fixed: Vec<Change>,
    /// Passed (or was new) before, `fail` now.
    pub broken: Vec<Change>,
    /// `crashed` or `timeout` now, and not the same class before.
    pub new_crashes: Vec<Change>,
    /// A failure before and now.
    pub still_failing: Vec<Change>,
    /// Any other change of class (to or from skipped, poisoned...).
    pub other: Vec<Change>,
    pub unchanged_passing: usize,
    /// Cases of this run that the baseline lacks.
    pub added: usize,
    /// Cases of the baseline this run lacks (not run, or removed).
    pub missing: usize,
}

impl Comparison {
    pub fn new(baseline: &[(String, CaseResult)], report: &Report) -> Comparison {
        let single = report.engines.len() == 1 && {
            let mut names: Vec<&str> = baseline.iter().map(|(e, _)| e.as_str()).collect();
            names.dedup();
            names.len() <= 1
        };
        let key = |engine: &str, id: &str| {
            if single {
                (String::new(), id.to_string())
            } else {
                (engine.to_string(), id.to_string())
            }
        };
        let mut before: HashMap<(String, String), Class> =
            baseline.iter().map(|(e, r)| (key(e, &r.id), r.class)).collect();
        let mut cmp = Comparison::default();
        for engine in &report.engines {
            for r in &engine.results {
                let old = before.remove(&key(&engine.name, &r.id));
                let change = Change { engine: engine.name.clone(), id: r.id.clone(), before: old, after: r.class };
                cmp.classify(change);
            }
        }
        cmp.missing = before.len();
        cmp
    }

    fn classify(&mut self, c: Change) {
        let failed_before = c.before.is_some_and(Class::is_failure);
        if c.before.is_none() {
            self.added += 1;
        }
        let list = match (c.before, c.after) {
            (_, Class::Crashed | Class::Timeout) if c.before != Some(c.after) => &mut self.new_crashes,
            (_, Class::Pass) if failed_before => &mut self.fixed,
            (Some(Class::Pass) | None, Class::Fail) => &mut self.broken,
            (_, after) if failed_before && after.is_failure() => &mut self.still_failing,
            (Some(Class::Pass), Class::Pass) => {
                self.unchanged_passing += 1;
                return;
            }
            (Some(b), a) if b == a => return,
            (None, Class::Pass) => return,
            _ => &mut self.other,
        };
        list.push(c);
    }

    pub fn render(&self, baseline: &Path, report: &Report) -> String {
        let mut s = String::from("# Comparison with a baseline\n\n");
        let _ = writeln!(s, "{}\n\nBaseline: `{}`\n", report.provenance(), baseline.display());
        let sections: [(&str, &[Change]); 5] = [
            ("Fixed", &self.fixed),
            ("Newly broken", &self.broken),
            ("New crashes and timeouts", &self.new_crashes),
            ("Still failing", &self.still_failing),
            ("Other changes", &self.other),
        ];
        s.push_str("| | cases |\n|---|---|\n");
        for (title, list) in sections {
            let _ = writeln!(s, "| {title} | {} |", list.len());
        }
        let _ = writeln!(s, "| Passing before and now | {} |", self.unchanged_passing);
        let _ = writeln!(s, "| Not in the baseline | {} |", self.added);
        let _ = writeln!(s, "| In the baseline, not in this run | {} |\n", self.missing);
        for (title, list) in sections {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(s, "## {title} ({})\n", list.len());
            for c in list {
                let before = c.before.map_or("new", Class::as_str);
                let _ = writeln!(s, "- `{}` ({}): {before} → {}", c.id, c.engine, c.after.as_str());
            }
            s.push('\n');
        }
        s
    }
}
