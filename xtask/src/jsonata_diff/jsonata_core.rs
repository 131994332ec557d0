//! `asl::jsonata::Evaluator` on the `jsonata-core` crate (2.2.13, MIT), for measurement only.
//!
//! Its values hold `Rc`s, so a parsed expression cannot be shared between threads as
//! `Compiled` requires: the compiled handle keeps the source text, and each thread parses it
//! once into a thread-local cache. It follows jsonata-js 2.2.x: `?:` and `??` parse (2.0.6
//! refuses them); no dialect restriction is added here, so the diff shows what the crate does.

use asl::jsonata::{Bindings, Compiled, Error, Evaluator};
use jsonata_core::evaluator::{self as ev, EvaluatorError, EvaluatorOptions};
use jsonata_core::value::JValue;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Debug, Default, Clone, Copy)]
pub struct JsonataCore;

#[derive(Debug)]
struct Expression {
    id: u64,
    source: String,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static PARSED: RefCell<HashMap<u64, Rc<jsonata_core::Expression>>> = RefCell::new(HashMap::new());
}

impl Evaluator for JsonataCore {
    fn name(&self) -> &'static str {
        "jsonata-core 2.2.13"
    }

    fn compile(&self, source: &str) -> Result<Arc<dyn Compiled>, Error> {
        let parsed = jsonata_core::Expression::compile(source).map_err(|e| coded(&e.to_string(), "S0000"))?;
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        PARSED.with(|p| p.borrow_mut().insert(id, Rc::new(parsed)));
        Ok(Arc::new(Expression { id, source: source.to_string() }))
    }
}

impl Drop for Expression {
    fn drop(&mut self) {
        let _ = PARSED.try_with(|p| p.borrow_mut().remove(&self.id));
    }
}

impl Compiled for Expression {
    fn source(&self) -> &str {
        &self.source
    }

    fn evaluate(&self, input: Option<&Value>, b: &Bindings) -> Result<Option<Value>, Error> {
        let parsed = PARSED.with(|p| p.borrow().get(&self.id).cloned());
        let parsed = match parsed {
            Some(p) => p,
            None => {
                let p = Rc::new(
                    jsonata_core::Expression::compile(&self.source).map_err(|e| coded(&e.to_string(), "S0000"))?,
                );
                PARSED.with(|c| c.borrow_mut().insert(self.id, p.clone()));
                p
            }
        };
        let data = input.map_or(JValue::Undefined, |v| JValue::from(v.clone()));
        let options = EvaluatorOptions {
            timeout_ms: Some(2_000),
            max_stack_depth: None,
            max_sequence_length: Some(b.limits.max_array_length),
            ..EvaluatorOptions::default()
        };
        let result = if b.vars.is_empty() && b.functions.is_empty() && b.now_millis.is_none() {
            parsed.evaluate_with_options(&data, options)
        } else {
            let mut context = ev::Context::new();
            for (name, value) in &b.vars {
                context.bind((*name).to_string(), JValue::from((*value).clone()));
            }
            let mut evaluator = ev::Evaluator::with_options(context, options);
            if let Some(now) = b.now_millis {
                let iso = iso_millis(now);
                evaluator
                    .register_fn_override("now", move |args: &[JValue]| {
                        if args.is_empty() {
                            return Ok(JValue::from(iso.as_str()));
                        }
                        // `$now(picture, timezone)` formats the instant as `$fromMillis` does.
                        let mut context = ev::Context::new();
                        context.bind("m".to_string(), JValue::Number(now as f64));
                        for (name, arg) in ["p", "t"].iter().zip(args) {
                            context.bind((*name).to_string(), arg.clone());
                        }
                        let ast = jsonata_core::parser::parse("$fromMillis($m, $p, $t)")
                            .map_err(|e| EvaluatorError::EvaluationError(e.to_string()))?;
                        ev::Evaluator::with_context(context).evaluate(&ast, &JValue::Undefined)
                    })
                    .map_err(evaluation)?;
                evaluator
                    .register_fn_override("millis", move |_: &[JValue]| Ok(JValue::Number(now as f64)))
                    .map_err(evaluation)?;
            }
            if !b.functions.is_empty() {
                return Err(Error::new("UNSUPPORTED", "host functions are not wired for jsonata-core"));
            }
            evaluator.evaluate(parsed.ast(), &data)
        };
        result.map(|v| to_json(&v)).map_err(evaluation)
    }
}

fn evaluation(e: EvaluatorError) -> Error {
    coded(e.message(), "UNCODED")
}

/// `T2001: message` as code and message; `fallback` when the text has no code.
fn coded(text: &str, fallback: &str) -> Error {
    match ev::error_code_prefix(text) {
        Some(code) => Error::new(code, text[code.len() + 1..].trim_start()),
        None => Error::new(fallback, text),
    }
}

/// What `JSON.stringify` keeps: functions and undefined left out of objects and `null` in
/// arrays, non-finite numbers `null`; a top-level function or undefined is `None`.
fn to_json(v: &JValue) -> Option<Value> {
    match v {
        JValue::Undefined | JValue::Lambda(_) | JValue::Builtin { .. } | JValue::Regex { .. } => None,
        JValue::Null => Some(Value::Null),
        JValue::Bool(b) => Some(Value::Bool(*b)),
        // An integer as an integer (`7`, not `7.0`), as jsonata-js prints it.
        JValue::Number(n) if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 => Some(Value::from(*n as i64)),
        JValue::Number(n) => Some(serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number)),
        JValue::String(s) => Some(Value::String(s.to_string())),
        JValue::Array(items) => Some(Value::Array(items.iter().map(|i| to_json(i).unwrap_or(Value::Null)).collect())),
        JValue::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map.iter() {
                if let Some(v) = to_json(v) {
                    out.insert(k.clone(), v);
                }
            }
            Some(Value::Object(out))
        }
    }
}

/// `2023-11-14T22:13:20.000Z`, as jsonata-js's `$now()` prints an instant.
fn iso_millis(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let ms = millis.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_millis_prints_as_jsonata_js() {
        assert_eq!(super::iso_millis(1_700_000_000_000), "2023-11-14T22:13:20.000Z");
        assert_eq!(super::iso_millis(0), "1970-01-01T00:00:00.000Z");
    }
}
