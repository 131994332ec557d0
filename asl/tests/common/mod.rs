//! Helpers shared by the integration tests: build a machine, run it, read its history.
#![allow(dead_code)]

use asl::{Behaviours, RunOptions, RunResult, StateMachine};
use serde_json::{Map, Value};

/// Parses and validates a definition; panics with the diagnostics when it does not validate.
pub fn machine(def: Value) -> StateMachine {
    let (sm, diags) = asl::check(&def);
    match sm {
        Some(sm) => sm,
        None => panic!("definition did not validate: {diags:#?}"),
    }
}

pub fn opts(behaviours: Value) -> RunOptions {
    RunOptions { behaviours: Behaviours::from_json(&behaviours).expect("behaviours"), ..RunOptions::default() }
}

/// Runs a definition on an input with no scripted behaviours.
pub fn run(def: Value, input: Value) -> RunResult {
    asl::run(&machine(def), input, &RunOptions::default())
}

/// Runs a definition on an input with scripted task behaviours.
pub fn run_with(def: Value, input: Value, behaviours: Value) -> RunResult {
    asl::run(&machine(def), input, &opts(behaviours))
}

/// `(id, previousEventId, type)` of every event.
pub fn events(r: &RunResult) -> Vec<(u64, u64, String)> {
    r.history.iter().map(|e| (e.id, e.previous_event_id, e.kind.to_string())).collect()
}

/// Compares the history with `(id, prev, type)` triples, printing both on mismatch.
pub fn assert_events(r: &RunResult, expected: &[(u64, u64, &str)]) {
    let got = events(r);
    let want: Vec<(u64, u64, String)> = expected.iter().map(|(i, p, k)| (*i, *p, k.to_string())).collect();
    pretty_assertions::assert_eq!(got, want);
}

/// The event types only.
pub fn kinds(r: &RunResult) -> Vec<String> {
    r.history.iter().map(|e| e.kind.to_string()).collect()
}

/// The details of the event with this id (`{}` when it has none).
pub fn details(r: &RunResult, id: u64) -> Value {
    let e = r.history.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("no event #{id}"));
    Value::Object(e.details_json().unwrap_or_default())
}

/// The details of the first event of this type.
pub fn details_of(r: &RunResult, kind: &str) -> Value {
    let e = r.history.iter().find(|e| e.kind == kind).unwrap_or_else(|| panic!("no {kind} event"));
    Value::Object(e.details_json().unwrap_or_default())
}

/// A JSON string field of some details, parsed back into JSON.
pub fn parsed(details: &Value, key: &str) -> Value {
    let text = details.get(key).and_then(Value::as_str).unwrap_or_else(|| panic!("no string '{key}' in {details}"));
    serde_json::from_str(text).unwrap_or_else(|e| panic!("'{key}' is not JSON ({e}): {text}"))
}

/// The object form of a `serde_json::json!` literal.
pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// `(code, location)` pairs of a definition's diagnostics.
pub fn diagnostics(def: Value) -> Vec<(String, Option<String>)> {
    let (_, diags) = asl::check(&def);
    diags.into_iter().map(|d| (d.code.to_string(), d.location)).collect()
}

/// The diagnostics, with messages, for failure output.
pub fn diagnostic_list(def: &Value) -> Vec<asl::Diagnostic> {
    asl::check(def).1
}

/// A virtual time (epoch ms) as seconds since the default start.
pub fn secs_since_start(ms: i64) -> f64 {
    (ms - asl::context::DEFAULT_START) as f64 / 1000.0
}
