//! Scripted behaviours as a Step Functions Local mock configuration (also read by LocalStack as
//! `SFN_MOCK_CONFIG`): the engine reads it at start-up, and an execution started on
//! `<state machine ARN>#<test case>` gets each Task's result from it instead of calling the
//! resource. https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
//!
//! ```json
//! { "StateMachines": { "<name>": { "TestCases": { "case": { "<Task>": "<response>" } } } },
//!   "MockedResponses": { "<response>": { "0": {"Throw": {"Error": "E", "Cause": "c"}},
//!                                         "1-2": {"Return": {"ok": true}} } } }
//! ```
//!
//! A mock answers with a fixed value, so `echo` (the input back) and `sleep` cannot be mocked,
//! nor steps chosen by Map item: cases with those are unsupported in this mode.

use asl::behaviour::{Outcome, ScriptedStep};
use asl::Behaviours;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// The test case every machine's executions use.
pub const TEST_CASE: &str = "aslcheck";

/// The state machine name for a case: the same in the mock file and in the run, from what the
/// case sends (definition and behaviours), so the two agree without sharing case ids.
pub fn machine_name(definition: &Value, behaviours: Option<&Value>) -> String {
    let mut h = Sha256::new();
    h.update(definition.to_string());
    h.update(behaviours.map(Value::to_string).unwrap_or_default());
    let digest = h.finalize();
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("aslcheck-mock-{hex}")
}

/// Adds one case's machine and responses to a mock configuration (start from `json!({})`).
pub fn add_case(config: &mut Value, definition: &Value, behaviours: Option<&Value>) -> Result<(), String> {
    let parsed = match behaviours {
        Some(b) => Behaviours::from_json(b)?,
        None => Behaviours::default(),
    };
    let name = machine_name(definition, behaviours);
    let mut case = Map::new();
    let mut responses = Map::new();
    for task in task_names(definition) {
        let script = parsed.script(&task).ok_or(format!("Task {task} has no behaviour (echo cannot be mocked)"))?;
        if !script.items.is_empty() {
            return Err(format!("Task {task}: steps chosen by Map item cannot be mocked"));
        }
        let response = format!("{name}.{task}");
        responses.insert(response.clone(), attempts(&task, &script.steps)?);
        case.insert(task, json!(response));
    }
    config["StateMachines"][&name] = json!({"TestCases": {TEST_CASE: case}});
    let all = config.as_object_mut().ok_or("the mock configuration is not an object")?;
    let mocked = all.entry("MockedResponses").or_insert_with(|| json!({}));
    for (k, v) in responses {
        mocked[k] = v;
    }
    Ok(())
}

/// A response per attempt range: each step serves `times` attempts in turn. UNSURE(aws): what
/// Step Functions Local answers past the last range; the last step is given to the end of the
/// retry counter's range (attempt 99) so the answer is the scripted one.
fn attempts(task: &str, steps: &[ScriptedStep]) -> Result<Value, String> {
    let mut out = Map::new();
    let mut first = 0u64;
    for (i, step) in steps.iter().enumerate() {
        if step.sleep > 0.0 {
            return Err(format!("Task {task}: a step that sleeps cannot be mocked"));
        }
        let last = if i + 1 == steps.len() { first.max(99) } else { first + step.times - 1 };
        let range = if last == first { first.to_string() } else { format!("{first}-{last}") };
        let answer = match &step.outcome {
            Outcome::Return(v) => json!({"Return": v}),
            Outcome::Throw { error, cause } => {
                let mut t = json!({"Error": error});
                if let Some(c) = cause {
                    t["Cause"] = json!(c);
                }
                json!({"Throw": t})
            }
            Outcome::Echo => return Err(format!("Task {task}: echo cannot be mocked")),
        };
        out.insert(range, answer);
        first = last + 1;
    }
    if out.is_empty() {
        return Err(format!("Task {task}: an empty behaviour echoes, which cannot be mocked"));
    }
    Ok(Value::Object(out))
}

/// Names of every Task state, at any depth.
fn task_names(machine: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(states) = machine.get("States").and_then(Value::as_object) else { return out };
    for (name, s) in states {
        if s.get("Type").and_then(Value::as_str) == Some("Task") {
            out.push(name.clone());
        }
        for (_, inner) in super::nested(s) {
            out.extend(task_names(inner));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn steps_become_attempt_ranges_per_task() {
        let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": true}}});
        let b = json!({"T": [{"throw": {"error": "Busy", "cause": "later"}, "times": 2}, {"return": {"ok": true}}]});
        let mut config = json!({});
        add_case(&mut config, &def, Some(&b)).unwrap();
        let name = machine_name(&def, Some(&b));
        assert_eq!(
            config,
            json!({"StateMachines": {name.clone(): {"TestCases": {"aslcheck": {"T": format!("{name}.T")}}}},
                   "MockedResponses": {format!("{name}.T"): {
                       "0-1": {"Throw": {"Error": "Busy", "Cause": "later"}},
                       "2-99": {"Return": {"ok": true}}}}})
        );
    }

    #[test]
    fn what_a_fixed_answer_cannot_express_is_refused() {
        let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": true}}});
        let mut config = json!({});
        assert!(add_case(&mut config, &def, None).unwrap_err().contains("echo"));
        assert!(add_case(&mut config, &def, Some(&json!({"T": [{"sleep": 1, "return": 1}]})))
            .unwrap_err()
            .contains("sleeps"));
        let items = json!({"T": {"items": {"0": [{"return": 1}]}}});
        assert!(add_case(&mut config, &def, Some(&items)).unwrap_err().contains("Map item"));
    }

    #[test]
    fn names_depend_on_what_is_sent() {
        let a = json!({"StartAt": "A"});
        assert_eq!(machine_name(&a, None), machine_name(&a.clone(), None));
        assert_ne!(machine_name(&a, None), machine_name(&a, Some(&json!({"T": []}))));
        assert!(machine_name(&a, None).len() <= 80);
    }
}
