//! JSONata mode end to end: `$states`, Arguments/Output/Assign, the per-state fields, failures
//! as `States.QueryEvaluationError` with the `EvaluationFailed` event, and the validator.
//! Facts: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html and
//! https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html

mod common;

use common::*;
use serde_json::{json, Value};

fn jsonata(states: Value, start: &str) -> Value {
    json!({"QueryLanguage": "JSONata", "StartAt": start, "States": states})
}

fn output(r: &asl::RunResult) -> Value {
    assert_eq!(r.status, asl::Status::Succeeded, "{:?}: {:?}", r.error, r.cause);
    r.output.clone().unwrap_or(Value::Null)
}

fn codes(def: Value) -> Vec<String> {
    let (_, diags) = asl::check(&def);
    diags.iter().map(|d| format!("{} {} at {}", d.code, d.message, d.location.clone().unwrap_or_default())).collect()
}

#[test]
fn pass_output_reads_states_input() {
    let def = jsonata(
        json!({"P": {"Type": "Pass", "Output": {"sum": "{% $states.input.a + $states.input.b %}", "lit": "$.a"}, "End": true}}),
        "P",
    );
    assert_eq!(output(&run(def, json!({"a": 1, "b": 2}))), json!({"sum": 3, "lit": "$.a"}));
}

#[test]
fn task_arguments_and_result() {
    let def = jsonata(
        json!({"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"n": "{% $states.input.n * 2 %}"},
            "Output": "{% $states.result.n + 1 %}", "End": true}}),
        "T",
    );
    assert_eq!(output(&run(def, json!({"n": 5}))), json!(11));
}

#[test]
fn default_output_is_the_result() {
    let def = jsonata(json!({"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}), "T");
    let r = run_with(def, json!({"n": 5}), json!({"T": [{"return": {"r": 1}}]}));
    assert_eq!(output(&r), json!({"r": 1}));
}

#[test]
fn assign_reads_old_values_and_commits_at_exit() {
    let def = jsonata(
        json!({
            "A": {"Type": "Pass", "Assign": {"x": 1, "y": 2}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"x": "{% $y %}", "y": "{% $x %}"}, "Output": {"x": "{% $x %}"}, "Next": "C"},
            "C": {"Type": "Pass", "Output": {"x": "{% $x %}", "y": "{% $y %}"}, "End": true}
        }),
        "A",
    );
    let r = run(def, json!({}));
    assert_eq!(output(&r), json!({"x": 2, "y": 1}));
    let exited = details_of(&r, "PassStateExited");
    assert_eq!(exited["assignedVariables"], json!({"x": "1", "y": "2"}));
}

#[test]
fn undefined_fails_with_the_field_path_and_an_evaluation_failed_event() {
    let def =
        jsonata(json!({"P": {"Type": "Pass", "Output": {"r": [1, "{% $states.input.nope %}"]}, "End": true}}), "P");
    let r = run(def, json!({}));
    assert_eq!(r.error.as_deref(), Some("States.QueryEvaluationError"));
    assert_eq!(
        r.cause.as_deref(),
        Some("An error occurred while executing the state 'P' (entered at the event id #2). The JSONata expression '$states.input.nope' specified for the field 'Output/r[1]' returned nothing (undefined).")
    );
    assert_eq!(kinds(&r), ["ExecutionStarted", "PassStateEntered", "EvaluationFailed", "ExecutionFailed"]);
    let d = details_of(&r, "EvaluationFailed");
    assert_eq!(d["location"], json!("Output/r[1]"));
    assert_eq!(d["state"], json!("P"));
}

#[test]
fn query_evaluation_error_is_caught_with_error_output() {
    let def = jsonata(
        json!({
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": "{% $eval('1') %}",
                  "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Output": {"e": "{% $states.errorOutput.Error %}"}, "Next": "D"}],
                  "End": true},
            "D": {"Type": "Succeed"}
        }),
        "T",
    );
    assert_eq!(output(&run(def, json!({}))), json!({"e": "States.QueryEvaluationError"}));
}

#[test]
fn choice_condition_rule_output_and_default() {
    let def = jsonata(
        json!({
            "C": {"Type": "Choice", "Choices": [
                    {"Condition": "{% $states.input.n > 5 %}", "Output": {"big": true}, "Next": "Done"}],
                  "Default": "Done", "Output": {"big": false}},
            "Done": {"Type": "Succeed"}
        }),
        "C",
    );
    assert_eq!(output(&run(def.clone(), json!({"n": 9}))), json!({"big": true}));
    assert_eq!(output(&run(def, json!({"n": 1}))), json!({"big": false}));
}

#[test]
fn choice_condition_must_be_boolean() {
    let def = jsonata(
        json!({"C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.n %}", "Next": "D"}], "Default": "D"},
               "D": {"Type": "Succeed"}}),
        "C",
    );
    let r = run(def, json!({"n": 1}));
    assert_eq!(r.error.as_deref(), Some("States.QueryEvaluationError"));
    assert!(r.cause.unwrap().contains(
        "'Choices[0]/Condition' returned an unexpected result type. Expected 'boolean', but was 'number' for value: 1"
    ));
}

#[test]
fn map_items_and_item_selector() {
    let def = jsonata(
        json!({"M": {"Type": "Map", "Items": "{% $states.input.xs %}",
            "ItemSelector": {"i": "{% $states.context.Map.Item.Index %}", "v": "{% $states.context.Map.Item.Value * 10 %}"},
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}),
        "M",
    );
    assert_eq!(output(&run(def, json!({"xs": [1, 2]}))), json!([{"i": 0, "v": 10}, {"i": 1, "v": 20}]));
}

#[test]
fn map_items_must_be_an_array() {
    let def = jsonata(
        json!({"M": {"Type": "Map", "Items": "{% 1 %}",
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}),
        "M",
    );
    let r = run(def, json!({}));
    assert!(r.cause.unwrap().ends_with("The JSONata expression '1' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'number' for value: 1"));
}

#[test]
fn wait_seconds_and_fail_fields_from_expressions() {
    let def = jsonata(
        json!({"W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "F"},
               "F": {"Type": "Fail", "Error": "{% 'E' & $states.input.s %}", "Cause": "literal"}}),
        "W",
    );
    let r = run(def, json!({"s": 3}));
    assert_eq!((r.error.as_deref(), r.cause.as_deref(), r.duration_ms), (Some("E3"), Some("literal"), 3000));
}

#[test]
fn aws_functions() {
    let def = jsonata(
        json!({"P": {"Type": "Pass", "Output": {
            "p": "{% $partition([1,2,3], 2) %}", "r": "{% $range(0, 6, 2) %}",
            "h": "{% $hash('abc', 'MD5') %}", "s": "{% $random(42) %}", "j": "{% $parse('[1]') %}",
            "u": "{% $length($uuid()) %}"}, "End": true}}),
        "P",
    );
    assert_eq!(
        output(&run(def, json!({}))),
        json!({"p": [[1, 2], [3]], "r": [0, 2, 4, 6], "h": "900150983cd24fb0d6963f7d28e17f72", "s": 0.7275636800328681, "j": [1], "u": 36})
    );
}

#[test]
fn variables_cross_between_modes() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"v.$": "$.x"}, "Next": "B"},
        "B": {"Type": "Pass", "QueryLanguage": "JSONata", "Assign": {"w": "{% $v + 1 %}"}, "Output": "{% $v %}", "Next": "C"},
        "C": {"Type": "Pass", "Parameters": {"w.$": "$w"}, "End": true}}});
    assert_eq!(output(&run(def, json!({"x": 4}))), json!({"w": 5}));
}

#[test]
fn validation_rules() {
    let downgrade = jsonata(json!({"P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}}), "P");
    assert_eq!(
        codes(downgrade),
        ["SCHEMA_VALIDATION_FAILED 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine at /States/P"]
    );
    let jsonpath_field = jsonata(json!({"P": {"Type": "Pass", "Parameters": {}, "End": true}}), "P");
    assert_eq!(codes(jsonpath_field), ["SCHEMA_VALIDATION_FAILED Field 'Parameters' is not supported at /States/P"]);
    let jsonata_field = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": {}, "End": true}}});
    assert_eq!(codes(jsonata_field), ["SCHEMA_VALIDATION_FAILED Field 'Output' is not supported at /States/P"]);
    let bad_expr = jsonata(json!({"P": {"Type": "Pass", "Output": "{% $states.input. %}", "End": true}}), "P");
    assert_eq!(codes(bad_expr).len(), 1);
    let upgrade = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": 1, "End": true}}});
    assert!(codes(upgrade).is_empty());
}
