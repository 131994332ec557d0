//! JSON strategies: arbitrary values, and values shaped like ASL definitions (random states
//! drawn from the language's vocabulary) so the parser, validator and interpreter are pushed
//! past the first "not an object" check.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Any JSON value, nested a few levels.
pub fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1.0e6f64..1.0e6).prop_map(|f| json!(f)),
        "[a-zA-Z0-9 $.\\[\\]*@?'(){}\\\\-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z]{1,6}", "[a-z]{1,4}\\.\\$", Just("Type".to_string()), Just("Next".to_string()),]
}

/// Strings ASL fields take: paths, intrinsic calls, state names, error names, timestamps.
fn asl_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("$".to_string()),
        "\\$(\\.[a-c]|\\[[0-2]\\]|\\[\\*\\]|\\.\\*|\\[1:\\]|\\.\\.a){0,3}",
        Just("$$.Execution.Input".to_string()),
        Just("$$.State.RetryCount".to_string()),
        Just("$$.Map.Item.Value".to_string()),
        Just("$v".to_string()),
        "States\\.(Format|MathAdd|ArrayRange|StringSplit|Hash|ArrayGetItem|JsonMerge)\\(('[a-z{}]*'|\\$\\.[a-c]|[0-9]|true|null)(, ?('[a-z{}]*'|\\$\\.[a-c]|-?[0-9]{1,4}))*\\)",
        Just("States.UUID()".to_string()),
        "S[0-3]",
        "(States\\.(ALL|Runtime|Timeout|TaskFailed)|E[0-2])",
        Just("2024-01-01T00:00:00Z".to_string()),
        "[a-z ]{0,6}",
    ]
}

/// A value for an ASL field: mostly plausible, sometimes wrong-typed.
fn field_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => asl_string().prop_map(Value::String),
        2 => (-3i64..20).prop_map(|n| json!(n)),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
        1 => any_json(),
    ]
}

const STATE_TYPES: &[&str] = &["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map", "Bogus"];
const FIELDS: &[&str] = &[
    "Next",
    "End",
    "InputPath",
    "OutputPath",
    "ResultPath",
    "Result",
    "Resource",
    "Seconds",
    "SecondsPath",
    "Timestamp",
    "TimestampPath",
    "Error",
    "Cause",
    "ErrorPath",
    "CausePath",
    "ItemsPath",
    "MaxConcurrency",
    "Default",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Comment",
];

/// A Choices array, Retry/Catch lists, Parameters-like templates.
fn structured(depth: u32) -> BoxedStrategy<(String, Value)> {
    let rule = (
        asl_string(),
        prop::sample::select(vec![
            "StringEquals",
            "NumericLessThan",
            "IsPresent",
            "BooleanEquals",
            "StringMatches",
            "TimestampEquals",
            "IsNull",
        ]),
        field_value(),
        "S[0-3]",
    )
        .prop_map(|(var, op, operand, next)| json!({"Variable": var, op: operand, "Next": next}));
    let retrier = (
        prop::sample::subsequence(vec!["States.ALL", "States.TaskFailed", "E0", "E1"], 1..3),
        0u64..4,
        0.5f64..3.0,
    )
        .prop_map(
            |(errs, n, rate)| json!({"ErrorEquals": errs, "MaxAttempts": n, "BackoffRate": rate, "IntervalSeconds": 1}),
        );
    let catcher = (prop::sample::subsequence(vec!["States.ALL", "E0", "E1"], 1..3), "S[0-3]", field_value())
        .prop_map(|(errs, next, rp)| json!({"ErrorEquals": errs, "Next": next, "ResultPath": rp}));
    let template = prop::collection::vec((key(), field_value()), 0..4)
        .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>()))
        .boxed();
    let mut options = vec![
        prop::collection::vec(rule, 1..3).prop_map(|r| ("Choices".to_string(), Value::Array(r))).boxed(),
        prop::collection::vec(retrier, 1..3).prop_map(|r| ("Retry".to_string(), Value::Array(r))).boxed(),
        prop::collection::vec(catcher, 1..3).prop_map(|c| ("Catch".to_string(), Value::Array(c))).boxed(),
        template.clone().prop_map(|t| ("Parameters".to_string(), t)).boxed(),
        template.clone().prop_map(|t| ("ResultSelector".to_string(), t)).boxed(),
        template.prop_map(|t| ("Assign".to_string(), t)).boxed(),
    ];
    if depth > 0 {
        options.push(
            prop::collection::vec(definition_at(depth - 1), 1..3)
                .prop_map(|b| ("Branches".to_string(), Value::Array(b)))
                .boxed(),
        );
        options.push(definition_at(depth - 1).prop_map(|p| ("ItemProcessor".to_string(), p)).boxed());
    }
    prop::strategy::Union::new(options).boxed()
}

fn state(depth: u32) -> impl Strategy<Value = Value> {
    (
        prop::sample::select(STATE_TYPES),
        prop::collection::vec((prop::sample::select(FIELDS), field_value()), 0..5),
        prop::collection::vec(structured(depth), 0..3),
    )
        .prop_map(|(ty, fields, extra)| {
            let mut m = Map::new();
            m.insert("Type".into(), json!(ty));
            for (k, v) in fields {
                m.insert(k.to_string(), v);
            }
            for (k, v) in extra {
                m.insert(k, v);
            }
            Value::Object(m)
        })
}

fn definition_at(depth: u32) -> BoxedStrategy<Value> {
    (prop::collection::vec(state(depth), 1..5), 0usize..4)
        .prop_map(|(states, start)| {
            let states: Map<String, Value> =
                states.into_iter().enumerate().map(|(i, s)| (format!("S{i}"), s)).collect();
            json!({"StartAt": format!("S{start}"), "States": states})
        })
        .boxed()
}

/// A JSON object shaped like a state machine definition (usually invalid, sometimes valid).
pub fn definition_like() -> impl Strategy<Value = Value> {
    definition_at(2)
}

/// A path into the inputs [`shaped_input`] makes, sometimes missing, sometimes indefinite.
fn io_path() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => prop::sample::select(vec!["$", "$.a", "$.b", "$.items", "$.a.x", "$.items[0]", "$$.Execution.Input", "$.nope"]).prop_map(|s| json!(s)),
        1 => Just(Value::Null),
    ]
}

fn result_path() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => prop::sample::select(vec!["$", "$.r", "$.a.r", "$.items[0].r"]).prop_map(|s| json!(s)),
        1 => Just(Value::Null),
    ]
}

fn template() -> impl Strategy<Value = Value> {
    let value = prop_oneof![
        asl_string().prop_map(|s| json!(s)),
        Just(json!("States.MathAdd($.a.n, 1)")),
        Just(json!("States.Format('{} and {}', $.b, $.a.n)")),
        Just(json!("States.ArrayLength($.items)")),
        Just(json!("States.JsonToString($)")),
        Just(json!("$.items[*].v")),
    ];
    prop::collection::vec(("[a-c]{1,3}", value, any::<bool>()), 0..4).prop_map(|kv| {
        let m: Map<String, Value> =
            kv.into_iter().map(|(k, v, dynamic)| if dynamic { (format!("{k}.$"), v) } else { (k, v) }).collect();
        Value::Object(m)
    })
}

fn error_names() -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::subsequence(vec!["E0", "E1", "States.TaskFailed", "States.Timeout", "States.Runtime"], 1..3)
}

/// One state of type `ty` at position `i` of `n` (transitions only go forward, to `S(i+1..n)`).
fn typed_state(ty: &'static str, i: usize, n: usize, depth: u32) -> BoxedStrategy<Value> {
    let later = move || (i + 1..n.max(i + 2)).prop_map(|j| json!(format!("S{j}")));
    let next = move || Just(json!(format!("S{}", i + 1)));
    let base = (io_path(), io_path(), next(), 0..4u8);
    match ty {
        "Pass" => (base, prop::option::of(any_json()), template(), result_path())
            .prop_map(move |((ip, op, next, pick), result, params, rp)| {
                let mut s = json!({"Type": "Pass", "Next": next});
                match pick {
                    0 => s["Result"] = result.unwrap_or(json!(1)),
                    1 => s["Parameters"] = params,
                    2 => s["InputPath"] = ip,
                    _ => s["OutputPath"] = op,
                }
                s["ResultPath"] = rp;
                s
            })
            .boxed(),
        "Task" => (base, template(), error_names(), 0u64..3, 1u64..4, prop::option::of(1u64..5), later())
            .prop_map(move |((ip, _op, next, pick), params, errs, attempts, interval, timeout, catch_next)| {
                let mut s = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": next,
                    "Retry": [{"ErrorEquals": errs, "MaxAttempts": attempts, "IntervalSeconds": interval, "BackoffRate": 1.5}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": catch_next, "ResultPath": "$.err"}]});
                if pick == 0 {
                    s["Parameters"] = params;
                }
                if pick == 1 {
                    s["InputPath"] = ip;
                }
                if let Some(t) = timeout {
                    s["TimeoutSeconds"] = json!(t);
                }
                s
            })
            .boxed(),
        "Choice" => (later(), next(), prop::sample::select(vec!["NumericLessThan", "StringEquals", "IsPresent", "BooleanEquals", "IsNumeric"]), io_path())
            .prop_map(|(a, b, op, var)| {
                let operand = match op {
                    "NumericLessThan" => json!(3),
                    "StringEquals" => json!("x"),
                    _ => json!(true),
                };
                let var = var.as_str().unwrap_or("$.a").to_string();
                json!({"Type": "Choice", "Choices": [{"Variable": var, op: operand, "Next": a}], "Default": b})
            })
            .boxed(),
        "Wait" => (next(), prop_oneof![Just(json!({"Seconds": 2})), Just(json!({"SecondsPath": "$.a.n"})), Just(json!({"Timestamp": "2024-01-01T00:00:05Z"}))])
            .prop_map(|(next, w)| {
                let mut s = json!({"Type": "Wait", "Next": next});
                if let (Some(o), Some(w)) = (s.as_object_mut(), w.as_object()) {
                    o.extend(w.clone());
                }
                s
            })
            .boxed(),
        "Parallel" if depth > 0 => (next(), prop::collection::vec(machine(depth - 1), 1..3), result_path())
            .prop_map(|(next, branches, rp)| json!({"Type": "Parallel", "Next": next, "Branches": branches, "ResultPath": rp}))
            .boxed(),
        "Map" if depth > 0 => (next(), machine(depth - 1), 0u64..3, any::<bool>())
            .prop_map(|(next, processor, mc, selector)| {
                let mut s = json!({"Type": "Map", "Next": next, "ItemsPath": "$.items", "ItemProcessor": processor, "MaxConcurrency": mc, "ResultPath": "$.mapped"});
                if selector {
                    s["ItemSelector"] = json!({"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"});
                }
                s
            })
            .boxed(),
        _ => Just(json!({"Type": "Pass", "Next": format!("S{}", i + 1)})).boxed(),
    }
}

/// A machine whose states are valid by type, linked forward, ending in Succeed or Fail.
fn machine(depth: u32) -> BoxedStrategy<Value> {
    let types = vec!["Pass", "Task", "Choice", "Wait", "Parallel", "Map"];
    (prop::collection::vec(prop::sample::select(types), 1..5), any::<bool>())
        .prop_flat_map(move |(tys, succeed)| {
            let n = tys.len() + 1;
            let states: Vec<BoxedStrategy<Value>> =
                tys.iter().enumerate().map(|(i, ty)| typed_state(ty, i, n, depth)).collect();
            (states, Just(succeed), Just(n))
        })
        .prop_map(|(states, succeed, n)| {
            let mut m: Map<String, Value> = states.into_iter().enumerate().map(|(i, s)| (format!("S{i}"), s)).collect();
            let last =
                if succeed { json!({"Type": "Succeed"}) } else { json!({"Type": "Fail", "Error": "E0", "Cause": "c"}) };
            m.insert(format!("S{}", n - 1), last);
            json!({"StartAt": "S0", "States": m})
        })
        .boxed()
}

/// A definition that is valid most of the time: typed states, forward links, nested branches.
/// Unreachable states and bad paths still occur, which keeps error paths covered.
pub fn mostly_valid_definition() -> impl Strategy<Value = Value> {
    machine(2).prop_map(|mut v| {
        rename_states(&mut v, &mut 0);
        v
    })
}

/// Gives every state of every nested machine a name unique across the definition (AWS's rule),
/// rewriting StartAt and every transition that names it.
fn rename_states(machine: &mut Value, counter: &mut usize) {
    let Some(states) = machine.get("States").and_then(Value::as_object).cloned() else { return };
    let mut renames = std::collections::HashMap::new();
    for name in states.keys() {
        renames.insert(name.clone(), format!("{name}_{counter}"));
        *counter += 1;
    }
    let rename = |v: &mut Value| {
        if let Some(new) = v.as_str().and_then(|s| renames.get(s)) {
            *v = json!(new);
        }
    };
    let mut renamed = Map::new();
    for (name, mut state) in states {
        for key in ["Next", "Default"] {
            if let Some(v) = state.get_mut(key) {
                rename(v);
            }
        }
        for list in ["Choices", "Catch"] {
            if let Some(items) = state.get_mut(list).and_then(Value::as_array_mut) {
                items.iter_mut().filter_map(|i| i.get_mut("Next")).for_each(rename);
            }
        }
        if let Some(branches) = state.get_mut("Branches").and_then(Value::as_array_mut) {
            branches.iter_mut().for_each(|b| rename_states(b, counter));
        }
        if let Some(p) = state.get_mut("ItemProcessor") {
            rename_states(p, counter);
        }
        renamed.insert(renames.get(&name).cloned().unwrap_or(name), state);
    }
    if let Some(start) = machine.get_mut("StartAt") {
        rename(start);
    }
    machine["States"] = Value::Object(renamed);
}

/// Inputs shaped to the paths these definitions read.
pub fn shaped_input() -> impl Strategy<Value = Value> {
    (any_json(), -5i64..10, "[a-z]{0,3}", prop::collection::vec(any_json(), 0..4)).prop_map(|(x, n, b, items)| {
        let items: Vec<Value> = items.into_iter().map(|v| json!({"v": v})).collect();
        json!({"a": {"x": x, "n": n}, "b": b, "items": items})
    })
}

/// Scripted behaviours for the top-level states (named `S{i}_{i}` by [`mostly_valid_definition`]):
/// throws, sleeps and returns.
pub fn behaviours() -> impl Strategy<Value = Value> {
    let step = prop_oneof![
        Just(json!({"echo": true})),
        (prop::sample::select(vec!["E0", "E1", "Other"]), 1u64..3)
            .prop_map(|(e, t)| json!({"throw": {"error": e, "cause": "c"}, "times": t})),
        (0u64..8).prop_map(|s| json!({"sleep": s})),
        any_json().prop_map(|v| json!({"return": v})),
    ];
    prop::collection::vec(prop::collection::vec(step, 1..3), 6).prop_map(|per_state| {
        let m: Map<String, Value> =
            per_state.into_iter().enumerate().map(|(i, s)| (format!("S{i}_{i}"), Value::Array(s))).collect();
        Value::Object(m)
    })
}
