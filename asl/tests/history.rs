//! Execution history: event types, `(id, previousEventId)` links and detail fields as recorded
//! on real AWS (docs/asl-features.md §10; the "facts §n" numbers below refer to a notes file that is
//! no longer kept: each test says what it checks and where AWS showed it).

mod common;

use common::*;
use serde_json::{json, Value};

const INVOKE: &str = "arn:aws:states:::lambda:invoke";
const LEGACY: &str = "arn:aws:lambda:us-east-1:123456789012:function:fn";

fn pass_end() -> Value {
    json!({"Type": "Pass", "End": true})
}

/// A machine whose only state is `T`, a lambda:invoke Task with extra fields.
fn task_machine(extra: Value) -> Value {
    let mut t = obj(json!({"Type": "Task", "Resource": INVOKE, "End": true}));
    t.extend(obj(extra));
    json!({"StartAt": "T", "States": {"T": t}})
}

// facts §2(1)
#[test]
fn single_pass() {
    let r = run(
        json!({"StartAt": "State_1", "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": true}}}),
        json!({}),
    );
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "PassStateEntered"),
            (3, 2, "PassStateExited"),
            (4, 3, "ExecutionSucceeded"),
        ],
    );
    let started = details(&r, 1);
    assert_eq!(started["input"], "{}");
    assert_eq!(started["inputDetails"], json!({"truncated": false}));
    assert!(started["roleArn"].is_string());
    assert_eq!(details(&r, 2), json!({"name": "State_1", "input": "{}", "inputDetails": {"truncated": false}}));
    assert_eq!(
        details(&r, 3),
        json!({"name": "State_1", "output": "{\"Arg1\":\"argument1\"}", "outputDetails": {"truncated": false}})
    );
    assert_eq!(details(&r, 4), json!({"output": "{\"Arg1\":\"argument1\"}", "outputDetails": {"truncated": false}}));
}

#[test]
fn event_json_uses_aws_detail_keys() {
    let r = run(json!({"StartAt": "P", "States": {"P": pass_end()}}), json!(1));
    let events: Vec<Value> = r.to_json()["history"].as_array().cloned().unwrap_or_default();
    assert_eq!(events[0]["type"], "ExecutionStarted");
    assert_eq!(events[0]["executionStartedEventDetails"]["input"], "1");
    assert_eq!(events[1]["stateEnteredEventDetails"]["name"], "P");
    assert_eq!(events[2]["stateExitedEventDetails"]["output"], "1");
    assert_eq!(events[3]["executionSucceededEventDetails"]["output"], "1");
    assert_eq!(events[1]["previousEventId"], 0);
}

// facts §2(2)
#[test]
fn pass_then_pass() {
    let r =
        run(json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": pass_end()}}), json!({"k": 1}));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "PassStateEntered"),
            (3, 2, "PassStateExited"),
            (4, 3, "PassStateEntered"),
            (5, 4, "PassStateExited"),
            (6, 5, "ExecutionSucceeded"),
        ],
    );
    assert_eq!(details(&r, 4)["name"], "B");
}

// facts §2(3)
#[test]
fn task_success_scheduled_fields() {
    let def = task_machine(json!({"Parameters": {"FunctionName": "fn", "Payload.$": "$"}}));
    let r = run_with(def, json!({"a": 1}), json!({"T": [{"return": {"ok": true}}]}));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "TaskStateEntered"),
            (3, 2, "TaskScheduled"),
            (4, 3, "TaskStarted"),
            (5, 4, "TaskSucceeded"),
            (6, 5, "TaskStateExited"),
            (7, 6, "ExecutionSucceeded"),
        ],
    );
    // No timeoutInSeconds without TimeoutSeconds; parameters is compact JSON text.
    assert_eq!(
        details(&r, 3),
        json!({"resourceType": "lambda", "resource": "invoke", "region": "us-east-1",
               "parameters": "{\"FunctionName\":\"fn\",\"Payload\":{\"a\":1}}"})
    );
    assert_eq!(details(&r, 4), json!({"resourceType": "lambda", "resource": "invoke"}));
    assert_eq!(
        details(&r, 5),
        json!({"resourceType": "lambda", "resource": "invoke", "output": "{\"ok\":true}",
               "outputDetails": {"truncated": false}})
    );
    assert_eq!(details(&r, 6)["output"], "{\"ok\":true}");
}

// facts §2(3): TimeoutSeconds / TimeoutSecondsPath show as timeoutInSeconds.
#[test]
fn task_timeout_seconds_in_scheduled() {
    let r = run(task_machine(json!({"TimeoutSeconds": 5})), json!({}));
    assert_eq!(details_of(&r, "TaskScheduled")["timeoutInSeconds"], 5);
    let r = run(task_machine(json!({"TimeoutSecondsPath": "$.t"})), json!({"t": 7}));
    assert_eq!(details_of(&r, "TaskScheduled")["timeoutInSeconds"], 7);
}

// facts §2(4): no re-entry; each TaskScheduled points at the previous TaskFailed;
// parameters are re-evaluated per attempt ($$.State.RetryCount).
#[test]
fn task_retried_twice_then_succeeds() {
    let def = task_machine(json!({
        "Parameters": {"n.$": "$$.State.RetryCount"},
        "Retry": [{"ErrorEquals": ["Exception"], "IntervalSeconds": 1, "MaxAttempts": 3}]
    }));
    let r = run_with(
        def,
        json!({}),
        json!({"T": [{"throw": {"error": "Exception", "cause": "boom"}, "times": 2}, {"return": "done"}]}),
    );
    assert_eq!(r.status, asl::Status::Succeeded);
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "TaskStateEntered"),
            (3, 2, "TaskScheduled"),
            (4, 3, "TaskStarted"),
            (5, 4, "TaskFailed"),
            (6, 5, "TaskScheduled"),
            (7, 6, "TaskStarted"),
            (8, 7, "TaskFailed"),
            (9, 8, "TaskScheduled"),
            (10, 9, "TaskStarted"),
            (11, 10, "TaskSucceeded"),
            (12, 11, "TaskStateExited"),
            (13, 12, "ExecutionSucceeded"),
        ],
    );
    assert_eq!(
        details(&r, 5),
        json!({"resourceType": "lambda", "resource": "invoke", "error": "Exception", "cause": "boom"})
    );
    let counts: Vec<Value> = [3, 6, 9].iter().map(|id| parsed(&details(&r, *id), "parameters")).collect();
    assert_eq!(counts, vec![json!({"n": 0}), json!({"n": 1}), json!({"n": 2})]);
}

// facts §2(5): TaskStateExited carries the catcher's output, Error before Cause.
#[test]
fn caught_failure_then_pass() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": INVOKE, "Next": "Done",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]},
        "Handler": pass_end(),
        "Done": {"Type": "Succeed"}
    }});
    let r = run_with(def, json!({"in": 1}), json!({"T": [{"throw": {"error": "Exception", "cause": "boom"}}]}));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "TaskStateEntered"),
            (3, 2, "TaskScheduled"),
            (4, 3, "TaskStarted"),
            (5, 4, "TaskFailed"),
            (6, 5, "TaskStateExited"),
            (7, 6, "PassStateEntered"),
            (8, 7, "PassStateExited"),
            (9, 8, "ExecutionSucceeded"),
        ],
    );
    let out = "{\"Error\":\"Exception\",\"Cause\":\"boom\"}";
    assert_eq!(details(&r, 6)["output"], out);
    assert_eq!(details(&r, 7), json!({"name": "Handler", "input": out, "inputDetails": {"truncated": false}}));
}

// facts §2(6): no TaskStateExited; ExecutionFailed repeats error and cause.
#[test]
fn uncaught_failure() {
    let r = run_with(
        task_machine(json!({})),
        json!({}),
        json!({"T": [{"throw": {"error": "Exception", "cause": "boom"}}]}),
    );
    assert_eq!(r.status, asl::Status::Failed);
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "TaskStateEntered"),
            (3, 2, "TaskScheduled"),
            (4, 3, "TaskStarted"),
            (5, 4, "TaskFailed"),
            (6, 5, "ExecutionFailed"),
        ],
    );
    assert_eq!(details(&r, 6), json!({"error": "Exception", "cause": "boom"}));
    assert_eq!((r.error.as_deref(), r.cause.as_deref()), (Some("Exception"), Some("boom")));
}

// facts §2(7)
#[test]
fn choice_then_succeed() {
    let def = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "Finish"}]},
        "Finish": {"Type": "Succeed"}
    }});
    let r = run(def, json!({"x": 1}));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "ChoiceStateEntered"),
            (3, 2, "ChoiceStateExited"),
            (4, 3, "SucceedStateEntered"),
            (5, 4, "SucceedStateExited"),
            (6, 5, "ExecutionSucceeded"),
        ],
    );
    assert_eq!(details(&r, 3), json!({"name": "C", "output": "{\"x\":1}", "outputDetails": {"truncated": false}}));
    assert_eq!(details(&r, 5)["name"], "Finish");
}

// facts §2(8)
#[test]
fn wait_seconds() {
    let r = run(json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3, "End": true}}}), json!({}));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "WaitStateEntered"),
            (3, 2, "WaitStateExited"),
            (4, 3, "ExecutionSucceeded"),
        ],
    );
    // The exit happens after the wait on the virtual clock.
    assert_eq!(r.history[2].timestamp - r.history[1].timestamp, 3000);
}

// facts §2(8): a bad TimestampPath fails right after WaitStateEntered.
#[test]
fn wait_bad_timestamp_path() {
    let def = json!({"StartAt": "State_1", "States": {"State_1": {"Type": "Wait", "TimestampPath": "$.start_at", "End": true}}});
    let r = run(def, json!({"start_at": "2016-12-05 21:29:29Z"}));
    assert_events(&r, &[(1, 0, "ExecutionStarted"), (2, 0, "WaitStateEntered"), (3, 2, "ExecutionFailed")]);
    assert_eq!(
        details(&r, 3),
        json!({"error": "States.Runtime", "cause": "An error occurred while executing the state 'State_1' (entered at the event id #2). The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.start_at == 2016-12-05 21:29:29Z"})
    );
}

// facts §2(9)
#[test]
fn fail_with_error_and_cause() {
    let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "SomeFailure",
        "Cause": "This state machines raises a 'SomeFailure' failure."}}});
    let r = run(def, json!({}));
    assert_events(&r, &[(1, 0, "ExecutionStarted"), (2, 0, "FailStateEntered"), (3, 2, "ExecutionFailed")]);
    assert_eq!(
        details(&r, 3),
        json!({"error": "SomeFailure", "cause": "This state machines raises a 'SomeFailure' failure."})
    );
}

// facts §2(9): the details object is present and empty.
#[test]
fn fail_with_neither_error_nor_cause() {
    let r = run(json!({"StartAt": "F", "States": {"F": {"Type": "Fail"}}}), json!({}));
    assert_events(&r, &[(1, 0, "ExecutionStarted"), (2, 0, "FailStateEntered"), (3, 2, "ExecutionFailed")]);
    assert_eq!(r.to_json()["history"][2]["executionFailedEventDetails"], json!({}));
    let r = run(json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "FailureType"}}}), json!({}));
    assert_eq!(details(&r, 3), json!({"error": "FailureType"}));
}

// facts §2(10). AWS interleaves the branches (all Entered first); we append branch after
// branch (ARCHITECTURE.md design note). The links match AWS: each branch starts at
// ParallelStateStarted; Succeeded and Exited both point at the last branch event.
#[test]
fn parallel_of_two_pass_branches() {
    let branch = |n: &str| json!({"StartAt": n, "States": {n: pass_end()}});
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [branch("B1"), branch("B2")]}}});
    let r = run(def, json!(1));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "ParallelStateEntered"),
            (3, 2, "ParallelStateStarted"),
            (4, 3, "PassStateEntered"),
            (5, 4, "PassStateExited"),
            (6, 3, "PassStateEntered"),
            (7, 6, "PassStateExited"),
            (8, 7, "ParallelStateSucceeded"),
            (9, 7, "ParallelStateExited"),
            (10, 9, "ExecutionSucceeded"),
        ],
    );
    assert_eq!(details(&r, 3), json!({}));
    assert_eq!(details(&r, 9)["output"], "[1,1]");
}

// facts §2(11): a failing branch: ParallelStateFailed points at the failing event.
#[test]
fn parallel_branch_fails() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "FailureType"}}}]}}});
    let r = run(def, json!({}));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "ParallelStateEntered"),
            (3, 2, "ParallelStateStarted"),
            (4, 3, "FailStateEntered"),
            (5, 4, "ParallelStateFailed"),
            (6, 5, "ExecutionFailed"),
        ],
    );
    assert_eq!(details(&r, 6), json!({"error": "FailureType"}));
}

// facts §2(11): caught, ParallelStateExited points at ParallelStateFailed.
#[test]
fn parallel_branch_fails_caught() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done",
              "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "FailureType", "Cause": "Cause description"}}}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]},
        "Done": pass_end()
    }});
    let r = run(def, json!({}));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "ParallelStateEntered"),
            (3, 2, "ParallelStateStarted"),
            (4, 3, "FailStateEntered"),
            (5, 4, "ParallelStateFailed"),
            (6, 5, "ParallelStateExited"),
            (7, 6, "PassStateEntered"),
            (8, 7, "PassStateExited"),
            (9, 8, "ExecutionSucceeded"),
        ],
    );
    assert_eq!(details(&r, 6)["output"], "{\"Error\":\"FailureType\",\"Cause\":\"Cause description\"}");
}

// facts §2(11): a retried Parallel starts again without re-entry, and ParallelStateFailed is
// emitted once, after the last attempt (not after each failed attempt).
#[test]
fn parallel_retry_restarts_without_reentry() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "FailureType"}}}],
        "Retry": [{"ErrorEquals": ["FailureType"], "MaxAttempts": 1}]}}});
    let r = run(def, json!({}));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "ParallelStateEntered"),
            (3, 2, "ParallelStateStarted"),
            (4, 3, "FailStateEntered"),
            (5, 4, "ParallelStateStarted"),
            (6, 5, "FailStateEntered"),
            (7, 6, "ParallelStateFailed"),
            (8, 7, "ExecutionFailed"),
        ],
    );
}

fn map_of_pass(max_concurrency: Option<u64>) -> Value {
    let mut m = obj(json!({"Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "HandleItem", "States": {"HandleItem": pass_end()}}}));
    if let Some(n) = max_concurrency {
        m.insert("MaxConcurrency".into(), n.into());
    }
    json!({"StartAt": "MapState", "States": {"MapState": m}})
}

// facts §2(12): MaxConcurrency 1: iteration n+1 starts from the last inner event of
// iteration n (not its MapIterationSucceeded); Succeeded and Exited share their prev.
#[test]
fn map_two_items_max_concurrency_one() {
    let r = run(map_of_pass(Some(1)), json!([1, "Hello"]));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "MapStateEntered"),
            (3, 2, "MapStateStarted"),
            (4, 3, "MapIterationStarted"),
            (5, 4, "PassStateEntered"),
            (6, 5, "PassStateExited"),
            (7, 6, "MapIterationSucceeded"),
            (8, 6, "MapIterationStarted"),
            (9, 8, "PassStateEntered"),
            (10, 9, "PassStateExited"),
            (11, 10, "MapIterationSucceeded"),
            (12, 10, "MapStateSucceeded"),
            (13, 10, "MapStateExited"),
            (14, 13, "ExecutionSucceeded"),
        ],
    );
    assert_eq!(details(&r, 3), json!({"length": 2}));
    assert_eq!(details(&r, 4), json!({"name": "MapState", "index": 0}));
    assert_eq!(details(&r, 8), json!({"name": "MapState", "index": 1}));
    assert_eq!(details(&r, 9)["input"], "\"Hello\"");
    assert_eq!(details(&r, 13)["output"], "[1,\"Hello\"]");
}

// facts §2(12), unlimited concurrency. On AWS all MapIterationStarted come first (each prev =
// MapStateStarted) and later events interleave. We append iteration after iteration (design
// note), so only the links can match: every MapIterationStarted points at MapStateStarted
// and every iteration's first Entered at its own MapIterationStarted.
#[test]
fn map_two_items_default_concurrency() {
    let r = run(map_of_pass(None), json!([1, 2]));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "MapStateEntered"),
            (3, 2, "MapStateStarted"),
            (4, 3, "MapIterationStarted"),
            (5, 4, "PassStateEntered"),
            (6, 5, "PassStateExited"),
            (7, 6, "MapIterationSucceeded"),
            (8, 3, "MapIterationStarted"),
            (9, 8, "PassStateEntered"),
            (10, 9, "PassStateExited"),
            (11, 10, "MapIterationSucceeded"),
            (12, 10, "MapStateSucceeded"),
            (13, 10, "MapStateExited"),
            (14, 13, "ExecutionSucceeded"),
        ],
    );
}

// facts §2(12): an empty item list (UNCONFIRMED on AWS: expected Started{length:0} then
// Succeeded and Exited, both pointing at MapStateStarted).
#[test]
fn map_of_no_items() {
    let r = run(map_of_pass(None), json!([]));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "MapStateEntered"),
            (3, 2, "MapStateStarted"),
            (4, 3, "MapStateSucceeded"),
            (5, 3, "MapStateExited"),
            (6, 5, "ExecutionSucceeded"),
        ],
    );
    assert_eq!(details(&r, 3), json!({"length": 0}));
}

fn map_with_failing_item() -> Value {
    json!({"StartAt": "MapState", "States": {"MapState": {"Type": "Map", "End": true, "MaxConcurrency": 1,
    "ItemProcessor": {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$", "StringEquals": "bad", "Next": "F"}], "Default": "Ok"},
        "F": {"Type": "Fail", "Error": "Bad", "Cause": "bad item"},
        "Ok": pass_end()
    }}}}})
}

// facts §2(13): MapIterationFailed and MapStateFailed both point at the failing event; the
// remaining items never start.
#[test]
fn map_iteration_failure() {
    let r = run(map_with_failing_item(), json!(["good", "bad", "never"]));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "MapStateEntered"),
            (3, 2, "MapStateStarted"),
            (4, 3, "MapIterationStarted"),
            (5, 4, "ChoiceStateEntered"),
            (6, 5, "ChoiceStateExited"),
            (7, 6, "PassStateEntered"),
            (8, 7, "PassStateExited"),
            (9, 8, "MapIterationSucceeded"),
            (10, 8, "MapIterationStarted"),
            (11, 10, "ChoiceStateEntered"),
            (12, 11, "ChoiceStateExited"),
            (13, 12, "FailStateEntered"),
            (14, 13, "MapIterationFailed"),
            (15, 13, "MapStateFailed"),
            (16, 15, "ExecutionFailed"),
        ],
    );
    assert_eq!(details(&r, 14), json!({"name": "MapState", "index": 1}));
    assert_eq!(details(&r, 16), json!({"error": "Bad", "cause": "bad item"}));
}

// facts §2(13): caught Map failure: MapStateExited points at MapStateFailed.
#[test]
fn map_iteration_failure_caught() {
    let mut def = map_with_failing_item();
    let map = def["States"]["MapState"].as_object_mut().expect("map state");
    map.remove("End");
    map.insert("Next".into(), json!("Done"));
    map.insert("Catch".into(), json!([{"ErrorEquals": ["States.ALL"], "Next": "Done"}]));
    def["States"]["Done"] = pass_end();
    let r = run(def, json!(["bad"]));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "MapStateEntered"),
            (3, 2, "MapStateStarted"),
            (4, 3, "MapIterationStarted"),
            (5, 4, "ChoiceStateEntered"),
            (6, 5, "ChoiceStateExited"),
            (7, 6, "FailStateEntered"),
            (8, 7, "MapIterationFailed"),
            (9, 7, "MapStateFailed"),
            (10, 9, "MapStateExited"),
            (11, 10, "PassStateEntered"),
            (12, 11, "PassStateExited"),
            (13, 12, "ExecutionSucceeded"),
        ],
    );
}

// facts §2(14)
#[test]
fn task_timeout() {
    let r = run_with(task_machine(json!({"TimeoutSeconds": 5})), json!({}), json!({"T": [{"sleep": 10}]}));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "TaskStateEntered"),
            (3, 2, "TaskScheduled"),
            (4, 3, "TaskStarted"),
            (5, 4, "TaskTimedOut"),
            (6, 5, "ExecutionFailed"),
        ],
    );
    assert_eq!(details(&r, 3)["timeoutInSeconds"], 5);
    assert_eq!(details(&r, 5), json!({"resourceType": "lambda", "resource": "invoke", "error": "States.Timeout"}));
    assert_eq!(details(&r, 6), json!({"error": "States.Timeout"}));
    assert_eq!(r.history[4].timestamp - r.history[3].timestamp, 5000);
}

// facts §2(15): status TIMED_OUT, last event ExecutionTimedOut; the running state has no
// Exited event. (The details of ExecutionTimedOut are UNCONFIRMED and not asserted.)
#[test]
fn execution_timeout() {
    let def =
        json!({"StartAt": "W", "TimeoutSeconds": 5, "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}});
    let r = run(def, json!({}));
    assert_eq!(r.status, asl::Status::TimedOut);
    assert_eq!(r.to_json()["status"], "TIMED_OUT");
    assert_events(&r, &[(1, 0, "ExecutionStarted"), (2, 0, "WaitStateEntered"), (3, 2, "ExecutionTimedOut")]);
    assert_eq!(r.duration_ms, 5000);
}

// facts §2(16): legacy Lambda ARN: LambdaFunction* events; Started has no details.
#[test]
fn legacy_lambda_success() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LEGACY, "End": true}}});
    let r = run_with(def, json!({"a": 1}), json!({"T": [{"return": [1, 2]}]}));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "TaskStateEntered"),
            (3, 2, "LambdaFunctionScheduled"),
            (4, 3, "LambdaFunctionStarted"),
            (5, 4, "LambdaFunctionSucceeded"),
            (6, 5, "TaskStateExited"),
            (7, 6, "ExecutionSucceeded"),
        ],
    );
    assert_eq!(details(&r, 3), json!({"resource": LEGACY, "input": "{\"a\":1}", "inputDetails": {"truncated": false}}));
    assert_eq!(r.history[3].details_json(), None);
    assert_eq!(details(&r, 5), json!({"output": "[1,2]", "outputDetails": {"truncated": false}}));
}

#[test]
fn legacy_lambda_failure_and_timeout() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LEGACY, "End": true}}});
    let r = run_with(def, json!({}), json!({"T": [{"throw": {"error": "Exception", "cause": "x"}}]}));
    assert_eq!(
        kinds(&r)[2..],
        ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed", "ExecutionFailed"]
    );
    assert_eq!(details(&r, 5), json!({"error": "Exception", "cause": "x"}));

    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LEGACY, "TimeoutSeconds": 5, "End": true}}});
    let r = run_with(def, json!({}), json!({"T": [{"sleep": 6}]}));
    assert_eq!(details(&r, 3)["timeoutInSeconds"], 5);
    assert_eq!(kinds(&r)[4], "LambdaFunctionTimedOut");
    assert_eq!(details(&r, 5), json!({"error": "States.Timeout"}));
}

// facts §2(18): assignedVariables are compact JSON strings; absent without Assign.
#[test]
fn assign_in_exited_event() {
    let def = json!({"StartAt": "State0", "States": {
        "State0": {"Type": "Pass", "Next": "B", "Assign": {
            "constant_int": 0, "constant_float": 0.1, "constant_bool": true, "constant_null": null,
            "constant_str": "constant string", "constant_lst": [null, 0, "$.no.such.path"],
            "constant_obj": {"in": {"k": 1}}, "from_input.$": "$.a"}},
        "B": pass_end()
    }});
    let r = run(def, json!({"a": [1, 2]}));
    let exited = details(&r, 3);
    assert_eq!(
        exited["assignedVariables"],
        json!({"constant_int": "0", "constant_float": "0.1", "constant_bool": "true", "constant_null": "null",
               "constant_str": "\"constant string\"", "constant_lst": "[null,0,\"$.no.such.path\"]",
               "constant_obj": "{\"in\":{\"k\":1}}", "from_input": "[1,2]"})
    );
    assert_eq!(exited["assignedVariablesDetails"], json!({"truncated": false}));
    let plain = details(&r, 5);
    assert!(plain.get("assignedVariables").is_none() && plain.get("assignedVariablesDetails").is_none(), "{plain}");
}

// facts §2(19): Entered, then ExecutionFailed pointing at it; the cause names its id.
#[test]
fn pass_with_bad_input_path() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "InputPath": "$.missing", "End": true}
    }});
    let r = run(def, json!({"x": 1}));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "PassStateEntered"),
            (3, 2, "PassStateExited"),
            (4, 3, "PassStateEntered"),
            (5, 4, "ExecutionFailed"),
        ],
    );
    let cause = "An error occurred while executing the state 'B' (entered at the event id #4). \
                 Invalid path '$.missing' : No results for path: $['missing']";
    assert_eq!(details(&r, 5), json!({"error": "States.Runtime", "cause": cause}));
    assert_eq!(r.cause.as_deref(), Some(cause));
}

// ARCHITECTURE.md invariant: ids (and so causes) do not depend on recording.
#[test]
fn causes_do_not_depend_on_recording() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "InputPath": "$.missing", "End": true}
    }});
    let opts = asl::RunOptions { record_history: false, ..asl::RunOptions::default() };
    let r = asl::run(&machine(def), json!({}), &opts);
    assert!(r.history.is_empty());
    assert!(r.cause.as_deref().is_some_and(|c| c.contains("(entered at the event id #4)")), "{:?}", r.cause);
}

// facts §2(19): a missing Parameters path names the field and quotes the compact input.
#[test]
fn parameters_missing_path_cause() {
    let def = json!({"StartAt": "Check Address", "States": {"Check Address": {"Type": "Pass",
        "Parameters": {"address.$": "$.application.address"}, "End": true}}});
    let r = run(def, json!({"flagged": false}));
    assert_eq!(kinds(&r), ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]);
    assert_eq!(
        r.cause.as_deref(),
        Some("An error occurred while executing the state 'Check Address' (entered at the event id #2). The JSONPath '$.application.address' specified for the field 'address.$' could not be found in the input '{\"flagged\":false}'")
    );
}

// facts §2(20): MaxConcurrencyPath not an integer fails before MapStateStarted.
#[test]
fn map_bad_max_concurrency_path() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemsPath": "$.items",
        "MaxConcurrencyPath": "$.MaxConcurrencyValue",
        "ItemProcessor": {"StartAt": "P", "States": {"P": pass_end()}}}}});
    let r = run(def, json!({"items": [1], "MaxConcurrencyValue": {}}));
    assert_events(&r, &[(1, 0, "ExecutionStarted"), (2, 0, "MapStateEntered"), (3, 2, "ExecutionFailed")]);
    assert_eq!(
        r.cause.as_deref(),
        Some("An error occurred while executing the state 'M' (entered at the event id #2). The MaxConcurrencyPath field refers to value \"{}\" which is not a valid integer: $.MaxConcurrencyValue")
    );
}

// facts §2(13): a retried Map emits a new MapStateStarted pointing at the failing event
// (no MapStateFailed for an attempt that is retried).
#[test]
fn map_retry_restarts_without_reentry() {
    let mut def = map_with_failing_item();
    def["States"]["MapState"]["Retry"] = json!([{"ErrorEquals": ["Bad"], "MaxAttempts": 1}]);
    let r = run(def, json!(["bad"]));
    assert_eq!(
        events(&r)[6..9].iter().map(|(i, p, k)| (*i, *p, k.as_str())).collect::<Vec<_>>(),
        [(7, 6, "FailStateEntered"), (8, 7, "MapIterationFailed"), (9, 7, "MapStateStarted")]
    );
}

// asl-features §10.2: resourceType/resource split of optimized integrations.
#[test]
fn resource_type_split() {
    for (resource, rt, r) in [
        ("arn:aws:states:::sqs:sendMessage.waitForTaskToken", "sqs", "sendMessage.waitForTaskToken"),
        ("arn:aws:states:::states:startExecution.sync", "states", "startExecution.sync"),
    ] {
        let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": true}}});
        let run = run(def, json!({}));
        assert_eq!(details_of(&run, "TaskStarted"), json!({"resourceType": rt, "resource": r}), "{resource}");
    }
}

// facts §2(15): DescribeExecution of a timed-out execution has no error or cause.
#[test]
fn execution_timeout_result_has_no_error() {
    let def =
        json!({"StartAt": "W", "TimeoutSeconds": 5, "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}});
    let r = run(def, json!({}));
    assert_eq!((r.error, r.cause), (None, None));
}
