//! What one side gave for an expression, and how two answers compare.

use serde_json::{json, Value};

/// One side's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Value(Value),
    Undefined,
    /// A value JSON cannot carry (jsonata-js only): a function, NaN, Infinity, ...; `json` is
    /// what `JSON.stringify` keeps of it (`None` when nothing).
    Unrepresentable {
        kind: String,
        json: Option<Value>,
    },
    Error {
        code: String,
        message: String,
        position: Option<u64>,
    },
}

impl Outcome {
    /// Reads one answer line of eval.mjs.
    pub fn from_node(answer: &Value) -> Outcome {
        if let Some(e) = answer.get("error") {
            return Outcome::Error {
                code: e.get("code").and_then(Value::as_str).unwrap_or("?").to_string(),
                message: e.get("message").and_then(Value::as_str).unwrap_or("").to_string(),
                position: e.get("position").and_then(Value::as_u64),
            };
        }
        if let Some(kind) = answer.get("unrepresentable") {
            return Outcome::Unrepresentable {
                kind: kind.as_str().unwrap_or("?").to_string(),
                json: answer.get("json").cloned(),
            };
        }
        match answer.get("result") {
            Some(v) => Outcome::Value(v.clone()),
            None => Outcome::Undefined,
        }
    }

    pub fn from_rust(r: Result<Option<Value>, asl::jsonata::Error>) -> Outcome {
        match r {
            Ok(Some(v)) => Outcome::Value(v),
            Ok(None) => Outcome::Undefined,
            Err(e) => Outcome::Error { code: e.code, message: e.message, position: e.position.map(|p| p as u64) },
        }
    }

    /// For reports and the known-differences file.
    pub fn to_json(&self) -> Value {
        match self {
            Outcome::Value(v) => json!({ "result": v }),
            Outcome::Undefined => json!({ "undefined": true }),
            Outcome::Unrepresentable { kind, json } => json!({ "unrepresentable": kind, "json": json }),
            Outcome::Error { code, message, position } => {
                json!({ "error": { "code": code, "message": message, "position": position } })
            }
        }
    }

    /// A one-line form: the value's JSON, `undefined`, or `error T1006`.
    pub fn short(&self) -> String {
        match self {
            Outcome::Value(v) => {
                let s = v.to_string();
                if s.chars().count() > 200 {
                    format!("{}...", s.chars().take(200).collect::<String>())
                } else {
                    s
                }
            }
            Outcome::Undefined => "undefined".to_string(),
            Outcome::Unrepresentable { kind, json } => match json {
                Some(j) => format!("unrepresentable {kind} (JSON {j})"),
                None => format!("unrepresentable {kind}"),
            },
            Outcome::Error { code, .. } => format!("error {code}"),
        }
    }
}

/// How a candidate's answer stands against jsonata-js's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Same value (numbers equal as f64), both undefined, or errors with the same code.
    Same,
    /// Same but for numbers that differ by at most 1e-12 relative (float printing).
    Close,
    /// jsonata-js gave a value JSON cannot hold; the candidate gave what JSON.stringify keeps.
    SameAsJson,
    /// Both failed, with different codes.
    OtherErrorCode,
    Different,
}

impl Verdict {
    pub fn agrees(self) -> bool {
        matches!(self, Verdict::Same | Verdict::Close | Verdict::SameAsJson)
    }

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Same => "same",
            Verdict::Close => "close",
            Verdict::SameAsJson => "same-as-json",
            Verdict::OtherErrorCode => "other-error-code",
            Verdict::Different => "different",
        }
    }
}

pub fn verdict(node: &Outcome, ours: &Outcome) -> Verdict {
    match (node, ours) {
        (Outcome::Undefined, Outcome::Undefined) => Verdict::Same,
        (Outcome::Error { code: a, .. }, Outcome::Error { code: b, .. }) => {
            if a == b {
                Verdict::Same
            } else {
                Verdict::OtherErrorCode
            }
        }
        (Outcome::Value(a), Outcome::Value(b)) => values(a, b),
        (Outcome::Unrepresentable { json: Some(a), .. }, Outcome::Value(b)) => match values(a, b) {
            Verdict::Same | Verdict::Close => Verdict::SameAsJson,
            v => v,
        },
        (Outcome::Unrepresentable { json: None, .. }, Outcome::Undefined) => Verdict::SameAsJson,
        _ => Verdict::Different,
    }
}

/// Structural comparison, numbers by value; `Close` when only numbers differ, within 1e-12.
fn values(a: &Value, b: &Value) -> Verdict {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            if x == y {
                Verdict::Same
            } else if (x - y).abs() <= 1e-12 * x.abs().max(y.abs()) {
                Verdict::Close
            } else {
                Verdict::Different
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Verdict::Different;
            }
            x.iter().zip(y).map(|(x, y)| values(x, y)).max().unwrap_or(Verdict::Same)
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() {
                return Verdict::Different;
            }
            let mut worst = Verdict::Same;
            for (k, xv) in x {
                match y.get(k) {
                    Some(yv) => worst = worst.max(values(xv, yv)),
                    None => return Verdict::Different,
                }
            }
            worst
        }
        _ if a == b => Verdict::Same,
        _ => Verdict::Different,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(verdict(&Outcome::Value(json!([1, 2.5])), &Outcome::Value(json!([1.0, 2.5]))), Verdict::Same);
        assert_eq!(verdict(&Outcome::Value(json!(0.3)), &Outcome::Value(json!(0.30000000000000004))), Verdict::Close);
        assert_eq!(verdict(&Outcome::Value(json!({"a": 1})), &Outcome::Value(json!({"a": 2}))), Verdict::Different);
    }

    #[test]
    fn errors_compare_by_code() {
        let e = |c: &str| Outcome::Error { code: c.into(), message: String::new(), position: None };
        assert_eq!(verdict(&e("T1006"), &e("T1006")), Verdict::Same);
        assert_eq!(verdict(&e("T1006"), &e("T2001")), Verdict::OtherErrorCode);
        assert_eq!(verdict(&e("T1006"), &Outcome::Undefined), Verdict::Different);
    }

    #[test]
    fn unrepresentable_against_its_json() {
        let f = Outcome::Unrepresentable { kind: "function".into(), json: Some(json!({"b": 1})) };
        assert_eq!(verdict(&f, &Outcome::Value(json!({"b": 1}))), Verdict::SameAsJson);
        let g = Outcome::Unrepresentable { kind: "function".into(), json: None };
        assert_eq!(verdict(&g, &Outcome::Undefined), Verdict::SameAsJson);
    }
}
