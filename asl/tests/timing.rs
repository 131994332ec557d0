//! The virtual clock: retry delays, jitter, Wait, task sleeps, fan-out durations
//! (docs/asl-features.md §6.1, §6.2, §2.5, §2.8, §2.9; ARCHITECTURE.md design notes).

mod common;

use common::*;
use serde_json::{json, Value};

const INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// A Task `T` with these retriers that throws the given errors, then returns `"ok"`.
fn retried(retry: Value, errors: &[&str]) -> asl::RunResult {
    let def =
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "End": true, "Retry": retry}}});
    let mut steps: Vec<Value> = errors.iter().map(|e| json!({"throw": {"error": e}})).collect();
    steps.push(json!({"return": "ok"}));
    run_with(def, json!({}), json!({"T": steps}))
}

fn delays(r: &asl::RunResult) -> Vec<f64> {
    r.retries.iter().flat_map(|x| x.delays.iter().copied()).collect()
}

// §6.2: delay n = IntervalSeconds × BackoffRate^n.
#[test]
fn interval_and_backoff() {
    let r =
        retried(json!([{"ErrorEquals": ["E"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3}]), &["E"; 3]);
    assert_eq!(r.status, asl::Status::Succeeded);
    assert_eq!(r.retries.len(), 1);
    assert_eq!(r.retries[0].state, "T");
    assert_eq!(delays(&r), [2.0, 6.0, 18.0]);
    assert_eq!(r.duration_ms, 26_000);
}

// §6.1 defaults: IntervalSeconds 1, BackoffRate 2.0, MaxAttempts 3.
#[test]
fn retrier_defaults() {
    let r = retried(json!([{"ErrorEquals": ["E"]}]), &["E"; 4]);
    assert_eq!(r.status, asl::Status::Failed);
    assert_eq!(delays(&r), [1.0, 2.0, 4.0]);
    assert_eq!(kinds(&r).iter().filter(|k| *k == "TaskFailed").count(), 4);
}

// §6.2: MaxDelaySeconds caps the delay.
#[test]
fn max_delay_caps() {
    let r = retried(
        json!([{"ErrorEquals": ["E"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3, "MaxDelaySeconds": 5}]),
        &["E"; 3],
    );
    assert_eq!(delays(&r), [2.0, 5.0, 5.0]);
    assert_eq!(r.duration_ms, 12_000);
}

// §6.2: MaxAttempts 0: one attempt, one TaskFailed, then ExecutionFailed.
#[test]
fn max_attempts_zero() {
    let r = retried(json!([{"ErrorEquals": ["E"], "MaxAttempts": 0}]), &["E"]);
    assert_eq!(r.status, asl::Status::Failed);
    assert!(r.retries.is_empty());
    assert_eq!(kinds(&r)[1..], ["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "ExecutionFailed"]);
}

// §6.2: counters are per retrier, each with its own backoff exponent.
#[test]
fn per_retrier_counters() {
    let retry = json!([
        {"ErrorEquals": ["A"], "IntervalSeconds": 1, "BackoffRate": 10, "MaxAttempts": 2},
        {"ErrorEquals": ["B"], "IntervalSeconds": 3, "BackoffRate": 10, "MaxAttempts": 2}
    ]);
    let r = retried(retry.clone(), &["A", "B", "A", "B"]);
    assert_eq!(r.status, asl::Status::Succeeded);
    assert_eq!(delays(&r), [1.0, 3.0, 10.0, 30.0]);
    // A third A exhausts A's retrier even though B's still has attempts.
    let r = retried(retry, &["A", "B", "A", "A"]);
    assert_eq!(r.status, asl::Status::Failed);
    assert_eq!(r.error.as_deref(), Some("A"));
}

// §6.2: the first matching retrier is the one; later ones are not consulted when it is spent.
#[test]
fn exhausted_retrier_does_not_fall_through() {
    let retry = json!([
        {"ErrorEquals": ["E"], "IntervalSeconds": 1, "MaxAttempts": 1},
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 5}
    ]);
    let r = retried(retry, &["E", "E"]);
    assert_eq!(r.status, asl::Status::Failed);
    assert_eq!(delays(&r), [1.0]);
}

// §6.2: counters reset when the state is left: a second entry retries afresh. (Behaviour
// steps are chosen by $$.State.RetryCount, so each entry throws once, then echoes.)
#[test]
fn counters_reset_on_reentry() {
    let def = json!({"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Assign": {"n": 0}, "Next": "T"},
        "T": {"Type": "Task", "Resource": INVOKE, "Next": "C", "Parameters": {"n.$": "States.MathAdd($n, 1)"},
              "Assign": {"n.$": "$.n"}, "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 1, "MaxAttempts": 1}]},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$n", "NumericLessThan": 2, "Next": "T"}], "Default": "Done"},
        "Done": {"Type": "Succeed"}
    }});
    let r = run_with(def, json!({}), json!({"T": [{"throw": {"error": "E"}}, {"echo": true}]}));
    assert_eq!(r.status, asl::Status::Succeeded, "{:?}", r.cause);
    assert_eq!(r.output, Some(json!({"n": 2})));
    assert_eq!(delays(&r), [1.0, 1.0]);
    assert_eq!(r.retries.len(), 2);
}

fn jittered(seed: u64) -> Vec<f64> {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "End": true,
        "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 4, "BackoffRate": 2, "MaxAttempts": 4,
                   "MaxDelaySeconds": 10, "JitterStrategy": "FULL"}]}}});
    let opts = asl::RunOptions { seed, ..opts(json!({"T": [{"throw": {"error": "E"}, "times": 4}, {"return": 1}]})) };
    let r = asl::run(&machine(def), json!({}), &opts);
    assert_eq!(r.status, asl::Status::Succeeded);
    delays(&r)
}

// §6.2: FULL jitter is uniform in [0, capped delay], reproducible from the seed.
#[test]
fn full_jitter_reproducible_and_bounded() {
    let a = jittered(7);
    assert_eq!(a, jittered(7));
    let caps = [4.0, 8.0, 10.0, 10.0];
    assert_eq!(a.len(), 4);
    for (d, cap) in a.iter().zip(caps) {
        assert!((0.0..=cap).contains(d), "{d} not in [0, {cap}]");
    }
    // Some seed among a few gives different delays (it is random, not constant).
    assert!((0..5).any(|s| jittered(s) != a));
}

// §2.5: Wait Seconds / Timestamp / SecondsPath / past timestamps.
#[test]
fn wait_advances_the_clock() {
    let wait = |w: Value, input: Value| {
        let mut s = obj(w);
        s.insert("Type".into(), json!("Wait"));
        s.insert("End".into(), json!(true));
        run(json!({"StartAt": "W", "States": {"W": s}}), input).duration_ms
    };
    assert_eq!(wait(json!({"Seconds": 10}), json!({})), 10_000);
    assert_eq!(wait(json!({"Seconds": 0}), json!({})), 0);
    assert_eq!(wait(json!({"Timestamp": "2024-01-01T00:01:00Z"}), json!({})), 60_000);
    assert_eq!(wait(json!({"Timestamp": "2023-01-01T00:00:00Z"}), json!({})), 0);
    assert_eq!(wait(json!({"SecondsPath": "$.s"}), json!({"s": 4})), 4_000);
    assert_eq!(wait(json!({"TimestampPath": "$.t"}), json!({"t": "2024-01-01T00:00:02.500Z"})), 2_500);
}

// §2.5: SecondsPath error texts.
#[test]
fn wait_seconds_path_errors() {
    let def =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.input.waitSeconds", "End": true}}});
    let cause = |input: Value| run(def.clone(), input).cause.unwrap_or_default();
    let prefix = "An error occurred while executing the state 'W' (entered at the event id #2). ";
    assert_eq!(
        cause(json!({"input": {"waitSeconds": -1}})),
        format!("{prefix}The SecondsPath parameter references a negative value: $.input.waitSeconds == -1")
    );
    assert_eq!(
        cause(json!({"input": {"waitSeconds": 1.5}})),
        format!("{prefix}The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5")
    );
    assert_eq!(
        cause(json!({"input": {}})),
        format!("{prefix}The SecondsPath parameter does not reference an input value: $.input.waitSeconds")
    );
}

// Task sleeps advance the clock; event timestamps follow it.
#[test]
fn task_sleep_and_event_timestamps() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "End": true}}});
    let r = run_with(def, json!({}), json!({"T": [{"sleep": 1.5}]}));
    assert_eq!(r.duration_ms, 1_500);
    let last = r.history.last().map(|e| e.timestamp).unwrap_or_default();
    assert_eq!(secs_since_start(last), 1.5);
    assert_eq!(r.to_json()["history"][0]["timestamp"], "2024-01-01T00:00:00.000Z");
}

fn map_of_sleepers(max_concurrency: u64, items: usize) -> asl::RunResult {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "MaxConcurrency": max_concurrency,
        "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "End": true}}}}}});
    run_with(def, json!(vec![0; items]), json!({"T": [{"sleep": 2}]}))
}

// ARCHITECTURE.md concurrency model: iterations start when one of MaxConcurrency slots frees.
#[test]
fn map_concurrency_durations() {
    assert_eq!(map_of_sleepers(1, 3).duration_ms, 6_000);
    assert_eq!(map_of_sleepers(2, 3).duration_ms, 4_000);
    assert_eq!(map_of_sleepers(0, 3).duration_ms, 2_000);
}

// §2.8: Parallel lasts as long as its longest branch.
#[test]
fn parallel_duration_is_the_longest_branch() {
    let wait = |n: &str, s: u64| json!({"StartAt": n, "States": {n: {"Type": "Wait", "Seconds": s, "End": true}}});
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "After", "Branches": [wait("A", 3), wait("B", 7), wait("C", 1)]},
        "After": {"Type": "Pass", "Parameters": {"t.$": "$$.State.EnteredTime"}, "End": true}
    }});
    let r = run(def, json!({}));
    assert_eq!(r.duration_ms, 7_000);
    assert_eq!(r.output, Some(json!({"t": "2024-01-01T00:00:07.000Z"})));
}

// A Parallel inside a Map: iteration clocks and branch clocks compose.
#[test]
fn nested_fanout_duration() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "MaxConcurrency": 1,
    "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "W1", "States": {"W1": {"Type": "Wait", "SecondsPath": "$", "End": true}}},
        {"StartAt": "W2", "States": {"W2": {"Type": "Wait", "Seconds": 1, "End": true}}}
    ]}}}}}});
    assert_eq!(run(def, json!([3, 0, 2])).duration_ms, 3_000 + 1_000 + 2_000);
}

// §6.2 + timeouts: a retried task that times out waits its timeout on each attempt.
#[test]
fn timeouts_and_retries_add_up() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "End": true,
        "TimeoutSeconds": 2, "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 1}]}}});
    let r = run_with(def, json!({}), json!({"T": [{"sleep": 5}]}));
    assert_eq!(r.error.as_deref(), Some("States.Timeout"));
    assert_eq!(r.duration_ms, 2_000 + 1_000 + 2_000);
}

// §1.1: the execution timeout also cuts a retry wait short.
#[test]
fn execution_timeout_during_retry_wait() {
    let def = json!({"StartAt": "T", "TimeoutSeconds": 3, "States": {"T": {"Type": "Task", "Resource": INVOKE,
        "End": true, "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 10}]}}});
    let r = run_with(def, json!({}), json!({"T": [{"throw": {"error": "E"}}]}));
    assert_eq!(r.status, asl::Status::TimedOut);
    assert_eq!(r.duration_ms, 3_000);
    assert_eq!(kinds(&r).last().map(String::as_str), Some("ExecutionTimedOut"));
}
