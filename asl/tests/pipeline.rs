//! The JSONPath input/output pipeline, the context object, variables and scripted behaviours
//! (docs/asl-features.md §3, §8, §9.5).

mod common;

use common::*;
use serde_json::{json, Value};

const INVOKE: &str = "arn:aws:states:::lambda:invoke";

fn one(state: Value) -> Value {
    json!({"StartAt": "S", "States": {"S": state}})
}

fn output(r: &asl::RunResult) -> Value {
    assert_eq!(r.status, asl::Status::Succeeded, "{:?}: {:?}", r.error, r.cause);
    r.output.clone().unwrap_or(Value::Null)
}

// §3.1: InputPath → Parameters → task → ResultSelector → ResultPath (into the raw input) →
// OutputPath.
#[test]
fn full_pipeline_order() {
    let def = one(json!({"Type": "Task", "Resource": INVOKE, "End": true,
        "InputPath": "$.in", "Parameters": {"v.$": "$.x"},
        "ResultSelector": {"got.$": "$.v"}, "ResultPath": "$.out", "OutputPath": "$.out"}));
    let r = run(def, json!({"in": {"x": 5}, "keep": true}));
    assert_eq!(parsed(&details_of(&r, "TaskScheduled"), "parameters"), json!({"v": 5}));
    assert_eq!(parsed(&details_of(&r, "TaskSucceeded"), "output"), json!({"v": 5}));
    assert_eq!(output(&r), json!({"got": 5}));
}

// §3.1: ResultPath merges into the raw input, not the InputPath-filtered one.
#[test]
fn result_path_merges_into_raw_input() {
    let def = one(json!({"Type": "Pass", "End": true, "InputPath": "$.in", "Result": "r", "ResultPath": "$.res"}));
    let r = run(def, json!({"in": {"x": 5}, "keep": true}));
    assert_eq!(output(&r), json!({"in": {"x": 5}, "keep": true, "res": "r"}));
}

// §3.1: ResultPath creates missing intermediate objects and can replace a field.
#[test]
fn result_path_creates_intermediates() {
    let def = one(json!({"Type": "Pass", "End": true, "Result": "hi", "ResultPath": "$.b.greeting"}));
    assert_eq!(output(&run(def, json!({"a": 1}))), json!({"a": 1, "b": {"greeting": "hi"}}));
    let def = one(json!({"Type": "Pass", "End": true, "Result": 2, "ResultPath": "$.a"}));
    assert_eq!(output(&run(def, json!({"a": 1, "z": 0}))), json!({"a": 2, "z": 0}));
}

// §3.1: ResultPath into a raw input that is not an object.
#[test]
fn result_path_into_a_scalar_fails() {
    let def = one(json!({"Type": "Pass", "End": true, "Result": 1, "ResultPath": "$.x"}));
    let r = run(def, json!("foo"));
    assert_eq!(r.error.as_deref(), Some("States.ResultPathMatchFailure"));
}

// §3.1: the null forms.
#[test]
fn null_paths() {
    let def = one(json!({"Type": "Pass", "End": true, "InputPath": null}));
    assert_eq!(output(&run(def, json!({"a": 1}))), json!({}));
    let def = one(json!({"Type": "Pass", "End": true, "Result": "dropped", "ResultPath": null}));
    assert_eq!(output(&run(def, json!({"a": 1}))), json!({"a": 1}));
    let def = one(json!({"Type": "Pass", "End": true, "OutputPath": null}));
    assert_eq!(output(&run(def, json!({"a": 1}))), json!({}));
    // InputPath null gives an empty object that Parameters then reads.
    let def =
        one(json!({"Type": "Pass", "End": true, "InputPath": null, "Parameters": {"n.$": "States.JsonToString($)"}}));
    assert_eq!(output(&run(def, json!({"a": 1}))), json!({"n": "{}"}));
}

// §2.2: Result is copied verbatim, never evaluated as a template.
#[test]
fn pass_result_is_literal() {
    let def = one(json!({"Type": "Pass", "End": true, "Result": {"a.$": "$.x", "b": "$$.Execution.Name"}}));
    assert_eq!(output(&run(def, json!({"x": 1}))), json!({"a.$": "$.x", "b": "$$.Execution.Name"}));
}

// §2.4/§3.1: Choice evaluates on the InputPath-filtered input and applies OutputPath.
#[test]
fn choice_honours_input_and_output_path() {
    let def = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "InputPath": "$.in", "OutputPath": "$.v",
              "Choices": [{"Variable": "$.v", "NumericEquals": 3, "Next": "Yes"}], "Default": "No"},
        "Yes": {"Type": "Succeed"},
        "No": {"Type": "Fail", "Error": "No"}
    }});
    assert_eq!(output(&run(def, json!({"in": {"v": 3}}))), json!(3));
}

// §3.1 / §6.3: a catcher merges the error output into the raw input through its ResultPath;
// the state's ResultSelector, ResultPath and OutputPath are skipped (a failing OutputPath
// does not run).
#[test]
fn catch_result_path_merges_into_raw_input_and_skips_output_path() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": INVOKE, "Next": "Done", "InputPath": "$.in",
              "ResultSelector": {"x.$": "$.nope"}, "ResultPath": "$.nope", "OutputPath": "$.no.such.path",
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Handler"}]},
        "Handler": {"Type": "Pass", "End": true},
        "Done": {"Type": "Succeed"}
    }});
    let r = run_with(def, json!({"in": {"x": 1}, "keep": 1}), json!({"T": [{"throw": {"error": "E", "cause": "c"}}]}));
    assert_eq!(output(&r), json!({"in": {"x": 1}, "keep": 1, "err": {"Error": "E", "Cause": "c"}}));
}

// §6.3: a caught States.Timeout has Cause "" although its event has none.
#[test]
fn caught_timeout_has_empty_cause() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": INVOKE, "TimeoutSeconds": 1, "Next": "Done",
              "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Done"}]},
        "Done": {"Type": "Pass", "End": true}
    }});
    let r = run_with(def, json!({}), json!({"T": [{"sleep": 2}]}));
    assert_eq!(output(&r), json!({"Error": "States.Timeout", "Cause": ""}));
}

fn context_of(state: Value, input: Value) -> Value {
    let mut s = obj(state);
    s.insert("End".into(), json!(true));
    output(&run(one(Value::Object(s)), input))
}

// §8, facts §4: Execution fields and the start time format.
#[test]
fn context_execution_fields() {
    let out = context_of(
        json!({"Type": "Pass", "Parameters": {"input.$": "$$.Execution.Input", "name.$": "$$.Execution.Name",
            "start.$": "$$.Execution.StartTime", "id.$": "$$.Execution.Id", "sm.$": "$$.StateMachine.Name",
            "redrive.$": "$$.Execution.RedriveCount"}}),
        json!({"a": 1}),
    );
    assert_eq!(
        out,
        json!({"input": {"a": 1}, "name": "aslcheck-execution", "start": "2024-01-01T00:00:00.000Z",
               "id": "arn:aws:states:us-east-1:123456789012:execution:aslcheck:aslcheck-execution",
               "sm": "aslcheck", "redrive": 0})
    );
}

// §8: Execution.Input stays the execution input in later states.
#[test]
fn context_execution_input_in_a_later_state() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": "changed", "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"orig.$": "$$.Execution.Input", "now.$": "$"}, "End": true}
    }});
    assert_eq!(output(&run(def, json!({"a": 1}))), json!({"orig": {"a": 1}, "now": "changed"}));
}

// The context object is built without Execution for paths that cannot reach it: every way of
// reaching it still sees it, in one template.
#[test]
fn context_paths_that_reach_execution_and_paths_that_do_not_mix() {
    let out = context_of(
        json!({"Type": "Pass", "Parameters": {"state.$": "$$.State.Name", "input.$": "$$.Execution.Input",
            "again.$": "$$.State.Name", "keys.$": "$$.*", "scan.$": "$$..a", "pick.$": "$$['State','Execution']"}}),
        json!({"a": 1}),
    );
    assert_eq!(out["state"], "S");
    assert_eq!(out["again"], "S");
    assert_eq!(out["input"], json!({"a": 1}));
    assert_eq!(out["keys"].as_array().map(Vec::len), Some(3), "{out}");
    assert_eq!(out["scan"], json!([1]));
    assert_eq!(out["pick"]["Execution"]["Input"], json!({"a": 1}), "{out}");
    assert_eq!(out["pick"]["State"]["Name"], "S", "{out}");
}

#[test]
fn context_from_json_overrides_identity() {
    let ctx = asl::ExecutionContext::from_json(&json!({"Execution": {"Name": "exec-1",
        "StartTime": "2020-05-01T10:00:00Z"}, "StateMachine": {"Name": "sm"}}))
    .expect("context");
    let def = one(json!({"Type": "Pass", "End": true, "Parameters": {"n.$": "$$.Execution.Name",
        "t.$": "$$.Execution.StartTime", "e.$": "$$.State.EnteredTime", "sm.$": "$$.StateMachine.Name"}}));
    let opts = asl::RunOptions { context: ctx, ..asl::RunOptions::default() };
    let r = asl::run(&machine(def), json!({}), &opts);
    assert_eq!(
        output(&r),
        json!({"n": "exec-1", "t": "2020-05-01T10:00:00.000Z", "e": "2020-05-01T10:00:00.000Z", "sm": "sm"})
    );
}

// §8: a Pass has State {Name, EnteredTime}, no RetryCount; EnteredTime follows the clock.
#[test]
fn context_state_on_pass() {
    let def = json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 5, "Next": "P"},
        "P": {"Type": "Pass", "Parameters": {"s.$": "$$.State"}, "End": true}
    }});
    assert_eq!(output(&run(def, json!({}))), json!({"s": {"Name": "P", "EnteredTime": "2024-01-01T00:00:05.000Z"}}));
}

// §8: Task states expose RetryCount; EnteredTime is unchanged across retries (facts §4).
#[test]
fn context_state_on_task_retries() {
    let def = one(json!({"Type": "Task", "Resource": INVOKE, "End": true,
        "Parameters": {"s.$": "$$.State"},
        "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 3}]}));
    let r = run_with(def, json!({}), json!({"S": [{"throw": {"error": "E"}}, {"echo": true}]}));
    assert_eq!(output(&r), json!({"s": {"Name": "S", "EnteredTime": "2024-01-01T00:00:00.000Z", "RetryCount": 1}}));
}

// facts §4: key order inside AWS's JSON strings: State = Name, EnteredTime, RetryCount.
#[test]
fn context_state_key_order() {
    let def = one(json!({"Type": "Task", "Resource": INVOKE, "End": true, "Parameters": {"s.$": "$$.State"}}));
    let r = run(def, json!({}));
    assert_eq!(
        details_of(&r, "TaskScheduled")["parameters"],
        "{\"s\":{\"Name\":\"S\",\"EnteredTime\":\"2024-01-01T00:00:00.000Z\",\"RetryCount\":0}}"
    );
}

// facts §4: key order of the whole context object: Execution, StateMachine, State; Execution =
// Id, Input, StartTime, Name, RoleArn, RedriveCount.
#[test]
fn context_key_order() {
    let def = one(json!({"Type": "Pass", "End": true, "InputPath": "$$"}));
    let r = run(def, json!({}));
    let out = output(&r);
    let top: Vec<&String> = out.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(top, ["Execution", "StateMachine", "State"]);
    let exec: Vec<&String> = out["Execution"].as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(exec, ["Id", "Input", "StartTime", "Name", "RoleArn", "RedriveCount"]);
}

// facts §4 "RetryCount only in Task states" (observed for Pass and Task; Parallel/Map were not
// recorded, so this expectation is the brief's reading of the facts).
// §2.9: ItemSelector sees the Map's effective input as `$` plus $$.Map.Item.
#[test]
fn map_item_selector_context() {
    let def = one(json!({"Type": "Map", "End": true, "ItemsPath": "$.items",
        "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value", "extra.$": "$.extra"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}));
    let r = run(def, json!({"items": ["a", {"b": 1}], "extra": 7}));
    assert_eq!(output(&r), json!([{"i": 0, "v": "a", "extra": 7}, {"i": 1, "v": {"b": 1}, "extra": 7}]));
}

// §2.9: legacy Map Parameters is the ItemSelector, per item.
#[test]
fn legacy_map_parameters_are_item_selector() {
    let def = one(json!({"Type": "Map", "End": true,
        "Parameters": {"v.$": "$$.Map.Item.Value"},
        "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}));
    assert_eq!(output(&run(def, json!([1, 2]))), json!([{"v": 1}, {"v": 2}]));
}

// §2.9: ItemsPath not an array.
#[test]
fn map_items_not_an_array() {
    let def = one(json!({"Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}));
    let r = run(def, json!({"a": 1}));
    assert_eq!(r.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        r.cause.as_deref(),
        Some("An error occurred while executing the state 'S' (entered at the event id #2). Reference path \"$\" must point to array.")
    );
}

// §2.8: Parallel result in branch order; every branch gets the effective input.
#[test]
fn parallel_result_in_branch_order() {
    let def = one(json!({"Type": "Parallel", "End": true, "Parameters": {"v.$": "$.x"},
    "Branches": [
        {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 5, "End": true}}},
        {"StartAt": "Fast", "States": {"Fast": {"Type": "Pass", "Result": "fast", "End": true}}}
    ]}));
    assert_eq!(output(&run(def, json!({"x": 1}))), json!([{"v": 1}, "fast"]));
}

// §9.5: `$` in Assign is the state result; reads see the values at state entry.
#[test]
fn assign_reads_entry_values() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
        "B": {"Type": "Pass", "Result": {"r": 5}, "Assign": {"x": 2, "old.$": "$x", "r.$": "$.r"}, "Next": "C"},
        "C": {"Type": "Pass", "Parameters": {"x.$": "$x", "old.$": "$old", "r.$": "$r"}, "End": true}
    }});
    assert_eq!(output(&run(def, json!({}))), json!({"x": 2, "old": 1, "r": 5}));
}

// §9.5 (BASE_EVALUATION_ORDER_PASS_STATE): OutputPath reads the pre-Assign value.
#[test]
fn output_path_reads_pre_assign_value() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"answer": 42}, "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"answer": 7}, "OutputPath": "$answer", "Next": "C"},
        "C": {"Type": "Pass", "Parameters": {"now.$": "$answer", "was.$": "$"}, "End": true}
    }});
    assert_eq!(output(&run(def, json!({}))), json!({"now": 7, "was": 42}));
}

// §9.5: assignments commit together at exit, so a swap works.
#[test]
fn assign_swap() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": "X", "y": "Y"}, "Next": "Swap"},
        "Swap": {"Type": "Pass", "Assign": {"x.$": "$y", "y.$": "$x"}, "Next": "C"},
        "C": {"Type": "Pass", "Parameters": {"x.$": "$x", "y.$": "$y"}, "End": true}
    }});
    assert_eq!(output(&run(def, json!({}))), json!({"x": "Y", "y": "X"}));
}

// §9.5: a Task's Assign sees the result after ResultSelector.
#[test]
fn task_assign_sees_selected_result() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": INVOKE, "ResultSelector": {"v.$": "$.raw"}, "ResultPath": null,
              "Assign": {"got.$": "$.v"}, "Next": "C"},
        "C": {"Type": "Pass", "Parameters": {"got.$": "$got", "in.$": "$"}, "End": true}
    }});
    let r = run_with(def, json!({"i": 1}), json!({"T": [{"return": {"raw": 9}}]}));
    assert_eq!(output(&r), json!({"got": 9, "in": {"i": 1}}));
}

// §9.5: branches read outer variables.
#[test]
fn branch_reads_outer_variable() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"outer": "o"}, "Next": "P"},
        "P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Parameters": {"v.$": "$outer"}, "End": true}}}
        ]}
    }});
    assert_eq!(output(&run(def, json!({}))), json!([{"v": "o"}]));
}

// §9.5: Map iterations read outer variables too.
#[test]
fn map_iteration_reads_outer_variable() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"k": 10}, "Next": "M"},
        "M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "B", "States": {
            "B": {"Type": "Pass", "Parameters": {"k.$": "$k", "v.$": "$"}, "End": true}}}}
    }});
    assert_eq!(output(&run(def, json!([1, 2]))), json!([{"k": 10, "v": 1}, {"k": 10, "v": 2}]));
}

// §6.3: a catcher's Assign on a Parallel writes the enclosing scope; `$` is the error output.
#[test]
fn catch_assign_writes_outer_scope() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done", "Branches": [
                {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "c"}}}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"err.$": "$.Error"}, "Next": "After"}]},
        "After": {"Type": "Pass", "Parameters": {"err.$": "$err"}, "End": true},
        "Done": {"Type": "Succeed"}
    }});
    assert_eq!(output(&run(def, json!({}))), json!({"err": "Boom"}));
}

// §9.5: a state-level Assign is not evaluated when a catcher fires.
#[test]
fn state_assign_skipped_when_caught() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"v": "before"}, "Next": "T"},
        "T": {"Type": "Task", "Resource": INVOKE, "Assign": {"v": "task"}, "Next": "C",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C", "ResultPath": null}]},
        "C": {"Type": "Pass", "Parameters": {"v.$": "$v"}, "End": true}
    }});
    let r = run_with(def, json!({}), json!({"T": [{"throw": {"error": "E"}}]}));
    assert_eq!(output(&r), json!({"v": "before"}));
}

// Behaviours (README): `times` picks steps by attempt, the last step repeats, `items` by index.
#[test]
fn behaviours_times_and_items() {
    let def = one(json!({"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": INVOKE, "End": true,
              "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 5}]}}}}));
    let behaviours = json!({"T": {
        "items": {"1": [{"throw": {"error": "Busy"}, "times": 2}, {"return": "one"}]},
        "steps": [{"return": "other"}]}});
    let r = run_with(def, json!([0, 1, 2]), behaviours);
    assert_eq!(output(&r), json!(["other", "one", "other"]));
    assert_eq!(r.retries.len(), 1);
    assert_eq!(r.retries[0].delays, vec![1.0, 2.0]);
}

// Behaviours: a Task without one echoes its effective input.
#[test]
fn task_without_behaviour_echoes() {
    let def = one(json!({"Type": "Task", "Resource": INVOKE, "End": true, "Parameters": {"p.$": "$.a"}}));
    assert_eq!(output(&run(def, json!({"a": [1]}))), json!({"p": [1]}));
}

// Behaviours: bad scripts are rejected.
#[test]
fn behaviours_reject_bad_steps() {
    assert!(asl::Behaviours::from_json(&json!({"T": [{"return": 1, "throw": {"error": "E"}}]})).is_err());
    assert!(asl::Behaviours::from_json(&json!({"T": [{"sleep": -1}]})).is_err());
    assert!(asl::Behaviours::from_json(&json!({"T": {"items": {"x": []}}})).is_err());
}

// RunResult::to_json: the shape `aslcheck run` prints.
#[test]
fn run_result_json_shape() {
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": true}}});
    let j = run(def, json!({"a": 1})).to_json();
    assert_eq!(j["status"], "SUCCEEDED");
    assert_eq!(j["output"], json!({"a": 1}));
    assert_eq!(j["states"], json!(["W"]));
    assert_eq!(j["transitions"], 1);
    assert_eq!(j["duration_seconds"], 2.0);
    assert!(j.get("error").is_none() && j.get("cause").is_none());
}
