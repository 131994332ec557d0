//! Scripted task behaviours (DESIGN section 5): what each Task state does on each attempt.
//!
//! ```json
//! { "Charge": [ {"throw": {"error": "Busy"}, "times": 2}, {"sleep": 3, "return": {"ok": true}} ],
//!   "Inner":  { "items": {"1": [{"throw": {"error": "Bad"}}]}, "steps": [{"echo": true}] } }
//! ```
//! A step has at most one outcome (`return`, `echo`, `throw`; none means echo), an optional
//! `sleep` in seconds (how long the task runs first) and `times` (how many consecutive attempts
//! it serves, default 1). The last step serves every later attempt. Inside a Map, `items`
//! chooses steps by the innermost item index. A Task without a behaviour echoes its input.

use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Return(Value),
    Echo,
    Throw { error: String, cause: Option<String> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScriptedStep {
    pub outcome: Outcome,
    /// Seconds the task runs before the outcome.
    pub sleep: f64,
    pub times: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    pub steps: Vec<ScriptedStep>,
    pub items: HashMap<u64, Vec<ScriptedStep>>,
}

/// Behaviours of every scripted Task, by state name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Behaviours(HashMap<String, Script>);

const ECHO: ScriptedStep = ScriptedStep { outcome: Outcome::Echo, sleep: 0.0, times: 1 };

impl Behaviours {
    /// Parses the behaviours object; the error names the state and the offending step.
    pub fn from_json(v: &Value) -> Result<Behaviours, String> {
        let Some(map) = v.as_object() else {
            return Err("behaviours must be a JSON object keyed by state name".into());
        };
        let mut out = HashMap::new();
        for (state, sv) in map {
            let script = match sv {
                Value::Array(_) => Script { steps: steps(sv, state)?, items: HashMap::new() },
                Value::Object(o) => {
                    let mut items = HashMap::new();
                    if let Some(iv) = o.get("items") {
                        let im = iv.as_object().ok_or(format!("behaviours.{state}.items must be an object"))?;
                        for (idx, s) in im {
                            let i: u64 = idx
                                .parse()
                                .map_err(|_| format!("behaviours.{state}.items: '{idx}' is not an item index"))?;
                            items.insert(i, steps(s, state)?);
                        }
                    }
                    let steps = match o.get("steps") {
                        Some(s) => steps(s, state)?,
                        None => Vec::new(),
                    };
                    if let Some(k) = o.keys().find(|k| *k != "items" && *k != "steps") {
                        return Err(format!("behaviours.{state}: unknown field '{k}'"));
                    }
                    Script { steps, items }
                }
                _ => return Err(format!("behaviours.{state} must be a list of steps or an object")),
            };
            out.insert(state.clone(), script);
        }
        Ok(Behaviours(out))
    }

    /// The step a Task runs on `attempt` (0-based), inside Map item `item` if any.
    pub fn step(&self, state: &str, item: Option<u64>, attempt: u64) -> &ScriptedStep {
        let Some(script) = self.0.get(state) else { return &ECHO };
        let steps = item.and_then(|i| script.items.get(&i)).unwrap_or(&script.steps);
        let mut covered = 0u64;
        for step in steps {
            covered = covered.saturating_add(step.times);
            if attempt < covered {
                return step;
            }
        }
        steps.last().unwrap_or(&ECHO)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The script of a state, if it has one.
    pub fn script(&self, state: &str) -> Option<&Script> {
        self.0.get(state)
    }
}

fn steps(v: &Value, state: &str) -> Result<Vec<ScriptedStep>, String> {
    let arr = v.as_array().ok_or(format!("behaviours.{state} must be a list of steps"))?;
    arr.iter().enumerate().map(|(i, s)| step(s, &format!("behaviours.{state}[{i}]"))).collect()
}

fn step(v: &Value, at: &str) -> Result<ScriptedStep, String> {
    let o = v.as_object().ok_or(format!("{at} must be an object"))?;
    let mut outcome = None;
    for (k, val) in o {
        let this = match k.as_str() {
            "return" => Outcome::Return(val.clone()),
            "echo" => Outcome::Echo,
            "throw" => {
                let error =
                    val.get("error").and_then(Value::as_str).ok_or(format!("{at}.throw needs an 'error' string"))?;
                let cause = match val.get("cause") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(c)) => Some(c.clone()),
                    Some(_) => return Err(format!("{at}.throw.cause must be a string")),
                };
                Outcome::Throw { error: error.to_string(), cause }
            }
            "sleep" | "times" => continue,
            other => return Err(format!("{at}: unknown field '{other}'")),
        };
        if outcome.replace(this).is_some() {
            return Err(format!("{at} has more than one of return/echo/throw"));
        }
    }
    let sleep = match o.get("sleep") {
        None => 0.0,
        Some(s) => s
            .as_f64()
            .filter(|s| *s >= 0.0 && s.is_finite())
            .ok_or(format!("{at}.sleep must be a non-negative number"))?,
    };
    let times = match o.get("times") {
        None => 1,
        Some(t) => t.as_u64().filter(|t| *t >= 1).ok_or(format!("{at}.times must be a positive integer"))?,
    };
    Ok(ScriptedStep { outcome: outcome.unwrap_or(Outcome::Echo), sleep, times })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn steps_are_chosen_by_attempt_and_the_last_repeats() {
        let b = Behaviours::from_json(&json!({"A": [
            {"throw": {"error": "E"}, "times": 2}, {"return": 1}
        ]}))
        .unwrap();
        assert!(matches!(b.step("A", None, 0).outcome, Outcome::Throw { .. }));
        assert!(matches!(b.step("A", None, 1).outcome, Outcome::Throw { .. }));
        assert_eq!(b.step("A", None, 2).outcome, Outcome::Return(json!(1)));
        assert_eq!(b.step("A", None, 9).outcome, Outcome::Return(json!(1)));
        assert_eq!(b.step("B", None, 0).outcome, Outcome::Echo);
    }

    #[test]
    fn items_override_default_steps() {
        let b = Behaviours::from_json(&json!({"T": {"items": {"1": [{"return": "one"}]}, "steps": [{"sleep": 2}]}}))
            .unwrap();
        assert_eq!(b.step("T", Some(1), 0).outcome, Outcome::Return(json!("one")));
        let s = b.step("T", Some(0), 0);
        assert_eq!((s.outcome.clone(), s.sleep), (Outcome::Echo, 2.0));
    }

    #[test]
    fn bad_steps_are_rejected_with_their_location() {
        let e = Behaviours::from_json(&json!({"A": [{"return": 1, "echo": true}]})).unwrap_err();
        assert!(e.contains("behaviours.A[0]"), "{e}");
        assert!(Behaviours::from_json(&json!({"A": [{"times": 0}]})).is_err());
        assert!(Behaviours::from_json(&json!([1])).is_err());
    }
}
