//! Static coverage: which feature ids of corpus/features.txt a definition exercises (state
//! types, fields, operators, intrinsics, path forms, retry/catch shapes). Static means "the
//! definition uses the feature"; error routes that only a run shows (`*.err`) are not counted.

mod jsonata;

use serde_json::{Map, Value};
use std::collections::BTreeSet;

type Set = BTreeSet<String>;

fn add(set: &mut Set, id: &str) {
    if !set.contains(id) {
        set.insert(id.to_string());
    }
}

/// The feature ids a definition exercises.
pub fn features_of(definition: &Value) -> BTreeSet<String> {
    let mut set = Set::new();
    if definition.get("StartAt").is_some() {
        add(&mut set, "def.top.start-at");
        add(&mut set, "history.ids-and-links");
        add(&mut set, "history.detail-keys");
    }
    if definition.get("TimeoutSeconds").is_some() {
        add(&mut set, "def.top.timeout-seconds");
        add(&mut set, "timeout.execution");
    }
    let top = definition.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    machine(definition, &BTreeSet::new(), top, &mut set);
    jsonata::definition(definition, &mut set);
    set
}

/// Variable names assigned by the states of one machine.
fn assigned_here(m: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut take = |a: Option<&Value>| {
        if let Some(o) = a.and_then(Value::as_object) {
            out.extend(o.keys().map(|k| k.trim_end_matches(".$").to_string()));
        }
    };
    for s in states(m) {
        take(s.get("Assign"));
        for r in list(s, "Choices") {
            take(r.get("Assign"));
        }
    }
    out
}

fn states(m: &Value) -> impl Iterator<Item = &Value> {
    m.get("States").and_then(Value::as_object).into_iter().flat_map(Map::values)
}

fn list<'a>(s: &'a Value, key: &str) -> &'a [Value] {
    s.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// `top`: the definition's top-level `QueryLanguage` is JSONata (nested machines inherit it).
fn machine(m: &Value, outer_vars: &BTreeSet<String>, top: bool, set: &mut Set) {
    let here = assigned_here(m);
    let mut visible = outer_vars.clone();
    visible.extend(here.iter().cloned());
    for s in states(m) {
        state(s, outer_vars, top, set);
        let ty = s.get("Type").and_then(Value::as_str).unwrap_or("");
        for b in list(s, "Branches") {
            machine(b, &visible, top, set);
        }
        if ty == "Map" {
            let p = s.get("ItemProcessor").or_else(|| s.get("Iterator"));
            let distributed =
                p.and_then(|p| p.pointer("/ProcessorConfig/Mode")).and_then(Value::as_str) == Some("DISTRIBUTED");
            if distributed && !visible.is_empty() {
                add(set, "dmap.outer-variables-hidden");
            }
            if let Some(p) = p {
                let none = BTreeSet::new();
                machine(p, if distributed { &none } else { &visible }, top, set);
            }
        }
    }
    if !outer_vars.is_empty() && states(m).any(|s| strings_of(s).iter().any(|t| reads_var_in(t, outer_vars))) {
        add(set, "vars.scope.inner-read");
    }
}

fn reads_var_in(text: &str, vars: &BTreeSet<String>) -> bool {
    vars.iter().any(|v| text.contains(&format!("${v}")))
}

/// Does `text` read variable `var` (`$var` not followed by more of a name)?
fn reads_var(text: &str, var: &str) -> bool {
    let needle = format!("${var}");
    text.match_indices(&needle).any(|(i, _)| {
        text.get(i + needle.len()..)
            .and_then(|r| r.chars().next())
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

/// Every string of a state that holds a path or an intrinsic call (template `.$` values,
/// `*Path` fields, Choice variables and path operands).
fn strings_of(s: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, dynamic: bool, out: &mut Vec<String>) {
        match v {
            Value::String(t) if dynamic => out.push(t.clone()),
            Value::Object(o) => {
                for (k, x) in o {
                    if matches!(k.as_str(), "Branches" | "ItemProcessor" | "Iterator" | "Result") {
                        continue;
                    }
                    let dynamic = k.ends_with(".$") || k.ends_with("Path") || k == "Variable";
                    walk(x, dynamic, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, dynamic, out)),
            _ => {}
        }
    }
    walk(s, false, &mut out);
    out
}

fn state(s: &Value, outer_vars: &BTreeSet<String>, top: bool, set: &mut Set) {
    let ty = s.get("Type").and_then(Value::as_str).unwrap_or("");
    let has = |k: &str| s.get(k).is_some();
    if jsonata::is_jsonata(s, top) {
        jsonata::state(s, ty, set);
    } else {
        io(s, ty, set);
        for text in strings_of(s) {
            expression(&text, set);
        }
    }
    if !outer_vars.is_empty() && has("Assign") {
        add(set, "vars.scope.inner-read");
    }
    match ty {
        "Pass" => {
            if let Some(r) = s.get("Result") {
                add(set, "pass.result.literal");
                if has_dynamic_key(r) {
                    add(set, "pass.result.no-template-eval");
                }
            }
            if has("Parameters") {
                add(set, "pass.parameters");
            }
        }
        "Succeed" if has("InputPath") || has("OutputPath") => add(set, "succeed.io-paths"),
        "Fail" => fail(s, set),
        "Wait" => {
            for (k, id) in [
                ("Seconds", "wait.seconds"),
                ("SecondsPath", "wait.seconds-path"),
                ("Timestamp", "wait.timestamp"),
                ("TimestampPath", "wait.timestamp-path"),
            ] {
                if has(k) {
                    add(set, id);
                }
            }
        }
        "Task" => task(s, set),
        "Choice" => choice(s, set),
        "Parallel" => parallel(s, set),
        "Map" => map(s, set),
        _ => {}
    }
    retry(s, set);
    catch(s, set);
}

fn has_dynamic_key(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.iter().any(|(k, x)| k.ends_with(".$") || has_dynamic_key(x)),
        Value::Array(a) => a.iter().any(has_dynamic_key),
        _ => false,
    }
}

fn io(s: &Value, ty: &str, set: &mut Set) {
    let has = |k: &str| s.get(k).is_some();
    let is_null = |k: &str| s.get(k).is_some_and(Value::is_null);
    if has("InputPath") {
        add(set, "paths.input-path");
    }
    if has("OutputPath") {
        add(set, "paths.output-path");
    }
    if is_null("InputPath") || is_null("OutputPath") || is_null("ResultPath") {
        add(set, "paths.null-semantics");
    }
    let takes_result = matches!(ty, "Pass" | "Task" | "Parallel" | "Map");
    match s.get("ResultPath") {
        None if takes_result => add(set, "paths.result-path.default"),
        Some(Value::String(p)) => {
            if p.matches('.').count() >= 2 {
                add(set, "paths.result-path.nested-create");
            }
            if has("InputPath") {
                add(set, "paths.result-path.raw-input");
            }
        }
        _ => {}
    }
    if ty != "Map" && has("Parameters") {
        add(set, "paths.parameters");
    }
    if has("ResultSelector") {
        add(set, "paths.result-selector");
    }
    for key in ["Parameters", "ResultSelector", "ItemSelector"] {
        if let Some(t) = s.get(key) {
            if literal_dollar(t) {
                add(set, "paths.parameters.literal-dollar");
            }
        }
    }
    let stages = ["InputPath", "Parameters", "ItemSelector", "ResultSelector", "ResultPath", "OutputPath"];
    if stages.iter().filter(|k| has(k)).count() >= 3 {
        add(set, "paths.order");
    }
    if let Some(a) = s.get("Assign").and_then(Value::as_object) {
        if a.keys().any(|k| k.ends_with(".$")) {
            add(set, "vars.assign.path");
            if matches!(ty, "Task" | "Parallel" | "Map") {
                add(set, "vars.assign.from-result");
            }
        }
    }
}

/// A static template value that is a string starting with `$` (kept literally).
fn literal_dollar(t: &Value) -> bool {
    match t {
        Value::Object(o) => o
            .iter()
            .any(|(k, v)| !k.ends_with(".$") && (v.as_str().is_some_and(|s| s.starts_with('$')) || literal_dollar(v))),
        Value::Array(a) => a.iter().any(|v| v.as_str().is_some_and(|s| s.starts_with('$')) || literal_dollar(v)),
        _ => false,
    }
}

const INTRINSIC_IDS: &[(&str, &str)] = &[
    ("States.Format(", "intrinsic.format"),
    ("States.StringToJson(", "intrinsic.string-to-json"),
    ("States.JsonToString(", "intrinsic.json-to-string"),
    ("States.Array(", "intrinsic.array"),
    ("States.ArrayPartition(", "intrinsic.array-partition"),
    ("States.ArrayContains(", "intrinsic.array-contains.deep"),
    ("States.ArrayRange(", "intrinsic.array-range"),
    ("States.ArrayGetItem(", "intrinsic.array-get-item"),
    ("States.ArrayLength(", "intrinsic.array-length"),
    ("States.ArrayUnique(", "intrinsic.array-unique"),
    ("States.Base64Encode(", "intrinsic.base64"),
    ("States.Base64Decode(", "intrinsic.base64"),
    ("States.Hash(", "intrinsic.hash"),
    ("States.JsonMerge(", "intrinsic.json-merge"),
    ("States.MathRandom(", "intrinsic.math-random"),
    ("States.MathAdd(", "intrinsic.math-add"),
    ("States.StringSplit(", "intrinsic.string-split"),
    ("States.UUID(", "intrinsic.uuid"),
];

/// Features visible in one path or intrinsic-call string.
fn expression(t: &str, set: &mut Set) {
    for (needle, id) in INTRINSIC_IDS {
        if t.contains(needle) {
            add(set, id);
        }
    }
    if t.contains("States.Format(") && t.contains("\\{") {
        add(set, "intrinsic.format.escape");
    }
    if t.matches("States.").count() >= 4 {
        add(set, "intrinsic.nesting-limit");
    }
    if t.contains("$$.Execution") {
        add(set, "ctx.execution");
    }
    if t.contains("$$.State") {
        add(set, "ctx.state");
    }
    if t.contains("$$.State.RetryCount") {
        add(set, "ctx.state.retry-count");
        add(set, "retry.retry-count-context");
    }
    if t.contains("$$.Map.Item") {
        add(set, "ctx.map.item");
    }
    if t.contains("$$.Task.Token") {
        add(set, "ctx.task.token");
    }
    jsonpath(t, set);
}

fn jsonpath(t: &str, set: &mut Set) {
    if t.contains("['") {
        add(set, "jsonpath.dot-bracket");
    }
    let bytes = t.as_bytes();
    for (i, w) in bytes.windows(2).enumerate() {
        if w[0] == b'[' && (w[1].is_ascii_digit() || w[1] == b'-') {
            let close = t.get(i..).and_then(|rest| rest.find(']')).map(|j| i + j);
            let inside = close.and_then(|c| t.get(i + 1..c)).unwrap_or("");
            add(set, if inside.contains(':') { "jsonpath.slice" } else { "jsonpath.index" });
        }
    }
    if t.contains("[*]") || t.contains(".*") {
        add(set, "jsonpath.wildcard");
    }
    if t.contains("[*].") {
        add(set, "jsonpath.wildcard.flatten");
    }
    if t.contains("[?(") {
        add(set, "jsonpath.filter");
    }
    if t.contains("..") {
        add(set, "jsonpath.recursive-descent");
    }
    // `$name` (a variable) anywhere a path starts: after start, '(', ',' or a space.
    let var = t.char_indices().any(|(i, c)| {
        c == '$'
            && t.get(i + 1..).and_then(|r| r.chars().next()).is_some_and(|n| n.is_ascii_alphabetic())
            && (i == 0 || matches!(t.as_bytes().get(i - 1), Some(b'(' | b',' | b' ')))
    });
    if var {
        add(set, "jsonpath.variable-path");
        add(set, "vars.reference");
    }
}

fn fail(s: &Value, set: &mut Set) {
    add(set, "history.fail");
    let (lit, path) = (["Error", "Cause"], ["ErrorPath", "CausePath"]);
    let literal = |k: &&str| s.get(*k).and_then(Value::as_str).is_some_and(|t| jsonata::expression_text(t).is_none());
    if lit.iter().any(literal) {
        add(set, "fail.error-cause");
    }
    if path.iter().any(|k| s.get(k).is_some()) {
        add(set, "fail.error-cause-path");
    }
    if path.iter().any(|k| s.get(k).and_then(Value::as_str).is_some_and(|p| p.starts_with("States."))) {
        add(set, "fail.path-intrinsic");
    }
    if lit.iter().chain(path.iter()).all(|k| s.get(k).is_none()) {
        add(set, "fail.empty");
    }
}

fn task(s: &Value, set: &mut Set) {
    add(set, "history.task");
    if s.get("Resource").and_then(Value::as_str).is_some_and(|r| r.starts_with("arn:aws:lambda:")) {
        add(set, "task.resource.lambda-arn");
    }
    for (k, ids) in [
        ("TimeoutSeconds", ["task.timeout-seconds", "timeout.task"]),
        ("TimeoutSecondsPath", ["task.timeout-seconds-path", "timeout.task"]),
        ("HeartbeatSeconds", ["task.heartbeat", "timeout.heartbeat"]),
    ] {
        if s.get(k).is_some() {
            ids.iter().for_each(|id| add(set, id));
        }
    }
    if s.get("Retry").is_some() {
        add(set, "history.task.retry");
    }
    if s.get("Catch").is_some() {
        add(set, "history.task.catch");
    }
}

fn rule(r: &Value, set: &mut Set) {
    let Some(o) = r.as_object() else { return };
    for (k, v) in o {
        let base = k.trim_end_matches("Path");
        let id = match base {
            "And" | "Or" | "Not" => {
                add(set, "choice.and-or-not");
                match v {
                    Value::Array(a) => a.iter().for_each(|x| rule(x, set)),
                    x => rule(x, set),
                }
                continue;
            }
            "Variable" => {
                if v.as_str()
                    .is_some_and(|p| p.starts_with("$$") || p.chars().nth(1).is_some_and(|c| c.is_ascii_alphabetic()))
                {
                    add(set, "choice.variable-context-and-var");
                }
                continue;
            }
            "StringEquals" => "choice.string-equals",
            "StringLessThan" | "StringGreaterThan" | "StringLessThanEquals" | "StringGreaterThanEquals" => {
                "choice.string-order"
            }
            "StringMatches" => {
                if v.as_str().is_some_and(|p| p.contains('\\')) {
                    add(set, "choice.string-matches.escape");
                }
                "choice.string-matches"
            }
            b if b.starts_with("Numeric") => "choice.numeric",
            b if b.starts_with("Boolean") => "choice.boolean-equals",
            b if b.starts_with("Timestamp") => "choice.timestamp",
            "IsNull" => "choice.is-null",
            "IsPresent" => "choice.is-present",
            "IsNumeric" | "IsString" | "IsBoolean" | "IsTimestamp" => "choice.is-type",
            _ => continue,
        };
        add(set, id);
        if k.ends_with("Path") && k != "Variable" {
            add(set, "choice.path-operands");
        }
    }
}

fn choice(s: &Value, set: &mut Set) {
    add(set, if s.get("Default").is_some() { "choice.default" } else { "choice.no-match.err" });
    let rules = list(s, "Choices");
    if rules.len() >= 2 {
        add(set, "choice.first-match-wins");
    }
    for r in rules {
        rule(r, set);
        if r.get("Assign").is_some() {
            add(set, "choice.assign.rule-vs-default");
        }
    }
    if s.get("InputPath").is_some() || s.get("OutputPath").is_some() {
        add(set, "choice.input-output-path");
    }
}

/// Can a machine end in failure by itself (a Fail state or a Task)?
fn can_fail(m: &Value) -> bool {
    states(m).any(|s| {
        let ty = s.get("Type").and_then(Value::as_str).unwrap_or("");
        matches!(ty, "Fail" | "Task")
            || list(s, "Branches").iter().any(can_fail)
            || s.get("ItemProcessor").or_else(|| s.get("Iterator")).is_some_and(can_fail)
    })
}

fn parallel(s: &Value, set: &mut Set) {
    add(set, "parallel.same-input");
    add(set, "history.parallel");
    let branches = list(s, "Branches");
    if branches.len() >= 2 {
        add(set, "parallel.output-order");
    }
    if branches.iter().any(can_fail) {
        add(set, "parallel.branch-failure-propagates");
        if branches.len() >= 2 {
            add(set, "parallel.branch-abort");
        }
    }
    if branches.iter().filter(|b| !assigned_here(b).is_empty()).count() >= 2 {
        add(set, "vars.scope.branch-isolation");
    }
    for (k, id) in [
        ("ResultSelector", "parallel.result-selector"),
        ("Retry", "parallel.retry-reruns-all"),
        ("Catch", "parallel.catch"),
    ] {
        if s.get(k).is_some() {
            add(set, id);
        }
    }
}

fn map(s: &Value, set: &mut Set) {
    add(set, "map.output-order");
    let processor = s.get("ItemProcessor").or_else(|| s.get("Iterator"));
    let distributed =
        processor.and_then(|p| p.pointer("/ProcessorConfig/Mode")).and_then(Value::as_str) == Some("DISTRIBUTED");
    add(set, if distributed { "history.dmap" } else { "history.map" });
    if distributed {
        add(set, "dmap.processor-config");
    }
    if s.get("Iterator").is_some() || (s.get("Parameters").is_some() && s.get("ItemSelector").is_none()) {
        add(set, "map.legacy-fields");
    }
    if let Some(sel) = s.get("ItemSelector").or_else(|| s.get("Parameters")) {
        add(set, "map.item-selector");
        let mut dynamic = Vec::new();
        collect_dynamic(sel, &mut dynamic);
        if dynamic.iter().any(|d| d.starts_with("$$.Map.Item")) {
            add(set, "map.item-selector.context-item");
        }
        if dynamic.iter().any(|d| d.starts_with("$.") || d == "$" || (d.starts_with("States.") && d.contains("$."))) {
            add(set, "map.item-selector.root-is-map-input");
        }
    }
    if processor.is_some_and(can_fail) {
        add(set, "map.iteration-failure");
    }
    for (k, id) in [
        ("ItemsPath", "map.items-path"),
        ("MaxConcurrency", "map.max-concurrency"),
        ("Retry", "map.retry"),
        ("Catch", "map.catch"),
        ("Label", "dmap.label"),
        ("ToleratedFailureCount", "dmap.tolerated-failure-count"),
        ("ToleratedFailurePercentage", "dmap.tolerated-failure-percentage"),
        ("ItemBatcher", "dmap.item-batcher"),
    ] {
        if s.get(k).is_some() {
            add(set, id);
        }
    }
}

fn collect_dynamic(v: &Value, out: &mut Vec<String>) {
    if let Value::Object(o) = v {
        for (k, x) in o {
            match x {
                Value::String(t) if k.ends_with(".$") => out.push(t.clone()),
                _ => collect_dynamic(x, out),
            }
        }
    }
}

fn retry(s: &Value, set: &mut Set) {
    let rs = list(s, "Retry");
    if rs.is_empty() {
        return;
    }
    if rs.len() >= 2 {
        add(set, "retry.match-first");
        add(set, "retry.counter-per-retrier");
    }
    for r in rs {
        match r.get("MaxAttempts").and_then(Value::as_u64) {
            Some(0) => add(set, "retry.max-attempts.zero"),
            Some(_) => add(set, "retry.max-attempts"),
            None => {}
        }
        for (k, id) in [("BackoffRate", "retry.backoff"), ("MaxDelaySeconds", "retry.backoff.max-delay")] {
            if r.get(k).is_some() {
                add(set, id);
            }
        }
        if r.get("JitterStrategy").and_then(Value::as_str) == Some("FULL") {
            add(set, "retry.jitter.full");
        }
        let errors = list(r, "ErrorEquals");
        if errors.iter().any(|e| e == "States.TaskFailed") {
            add(set, "retry.task-failed-wildcard");
        }
        if errors.iter().any(|e| e == "States.ALL" || e == "States.Runtime") {
            add(set, "retry.no-runtime");
        }
    }
}

fn catch(s: &Value, set: &mut Set) {
    let cs = list(s, "Catch");
    if cs.is_empty() {
        return;
    }
    add(set, "catch.error-output-shape");
    if cs.len() >= 2 {
        add(set, "catch.match-order");
    }
    if cs.iter().any(|c| c.get("ResultPath").is_some()) {
        add(set, "catch.result-path");
        if s.get("InputPath").is_some() {
            add(set, "catch.result-path.raw-input");
        }
    }
    if s.get("OutputPath").is_some() {
        add(set, "catch.skips-output-path");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_state_fields_operators_and_intrinsics() {
        let def = json!({"StartAt": "C", "TimeoutSeconds": 5, "States": {
            "C": {"Type": "Choice", "Choices": [
                {"Not": {"Variable": "$.a", "NumericLessThanPath": "$.b"}, "Next": "T"},
                {"Variable": "$$.Execution.Input.s", "StringMatches": "a\\*", "Next": "T"}], "Default": "T"},
            "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "TimeoutSeconds": 3,
                  "Parameters": {"x.$": "States.MathAdd($.items[0], 1)", "y": "$.lit"},
                  "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 0}, {"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL"}],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F", "ResultPath": "$.e"}], "Next": "F"},
            "F": {"Type": "Fail", "ErrorPath": "States.Format('x{}', $.a)"}}});
        let f = features_of(&def);
        for id in [
            "def.top.timeout-seconds",
            "choice.and-or-not",
            "choice.numeric",
            "choice.path-operands",
            "choice.string-matches.escape",
            "choice.variable-context-and-var",
            "choice.first-match-wins",
            "task.resource.lambda-arn",
            "timeout.task",
            "intrinsic.math-add",
            "jsonpath.index",
            "paths.parameters.literal-dollar",
            "retry.max-attempts.zero",
            "retry.jitter.full",
            "retry.match-first",
            "catch.result-path",
            "fail.path-intrinsic",
            "ctx.execution",
        ] {
            assert!(f.contains(id), "{id} missing from {f:?}");
        }
        assert!(!f.contains("choice.no-match.err"));
        assert!(!f.contains("intrinsic.format.escape"));
    }
}
