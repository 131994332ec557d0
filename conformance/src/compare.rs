//! The comparator: judges an engine's outcome against a case's expectation, structurally.
//!
//! JSON values compare with numbers by value (`1` equals `1.0`) and object keys in any order.
//! Matchers stand in for values nobody can predict: `{"$match": "uuid"}`, `"string"`,
//! `"timestamp"`, `"any"`, and `{"$match": "number", "min": 0, "max": 1}`.

use crate::case::{Expect, RetryExpect};
use crate::engine::Outcome;
use serde_json::{json, Value};

/// One difference: where, what the case expects, what the engine gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    pub pointer: String,
    pub expected: Value,
    pub actual: Value,
    /// Which side has no value at all at `pointer` (its field above is `null` then): a key the
    /// engine left out, or one the case does not expect. Never a string standing in for it.
    pub missing: Option<Missing>,
}

/// The side of a [`Diff`] that has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The case expects a value; the engine gave none.
    Actual,
    /// The engine gave a value where the case expects none.
    Expected,
}

/// How reports show the side that has no value: not JSON, so it cannot be taken for a string
/// (strings are shown with their quotes).
pub const NO_VALUE: &str = "(no value)";

impl Diff {
    pub fn new(pointer: &str, expected: Value, actual: Value) -> Diff {
        Diff { pointer: pointer.to_string(), expected, actual, missing: None }
    }

    /// A diff where either side may have no value (`None`).
    pub fn of(pointer: &str, expected: Option<Value>, actual: Option<Value>) -> Diff {
        let missing = match (&expected, &actual) {
            (_, None) => Some(Missing::Actual),
            (None, _) => Some(Missing::Expected),
            _ => None,
        };
        Diff { missing, ..Diff::new(pointer, expected.unwrap_or_default(), actual.unwrap_or_default()) }
    }

    /// The expected value as JSON text, or [`NO_VALUE`].
    pub fn expected_text(&self) -> String {
        if self.missing == Some(Missing::Expected) {
            NO_VALUE.to_string()
        } else {
            self.expected.to_string()
        }
    }

    /// The engine's value as JSON text, or [`NO_VALUE`].
    pub fn actual_text(&self) -> String {
        if self.missing == Some(Missing::Actual) {
            NO_VALUE.to_string()
        } else {
            self.actual.to_string()
        }
    }

    /// The diff in results.jsonl and pending cases: the side without a value is left out and
    /// `missing` names it (`"actual"` or `"expected"`).
    pub fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("pointer".into(), json!(self.pointer));
        match self.missing {
            Some(Missing::Expected) => {
                m.insert("actual".into(), self.actual.clone());
                m.insert("missing".into(), json!("expected"));
            }
            Some(Missing::Actual) => {
                m.insert("expected".into(), self.expected.clone());
                m.insert("missing".into(), json!("actual"));
            }
            None => {
                m.insert("expected".into(), self.expected.clone());
                m.insert("actual".into(), self.actual.clone());
            }
        }
        Value::Object(m)
    }

    /// Reads [`Diff::to_json`]'s form.
    pub fn from_json(v: &Value) -> Diff {
        let missing = match v.get("missing").and_then(Value::as_str) {
            Some("actual") => Some(Missing::Actual),
            Some("expected") => Some(Missing::Expected),
            _ => None,
        };
        Diff {
            pointer: v.get("pointer").and_then(Value::as_str).unwrap_or_default().to_string(),
            expected: v.get("expected").cloned().unwrap_or_default(),
            actual: v.get("actual").cloned().unwrap_or_default(),
            missing,
        }
    }
}

impl std::fmt::Display for Diff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: expected {} but got {}", self.pointer, self.expected_text(), self.actual_text())
    }
}

/// Every difference between an expectation and an outcome (empty = pass).
pub fn compare(expect: &Expect, outcome: &Outcome) -> Vec<Diff> {
    compare_with(expect, outcome, 0.0)
}

/// [`compare`] for an engine whose retry delays are measured on a real clock: a delay within
/// `tolerance` seconds (plus 2%) of the expected one counts as equal.
pub fn compare_with(expect: &Expect, outcome: &Outcome, tolerance: f64) -> Vec<Diff> {
    let mut diffs = Vec::new();
    match (outcome, &expect.negative) {
        (Outcome::Error(e), _) => diffs.push(diff("/", json!("a result"), json!(format!("engine error: {e}")))),
        (Outcome::Unsupported(_) | Outcome::Poisoned(_) | Outcome::Crashed(_) | Outcome::TimedOut, _) => {
            diffs.push(diff("/", json!("a result"), json!(format!("{outcome:?}"))))
        }
        (Outcome::Rejected { codes, .. }, Some(neg)) => {
            if let Some(code) = &neg.code {
                if !codes.contains(code) {
                    diffs.push(diff("/negative/code", json!(code), json!(codes)));
                }
            }
        }
        (Outcome::Rejected { messages, .. }, None) => {
            diffs.push(diff("/", json!("the definition to be accepted"), json!(messages)));
        }
        (Outcome::Ran { result }, Some(neg)) => {
            diffs.push(diff(
                "/negative",
                json!(format!("rejected in {} phase", neg.phase)),
                result.get("status").cloned().unwrap_or_default(),
            ));
        }
        (Outcome::Ran { result }, None) => compare_run(expect, result, tolerance, &mut diffs),
    }
    diffs
}

fn compare_run(expect: &Expect, result: &Value, tolerance: f64, diffs: &mut Vec<Diff>) {
    let field = |k: &str| result.get(k).cloned().unwrap_or(Value::Null);
    if let Some(s) = &expect.status {
        let before = diffs.len();
        values(&json!(s), &field("status"), "/status", diffs);
        // A wrong ending shows the error it ended with, so the diff says why.
        if diffs.len() > before && expect.error.is_none() && !field("error").is_null() {
            diffs.push(diff("/error", Value::Null, field("error")));
            if !field("cause").is_null() {
                diffs.push(diff("/cause", Value::Null, field("cause")));
            }
        }
    }
    if let Some(o) = &expect.output {
        values(o, &field("output"), "/output", diffs);
    }
    if let Some(alts) = &expect.outputs {
        let actual = field("output");
        if !alts.iter().any(|a| matches(a, &actual)) {
            diffs.push(diff("/outputs", json!(alts), actual));
        }
    }
    if let Some(e) = &expect.error {
        values(e, &field("error"), "/error", diffs);
    }
    if let Some(c) = &expect.cause {
        values(c, &field("cause"), "/cause", diffs);
    }
    if let Some(states) = &expect.states {
        values(&Value::Array(states.clone()), &field("states"), "/states", diffs);
    }
    if let Some(r) = &expect.retries {
        retries(r, &field("retries"), tolerance, diffs);
    }
    if let Some(h) = &expect.history {
        history(h, &field("history"), diffs);
    }
}

/// The event types must match in order; an expected entry that is an object also pins the
/// listed keys of its event (ids, details...).
fn history(expected: &[Value], actual: &Value, diffs: &mut Vec<Diff>) {
    let events: &[Value] = actual.as_array().map(Vec::as_slice).unwrap_or_default();
    let type_of = |v: &Value| v.as_str().or_else(|| v.get("type").and_then(Value::as_str)).unwrap_or("").to_string();
    let want: Vec<String> = expected.iter().map(type_of).collect();
    let got: Vec<String> = events.iter().map(type_of).collect();
    if want != got {
        diffs.push(diff("/history", json!(want), json!(got)));
        return;
    }
    for (i, (e, a)) in expected.iter().zip(events).enumerate() {
        for (key, ev) in e.as_object().into_iter().flatten() {
            values(ev, a.get(key).unwrap_or(&Value::Null), &format!("/history/{i}/{key}"), diffs);
        }
    }
}

/// Per state, the delays of each entry in order. An expected entry with no delays also
/// matches a state that was never retried.
fn retries(expected: &[RetryExpect], actual: &Value, tolerance: f64, diffs: &mut Vec<Diff>) {
    let actual: Vec<(String, Value)> = actual
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| (r["state"].as_str().unwrap_or("").to_string(), r.get("delays").cloned().unwrap_or(json!([]))))
                .collect()
        })
        .unwrap_or_default();
    let mut states: Vec<&str> = expected.iter().map(|r| r.state.as_str()).collect();
    states.dedup();
    for state in states {
        let exp: Vec<Value> = expected
            .iter()
            .filter(|r| r.state == state && !r.delays.is_empty())
            .map(|r| Value::Array(r.delays.clone()))
            .collect();
        let mut act: Vec<Value> = actual.iter().filter(|(s, _)| s == state).map(|(_, d)| d.clone()).collect();
        if tolerance > 0.0 {
            snap(&exp, &mut act, tolerance);
        }
        values(&Value::Array(exp), &Value::Array(act), &format!("/retries/{state}"), diffs);
    }
}

/// Replaces each measured delay that is within tolerance of the expected one by the expected
/// value, so the comparison (and its diff) speaks only of delays that are really off.
fn snap(expected: &[Value], actual: &mut [Value], tolerance: f64) {
    for (e, a) in expected.iter().zip(actual.iter_mut()) {
        let (Some(e), Some(a)) = (e.as_array(), a.as_array_mut()) else { continue };
        for (ed, ad) in e.iter().zip(a.iter_mut()) {
            if let (Some(x), Some(y)) = (ed.as_f64(), ad.as_f64()) {
                if (x - y).abs() <= tolerance + 0.02 * x.abs() {
                    *ad = ed.clone();
                }
            }
        }
    }
}

fn diff(pointer: &str, expected: Value, actual: Value) -> Diff {
    Diff::new(pointer, expected, actual)
}

/// Compares two JSON values, recording the first difference under each branch.
pub fn values(expected: &Value, actual: &Value, at: &str, diffs: &mut Vec<Diff>) {
    if let Some(m) = matcher(expected) {
        if !m(actual) {
            diffs.push(diff(at, expected.clone(), actual.clone()));
        }
        return;
    }
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match a.get(k) {
                    Some(av) => values(ev, av, &here, diffs),
                    None => diffs.push(Diff { missing: Some(Missing::Actual), ..diff(&here, ev.clone(), Value::Null) }),
                }
            }
            for k in a.keys().filter(|k| !e.contains_key(*k)) {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                diffs.push(Diff { missing: Some(Missing::Expected), ..diff(&here, Value::Null, a[k].clone()) });
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                values(ev, av, &format!("{at}/{i}"), diffs);
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            if !numbers_equal(e, a) {
                diffs.push(diff(at, expected.clone(), actual.clone()));
            }
        }
        _ if expected == actual => {}
        _ => diffs.push(diff(at, expected.clone(), actual.clone())),
    }
}

/// True when `actual` matches `expected` (see [`values`]).
pub fn matches(expected: &Value, actual: &Value) -> bool {
    let mut d = Vec::new();
    values(expected, actual, "", &mut d);
    d.is_empty()
}

fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x == y,
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
            _ => a == b,
        },
    }
}

type Check = Box<dyn Fn(&Value) -> bool>;

fn matcher(expected: &Value) -> Option<Check> {
    let obj = expected.as_object()?;
    let kind = obj.get("$match")?.as_str()?.to_string();
    let min = obj.get("min").and_then(Value::as_f64);
    let max = obj.get("max").and_then(Value::as_f64);
    Some(match kind.as_str() {
        "any" => Box::new(|_| true),
        "string" => Box::new(|v| v.is_string()),
        "uuid" => Box::new(|v| v.as_str().is_some_and(is_uuid)),
        "timestamp" => Box::new(|v| v.as_str().is_some_and(|s| asl::timestamp::parse(s).is_some())),
        "number" => {
            Box::new(move |v| v.as_f64().is_some_and(|n| min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m)))
        }
        _ => Box::new(|_| false),
    })
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    parts.len() == 5 && parts.iter().zip(lens).all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_is_not_a_string() {
        let mut diffs = Vec::new();
        values(&json!({"a": 1, "s": "(missing)"}), &json!({"s": "x", "extra/key": true}), "/output", &mut diffs);
        assert_eq!(diffs.len(), 3, "{diffs:?}");
        let gone = &diffs[0];
        assert_eq!((gone.pointer.as_str(), gone.missing), ("/output/a", Some(Missing::Actual)));
        assert_eq!(gone.to_json(), json!({"pointer": "/output/a", "expected": 1, "missing": "actual"}));
        assert_eq!(gone.to_string(), "/output/a: expected 1 but got (no value)");
        // A real string of that text is a value, shown with its quotes.
        assert_eq!(diffs[1].missing, None);
        assert_eq!(diffs[1].to_string(), "/output/s: expected \"(missing)\" but got \"x\"");
        let extra = &diffs[2];
        assert_eq!(extra.to_json(), json!({"pointer": "/output/extra~1key", "actual": true, "missing": "expected"}));
        for d in &diffs {
            assert_eq!(&Diff::from_json(&d.to_json()), d);
        }
    }

    #[test]
    fn numbers_compare_by_value_and_keys_in_any_order() {
        assert!(matches(&json!({"a": 1, "b": [1.0]}), &json!({"b": [1], "a": 1.0})));
        assert!(!matches(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!matches(&json!([1, 2]), &json!([2, 1])));
        assert!(!matches(&json!("1"), &json!(1)));
    }

    #[test]
    fn matchers() {
        assert!(matches(&json!({"$match": "uuid"}), &json!("0b6f4e1a-3c2d-4f5e-8a9b-1c2d3e4f5a6b")));
        assert!(!matches(&json!({"$match": "uuid"}), &json!("nope")));
        assert!(matches(&json!({"$match": "number", "min": 0, "max": 1}), &json!(0.5)));
        assert!(!matches(&json!({"$match": "number", "min": 0, "max": 1}), &json!(2)));
    }

    #[test]
    fn diffs_name_the_pointer() {
        let mut d = Vec::new();
        values(&json!({"a": {"b": [1, 2]}}), &json!({"a": {"b": [1, 3]}}), "/output", &mut d);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].pointer, "/output/a/b/1");
    }

    #[test]
    fn measured_delays_within_tolerance_pass_and_others_show() {
        let expect: Expect = serde_json::from_value(json!({"retries": [{"state": "T", "delays": [1, 2.25]}]})).unwrap();
        let ran = |d: Value| Outcome::Ran { result: json!({"retries": [{"state": "T", "delays": d}]}) };
        assert_eq!(compare_with(&expect, &ran(json!([1.004, 2.31])), 0.25), vec![]);
        let d = compare_with(&expect, &ran(json!([1.004, 3.0])), 0.25);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].pointer.as_str(), &d[0].actual), ("/retries/T/0/1", &json!(3.0)));
        assert_eq!(compare(&expect, &ran(json!([1.004, 2.25]))).len(), 1, "no tolerance on a virtual clock");
    }
}
