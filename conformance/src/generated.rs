//! Generated cases: machines from `asl-generators`, made reproducible from a seed and an index,
//! and turned into corpus cases whose expectation is what the reference interpreter gives.
//!
//! The expectation of a generated case is the reference's result, not AWS's: a generated case
//! checks that an engine agrees with the reference. Its `confidence` says so, and a pending case
//! must be checked against the AWS documentation before it is promoted into `corpus/cases/`.

use crate::case::{Case, Expect, RetryExpect};
use crate::engine::{Engine, Outcome, Reference, Request};
use asl_generators::{features_of, strategy, swarm_strategy, GenConfig, Generated};
use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};
use std::path::PathBuf;

/// Where generation settings come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigSource {
    /// One fixed configuration for every case (`GenConfig::default()` unless read from a file).
    Fixed(GenConfig),
    /// Swarm testing: each case draws its own configuration first.
    Swarm,
}

impl ConfigSource {
    /// `swarm`, or a JSON file holding a (partial) `GenConfig`, or `default`.
    pub fn parse(spec: &str) -> Result<ConfigSource, String> {
        match spec {
            "swarm" => Ok(ConfigSource::Swarm),
            "default" => Ok(ConfigSource::Fixed(GenConfig::default())),
            file => {
                let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
                serde_json::from_str(&text)
                    .map(ConfigSource::Fixed)
                    .map_err(|e| format!("{file}: not a GenConfig: {e}"))
            }
        }
    }

    /// The strategy: each value is the configuration used and the machine generated under it.
    pub fn strategy(&self) -> BoxedStrategy<(GenConfig, Generated)> {
        match self {
            ConfigSource::Swarm => swarm_strategy().boxed(),
            ConfigSource::Fixed(cfg) => {
                let cfg = cfg.clone();
                strategy(cfg.clone()).prop_map(move |g| (cfg.clone(), g)).boxed()
            }
        }
    }

    pub fn label(&self) -> String {
        match self {
            ConfigSource::Swarm => "swarm".to_string(),
            ConfigSource::Fixed(cfg) if *cfg == GenConfig::default() => "default".to_string(),
            ConfigSource::Fixed(_) => "file".to_string(),
        }
    }
}

/// The value tree of case `index` of a run seeded with `seed`: the same pair always gives the
/// same machine, and each case can be regenerated alone.
pub fn tree(
    strategy: &BoxedStrategy<(GenConfig, Generated)>,
    seed: u64,
    index: u64,
) -> Box<dyn ValueTree<Value = (GenConfig, Generated)>> {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&index.to_le_bytes());
    bytes[16..24].copy_from_slice(b"aslcheck");
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    // Generation from bytes cannot fail: exhausted bytes read as zeros.
    strategy.new_tree(&mut runner).unwrap_or_else(|_| unreachable_tree())
}

fn unreachable_tree() -> Box<dyn ValueTree<Value = (GenConfig, Generated)>> {
    let cfg = GenConfig::default();
    let g = asl_generators::from_parts(&cfg, &[], &[], &[]);
    Box::new(proptest::strategy::Just((cfg, g)))
}

/// The request that runs a generated machine (seed 0, the default context: as corpus cases run).
pub fn request(g: &Generated) -> Request<'_> {
    Request { behaviours: Some(&g.behaviours), ..Request::new(&g.definition, &g.input) }
}

/// Runs a generated machine on the reference. Generated machines are valid by construction,
/// so anything but a result is a generator bug, reported as an error.
pub fn reference_result(g: &Generated) -> Result<Value, String> {
    reference_run(&request(g))
}

/// [`reference_result`] with the execution history in the result.
pub fn reference_result_with_history(g: &Generated) -> Result<Value, String> {
    reference_run(&Request { expects_history: true, ..request(g) })
}

fn reference_run(req: &Request) -> Result<Value, String> {
    match Reference.run(req) {
        Outcome::Ran { result } => Ok(result),
        Outcome::Rejected { messages, .. } => Err(format!("the generator made an invalid machine: {messages:?}")),
        other => Err(format!("the reference could not run a generated machine: {other:?}")),
    }
}

/// What a case expects when the reference's result is the answer: status, output or
/// error/cause (absent ones pinned as `null`), routing and retry delays.
pub fn expectation(result: &Value) -> Expect {
    let field = |k: &str| result.get(k).cloned();
    let status = field("status").and_then(|s| s.as_str().map(str::to_string));
    let succeeded = status.as_deref() == Some("SUCCEEDED");
    let retries = field("retries").and_then(|r| r.as_array().cloned()).unwrap_or_default();
    Expect {
        status,
        output: if succeeded { Some(field("output").unwrap_or(Value::Null)) } else { None },
        error: if succeeded { None } else { Some(field("error").unwrap_or(Value::Null)) },
        cause: if succeeded { None } else { Some(field("cause").unwrap_or(Value::Null)) },
        states: field("states").and_then(|s| s.as_array().cloned()),
        retries: Some(
            retries
                .iter()
                .map(|r| RetryExpect {
                    state: r["state"].as_str().unwrap_or_default().to_string(),
                    delays: r["delays"].as_array().cloned().unwrap_or_default(),
                })
                .collect(),
        ),
        ..Expect::default()
    }
}

/// The feature ids a generated machine exercises, as corpus cases list them.
pub fn features(g: &Generated) -> Vec<String> {
    features_of(&g.definition).into_iter().collect()
}

/// How a generated case was made, for its `provenance`.
pub fn provenance(seed: u64, index: u64, cfg: &GenConfig, source: &ConfigSource) -> Value {
    json!({
        "generator": "asl-generators",
        "seed": seed,
        "index": index,
        "config_source": source.label(),
        "config": cfg,
        "expectation": "the reference interpreter's result (asl), not a recording from AWS",
    })
}

/// A generated case in memory, expected to give what the reference gave.
pub fn case(id: String, file: PathBuf, g: &Generated, reference: &Value, provenance: Value) -> Case {
    Case {
        id,
        file,
        description: format!("Generated machine ({} construction steps); the reference's result", g.steps),
        spec: Some("https://states-language.net/spec.html".to_string()),
        features: features(g),
        flags: Vec::new(),
        confidence: "reasoned".to_string(),
        provenance: Some(provenance),
        definition: g.definition.clone(),
        input: g.input.clone(),
        behaviours: Some(g.behaviours.clone()),
        context: None,
        expect: expectation(reference),
    }
}

/// A case as a corpus file (the format of corpus/README.md).
pub fn case_file_json(c: &Case) -> Value {
    serde_json::to_value(c).unwrap_or(Value::Null)
}

/// Generated case `index` of a run seeded with `seed`: id `generated/<seed>-<index>`, expected
/// to give what the reference gives. `dir` is where its file would be written.
pub fn case_at(
    strategy: &BoxedStrategy<(GenConfig, Generated)>,
    source: &ConfigSource,
    seed: u64,
    index: u64,
    dir: &std::path::Path,
) -> Result<Case, String> {
    let (cfg, g) = tree(strategy, seed, index).current();
    let reference = reference_result(&g)?;
    let name = format!("{seed}-{index}");
    let file = dir.join(format!("{name}.json"));
    Ok(case(format!("generated/{name}"), file, &g, &reference, provenance(seed, index, &cfg, source)))
}

/// Cases `0..count` of [`case_at`].
pub fn batch(source: &ConfigSource, seed: u64, count: u64, dir: &std::path::Path) -> Result<Vec<Case>, String> {
    let strategy = source.strategy();
    (0..count).map(|index| case_at(&strategy, source, seed, index, dir)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::compare;

    #[test]
    fn a_case_index_regenerates_the_same_machine() {
        let s = ConfigSource::Swarm.strategy();
        let a = tree(&s, 7, 3).current();
        let b = tree(&s, 7, 3).current();
        let c = tree(&s, 7, 4).current();
        assert_eq!(a, b);
        assert_ne!(a.1, c.1);
    }

    #[test]
    fn the_reference_agrees_with_its_own_expectation() {
        let cases = batch(&ConfigSource::Fixed(GenConfig::default()), 1, 50, std::path::Path::new("x")).unwrap();
        for c in &cases {
            let outcome =
                Reference.run(&Request { behaviours: c.behaviours.as_ref(), ..Request::new(&c.definition, &c.input) });
            assert_eq!(compare(&c.expect, &outcome), vec![], "{}", c.id);
        }
    }

    #[test]
    fn expectations_pin_what_differs() {
        let failed = json!({"status": "FAILED", "error": "E", "states": ["A"], "retries": []});
        let e = expectation(&failed);
        assert_eq!(e.cause, Some(Value::Null));
        assert_eq!(e.output, None);
        let wrong = Outcome::Ran { result: json!({"status": "FAILED", "error": "E", "cause": "c", "states": ["A"]}) };
        let diffs = compare(&e, &wrong);
        assert_eq!(diffs.len(), 1, "{diffs:?}");
        assert_eq!(diffs[0].pointer, "/cause");
    }

    #[test]
    fn case_files_load_back_as_the_same_case() {
        let cases = batch(&ConfigSource::Swarm, 3, 5, std::path::Path::new("x")).unwrap();
        for c in cases {
            let text = serde_json::to_string(&case_file_json(&c)).unwrap();
            let back: Case = serde_json::from_str(&text).unwrap();
            assert_eq!(back.definition, c.definition);
            assert_eq!(serde_json::to_value(&back.expect).unwrap(), serde_json::to_value(&c.expect).unwrap());
        }
    }
}
