//! Scripted Task behaviours lowered to plain ASL states, for Step Functions API engines that
//! cannot run our scripts (AWS without the scripted Lambda, moto, LocalStack).
//!
//! A Task `S` whose behaviour gives the same outcome on every attempt becomes
//!
//! ```text
//! S (Parallel: the Task's InputPath, Parameters, ResultPath, Retry, Catch)
//!   └ branch: S__aslcheck_result (Pass with Result / Pass echo / Fail with Error+Cause)
//!             → S__aslcheck_selector (Pass whose Parameters are the Task's ResultSelector)
//! S__aslcheck_unwrap (Pass: InputPath <ResultPath>[0], ResultPath <ResultPath>, OutputPath)
//! ```
//!
//! so the engine's own Retry and Catch machinery runs on the Parallel, with the same error
//! names, causes, retriers and catchers as the Task; the unwrap puts the branch's result where
//! the Task's ResultPath would have put it. Behaviours that vary by attempt or by Map item, or
//! that sleep, cannot be expressed without a real task: those cases are unsupported here.
//! Why Parallel and not `$$.State.RetryCount`: LocalStack and moto evaluate a Parallel's
//! Parameters once per state entry and resubmit them on retries, so a branch cannot learn its
//! attempt number (UNSURE(aws): whether AWS re-evaluates them per attempt).

use asl::behaviour::{Outcome, ScriptedStep};
use asl::Behaviours;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// Suffix of the states the lowering adds; engines' routes drop them again.
pub const MARK: &str = "__aslcheck_";
/// AWS's limit on state name length.
const MAX_NAME: usize = 80;

/// A definition with its Tasks replaced, and the names of the Tasks that were lowered.
#[derive(Debug, Clone, PartialEq)]
pub struct Lowered {
    pub definition: Value,
    pub tasks: BTreeSet<String>,
}

/// Lowers every Task of a definition (in branches and Map processors too).
pub fn lower(definition: &Value, behaviours: &Behaviours) -> Result<Lowered, String> {
    let mut definition = definition.clone();
    let mut tasks = BTreeSet::new();
    let jsonata = definition.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    lower_machine(&mut definition, jsonata, behaviours, &mut tasks)?;
    Ok(Lowered { definition, tasks })
}

/// `jsonata`: the top level says JSONata (nested machines inherit it). A machine without Tasks
/// needs no stand-in, whatever its language.
fn lower_machine(
    machine: &mut Value,
    jsonata: bool,
    behaviours: &Behaviours,
    tasks: &mut BTreeSet<String>,
) -> Result<(), String> {
    let Some(states) = machine.get_mut("States").and_then(Value::as_object_mut) else { return Ok(()) };
    let names: Vec<String> = states.keys().cloned().collect();
    let mut out = Map::new();
    for name in names {
        let mut state = states.remove(&name).unwrap_or_default();
        for (_, inner) in super::nested_mut(&mut state) {
            lower_machine(inner, jsonata, behaviours, tasks)?;
        }
        if state.get("Type").and_then(Value::as_str) != Some("Task") {
            out.insert(name, state);
            continue;
        }
        if jsonata {
            return Err(format!("Task {name}: a JSONata Task has no stand-in without a real task"));
        }
        for (n, s) in lower_task(&name, &state, behaviours)? {
            if out.contains_key(&n) {
                return Err(format!("state {n}: the stand-in's name is taken"));
            }
            out.insert(n, s);
        }
        tasks.insert(name);
    }
    *states = out;
    Ok(())
}

/// The states that stand in for Task `name`, in order.
fn lower_task(name: &str, task: &Value, behaviours: &Behaviours) -> Result<Vec<(String, Value)>, String> {
    let at = |why: &str| format!("Task {name}: {why}");
    let t = task.as_object().ok_or_else(|| at("not an object"))?;
    for key in ["Assign", "Arguments", "Output", "QueryLanguage", "TimeoutSecondsPath", "HeartbeatSecondsPath"] {
        if t.contains_key(key) {
            return Err(at(&format!("{key} has no stand-in without a real task")));
        }
    }
    if name.len() + MARK.len() + "selector".len() > MAX_NAME {
        return Err(at("the name is too long for the stand-in's state names"));
    }
    if t.get("ResultSelector").is_some_and(|v| v.to_string().contains("$$")) {
        // In the stand-in it runs in a Pass state, whose context names that state.
        return Err(at("a ResultSelector that reads the context object ($$) has no stand-in"));
    }
    let step = single_step(name, t, behaviours).map_err(|e| at(&e))?;
    let (result_name, selector_name, unwrap_name) =
        (format!("{name}{MARK}result"), format!("{name}{MARK}selector"), format!("{name}{MARK}unwrap"));

    // The branch: the outcome, then the ResultSelector (so its errors are the Parallel's).
    let mut branch = Map::new();
    let selector = t.get("ResultSelector");
    let mut result_state = match &step.outcome {
        Outcome::Return(v) => json!({"Type": "Pass", "Result": v}),
        Outcome::Echo => json!({"Type": "Pass"}),
        Outcome::Throw { error, cause } => {
            let mut f = json!({"Type": "Fail", "Error": error});
            if let Some(c) = cause {
                f["Cause"] = json!(c);
            }
            f
        }
    };
    let throws = matches!(step.outcome, Outcome::Throw { .. });
    match (selector, throws) {
        (Some(sel), false) => {
            result_state["Next"] = json!(selector_name);
            branch.insert(result_name.clone(), result_state);
            branch.insert(selector_name, json!({"Type": "Pass", "Parameters": sel, "End": true}));
        }
        _ => {
            if !throws {
                result_state["End"] = json!(true);
            }
            branch.insert(result_name.clone(), result_state);
        }
    }

    let result_path = match t.get("ResultPath") {
        None => Some("$".to_string()),
        Some(Value::Null) => None,
        Some(Value::String(p)) => Some(p.clone()),
        Some(_) => return Err(at("ResultPath is not a string or null")),
    };
    let mut parallel = Map::new();
    parallel.insert("Type".into(), json!("Parallel"));
    for key in ["Comment", "InputPath", "Parameters", "Retry", "Catch"] {
        if let Some(v) = t.get(key) {
            parallel.insert(key.into(), v.clone());
        }
    }
    parallel.insert("Branches".into(), json!([{"StartAt": result_name, "States": branch}]));
    parallel.insert("ResultPath".into(), result_path.clone().map(Value::String).unwrap_or(Value::Null));
    let next = |s: &mut Map<String, Value>| {
        for key in ["Next", "End"] {
            if let Some(v) = t.get(key) {
                s.insert(key.into(), v.clone());
            }
        }
    };
    let Some(path) = result_path else {
        // The result is discarded: nothing to unwrap (and no ResultSelector to run).
        if selector.is_some() {
            return Err(at("ResultSelector with ResultPath null has no stand-in"));
        }
        if let Some(o) = t.get("OutputPath") {
            parallel.insert("OutputPath".into(), o.clone());
        }
        next(&mut parallel);
        return Ok(vec![(name.to_string(), Value::Object(parallel))]);
    };
    parallel.insert("Next".into(), json!(unwrap_name));
    let mut unwrap = Map::new();
    unwrap.insert("Type".into(), json!("Pass"));
    unwrap.insert("InputPath".into(), json!(format!("{path}[0]")));
    unwrap.insert("ResultPath".into(), json!(path));
    if let Some(o) = t.get("OutputPath") {
        unwrap.insert("OutputPath".into(), o.clone());
    }
    next(&mut unwrap);
    Ok(vec![(name.to_string(), Value::Object(parallel)), (unwrap_name, Value::Object(unwrap))])
}

/// The one step a Task's attempts all run, or why there is none.
fn single_step(name: &str, task: &Map<String, Value>, behaviours: &Behaviours) -> Result<ScriptedStep, String> {
    let script = behaviours.script(name);
    if script.is_some_and(|s| !s.items.is_empty()) {
        return Err("a behaviour chosen by Map item needs the scripted Lambda".into());
    }
    let first = behaviours.step(name, None, 0).clone();
    let retried = task.get("Retry").and_then(Value::as_array).is_some_and(|r| !r.is_empty());
    if retried
        && script.is_some_and(|s| s.steps.iter().any(|st| st.outcome != first.outcome || st.sleep != first.sleep))
    {
        return Err("a behaviour that changes between attempts needs the scripted Lambda".into());
    }
    if first.sleep > 0.0 {
        return Err("a task that runs for a while (sleep) needs the scripted Lambda".into());
    }
    Ok(first)
}

/// Every Task calls the scripted Lambda instead (engines/scripted-lambda/README.md, deployed
/// by `cargo xtask aws-setup`): true Task semantics, so every behaviour can run, timeouts and
/// Lambda's own errors included. Nothing is added, so routes and histories stay the Task's.
pub fn to_scripted_lambda(definition: &Value, behaviours: &Value, arn: &str) -> Result<Value, String> {
    let mut definition = definition.clone();
    lambda_machine(&mut definition, behaviours, arn, false)?;
    Ok(definition)
}

fn lambda_machine(machine: &mut Value, behaviours: &Value, arn: &str, in_map: bool) -> Result<(), String> {
    let Some(states) = machine.get_mut("States").and_then(Value::as_object_mut) else { return Ok(()) };
    for (name, state) in states.iter_mut() {
        for (per_item, inner) in super::nested_mut(state) {
            lambda_machine(inner, behaviours, arn, in_map || per_item)?;
        }
        if state.get("Type").and_then(Value::as_str) != Some("Task") {
            continue;
        }
        let t = state.as_object_mut().ok_or_else(|| format!("Task {name}: not an object"))?;
        if t.contains_key("Arguments") {
            return Err(format!("Task {name}: JSONata Tasks are not lowered"));
        }
        let behaviour = behaviours.get(name).cloned().unwrap_or(json!([]));
        let mut params = Map::new();
        // As a string: a literal object would have its keys ending in `.$` evaluated.
        params.insert("behaviour".into(), json!(behaviour.to_string()));
        params.insert("attempt.$".into(), json!("$$.State.RetryCount"));
        // UNSURE(aws): $$.Map.Item.Index inside the states of an ItemProcessor.
        if in_map {
            params.insert("item.$".into(), json!("$$.Map.Item.Index"));
        } else {
            params.insert("item".into(), Value::Null);
        }
        match t.remove("Parameters") {
            Some(p) => params.insert("input".into(), p),
            None => params.insert("input.$".into(), json!("$")),
        };
        t.insert("Parameters".into(), Value::Object(params));
        t.insert("Resource".into(), json!(arn));
    }
    Ok(())
}

/// Whether a state name was added by the lowering.
pub fn is_added(name: &str) -> bool {
    name.contains(MARK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn behaviours(v: Value) -> Behaviours {
        Behaviours::from_json(&v).unwrap()
    }

    #[test]
    fn a_returning_task_becomes_a_parallel_and_an_unwrap() {
        let def = json!({"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "InputPath": "$.in", "Parameters": {"a.$": "$.x"}, "ResultSelector": {"v.$": "$.ok"},
            "ResultPath": "$.r", "OutputPath": "$.r", "Retry": [{"ErrorEquals": ["E"]}], "End": true}}});
        let got = lower(&def, &behaviours(json!({"T": [{"return": {"ok": 1}}]}))).unwrap();
        assert_eq!(got.tasks, BTreeSet::from(["T".to_string()]));
        assert_eq!(
            got.definition,
            json!({"StartAt": "T", "States": {
                "T": {"Type": "Parallel", "InputPath": "$.in", "Parameters": {"a.$": "$.x"},
                      "Retry": [{"ErrorEquals": ["E"]}],
                      "Branches": [{"StartAt": "T__aslcheck_result", "States": {
                          "T__aslcheck_result": {"Type": "Pass", "Result": {"ok": 1}, "Next": "T__aslcheck_selector"},
                          "T__aslcheck_selector": {"Type": "Pass", "Parameters": {"v.$": "$.ok"}, "End": true}}}],
                      "ResultPath": "$.r", "Next": "T__aslcheck_unwrap"},
                "T__aslcheck_unwrap": {"Type": "Pass", "InputPath": "$.r[0]", "ResultPath": "$.r",
                                       "OutputPath": "$.r", "End": true}}})
        );
    }

    #[test]
    fn a_throwing_task_fails_inside_the_branch_and_keeps_its_catchers() {
        let def = json!({"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": "r", "Catch": [{"ErrorEquals": ["E"], "Next": "H"}], "Next": "H"},
            "H": {"Type": "Succeed"}}});
        let got = lower(&def, &behaviours(json!({"T": [{"throw": {"error": "E", "cause": "c"}}]}))).unwrap();
        let t = &got.definition["States"]["T"];
        assert_eq!(t["Catch"], json!([{"ErrorEquals": ["E"], "Next": "H"}]));
        assert_eq!(
            t["Branches"][0]["States"]["T__aslcheck_result"],
            json!({"Type": "Fail", "Error": "E", "Cause": "c"})
        );
        assert_eq!(got.definition["States"]["T__aslcheck_unwrap"]["Next"], json!("H"));
    }

    #[test]
    fn tasks_in_branches_and_map_processors_are_lowered_and_others_kept() {
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "ResultPath": null, "End": true}}}}}});
        let got = lower(&def, &Behaviours::default()).unwrap();
        let t = &got.definition["States"]["M"]["ItemProcessor"]["States"]["T"];
        assert_eq!(t["Type"], json!("Parallel"));
        assert_eq!(t["ResultPath"], Value::Null);
        assert_eq!(t["End"], json!(true));
        assert_eq!(t["Branches"][0]["States"]["T__aslcheck_result"], json!({"Type": "Pass", "End": true}));
    }

    #[test]
    fn behaviours_a_plain_state_cannot_express_are_refused_with_the_reason() {
        let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r",
            "Retry": [{"ErrorEquals": ["E"]}], "End": true}}});
        let varying = json!({"T": [{"throw": {"error": "E"}, "times": 2}, {"return": 1}]});
        let err = lower(&def, &behaviours(varying)).unwrap_err();
        assert!(err.contains("Task T") && err.contains("between attempts"), "{err}");
        let by_item = json!({"T": {"items": {"0": [{"return": 1}]}}});
        assert!(lower(&def, &behaviours(by_item)).unwrap_err().contains("Map item"));
        let sleeps = json!({"T": [{"sleep": 2, "return": 1}]});
        assert!(lower(&def, &behaviours(sleeps)).unwrap_err().contains("sleep"));
    }

    #[test]
    fn the_scripted_lambda_gets_the_behaviour_attempt_item_and_input() {
        let def = json!({"StartAt": "M", "States": {
            "T": {"Type": "Task", "Resource": "r", "Parameters": {"a.$": "$.x"}, "Retry": [{"ErrorEquals": ["E"]}], "Next": "M"},
            "M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "U", "States": {
                "U": {"Type": "Task", "Resource": "r", "End": true}}}}}});
        let b = json!({"T": [{"return": {"k.$": "$.no"}}]});
        let got = to_scripted_lambda(&def, &b, "arn:aws:lambda:us-east-1:1:function:f").unwrap();
        assert_eq!(
            got["States"]["T"],
            json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                   "Retry": [{"ErrorEquals": ["E"]}], "Next": "M",
                   "Parameters": {"behaviour": "[{\"return\":{\"k.$\":\"$.no\"}}]", "attempt.$": "$$.State.RetryCount",
                                  "item": null, "input": {"a.$": "$.x"}}})
        );
        let u = &got["States"]["M"]["ItemProcessor"]["States"]["U"]["Parameters"];
        assert_eq!(
            u,
            &json!({"behaviour": "[]", "attempt.$": "$$.State.RetryCount", "item.$": "$$.Map.Item.Index", "input.$": "$"})
        );
    }

    #[test]
    fn without_retry_only_the_first_step_matters() {
        let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": true}}});
        let b = behaviours(json!({"T": [{"throw": {"error": "E"}}, {"return": 1}]}));
        let got = lower(&def, &b).unwrap();
        assert_eq!(got.definition["States"]["T"]["Branches"][0]["States"]["T__aslcheck_result"]["Type"], json!("Fail"));
    }
}
