//! Differential runs: a generated machine on the reference and on another engine, the two
//! results compared (status, output or error and cause, routing, retry delays), and every
//! disagreement shrunk to the smallest machine that still shows it, then written as a pending
//! corpus case that anyone can replay.

use crate::compare::{compare, Diff};
use crate::engine::{Engine, Outcome};
use crate::generated::{self, ConfigSource};
use asl_generators::{laws, GenConfig, Generated};
use proptest::strategy::ValueTree;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What one generated case gave.
#[derive(Debug, Clone)]
pub enum Verdict {
    Agree,
    /// The engine disagrees with the reference.
    Disagree(Box<Evidence>),
    /// The engine could not run it (unsupported feature, throttling): no verdict.
    NoVerdict(String),
}

/// The two results of a disagreement and their differences.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub reference: Value,
    pub engine: Outcome,
    pub diffs: Vec<Diff>,
}

impl Evidence {
    /// The result fields that differ (`output`, `states`, `retries`...): what a shrunk case must
    /// keep showing to count as the same disagreement.
    pub fn fields(&self) -> BTreeSet<String> {
        self.diffs.iter().map(|d| top_field(&d.pointer)).collect()
    }
}

/// `/output/a/0` → `output`; `/` (the engine crashed or gave no result) → `outcome`.
fn top_field(pointer: &str) -> String {
    match pointer.trim_start_matches('/').split('/').next() {
        Some("") | None => "outcome".to_string(),
        Some(f) => f.to_string(),
    }
}

/// Runs `g` on the reference and on `engine`, and compares. `skip` says why the engine cannot
/// run a case with these features (it declared them unsupported).
pub fn judge_generated(engine: &mut dyn Engine, g: &Generated, skip: &dyn Fn(&[String]) -> Option<String>) -> Verdict {
    let reference = match generated::reference_result(g) {
        Ok(r) => r,
        // A generator bug is a finding too, but about us: report it as a disagreement at `/`.
        Err(e) => {
            let diffs = vec![Diff::new("/", json!("a valid machine"), json!(e))];
            return Verdict::Disagree(Box::new(Evidence { reference: Value::Null, engine: Outcome::Error(e), diffs }));
        }
    };
    if let Some(reason) = skip(&generated::features(g)) {
        return Verdict::NoVerdict(reason);
    }
    let outcome = engine.run(&generated::request(g));
    match &outcome {
        Outcome::Unsupported(r) | Outcome::Poisoned(r) => return Verdict::NoVerdict(r.clone()),
        _ => {}
    }
    let diffs = compare(&generated::expectation(&reference), &outcome);
    if diffs.is_empty() {
        Verdict::Agree
    } else {
        Verdict::Disagree(Box::new(Evidence { reference, engine: outcome, diffs }))
    }
}

/// A disagreement after shrinking.
#[derive(Debug, Clone)]
pub struct Shrunk {
    pub config: GenConfig,
    pub machine: Generated,
    pub evidence: Evidence,
    /// States (all nesting levels) before and after shrinking.
    pub states_before: usize,
    pub states_after: usize,
    /// Shrink steps that kept the disagreement, and engine runs spent.
    pub accepted: usize,
    pub runs: usize,
}

/// Every state of every nested machine.
pub fn state_count(definition: &Value) -> usize {
    laws::state_names(definition).len()
}

/// Shrinks a disagreeing case: proptest simplifies the tree (deleting construction steps first,
/// then simplifying each choice), then [`polish`] drops optional fields; a simpler machine is
/// kept when it still disagrees in one of the same result fields. At most `budget` candidate
/// runs.
pub fn shrink(
    engine: &mut dyn Engine,
    mut tree: Box<dyn ValueTree<Value = (GenConfig, Generated)>>,
    first: Evidence,
    skip: &dyn Fn(&[String]) -> Option<String>,
    budget: usize,
) -> Shrunk {
    let (config, machine) = tree.current();
    let wanted = first.fields();
    let states_before = state_count(&machine.definition);
    let mut best =
        Shrunk { config, machine, evidence: first, states_before, states_after: states_before, accepted: 0, runs: 0 };
    let mut runs = 0;
    let mut more = tree.simplify();
    while more && runs < budget {
        runs += 1;
        let (cfg, candidate) = tree.current();
        let still = match judge_generated(engine, &candidate, skip) {
            Verdict::Disagree(e) if !e.fields().is_disjoint(&wanted) => Some(e),
            _ => None,
        };
        more = match still {
            Some(e) => {
                best.states_after = state_count(&candidate.definition);
                best.config = cfg;
                best.machine = candidate;
                best.evidence = *e;
                best.accepted += 1;
                tree.simplify()
            }
            None => tree.complicate(),
        };
    }
    runs += polish(engine, &mut best, &wanted, skip, budget.saturating_sub(runs));
    best.runs = runs;
    best
}

/// Optional state fields a shrunk case may lose (JSONata ones too).
const REMOVABLE: [&str; 16] = [
    "Comment",
    "Arguments",
    "Output",
    "Items",
    "InputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "OutputPath",
    "Assign",
    "ItemSelector",
    "ItemsPath",
    "MaxConcurrency",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "ItemBatcher",
];

/// Templates whose entries may go one by one (JSONata `Arguments` and `Output` when objects).
const TEMPLATES: [&str; 6] = ["Parameters", "ResultSelector", "ItemSelector", "Assign", "Arguments", "Output"];

/// A second pass after proptest's: edits of the JSON itself that construction steps cannot
/// express (drop one optional field, one template entry, one retrier or catcher, one input
/// field or array item), each kept when the machine stays valid and still disagrees. Returns
/// the runs spent.
fn polish(
    engine: &mut dyn Engine,
    best: &mut Shrunk,
    wanted: &BTreeSet<String>,
    skip: &dyn Fn(&[String]) -> Option<String>,
    budget: usize,
) -> usize {
    let mut runs = 0;
    'outer: while runs < budget {
        for candidate in simpler(&best.machine) {
            if runs >= budget {
                break 'outer;
            }
            if !asl::check(&candidate.definition).1.is_empty() {
                continue;
            }
            runs += 1;
            if let Verdict::Disagree(e) = judge_generated(engine, &candidate, skip) {
                if !e.fields().is_disjoint(wanted) {
                    best.states_after = state_count(&candidate.definition);
                    best.machine = candidate;
                    best.evidence = *e;
                    best.accepted += 1;
                    continue 'outer;
                }
            }
        }
        break;
    }
    runs
}

/// Every machine one edit simpler than `g` (valid or not).
fn simpler(g: &Generated) -> Vec<Generated> {
    let mut out = Vec::new();
    let with_definition = |d: Value| Generated { definition: d, ..g.clone() };
    for p in state_pointers(&g.definition, "") {
        let Some(state) = g.definition.pointer(&p).and_then(Value::as_object) else { continue };
        for key in REMOVABLE.iter().filter(|k| state.contains_key(**k)) {
            out.push(with_definition(edit(&g.definition, &p, |s| {
                s.remove(*key);
            })));
        }
        for key in TEMPLATES {
            let Some(entries) = state.get(key).and_then(Value::as_object) else { continue };
            for k in entries.keys() {
                out.push(with_definition(edit(&g.definition, &p, |s| {
                    if let Some(t) = s.get_mut(key).and_then(Value::as_object_mut) {
                        t.remove(k);
                    }
                })));
            }
        }
        for key in ["Retry", "Catch"] {
            let n = state.get(key).and_then(Value::as_array).map_or(0, Vec::len);
            for i in 0..n {
                out.push(with_definition(edit(&g.definition, &p, |s| {
                    if let Some(list) = s.get_mut(key).and_then(Value::as_array_mut) {
                        list.remove(i);
                        if list.is_empty() {
                            s.remove(key);
                        }
                    }
                })));
            }
        }
    }
    if let Some(input) = g.input.as_object() {
        for (k, v) in input {
            let mut smaller = g.input.clone();
            if let Some(o) = smaller.as_object_mut() {
                o.remove(k);
            }
            out.push(Generated { input: smaller, ..g.clone() });
            for i in 0..v.as_array().map_or(0, Vec::len) {
                let mut smaller = g.input.clone();
                if let Some(a) = smaller.get_mut(k).and_then(Value::as_array_mut) {
                    a.remove(i);
                }
                out.push(Generated { input: smaller, ..g.clone() });
            }
        }
    }
    out
}

/// A copy of `definition` with `f` applied to the state object at `pointer`.
fn edit(definition: &Value, pointer: &str, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut d = definition.clone();
    if let Some(state) = d.pointer_mut(pointer).and_then(Value::as_object_mut) {
        f(state);
    }
    d
}

/// JSON pointers of every state object of a machine and its nested machines.
fn state_pointers(machine: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(states) = machine.get("States").and_then(Value::as_object) else { return out };
    for (name, state) in states {
        let p = format!("{at}/States/{}", name.replace('~', "~0").replace('/', "~1"));
        out.push(p.clone());
        for (i, b) in state.get("Branches").and_then(Value::as_array).into_iter().flatten().enumerate() {
            out.extend(state_pointers(b, &format!("{p}/Branches/{i}")));
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(inner) = state.get(key) {
                out.extend(state_pointers(inner, &format!("{p}/{key}")));
            }
        }
    }
    out
}

/// Folder names under `corpus/cases/` for feature-id prefixes, most telling first: a
/// disagreement is filed under the first area its shrunk machine touches.
const AREAS: [(&str, &str); 16] = [
    ("dmap", "map"),
    ("map", "map"),
    ("parallel", "parallel"),
    ("retry", "retry"),
    ("catch", "catch"),
    ("timeout", "timeout"),
    ("intrinsic", "intrinsics"),
    ("choice", "choice"),
    ("wait", "wait"),
    ("vars", "variables"),
    ("ctx", "context"),
    ("fail", "fail"),
    ("jsonpath", "jsonpath"),
    ("paths", "paths"),
    ("task", "task"),
    ("pass", "pass"),
];

/// The corpus area for a disagreement: retry delays that differ are a retry matter whatever the
/// machine; otherwise the first area of [`AREAS`] among the machine's features.
pub fn area(features: &[String], evidence: &Evidence) -> &'static str {
    if evidence.fields().contains("retries") {
        return "retry";
    }
    let prefix = |f: &String| f.split('.').next().unwrap_or("").to_string();
    let present: BTreeSet<String> = features.iter().map(prefix).collect();
    AREAS.iter().find(|(p, _)| present.contains(*p)).map(|(_, a)| *a).unwrap_or("pass")
}

/// What an engine gave, for the record in a pending case (histories left out: they are long
/// and the comparison does not read them).
pub fn outcome_json(o: &Outcome) -> Value {
    match o {
        Outcome::Ran { result } => without_history(result),
        Outcome::Rejected { codes, messages } => json!({"rejected": {"codes": codes, "messages": messages}}),
        Outcome::Unsupported(r) => json!({"unsupported": r}),
        Outcome::Poisoned(r) => json!({"poisoned": r}),
        Outcome::Crashed(r) => json!({"crashed": r}),
        Outcome::TimedOut => json!({"timeout": true}),
        Outcome::Error(r) => json!({"error": r}),
    }
}

fn without_history(result: &Value) -> Value {
    let mut r = result.clone();
    if let Some(o) = r.as_object_mut() {
        o.remove("history");
    }
    r
}

/// Where a run's pending cases go, and what names them.
pub struct Pending<'a> {
    pub dir: &'a Path,
    pub engine: &'a str,
    pub seed: u64,
    pub source: &'a ConfigSource,
}

impl Pending<'_> {
    /// Writes a shrunk disagreement as a corpus case under `<dir>/<area>/`; returns its path.
    /// The case expects the reference's result and records both results, the diffs, the seed
    /// and the configuration, so it can be replayed and regenerated.
    pub fn write(&self, index: u64, s: &Shrunk) -> std::io::Result<PathBuf> {
        let features = generated::features(&s.machine);
        let area = area(&features, &s.evidence);
        let fields: Vec<String> = s.evidence.fields().into_iter().collect();
        let mut provenance = generated::provenance(self.seed, index, &s.config, self.source);
        if let Some(p) = provenance.as_object_mut() {
            p.insert("engine".into(), json!(self.engine));
            p.insert("engine_result".into(), outcome_json(&s.evidence.engine));
            p.insert("reference_result".into(), without_history(&s.evidence.reference));
            let diffs: Vec<Value> = s.evidence.diffs.iter().map(Diff::to_json).collect();
            p.insert("diffs".into(), json!(diffs));
            p.insert(
                "shrinking".into(),
                json!({"states_before": s.states_before, "states_after": s.states_after, "runs": s.runs}),
            );
            p.insert(
                "to_promote".into(),
                json!("check the expectation against the AWS documentation, write a description, then `cargo xtask corpus promote FILE`"),
            );
        }
        let id = format!("{area}/seed-{}-case-{index}", self.seed);
        let file = self.dir.join(format!("{id}.json"));
        let mut case = generated::case(id, file.clone(), &s.machine, &s.evidence.reference, provenance);
        case.description = format!(
            "Pending: the engine under test ({}) disagrees with the reference interpreter on {} (generated, seed {}, case {index}, shrunk from {} to {} states)",
            self.engine,
            fields.join(", "),
            self.seed,
            s.states_before,
            s.states_after
        );
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let text = serde_json::to_string_pretty(&generated::case_file_json(&case)).unwrap_or_default();
        std::fs::write(&file, text + "\n")?;
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Reference, Request};

    /// An engine with a planted bug: every retry delay is one second longer.
    struct SlowRetries;

    impl Engine for SlowRetries {
        fn name(&self) -> &str {
            "slow-retries"
        }

        fn run(&mut self, req: &Request) -> Outcome {
            let mut out = Reference.run(req);
            if let Outcome::Ran { result } = &mut out {
                for r in result["retries"].as_array_mut().into_iter().flatten() {
                    for d in r["delays"].as_array_mut().into_iter().flatten() {
                        *d = json!(d.as_f64().unwrap_or(0.0) + 1.0);
                    }
                }
            }
            out
        }
    }

    fn no_skip(_: &[String]) -> Option<String> {
        None
    }

    #[test]
    fn the_reference_agrees_with_itself() {
        let s = ConfigSource::Swarm.strategy();
        for i in 0..100 {
            let (_, g) = generated::tree(&s, 11, i).current();
            assert!(matches!(judge_generated(&mut Reference, &g, &no_skip), Verdict::Agree), "case {i}");
        }
    }

    #[test]
    fn a_planted_bug_is_found_and_shrunk() {
        let s = ConfigSource::Fixed(GenConfig::default()).strategy();
        let found = (0..500).find_map(|i| {
            match judge_generated(&mut SlowRetries, &generated::tree(&s, 1, i).current().1, &no_skip) {
                Verdict::Disagree(e) => Some((i, e)),
                _ => None,
            }
        });
        let (i, e) = found.expect("some generated machine retries");
        assert!(e.fields().contains("retries"));
        let shrunk = shrink(&mut SlowRetries, generated::tree(&s, 1, i), *e, &no_skip, 2000);
        assert!(shrunk.states_after <= shrunk.states_before);
        assert!(shrunk.states_after <= 3, "shrunk to {} states: {}", shrunk.states_after, shrunk.machine.definition);
        // Polishing leaves no template or path the disagreement does not need.
        let text = shrunk.machine.definition.to_string();
        for field in ["Parameters", "ResultSelector", "ItemSelector", "Assign", "OutputPath"] {
            assert!(!text.contains(field), "{field} left in {text}");
        }
        assert!(shrunk.evidence.fields().contains("retries"));
        assert_eq!(area(&generated::features(&shrunk.machine), &shrunk.evidence), "retry");
    }

    #[test]
    fn top_fields_name_the_result_field() {
        assert_eq!(top_field("/output/a/0"), "output");
        assert_eq!(top_field("/"), "outcome");
        assert_eq!(top_field("/retries/A"), "retries");
    }
}
