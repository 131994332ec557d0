//! Static coverage of JSONata mode: the query language of the definition and of each state, the
//! JSONata fields a state uses and what its `{% %}` expressions read and call.

use super::{add, list, states, Set};
use serde_json::Value;

/// Is `s` a `{% %}` expression? Its text if so.
pub(super) fn expression_text(s: &str) -> Option<&str> {
    let t = s.trim();
    t.strip_prefix("{%").and_then(|r| r.strip_suffix("%}")).map(str::trim)
}

/// The expression texts and literal strings of a field value (nested machines excluded).
fn strings(v: &Value, exprs: &mut Vec<String>, literals: &mut usize) {
    match v {
        Value::String(s) => match expression_text(s) {
            Some(e) => exprs.push(e.to_string()),
            None => *literals += 1,
        },
        Value::Array(a) => a.iter().for_each(|x| strings(x, exprs, literals)),
        Value::Object(o) => {
            for (k, x) in o {
                if !matches!(k.as_str(), "Branches" | "ItemProcessor" | "Iterator" | "Type" | "Next" | "Default")
                    && !matches!(k.as_str(), "Resource" | "QueryLanguage" | "ErrorEquals" | "Comment")
                {
                    strings(x, exprs, literals);
                }
            }
        }
        _ => {}
    }
}

const FUNCTIONS: &[(&str, &str)] = &[
    ("$partition(", "jsonata.fn.partition"),
    ("$range(", "jsonata.fn.range"),
    ("$hash(", "jsonata.fn.hash-uuid"),
    ("$uuid(", "jsonata.fn.hash-uuid"),
    ("$random(", "jsonata.fn.random-seed"),
    ("$parse(", "jsonata.fn.parse"),
    ("$now(", "jsonata.fn.now-millis"),
    ("$millis(", "jsonata.fn.now-millis"),
];

/// JSONata's own functions (not AWS's): any of them counts as `jsonata.fn.builtin`.
const BUILTINS: &[&str] =
    &["$count(", "$sum(", "$string(", "$map(", "$merge(", "$length(", "$uppercase(", "$exists(", "$not(", "$append("];

fn expression(e: &str, set: &mut Set) {
    for (needle, id) in [
        ("$states.input", "jsonata.states.input"),
        ("$states.result", "jsonata.states.result"),
        ("$states.errorOutput", "jsonata.states.error-output"),
        ("$states.context", "jsonata.states.context"),
    ] {
        if e.contains(needle) {
            add(set, id);
        }
    }
    if e.contains("$states.context.Map.Item") {
        add(set, "ctx.map.item");
    }
    for (needle, id) in FUNCTIONS {
        if e.contains(needle) {
            add(set, id);
        }
    }
    if BUILTINS.iter().any(|b| e.contains(b)) {
        add(set, "jsonata.fn.builtin");
    }
}

fn is_expr(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str).and_then(expression_text).is_some()
}

/// Features of one JSONata state (its own fields; nested machines are visited on their own).
pub(super) fn state(s: &Value, ty: &str, set: &mut Set) {
    let has = |k: &str| s.get(k).is_some();
    let (mut exprs, mut literals) = (Vec::new(), 0);
    strings(s, &mut exprs, &mut literals);
    if !exprs.is_empty() {
        add(set, "jsonata.delimiters");
    }
    if literals > 0 && ["Arguments", "Output", "Assign", "ItemSelector"].iter().any(|k| has(k)) {
        add(set, "jsonata.literal-strings");
    }
    for e in &exprs {
        expression(e, set);
    }
    if has("Arguments") || has("Output") {
        add(set, "jsonata.arguments-output");
    }
    if has("Assign") || list(s, "Choices").iter().chain(list(s, "Catch")).any(|x| x.get("Assign").is_some()) {
        add(set, "jsonata.assign");
    }
    if ["Seconds", "TimeoutSeconds", "HeartbeatSeconds", "MaxConcurrency", "ToleratedFailureCount"]
        .iter()
        .any(|k| is_expr(s.get(*k)))
    {
        add(set, "jsonata.numeric-fields");
    }
    let results = matches!(ty, "Task" | "Parallel" | "Map");
    if results && !has("Output") {
        add(set, "jsonata.default-output");
    }
    match ty {
        "Pass" if has("Output") => add(set, "jsonata.pass.output"),
        "Succeed" if has("Output") => add(set, "jsonata.succeed.output"),
        "Task" => {
            if has("Arguments") {
                add(set, "jsonata.task.arguments");
            }
            if is_expr(s.get("TimeoutSeconds")) || is_expr(s.get("HeartbeatSeconds")) {
                add(set, "jsonata.task.timeout-heartbeat-expr");
            }
        }
        "Choice" => {
            if list(s, "Choices").iter().any(|r| r.get("Condition").is_some()) {
                add(set, "choice.jsonata.condition");
            }
            if list(s, "Choices").iter().any(|r| r.get("Output").is_some() || r.get("Assign").is_some()) {
                add(set, "jsonata.choice.rule-output-assign");
            }
        }
        "Wait" => {
            add(set, "wait.jsonata");
            if is_expr(s.get("Timestamp")) {
                add(set, "jsonata.wait.timestamp-expr");
            }
        }
        "Fail" if is_expr(s.get("Error")) || is_expr(s.get("Cause")) => add(set, "fail.jsonata-expr"),
        "Parallel" if has("Arguments") || has("Output") => add(set, "jsonata.parallel.arguments-output"),
        "Map" => {
            if has("Items") {
                add(set, "map.jsonata.items");
            }
            if has("ItemSelector") {
                add(set, "jsonata.map.item-selector");
            }
            if is_expr(s.get("MaxConcurrency")) {
                add(set, "jsonata.map.max-concurrency-expr");
            }
            if is_expr(s.get("ToleratedFailureCount")) || is_expr(s.get("ToleratedFailurePercentage")) {
                add(set, "jsonata.map.tolerated-failure-expr");
            }
            if has("Output") {
                add(set, "jsonata.map.output");
            }
        }
        _ => {}
    }
    let names_evaluation_error = |x: &Value| list(x, "ErrorEquals").iter().any(|e| e == "States.QueryEvaluationError");
    if list(s, "Retry").iter().chain(list(s, "Catch")).any(names_evaluation_error) {
        add(set, "jsonata.retry.query-evaluation-error");
    }
    if list(s, "Catch").iter().any(|c| c.get("Output").is_some() || c.get("Assign").is_some()) {
        add(set, "catch.jsonata.output-assign");
    }
}

/// Is this state JSONata (its own `QueryLanguage`, else the definition's)?
pub(super) fn is_jsonata(s: &Value, top: bool) -> bool {
    match s.get("QueryLanguage").and_then(Value::as_str) {
        Some(ql) => ql == "JSONata",
        None => top,
    }
}

/// Definition-wide query-language features: top-level JSONata, per-state upgrades, nested
/// machines inheriting JSONata, both languages in one machine, variables crossing modes.
pub(super) fn definition(def: &Value, set: &mut Set) {
    let top = def.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    if top {
        add(set, "ql.top-jsonata");
    }
    let mut modes = Modes::default();
    walk(def, top, 0, &mut modes);
    if modes.upgrade {
        add(set, "ql.state-override-upgrade");
    }
    if top && modes.nested {
        add(set, "ql.nested-inherits-top");
    }
    if modes.jsonata > 0 && modes.jsonpath > 0 {
        add(set, "ql.mixed-dataflow");
        let crosses = |assigned: &[String], reads: &[String]| {
            assigned.iter().any(|v| reads.iter().any(|t| super::reads_var(t, v)))
        };
        if crosses(&modes.assigned_path, &modes.texts_jsonata) || crosses(&modes.assigned_jsonata, &modes.texts_path) {
            add(set, "jsonata.vars.mixed-modes");
        }
    }
}

#[derive(Default)]
struct Modes {
    jsonata: usize,
    jsonpath: usize,
    upgrade: bool,
    nested: bool,
    assigned_path: Vec<String>,
    assigned_jsonata: Vec<String>,
    texts_path: Vec<String>,
    texts_jsonata: Vec<String>,
}

fn assigned(s: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let assigns = std::iter::once(s).chain(list(s, "Choices")).chain(list(s, "Catch")).filter_map(|x| x.get("Assign"));
    for a in assigns.filter_map(Value::as_object) {
        out.extend(a.keys().map(|k| k.trim_end_matches(".$").to_string()));
    }
    out
}

fn walk(m: &Value, top: bool, depth: usize, modes: &mut Modes) {
    if depth > 0 {
        modes.nested = true;
    }
    for s in states(m) {
        let jsonata = is_jsonata(s, top);
        if jsonata {
            modes.jsonata += 1;
            modes.upgrade |= !top;
            modes.assigned_jsonata.extend(assigned(s));
            let (mut exprs, mut literals) = (Vec::new(), 0);
            strings(s, &mut exprs, &mut literals);
            modes.texts_jsonata.extend(exprs);
        } else {
            modes.jsonpath += 1;
            modes.assigned_path.extend(assigned(s));
            modes.texts_path.extend(super::strings_of(s));
        }
        for b in list(s, "Branches") {
            walk(b, top, depth + 1, modes);
        }
        if let Some(p) = s.get("ItemProcessor").or_else(|| s.get("Iterator")) {
            walk(p, top, depth + 1, modes);
        }
    }
}
