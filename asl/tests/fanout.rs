//! Parallel and Map: results, nesting, distributed Map runs, routing records
//! (docs/asl-features.md §2.8–§2.10).

mod common;

use common::*;
use serde_json::{json, Value};

const INVOKE: &str = "arn:aws:states:::lambda:invoke";

fn pass(name: &str) -> Value {
    json!({"StartAt": name, "States": {name: {"Type": "Pass", "End": true}}})
}

fn distributed(extra: Value) -> Value {
    let mut m = obj(json!({"Type": "Map", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "End": true}}}}));
    m.extend(obj(extra));
    json!({"StartAt": "M", "States": {"M": m}})
}

// §2.9: ResultSelector and ResultPath apply to the collected array.
#[test]
fn map_result_selector_and_path() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemsPath": "$.items",
        "ItemProcessor": pass("P"), "ResultSelector": {"n.$": "States.ArrayLength($)"}, "ResultPath": "$.count"}}});
    let r = run(def, json!({"items": [1, 2, 3]}));
    assert_eq!(r.output, Some(json!({"items": [1, 2, 3], "count": {"n": 3}})));
}

// §2.8: ResultSelector on the branch array.
#[test]
fn parallel_result_selector() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [pass("A"), pass("B")], "ResultSelector": {"first.$": "$[0]"}}}});
    assert_eq!(run(def, json!("x")).output, Some(json!({"first": "x"})));
}

// facts §2(12): nested Map: the outer MapIterationSucceeded points at the inner MapStateExited.
#[test]
fn nested_map_links() {
    let inner =
        json!({"StartAt": "MapL2", "States": {"MapL2": {"Type": "Map", "End": true, "ItemProcessor": pass("P")}}});
    let def = json!({"StartAt": "MapL1", "States": {"MapL1": {"Type": "Map", "End": true, "ItemProcessor": inner}}});
    let r = run(def, json!([[1]]));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "MapStateEntered"),
            (3, 2, "MapStateStarted"),
            (4, 3, "MapIterationStarted"),
            (5, 4, "MapStateEntered"),
            (6, 5, "MapStateStarted"),
            (7, 6, "MapIterationStarted"),
            (8, 7, "PassStateEntered"),
            (9, 8, "PassStateExited"),
            (10, 9, "MapIterationSucceeded"),
            (11, 9, "MapStateSucceeded"),
            (12, 9, "MapStateExited"),
            (13, 12, "MapIterationSucceeded"),
            (14, 12, "MapStateSucceeded"),
            (15, 12, "MapStateExited"),
            (16, 15, "ExecutionSucceeded"),
        ],
    );
    assert_eq!(details(&r, 7), json!({"name": "MapL2", "index": 0}));
    assert_eq!(r.output, Some(json!([[1]])));
}

// facts §2(20): a distributed Map's parent history; children are separate executions.
#[test]
fn distributed_map_history() {
    let r = run(distributed(json!({"Label": "TestMap"})), json!([1, 2]));
    assert_eq!(r.output, Some(json!([1, 2])));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "MapStateEntered"),
            (3, 2, "MapStateStarted"),
            (4, 3, "MapRunStarted"),
            (5, 4, "MapRunSucceeded"),
            (6, 5, "MapStateSucceeded"),
            (7, 5, "MapStateExited"),
            (8, 7, "ExecutionSucceeded"),
        ],
    );
    assert_eq!(details(&r, 3), json!({"length": 2}));
    let arn = details(&r, 4)["mapRunArn"].as_str().map(str::to_string).unwrap_or_default();
    assert!(arn.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:aslcheck/TestMap:"), "{arn}");
    assert_eq!(r.history[4].details_json(), None);
}

// facts §2(20) / §2.10: a child failure beyond the tolerated threshold fails the run.
#[test]
fn distributed_map_failure() {
    let r =
        run_with(distributed(json!({})), json!([1, 2]), json!({"T": {"items": {"1": [{"throw": {"error": "E"}}]}}}));
    assert_events(
        &r,
        &[
            (1, 0, "ExecutionStarted"),
            (2, 0, "MapStateEntered"),
            (3, 2, "MapStateStarted"),
            (4, 3, "MapRunStarted"),
            (5, 4, "MapRunFailed"),
            (6, 5, "MapStateFailed"),
            (7, 6, "ExecutionFailed"),
        ],
    );
    let failure = json!({"error": "States.ExceedToleratedFailureThreshold",
                         "cause": "The specified tolerated failure threshold was exceeded"});
    assert_eq!(details(&r, 5), failure);
    assert_eq!(details(&r, 7), failure);
}

// §2.10: failures within ToleratedFailureCount / Percentage do not fail the run.
#[test]
fn distributed_map_tolerated_failures() {
    let behaviours = json!({"T": {"items": {"1": [{"throw": {"error": "E"}}]}}});
    let r = run_with(distributed(json!({"ToleratedFailureCount": 1})), json!([1, 2, 3]), behaviours.clone());
    assert_eq!(r.status, asl::Status::Succeeded);
    // 1 of 3 is 33.3 %.
    let r = run_with(distributed(json!({"ToleratedFailurePercentage": 40})), json!([1, 2, 3]), behaviours.clone());
    assert_eq!(r.status, asl::Status::Succeeded);
    let r = run_with(distributed(json!({"ToleratedFailurePercentage": 30})), json!([1, 2, 3]), behaviours);
    assert_eq!(r.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
}

// §2.10: ToleratedFailureCountPath errors.
#[test]
fn distributed_map_tolerated_path_errors() {
    let def = distributed(json!({"ToleratedFailureCountPath": "$.tc", "ItemsPath": "$.items"}));
    let r = run(def.clone(), json!({"items": [1], "tc": "NoNumber"}));
    assert_eq!(
        r.cause.as_deref(),
        Some("An error occurred while executing the state 'M' (entered at the event id #2). The ToleratedFailureCountPath field refers to value \"NoNumber\" which is not a valid integer: $.tc")
    );
    let r = run(def, json!({"items": [1], "tc": -1}));
    assert!(
        r.cause.as_deref().is_some_and(|c| c.ends_with("ToleratedFailureCount cannot be negative.")),
        "{:?}",
        r.cause
    );
}

// facts §2(19): ToleratedFailureCountPath failures come after MapStateStarted.
#[test]
fn distributed_map_tolerated_path_error_history() {
    let def = distributed(json!({"ToleratedFailureCountPath": "$.tc", "ItemsPath": "$.items"}));
    let r = run(def, json!({"items": [1], "tc": -1}));
    assert_events(
        &r,
        &[(1, 0, "ExecutionStarted"), (2, 0, "MapStateEntered"), (3, 2, "MapStateStarted"), (4, 3, "ExecutionFailed")],
    );
    assert_eq!(details(&r, 3), json!({"length": 1}));
}

// §2.10: ItemBatcher gives each child {"BatchInput", "Items"}.
#[test]
fn distributed_map_item_batcher() {
    let def = distributed(json!({"ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"b": 1}}}));
    let r = run(def, json!([1, 2, 3]));
    assert_eq!(
        r.output,
        Some(json!([{"BatchInput": {"b": 1}, "Items": [1, 2]}, {"BatchInput": {"b": 1}, "Items": [3]}]))
    );
}

// README: routing records a fan-out as {"Name": [[branch states]...]}.
#[test]
fn routing_record() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "M", "Branches": [pass("A"), pass("B")]},
        "M": {"Type": "Map", "End": true, "ItemsPath": "$[0]", "ItemProcessor": pass("I")}
    }});
    let r = run(def, json!([1, 2]));
    assert_eq!(r.to_json()["states"], json!([{"P": [["A"], ["B"]]}, {"M": [["I"], ["I"]]}]));
    assert_eq!(r.transitions, 6);
}

// README: a retried fan-out adds one routing entry per attempt. (A Task inside the branch is
// entered afresh on each attempt, so its behaviour step is chosen by its own RetryCount, 0.)
#[test]
fn routing_record_of_a_retried_parallel() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "End": true}}}],
        "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 1, "MaxAttempts": 1}]}}});
    let r = run_with(def, json!({}), json!({"T": [{"throw": {"error": "E"}}]}));
    assert_eq!(r.error.as_deref(), Some("E"));
    assert_eq!(r.to_json()["states"], json!([{"P": [["T"]]}, {"P": [["T"]]}]));
    assert_eq!(r.retries.len(), 1);
    assert_eq!(r.retries[0].delays, [1.0]);
}

// §2.8: Retry on a Parallel re-runs every branch.
#[test]
fn parallel_retry_reruns_all_branches() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [
            {"StartAt": "Ok", "States": {"Ok": {"Type": "Task", "Resource": INVOKE, "End": true}}},
            {"StartAt": "Bad", "States": {"Bad": {"Type": "Task", "Resource": INVOKE, "End": true}}}],
        "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 1, "MaxAttempts": 2}]}}});
    let r = run_with(def, json!({}), json!({"Bad": [{"throw": {"error": "E"}}]}));
    assert_eq!(r.error.as_deref(), Some("E"));
    let scheduled = r.history.iter().filter(|e| e.kind == "TaskScheduled");
    let names: Vec<Value> = scheduled.map(|e| e.id).map(|id| details(&r, id - 1)["name"].clone()).collect();
    assert_eq!(names, ["Ok", "Bad", "Ok", "Bad", "Ok", "Bad"]);
}
