//! The mechanical JSONata translation of a JSONPath machine, state by state. A JSONPath state's
//! pipeline (InputPath → Parameters → work → ResultSelector → ResultPath → OutputPath, Assign
//! reading the result) becomes Arguments/Output/Assign expressions over `$states.input` and
//! `$states.result`; Choice rules become Conditions. A state with anything that has no exact
//! JSONata reading (indefinite paths, intrinsics without an equivalent, Timestamp rules,
//! `*Path` fields of Task, catchers with Assign) stays JSONPath, so the result is often a mixed machine; a machine whose every state translates gets
//! `"QueryLanguage": "JSONata"` at the top instead of on each state.

use super::jsonata_expr::{self as x, Seg};
use crate::jsonata::wrap;
use serde_json::{json, Map, Value};

const INPUT: &str = "$states.input";
const RESULT: &str = "$states.result";

/// The translated definition and how many states were translated and kept, or `None` when no
/// state could be translated.
pub fn to_jsonata(def: &Value) -> Option<(Value, usize, usize)> {
    let mut out = def.clone();
    let (mut done, mut kept) = (0, 0);
    machine(&mut out, &mut done, &mut kept);
    if done == 0 {
        return None;
    }
    if kept == 0 {
        super::for_each_machine(&mut out, &mut |m| {
            if let Some(states) = m.get_mut("States").and_then(Value::as_object_mut) {
                for s in states.values_mut().filter_map(Value::as_object_mut) {
                    s.remove("QueryLanguage");
                }
            }
        });
        if let Some(o) = out.as_object_mut() {
            o.insert("QueryLanguage".into(), json!("JSONata"));
        }
    }
    Some((out, done, kept))
}

/// The error a [`data_error_probe`] machine fails with when the original met a data error.
pub const PROBE_ERROR: &str = "LawDataError";

/// JSONPath's data errors (JSONata's evaluation error too, for mixed machines).
const DATA_ERRORS: [&str; 4] =
    ["States.Runtime", "States.IntrinsicFailure", "States.ResultPathMatchFailure", "States.QueryEvaluationError"];

/// The machine with data errors made visible: AWS records no event for an error a catcher
/// handles, so every Retry and Catch first gets an entry for the data errors that neither
/// retries nor catches them into the machine's own result, but fails with [`PROBE_ERROR`].
/// The probe fails with it exactly when the original meets a data error somewhere (outside
/// distributed Map iterations, which run as child executions).
pub fn data_error_probe(def: &Value) -> Value {
    let mut out = def.clone();
    let mut n = 0;
    let mut errors: Vec<&str> = DATA_ERRORS.to_vec();
    errors.push(PROBE_ERROR);
    super::for_each_machine(&mut out, &mut |m| {
        let Some(states) = m.get_mut("States").and_then(Value::as_object_mut) else { return };
        n += 1;
        let fail = format!("{PROBE_ERROR}{n}");
        let mut used = false;
        for s in states.values_mut().filter_map(Value::as_object_mut) {
            if !matches!(s.get("Type").and_then(Value::as_str), Some("Task" | "Parallel" | "Map")) {
                continue;
            }
            let retry = s.entry("Retry").or_insert_with(|| json!([]));
            if let Some(rs) = retry.as_array_mut() {
                rs.insert(0, json!({"ErrorEquals": errors, "MaxAttempts": 0}));
            }
            if let Some(cs) = s.get_mut("Catch").and_then(Value::as_array_mut) {
                cs.insert(0, json!({"ErrorEquals": errors, "Next": fail}));
                used = true;
            }
        }
        if used {
            states.insert(fail, json!({"Type": "Fail", "Error": PROBE_ERROR}));
        }
    });
    out
}

/// Translates the states of `m` and of the machines nested in them, except inside the
/// processor of a distributed Map: its iterations are child executions, whose data errors the
/// parent's history does not show, so the law could not tell where JSONPath met one.
fn machine(m: &mut Value, done: &mut usize, kept: &mut usize) {
    if m.pointer("/ProcessorConfig/Mode").and_then(Value::as_str) == Some("DISTRIBUTED") {
        let mut copy = m.clone();
        super::for_each_machine(&mut copy, &mut |inner| *kept += states_of(inner));
        return;
    }
    let Some(states) = m.get_mut("States").and_then(Value::as_object_mut) else { return };
    for state in states.values_mut() {
        match translate(state) {
            Some(t) => {
                *state = t;
                *done += 1;
            }
            None => *kept += 1,
        }
        if let Some(branches) = state.get_mut("Branches").and_then(Value::as_array_mut) {
            branches.iter_mut().for_each(|b| machine(b, done, kept));
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(p) = state.get_mut(key) {
                machine(p, done, kept);
            }
        }
    }
}

fn states_of(m: &Value) -> usize {
    m.get("States").and_then(Value::as_object).map_or(0, Map::len)
}

/// Fields every state keeps as they are.
const KEPT: &[&str] = &[
    "Type",
    "Comment",
    "Next",
    "End",
    "Resource",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Retry",
    "Branches",
    "Default",
    "Seconds",
    "Timestamp",
    "Error",
    "Cause",
    "MaxConcurrency",
    "Label",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
];

/// Fields [`translate`] knows how to read; a state with any other keeps JSONPath.
const READ: &[&str] = &[
    "InputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "OutputPath",
    "Result",
    "Assign",
    "Catch",
    "Choices",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "ItemsPath",
    "ItemSelector",
    "ItemProcessor",
    "Iterator",
];

fn translate(s: &Value) -> Option<Value> {
    let o = s.as_object()?;
    if o.keys().any(|k| !KEPT.contains(&k.as_str()) && !READ.contains(&k.as_str())) {
        return None;
    }
    let mut t: Map<String, Value> =
        o.iter().filter(|(k, _)| KEPT.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    t.insert("QueryLanguage".into(), json!("JSONata"));
    let ty = o.get("Type")?.as_str()?;
    let effective = effective_input(o.get("InputPath"))?;
    match ty {
        "Pass" => pass(o, &effective, &mut t)?,
        "Task" | "Parallel" | "Map" => with_result(o, ty, &effective, &mut t)?,
        "Choice" => choice(o, &effective, &mut t)?,
        "Wait" => {
            if let Some(p) = o.get("SecondsPath") {
                t.insert("Seconds".into(), wrap(&x::path(p.as_str()?, &effective)?));
            }
            if let Some(p) = o.get("TimestampPath") {
                t.insert("Timestamp".into(), wrap(&x::path(p.as_str()?, &effective)?));
            }
            plain(o, &effective, &effective, &mut t)?;
        }
        "Succeed" => plain(o, &effective, &effective, &mut t)?,
        "Fail" => {
            for (key, field) in [("ErrorPath", "Error"), ("CausePath", "Cause")] {
                if let Some(p) = o.get(key) {
                    t.insert(field.into(), wrap(&x::dynamic(p.as_str()?, INPUT)?));
                }
            }
        }
        _ => return None,
    }
    Some(Value::Object(t))
}

/// The effective input (InputPath applied to `$states.input`) as an expression.
fn effective_input(input_path: Option<&Value>) -> Option<String> {
    match input_path {
        None => Some(INPUT.to_string()),
        Some(Value::Null) => Some("{}".to_string()),
        Some(p) => x::path(p.as_str()?, INPUT),
    }
}

/// ResultPath: where the result `r` goes in the raw input.
fn result_path(rp: Option<&Value>, r: &str) -> Option<String> {
    match rp {
        None => Some(r.to_string()),
        Some(Value::Null) => Some(INPUT.to_string()),
        Some(p) => {
            let path = x::parse_path(p.as_str()?)?;
            if path.root.is_some() {
                return None;
            }
            let mut names = Vec::new();
            for s in &path.segs {
                let Seg::Name(n) = s else { return None };
                names.push(n.clone());
            }
            Some(merge_into(INPUT, &names, r))
        }
    }
}

/// `base` with `r` set at `names` (objects on the way are created or merged).
fn merge_into(base: &str, names: &[String], r: &str) -> String {
    let Some((first, rest)) = names.split_first() else { return r.to_string() };
    let inner = merge_into(&x::join(base, &[Seg::Name(first.clone())]), rest, r);
    format!("$merge([{base}, {{{}: {inner}}}])", Value::String(first.clone()))
}

/// OutputPath applied to the expression `d`.
fn output_path(op: Option<&Value>, d: &str) -> Option<String> {
    match op {
        None => Some(d.to_string()),
        Some(Value::Null) => Some("{}".to_string()),
        Some(p) => {
            let path = x::parse_path(p.as_str()?)?;
            if path.root.is_some() {
                return None;
            }
            Some(x::join(d, &path.segs))
        }
    }
}

fn set_output(t: &mut Map<String, Value>, out: String, default: &str) {
    if out != default {
        t.insert("Output".into(), wrap(&out));
    }
}

fn set_assign(o: &Map<String, Value>, base: &str, t: &mut Map<String, Value>) -> Option<()> {
    if let Some(a) = o.get("Assign") {
        t.insert("Assign".into(), x::assign(a, base)?);
    }
    Some(())
}

/// Choice, Wait and Succeed: no result; the output is OutputPath of the effective input.
fn plain(o: &Map<String, Value>, effective: &str, assign_base: &str, t: &mut Map<String, Value>) -> Option<()> {
    set_output(t, output_path(o.get("OutputPath"), effective)?, INPUT);
    set_assign(o, assign_base, t)
}

fn pass(o: &Map<String, Value>, effective: &str, t: &mut Map<String, Value>) -> Option<()> {
    let result = match (o.get("Result"), o.get("Parameters")) {
        (Some(r), _) => x::literal(r),
        (None, Some(p)) => x::template(p, effective)?,
        (None, None) => effective.to_string(),
    };
    let data = result_path(o.get("ResultPath"), &result)?;
    set_output(t, output_path(o.get("OutputPath"), &data)?, INPUT);
    set_assign(o, &result, t)
}

fn with_result(o: &Map<String, Value>, ty: &str, effective: &str, t: &mut Map<String, Value>) -> Option<()> {
    if ty == "Map" {
        map_fields(o, effective, t)?;
    } else {
        let arguments = match o.get("Parameters") {
            Some(p) => Some(x::template(p, effective)?),
            None if effective != INPUT => Some(effective.to_string()),
            None => None,
        };
        if let Some(a) = arguments {
            t.insert("Arguments".into(), wrap(&a));
        }
    }
    let result = match o.get("ResultSelector") {
        Some(rs) => x::template(rs, RESULT)?,
        None => RESULT.to_string(),
    };
    let data = result_path(o.get("ResultPath"), &result)?;
    set_output(t, output_path(o.get("OutputPath"), &data)?, RESULT);
    set_assign(o, &result, t)?;
    if let Some(cs) = o.get("Catch") {
        let catchers: Option<Vec<Value>> = cs.as_array()?.iter().map(catcher).collect();
        t.insert("Catch".into(), Value::Array(catchers?));
    }
    Some(())
}

fn map_fields(o: &Map<String, Value>, effective: &str, t: &mut Map<String, Value>) -> Option<()> {
    let items = match o.get("ItemsPath") {
        None => effective.to_string(),
        Some(p) => x::path(p.as_str()?, effective)?,
    };
    if items != INPUT {
        t.insert("Items".into(), wrap(&items));
    }
    let legacy = o.contains_key("Iterator");
    let selector = o.get("ItemSelector").or_else(|| if legacy { o.get("Parameters") } else { None });
    if let Some(sel) = selector {
        t.insert("ItemSelector".into(), wrap(&x::template(sel, effective)?));
    }
    let processor = o.get("ItemProcessor").or_else(|| o.get("Iterator"))?;
    t.insert("ItemProcessor".into(), processor.clone());
    if !legacy && o.contains_key("Parameters") {
        return None;
    }
    Some(())
}

fn catcher(c: &Value) -> Option<Value> {
    let o = c.as_object()?;
    if o.contains_key("Assign") {
        return None;
    }
    let mut t = Map::new();
    t.insert("ErrorEquals".into(), o.get("ErrorEquals")?.clone());
    t.insert("Next".into(), o.get("Next")?.clone());
    let out = result_path(o.get("ResultPath"), "$states.errorOutput")?;
    if out != "$states.errorOutput" {
        t.insert("Output".into(), wrap(&out));
    }
    Some(Value::Object(t))
}

fn choice(o: &Map<String, Value>, effective: &str, t: &mut Map<String, Value>) -> Option<()> {
    let output = output_path(o.get("OutputPath"), effective)?;
    let mut rules = Vec::new();
    for r in o.get("Choices")?.as_array()? {
        let mut m = Map::new();
        m.insert("Condition".into(), wrap(&x::rule(r, effective)?));
        m.insert("Next".into(), r.get("Next")?.clone());
        if let Some(a) = r.get("Assign") {
            m.insert("Assign".into(), x::assign(a, effective)?);
        }
        if output != INPUT {
            m.insert("Output".into(), wrap(&output));
        }
        rules.push(Value::Object(m));
    }
    t.insert("Choices".into(), Value::Array(rules));
    plain(o, effective, effective, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_with_paths_becomes_an_output_expression() {
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.a", "ResultPath": "$.r.s", "End": true}}});
        let (out, done, kept) = to_jsonata(&def).unwrap();
        assert_eq!((done, kept), (1, 0));
        assert_eq!(
            out,
            json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true,
                "Output": "{% $merge([$states.input, {\"r\": $merge([$states.input.r, {\"s\": $states.input.a}])}]) %}"}}})
        );
    }

    #[test]
    fn untranslatable_states_stay_jsonpath() {
        let def = json!({"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Parameters": {"u.$": "States.UUID()"}, "Next": "Q"},
            "Q": {"Type": "Pass", "Parameters": {"n.$": "States.ArrayLength($.xs)"}, "End": true}}});
        let (out, done, kept) = to_jsonata(&def).unwrap();
        assert_eq!((done, kept), (1, 1));
        assert_eq!(out["States"]["P"], def["States"]["P"]);
        assert_eq!(out["States"]["Q"]["QueryLanguage"], json!("JSONata"));
        assert_eq!(out["States"]["Q"]["Output"], json!("{% {\"n\": $count($states.input.xs)} %}"));
    }
}
