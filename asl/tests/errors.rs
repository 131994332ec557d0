//! Error names, matching and causes (docs/asl-features.md §3.4, §5, §6.4, §6.5, §7,
//! §10.5).

mod common;

use common::*;
use serde_json::{json, Value};

const INVOKE: &str = "arn:aws:states:::lambda:invoke";
const LEGACY: &str = "arn:aws:lambda:us-east-1:123456789012:function:fn";

fn prefix(state: &str, id: u64) -> String {
    format!("An error occurred while executing the state '{state}' (entered at the event id #{id}). ")
}

/// A Task `T` (extra fields merged in) with a catch-all `Handler` after it.
fn caught_task(extra: Value) -> Value {
    let mut t = obj(json!({"Type": "Task", "Resource": INVOKE, "Next": "Handler"}));
    t.extend(obj(extra));
    json!({"StartAt": "T", "States": {"T": t, "Handler": {"Type": "Pass", "End": true}}})
}

// §6.5: States.Runtime is not caught by States.ALL, nor by an explicit States.Runtime catcher,
// nor retried.
#[test]
fn runtime_is_never_caught_or_retried() {
    for catcher in ["States.ALL", "States.Runtime"] {
        let def = caught_task(json!({"OutputPath": "$.nope",
            "Retry": [{"ErrorEquals": ["States.ALL"]}],
            "Catch": [{"ErrorEquals": [catcher], "Next": "Handler"}]}));
        let r = run(def, json!({"a": 1}));
        assert_eq!(r.status, asl::Status::Failed, "{catcher}");
        assert_eq!(r.error.as_deref(), Some("States.Runtime"));
        assert_eq!(r.cause, Some(format!("{}Invalid path '$.nope' : No results for path: $['nope']", prefix("T", 2))));
        assert!(r.retries.is_empty());
        assert_eq!(kinds(&r).last().map(String::as_str), Some("ExecutionFailed"));
    }
}

// §6.4: States.TaskFailed matches task errors but not States.Timeout.
#[test]
fn task_failed_does_not_match_timeout() {
    let catch = json!([{"ErrorEquals": ["States.TaskFailed"], "Next": "Handler"}]);
    let r =
        run_with(caught_task(json!({"TimeoutSeconds": 1, "Catch": catch})), json!({}), json!({"T": [{"sleep": 2}]}));
    assert_eq!(r.status, asl::Status::Failed);
    assert_eq!(r.error.as_deref(), Some("States.Timeout"));
    assert_eq!(r.cause, None);

    let r = run_with(
        caught_task(json!({"Catch": catch})),
        json!({}),
        json!({"T": [{"throw": {"error": "Lambda.Unknown"}}]}),
    );
    assert_eq!(r.status, asl::Status::Succeeded);
    assert_eq!(r.output, Some(json!({"Error": "Lambda.Unknown", "Cause": null})));
}

// §6.4: exact, case-sensitive names; catchers scanned in order.
#[test]
fn catchers_match_exactly_in_order() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": INVOKE, "End": true, "Catch": [
            {"ErrorEquals": ["custom"], "Next": "Lower"},
            {"ErrorEquals": ["Custom", "Other"], "Next": "Exact"},
            {"ErrorEquals": ["States.ALL"], "Next": "All"}]},
        "Lower": {"Type": "Pass", "Result": "lower", "End": true},
        "Exact": {"Type": "Pass", "Result": "exact", "End": true},
        "All": {"Type": "Pass", "Result": "all", "End": true}
    }});
    let r = run_with(def.clone(), json!({}), json!({"T": [{"throw": {"error": "Custom"}}]}));
    assert_eq!(r.output, Some(json!("exact")));
    let r = run_with(def, json!({}), json!({"T": [{"throw": {"error": "CUSTOM"}}]}));
    assert_eq!(r.output, Some(json!("all")));
}

// §2.2 / facts §3: a Pass output over 256 KiB fails right after PassStateEntered, with no
// prefix on the cause.
#[test]
fn pass_output_over_256_kib() {
    let big = "x".repeat(300 * 1024);
    let def = json!({"StartAt": "State_1", "States": {"State_1": {"Type": "Pass", "Result": big, "End": true}}});
    let r = run(def, json!({}));
    assert_events(&r, &[(1, 0, "ExecutionStarted"), (2, 0, "PassStateEntered"), (3, 2, "ExecutionFailed")]);
    assert_eq!(
        details(&r, 3),
        json!({"error": "States.DataLimitExceeded",
               "cause": "The state/task 'State_1' returned a result with a size exceeding the maximum number of bytes service limit."})
    );
}

// A value just under the quota passes.
#[test]
fn pass_output_at_the_limit() {
    // `"` + 262,142 bytes + `"` = 262,144 bytes of JSON.
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "y".repeat(262_142), "End": true}}});
    assert_eq!(run(def, json!({})).status, asl::Status::Succeeded);
}

// facts §3 / §6.5: a Task result over 256 KiB is a TaskFailed naming the resource type
// ('lambda' for lambda:invoke), and States.ALL catches it.
#[test]
fn task_result_over_256_kib_optimized() {
    let def = caught_task(json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]}));
    let r = run_with(def, json!({}), json!({"T": [{"return": "z".repeat(300 * 1024)}]}));
    assert_eq!(r.status, asl::Status::Succeeded);
    let cause =
        "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit.";
    assert_eq!(
        details_of(&r, "TaskFailed"),
        json!({"resourceType": "lambda", "resource": "invoke", "error": "States.DataLimitExceeded", "cause": cause})
    );
    assert_eq!(r.output, Some(json!({"Error": "States.DataLimitExceeded", "Cause": cause})));
}

// facts §3: legacy Lambda ARN: the cause names the function ARN, in LambdaFunctionFailed.
#[test]
fn task_result_over_256_kib_legacy() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": LEGACY, "Next": "Handler",
              "Catch": [{"ErrorEquals": ["States.DataLimitExceeded"], "Next": "Handler"}]},
        "Handler": {"Type": "Pass", "End": true}}});
    let r = run_with(def, json!({}), json!({"T": [{"return": "z".repeat(300 * 1024)}]}));
    assert_eq!(r.status, asl::Status::Succeeded);
    assert_eq!(
        details_of(&r, "LambdaFunctionFailed")["cause"],
        format!("The state/task '{LEGACY}' returned a result with a size exceeding the maximum number of bytes service limit.")
    );
}

// The same, name-independent part: the event type and the catch by States.ALL.
#[test]
fn task_result_over_256_kib_is_a_caught_task_failure() {
    let def = caught_task(json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]}));
    let r = run_with(def, json!({}), json!({"T": [{"return": "z".repeat(300 * 1024)}]}));
    assert_eq!(r.status, asl::Status::Succeeded);
    assert_eq!(kinds(&r)[2..6], ["TaskScheduled", "TaskStarted", "TaskFailed", "TaskStateExited"]);
    assert_eq!(details_of(&r, "TaskFailed")["error"], "States.DataLimitExceeded");
}

// §5.1: no rule matched and no Default.
#[test]
fn no_choice_matched() {
    let def = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "D"}]},
        "D": {"Type": "Succeed"}
    }});
    let r = run(def, json!({"x": 2}));
    assert_eq!(r.error.as_deref(), Some("States.NoChoiceMatched"));
    assert_events(&r, &[(1, 0, "ExecutionStarted"), (2, 0, "ChoiceStateEntered"), (3, 2, "ExecutionFailed")]);
}

// facts §2(19): a missing Choice Variable is States.Runtime with this cause.
#[test]
fn choice_variable_missing() {
    let def = json!({"StartAt": "IsDataset", "States": {
        "IsDataset": {"Type": "Choice", "Choices": [{"Variable": "$.processing_type", "StringEquals": "x", "Next": "D"}],
                      "Default": "D"},
        "D": {"Type": "Succeed"}
    }});
    let r = run(def, json!({}));
    assert_eq!(
        (r.error.as_deref(), r.cause),
        (
            Some("States.Runtime"),
            Some(format!(
                "{}Invalid path '$.processing_type': The choice state's condition path references an invalid value.",
                prefix("IsDataset", 2)
            ))
        )
    );
}

// §5.3: IsPresent on a missing path is false, not an error.
#[test]
fn is_present_on_missing_path() {
    let def = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.nope", "IsPresent": true, "Next": "Yes"}], "Default": "No"},
        "Yes": {"Type": "Pass", "Result": "yes", "End": true},
        "No": {"Type": "Pass", "Result": "no", "End": true}
    }});
    assert_eq!(run(def, json!({})).output, Some(json!("no")));
}

// §3.4: OutputPath into a missing nested property.
#[test]
fn output_path_missing_property() {
    let def =
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "OutputPath": "$.no.such.result.path", "End": true}}});
    let r = run(def, json!({}));
    assert_eq!(
        r.cause,
        Some(format!("{}Invalid path '$.no.such.result.path' : Missing property in path $['no']", prefix("P", 2)))
    );
}

// facts §2(19) / §3.4: a path applied to a null input.
// UNSURE(aws): which fields produce this text; the observation was a Parameters path.
#[test]
fn parameters_path_on_null_input() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"a.$": "$.x"}, "End": true}}});
    let r = run(def, Value::Null);
    assert_eq!(r.error.as_deref(), Some("States.Runtime"));
    assert_eq!(r.cause, Some(format!("{}Unable to apply Path transformation to null or empty input.", prefix("P", 2))));
}

// §2.7: ErrorPath that matches nothing.
#[test]
fn fail_error_path_missing() {
    let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.ErrorX", "Cause": "c"}}});
    let r = run(def, json!({"a": 1}));
    assert_eq!(
        r.cause,
        Some(format!(
            "{}The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{{\"a\":1}}'",
            prefix("F", 2)
        ))
    );
}

// §2.7: ErrorPath/CausePath read the input, the context and intrinsics.
#[test]
fn fail_error_and_cause_paths() {
    let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.e",
        "CausePath": "States.Format('state {}', $$.State.Name)"}}});
    let r = run(def, json!({"e": "Bad"}));
    assert_eq!((r.error.as_deref(), r.cause.as_deref()), (Some("Bad"), Some("state F")));
}

// §2.8 / §6.4: a failing branch fails the Parallel with its own error, not States.BranchFailed.
#[test]
fn parallel_propagates_the_branch_error() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "OK", "States": {"OK": {"Type": "Pass", "End": true}}},
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "FailureType", "Cause": "why"}}}
    ]}}});
    let r = run(def, json!({}));
    assert_eq!((r.error.as_deref(), r.cause.as_deref()), (Some("FailureType"), Some("why")));
}

// ARCHITECTURE.md: the fan-out reports the failure that happened first in virtual time.
#[test]
fn map_reports_the_first_failure_in_time() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "End": true}}}}}});
    let behaviours = json!({"T": {"items": {
        "0": [{"sleep": 5, "throw": {"error": "Slow"}}],
        "1": [{"sleep": 1, "throw": {"error": "Fast"}}]}}});
    let r = run_with(def, json!([0, 1, 2]), behaviours);
    assert_eq!(r.error.as_deref(), Some("Fast"));
    assert_eq!(r.duration_ms, 1_000);
}

// §10.5: the 25,000-event cap: event #25,000 is ExecutionFailed.
#[test]
fn event_cap() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Done"}], "Default": "A"},
        "Done": {"Type": "Succeed"}
    }});
    let r = run(def, json!({}));
    assert_eq!(r.status, asl::Status::Failed);
    assert_eq!(r.error.as_deref(), Some("States.Runtime"));
    assert_eq!(r.cause.as_deref(), Some("The execution reached the maximum number of history events (25000)."));
    assert_eq!(r.history.len(), 25_000);
    let last = r.history.last().map(|e| (e.id, e.previous_event_id, e.kind));
    assert_eq!(last, Some((25_000, 24_999, "ExecutionFailed")));
    assert_eq!(details(&r, 25_000)["error"], "States.Runtime");
}

// The cap does not depend on recording (ids are counted either way).
#[test]
fn event_cap_without_recording() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Done"}], "Default": "A"},
        "Done": {"Type": "Succeed"}
    }});
    let sm = machine(def);
    let recorded = asl::run(&sm, json!({}), &asl::RunOptions::default());
    let opts = asl::RunOptions { record_history: false, ..asl::RunOptions::default() };
    let r = asl::run(&sm, json!({}), &opts);
    assert!(r.history.is_empty());
    assert_eq!((r.error, r.cause, r.transitions), (recorded.error, recorded.cause, recorded.transitions));
}

// §7: a caught error's output keeps the error output shape, Error before Cause.
#[test]
fn error_output_key_order() {
    let def = caught_task(json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]}));
    let r = run_with(def, json!({}), json!({"T": [{"throw": {"error": "E", "cause": "c"}}]}));
    let keys: Vec<String> =
        r.output.as_ref().and_then(Value::as_object).map(|o| o.keys().cloned().collect()).unwrap_or_default();
    assert_eq!(keys, ["Error", "Cause"]);
}
