//! One expression to evaluate on every side, and the fixed set in
//! `xtask/jsonata-diff/expressions.json`.

use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};
use std::path::Path;

/// An expression with what it is evaluated against.
#[derive(Debug, Clone)]
pub struct Case {
    /// `fixed:<group>-<n>` or `gen:<seed>:<n>`.
    pub id: String,
    pub expr: String,
    /// `None` = no input (undefined).
    pub input: Option<Value>,
    /// Variables by name without the `$`.
    pub bindings: Map<String, Value>,
    /// The instant `$now()` and `$millis()` return.
    pub now_millis: Option<i64>,
}

impl Case {
    /// The request line eval.mjs reads.
    pub fn request(&self, index: usize) -> Value {
        let mut req = json!({ "id": index, "expr": self.expr, "bindings": self.bindings });
        if let Some(input) = &self.input {
            req["input"] = input.clone();
        }
        if let Some(now) = self.now_millis {
            req["now_millis"] = json!(now);
        }
        req
    }
}

/// Reads the fixed set: `{"groups": [{"name", "input"?, "bindings"?, "now_millis"?, "cases":
/// [expr | {"expr", "input"?, "bindings"?, "no_input"?}]}]}`. A case's own input replaces its
/// group's; `"no_input": true` evaluates it without one.
pub fn load_fixed(path: &Path) -> Result<Vec<Case>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let doc: Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let Some(groups) = doc.get("groups").and_then(Value::as_array) else {
        bail!("{}: expected {{\"groups\": [...]}}", path.display());
    };
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for group in groups {
        let name = group.get("name").and_then(Value::as_str).context("a group without a name")?;
        if !seen.insert(name.to_string()) {
            bail!("{}: group {name} appears twice", path.display());
        }
        let input = group.get("input").cloned();
        let bindings = object(group.get("bindings"));
        let now_millis = group.get("now_millis").and_then(Value::as_i64);
        let cases = group.get("cases").and_then(Value::as_array).with_context(|| format!("group {name}: no cases"))?;
        for (i, case) in cases.iter().enumerate() {
            let id = format!("fixed:{name}-{:03}", i + 1);
            let case = match case {
                Value::String(expr) => {
                    Case { id, expr: expr.clone(), input: input.clone(), bindings: bindings.clone(), now_millis }
                }
                Value::Object(o) => {
                    let expr = o.get("expr").and_then(Value::as_str).with_context(|| format!("{id}: no expr"))?;
                    let no_input = o.get("no_input").and_then(Value::as_bool).unwrap_or(false);
                    Case {
                        id,
                        expr: expr.to_string(),
                        input: if no_input { None } else { o.get("input").cloned().or_else(|| input.clone()) },
                        bindings: match o.get("bindings") {
                            Some(b) => object(Some(b)),
                            None => bindings.clone(),
                        },
                        now_millis: o.get("now_millis").and_then(Value::as_i64).or(now_millis),
                    }
                }
                _ => bail!("{id}: a case is an expression string or an object"),
            };
            out.push(case);
        }
    }
    Ok(out)
}

fn object(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}
