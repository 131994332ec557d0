//! Comparing a TestState answer with the expected one (usually the reference's).
//!
//! JSON texts (output, after-path views) compare as JSON with [`crate::compare::values`]:
//! numbers by value, keys in any order. Pointers are into the response's JSON shape.

use super::{InspectionData, InspectionErrorDetails, TestStateResponse};
use crate::compare::{values, Diff};
use serde_json::{json, Value};

/// Every difference of `actual` from `expected`: status, nextState, output, error, cause, the
/// after-path views both answers show, and errorDetails. Points listed in `expected.open` are
/// not judged; a jittered backoff only has to lie within its range.
pub fn compare(expected: &TestStateResponse, actual: &TestStateResponse) -> Vec<Diff> {
    let mut diffs = Vec::new();
    let open = &expected.open;
    let mut text = |at: &str, e: &Option<String>, a: &Option<String>, as_json: bool| {
        if open.is_unsure(at) || e == a {
            return;
        }
        match (e, a) {
            (Some(e), Some(a)) if as_json => values(&json_text(e), &json_text(a), at, &mut diffs),
            _ => diffs.push(Diff::of(at, e.as_deref().map(|s| json!(s)), a.as_deref().map(|s| json!(s)))),
        }
    };
    let status = |s: &TestStateResponse| s.status.map(|s| s.as_str().to_string());
    text("/status", &status(expected), &status(actual), false);
    text("/nextState", &expected.next_state, &actual.next_state, false);
    text("/output", &expected.output, &actual.output, true);
    text("/error", &expected.error, &actual.error, false);
    text("/cause", &expected.cause, &actual.cause, false);
    // An answer at INFO level has no inspection data: nothing to compare.
    if let (Some(e), Some(a)) = (&expected.inspection_data, &actual.inspection_data) {
        views(e, a, expected, &mut diffs);
        let none = InspectionErrorDetails::default();
        let (ed, ad) = (e.error_details.as_ref().unwrap_or(&none), a.error_details.as_ref().unwrap_or(&none));
        error_details(ed, ad, expected, &mut diffs);
    }
    diffs
}

/// The after-path views present in both answers.
// UNSURE(aws): which views AWS shows for a stage the definition does not have (afterParameters
// of a state without Parameters...) is not documented, so presence alone is not judged:
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_InspectionData.html
fn views(e: &InspectionData, a: &InspectionData, expected: &TestStateResponse, diffs: &mut Vec<Diff>) {
    let pairs = [
        ("input", &e.input, &a.input),
        ("afterInputPath", &e.after_input_path, &a.after_input_path),
        ("afterParameters", &e.after_parameters, &a.after_parameters),
        ("result", &e.result, &a.result),
        ("afterResultSelector", &e.after_result_selector, &a.after_result_selector),
        ("afterResultPath", &e.after_result_path, &a.after_result_path),
    ];
    for (name, ev, av) in pairs {
        let at = format!("/inspectionData/{name}");
        if let (Some(ev), Some(av), false) = (ev, av, expected.open.is_unsure(&at)) {
            values(&json_text(ev), &json_text(av), &at, diffs);
        }
    }
}

fn error_details(
    e: &InspectionErrorDetails,
    a: &InspectionErrorDetails,
    expected: &TestStateResponse,
    diffs: &mut Vec<Diff>,
) {
    let open = &expected.open;
    let base = "/inspectionData/errorDetails";
    for (name, ev, av) in [("retryIndex", e.retry_index, a.retry_index), ("catchIndex", e.catch_index, a.catch_index)] {
        let at = format!("{base}/{name}");
        if ev != av && !open.is_unsure(&at) {
            diffs.push(Diff::of(&at, ev.map(Value::from), av.map(Value::from)));
        }
    }
    let at = format!("{base}/retryBackoffIntervalSeconds");
    if open.is_unsure(&at) {
        return;
    }
    let (ev, av) = (e.retry_backoff_interval_seconds, a.retry_backoff_interval_seconds);
    let ok = match (open.backoff_seconds, av) {
        // UNSURE(aws): how a fractional backoff (IntervalSeconds 3, BackoffRate 1.5) becomes the
        // integer field, so either rounding is accepted; and whether a FULL-jitter retrier reports
        // the jittered or the plain delay, so anything in [0, ceil(delay)] is:
        // https://docs.aws.amazon.com/step-functions/latest/apireference/API_InspectionErrorDetails.html
        (Some(exact), Some(got)) if !open.backoff_jitter => got == exact.floor() as u64 || got == exact.ceil() as u64,
        (Some(exact), Some(got)) => (got as f64) <= exact.ceil(),
        _ => ev == av,
    };
    if !ok {
        let want = match open.backoff_seconds {
            Some(x) if open.backoff_jitter => json!({"$match": "number", "min": 0, "max": x.ceil()}),
            Some(x) => json!(x),
            None => match ev {
                Some(v) => json!(v),
                None => {
                    diffs.push(Diff::of(&at, None, av.map(Value::from)));
                    return;
                }
            },
        };
        diffs.push(Diff::of(&at, Some(want), av.map(Value::from)));
    }
}

/// A JSON text as JSON; text that is not JSON stays a string.
fn json_text(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string()))
}
