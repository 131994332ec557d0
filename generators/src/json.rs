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
