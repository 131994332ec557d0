//! Generated TestState checks: single states taken from generated machines (asl-generators,
//! as in generated.rs), each with the input it gets in a reference run of its machine, a mocked
//! result or error, and a retry count, paired with the reference's answer. A nightly job sends
//! the requests to AWS and compares.

use super::{reference, Mocked, TestStateRequest, TestStateResponse};
use crate::generated::{self, ConfigSource};
use asl_generators::GenConfig;
use proptest::strategy::ValueTree;
use serde_json::{json, Value};

/// The role the generated requests name; a job that calls AWS replaces it with its own.
pub const DEFAULT_ROLE_ARN: &str = "arn:aws:iam::123456789012:role/aslcheck-teststate";

/// `n` checks for `seed`: the same pair always gives the same checks.
pub fn cases(seed: u64, n: usize) -> Vec<(TestStateRequest, TestStateResponse)> {
    let source = ConfigSource::Fixed(GenConfig::default());
    let strategy = source.strategy();
    let mut out = Vec::new();
    let mut rng = SplitMix(seed ^ 0x7465_7374_7374_6174);
    // Bounded: a seed whose machines offer few testable states still ends.
    for index in 0..(n as u64).saturating_mul(20).max(20) {
        if out.len() >= n {
            break;
        }
        let (_, g) = generated::tree(&strategy, seed, index).current();
        let Ok(result) = generated::reference_result_with_history(&g) else { continue };
        let Some(states) = g.definition.get("States").and_then(Value::as_object) else { continue };
        for (name, state) in states {
            if out.len() >= n {
                break;
            }
            let Some(input) = entered_input(&result, name) else { continue };
            if !testable(state) {
                continue;
            }
            let (mocked, count) = outcome(state, name, &g.behaviours, &mut rng);
            let req = TestStateRequest::for_state(state, &input, mocked.as_ref(), count, DEFAULT_ROLE_ARN);
            if let Ok(resp) = reference(&req) {
                out.push((req, resp));
            }
        }
    }
    out
}

/// The input of the state's first entry in a reference run, from its StateEntered event.
fn entered_input(result: &Value, name: &str) -> Option<Value> {
    result["history"].as_array()?.iter().find_map(|e| {
        let d = e.get("stateEnteredEventDetails")?;
        (d["name"] == name).then(|| d["input"].as_str().and_then(|s| serde_json::from_str(s).ok()))?
    })
}

/// States whose answer the reference can state exactly without AWS-side context: no context
/// object (`$$`, which the request does not set), no workflow variables, no randomness. Wait is
/// left out: UNSURE(aws) whether TestState waits out the delay
/// (https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html).
fn testable(state: &Value) -> bool {
    let text = state.to_string();
    let kind = state["Type"].as_str().unwrap_or("");
    matches!(kind, "Pass" | "Task" | "Choice" | "Succeed" | "Fail" | "Map" | "Parallel")
        && !text.contains("$$")
        && !text.contains("States.UUID")
        && !text.contains("States.MathRandom")
        && !reads_variables(state)
}

/// A string that reads a variable: `$name` (not `$`, `$.a`, `$[0]` or `$$`).
fn reads_variables(v: &Value) -> bool {
    match v {
        Value::String(s) => {
            let b = s.as_bytes();
            b.windows(2).any(|w| w[0] == b'$' && (w[1].is_ascii_alphabetic() || w[1] == b'_'))
        }
        Value::Array(a) => a.iter().any(reads_variables),
        Value::Object(o) => o.contains_key("Assign") || o.values().any(reads_variables),
        _ => false,
    }
}

/// A mocked outcome for states that need one, and a retry count when a retrier applies.
fn outcome(state: &Value, name: &str, behaviours: &Value, rng: &mut SplitMix) -> (Option<Mocked>, Option<u32>) {
    let kind = state["Type"].as_str().unwrap_or("");
    if !matches!(kind, "Task" | "Map" | "Parallel") {
        return (None, None);
    }
    let list = |k: &str| state.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let (retriers, catchers) = (list("Retry"), list("Catch"));
    if rng.below(2) == 0 {
        let result = match kind {
            "Parallel" => Value::Array((0..list("Branches").len()).map(|i| json!({"branch": i})).collect()),
            "Map" => json!([{"item": 0}, {"item": 1}]),
            _ => behaviours[name]
                .as_array()
                .and_then(|steps| steps.iter().find_map(|s| s.get("return").cloned()))
                .unwrap_or(json!({"ok": true})),
        };
        return (Some(Mocked::Result(result)), None);
    }
    let mut names: Vec<String> = retriers
        .iter()
        .chain(&catchers)
        .flat_map(|r| list_of(r, "ErrorEquals"))
        .filter(|e| e != "States.ALL")
        .collect();
    names.push("Custom.Unmatched".into());
    let error = names[rng.below(names.len() as u64) as usize].clone();
    let matching = retriers.iter().find(|r| {
        let eq = list_of(r, "ErrorEquals");
        eq.iter()
            .any(|e| *e == error || e == "States.ALL" || (e == "States.TaskFailed" && !error.starts_with("States.")))
    });
    // Counts on both sides of MaxAttempts (default 3), so RETRIABLE and exhausted both occur.
    let count = matching.map(|r| {
        let max = r.get("MaxAttempts").and_then(Value::as_u64).unwrap_or(3);
        rng.below(max + 2) as u32
    });
    let mocked = Mocked::Error { error, cause: Some(format!("mocked by aslcheck ({name})")) };
    (Some(mocked), count)
}

fn list_of(v: &Value, key: &str) -> Vec<String> {
    v[key].as_array().map(|a| a.iter().filter_map(|e| e.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// A small seeded generator: the checks must not depend on a crate's RNG algorithm.
struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    }
}
