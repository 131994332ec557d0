//! Definition transformations for metamorphic properties: each changes a machine in a way whose
//! effect on the result AWS's semantics fix (the properties in tests/ state the laws and why
//! AWS obeys them).

mod jsonata_expr;
mod to_jsonata;

pub use jsonata_expr::UNTRANSLATABLE;
pub use to_jsonata::{data_error_probe, to_jsonata, PROBE_ERROR};

use serde_json::{json, Map, Value};

/// Calls `f` on every (nested) machine object of a definition, outermost first.
pub fn for_each_machine(def: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    f(def);
    let Some(states) = def.get_mut("States").and_then(Value::as_object_mut) else { return };
    for state in states.values_mut() {
        if let Some(branches) = state.get_mut("Branches").and_then(Value::as_array_mut) {
            for b in branches {
                for_each_machine(b, f);
            }
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(p) = state.get_mut(key) {
                for_each_machine(p, f);
            }
        }
    }
}

/// Names of every state of every machine, with the index (in [`for_each_machine`] order) of
/// the machine holding it.
pub fn state_names(def: &Value) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut index = 0;
    let mut copy = def.clone();
    for_each_machine(&mut copy, &mut |m| {
        if let Some(states) = m.get("States").and_then(Value::as_object) {
            out.extend(states.keys().map(|k| (index, k.clone())));
        }
        index += 1;
    });
    out
}

fn redirect(v: Option<&mut Value>, from: &str, to: &str) {
    if let Some(v) = v {
        if v.as_str() == Some(from) {
            *v = json!(to);
        }
    }
}

/// Inserts an empty Pass named `new_name` before `target` (in machine number `machine`):
/// everything that led to `target` now leads to the Pass, which leads to `target`.
pub fn insert_empty_pass(def: &Value, machine: usize, target: &str, new_name: &str) -> Value {
    let mut out = def.clone();
    let mut index = 0;
    for_each_machine(&mut out, &mut |m| {
        if index == machine {
            redirect(m.get_mut("StartAt"), target, new_name);
            if let Some(states) = m.get_mut("States").and_then(Value::as_object_mut) {
                for state in states.values_mut() {
                    redirect(state.get_mut("Next"), target, new_name);
                    redirect(state.get_mut("Default"), target, new_name);
                    for list in ["Choices", "Catch"] {
                        if let Some(items) = state.get_mut(list).and_then(Value::as_array_mut) {
                            items.iter_mut().for_each(|i| redirect(i.get_mut("Next"), target, new_name));
                        }
                    }
                }
                states.insert(new_name.to_string(), json!({"Type": "Pass", "Next": target}));
            }
        }
        index += 1;
    });
    out
}

/// The machine as the only branch of a Parallel state (top-level fields that branches do not
/// take, such as TimeoutSeconds and Comment, are left out).
pub fn wrap_in_parallel(def: &Value) -> Value {
    json!({"StartAt": "LawParallel", "States": {"LawParallel": {
        "Type": "Parallel", "Branches": [branch(def)], "End": true
    }}})
}

/// The machine as the processor of an inline Map over `$.items_for_law`.
pub fn wrap_in_map(def: &Value) -> Value {
    json!({"StartAt": "LawMap", "States": {"LawMap": {
        "Type": "Map", "ItemsPath": "$.items_for_law", "ItemProcessor": branch(def), "End": true
    }}})
}

fn branch(def: &Value) -> Value {
    let mut m = Map::new();
    for key in ["StartAt", "States"] {
        if let Some(v) = def.get(key) {
            m.insert(key.into(), v.clone());
        }
    }
    Value::Object(m)
}

/// Sets `ResultPath: null` and drops `OutputPath` on every top-level state that has a
/// ResultPath (Pass, Task, Parallel, Map); returns the new definition and those states' names.
pub fn result_path_null(def: &Value) -> (Value, Vec<String>) {
    let mut out = def.clone();
    let mut names = Vec::new();
    if let Some(states) = out.get_mut("States").and_then(Value::as_object_mut) {
        for (name, state) in states.iter_mut() {
            let ty = state.get("Type").and_then(Value::as_str).unwrap_or("");
            if matches!(ty, "Pass" | "Task" | "Parallel" | "Map") {
                if let Some(o) = state.as_object_mut() {
                    o.insert("ResultPath".into(), Value::Null);
                    o.remove("OutputPath");
                }
                names.push(name.clone());
            }
        }
    }
    (out, names)
}

/// Every retrier of every state with `MaxAttempts: 0`.
pub fn retry_max_attempts_zero(def: &Value) -> Value {
    let mut out = def.clone();
    for_each_machine(&mut out, &mut |m| {
        if let Some(states) = m.get_mut("States").and_then(Value::as_object_mut) {
            for state in states.values_mut() {
                if let Some(rs) = state.get_mut("Retry").and_then(Value::as_array_mut) {
                    for r in rs.iter_mut().filter_map(Value::as_object_mut) {
                        r.insert("MaxAttempts".into(), json!(0));
                    }
                }
            }
        }
    });
    out
}

/// Every Retry field removed.
pub fn retry_removed(def: &Value) -> Value {
    let mut out = def.clone();
    for_each_machine(&mut out, &mut |m| {
        if let Some(states) = m.get_mut("States").and_then(Value::as_object_mut) {
            for state in states.values_mut().filter_map(Value::as_object_mut) {
                state.remove("Retry");
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_pass_takes_over_every_transition_to_its_target() {
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "B"}], "Default": "B"},
            "B": {"Type": "Succeed"}}});
        let out = insert_empty_pass(&def, 0, "B", "P");
        assert_eq!(out["States"]["A"]["Default"], json!("P"));
        assert_eq!(out["States"]["A"]["Choices"][0]["Next"], json!("P"));
        assert_eq!(out["States"]["P"], json!({"Type": "Pass", "Next": "B"}));
        let out = insert_empty_pass(&def, 0, "A", "Q");
        assert_eq!(out["StartAt"], json!("Q"));
    }

    #[test]
    fn result_path_null_applies_to_states_with_a_result_only() {
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "OutputPath": "$.a", "Next": "B"}, "B": {"Type": "Succeed"}}});
        let (out, names) = result_path_null(&def);
        assert_eq!(names, vec!["A".to_string()]);
        assert_eq!(out["States"]["A"], json!({"Type": "Pass", "Next": "B", "ResultPath": null}));
    }

    #[test]
    fn state_names_cover_nested_machines() {
        let def = json!({"StartAt": "A", "States": {"A": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}]}}});
        assert_eq!(state_names(&def), vec![(0, "A".to_string()), (1, "B".to_string())]);
    }
}
