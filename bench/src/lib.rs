//! Workloads for the criterion benches and `cargo xtask bench`: state machines whose
//! transition count is known, each with the input it runs on.
//!
//! One transition = one state entered (inner Map/Parallel states and retried attempts included),
//! as the interpreter counts it.

use serde_json::{json, Map, Value};

/// A named workload: definition, input, scripted behaviours.
pub struct Workload {
    pub name: &'static str,
    pub definition: Value,
    pub input: Value,
    pub behaviours: Value,
}

impl Workload {
    fn new(name: &'static str, definition: Value, input: Value) -> Self {
        Workload { name, definition, input, behaviours: json!({}) }
    }
}

/// Every workload, as the benches and `xtask bench` run them.
pub fn all() -> Vec<Workload> {
    vec![
        Workload::new("pass-chain-100", pass_chain(100), json!({})),
        Workload::new("pass-chain-10000", pass_chain(10_000), json!({})),
        Workload::new("choice-loop-1000", choice_loop(1000), json!({})),
        Workload::new("map-1000-items", map_items(), json!({"items": (0..1000).collect::<Vec<_>>()})),
        Workload::new("parallel-16-branches", parallel(16), json!({"x": 1})),
        retry_storm(),
        Workload::new("heavy-templates-100kib", heavy_templates(), document_100kib()),
        Workload::new(
            "intrinsics-heavy",
            intrinsics_heavy(),
            json!({"csv": "a,b,c,d,e,f,g,h", "n": 41, "obj": {"k": "v"}}),
        ),
        Workload::new("jsonata-pass-chain-100", jsonata_pass_chain(100), json!({"n": 0, "tag": "run"})),
        Workload::new("jsonata-map-1000-items", jsonata_map_items(), json!({"items": (0..1000).collect::<Vec<_>>()})),
    ]
}

/// A JSONata chain of `n` Pass states, each computing its Output from `$states.input`.
pub fn jsonata_pass_chain(n: usize) -> Value {
    let mut states = Map::new();
    for i in 0..n {
        let mut s = json!({"Type": "Pass", "Output": {
            "n": "{% $states.input.n + 1 %}",
            "tag": "{% $states.input.tag %}",
            "label": "{% $states.input.tag & '-' & $string($states.input.n) %}"
        }});
        if i + 1 == n {
            s["End"] = json!(true);
        } else {
            s["Next"] = json!(format!("P{}", i + 1));
        }
        states.insert(format!("P{i}"), s);
    }
    json!({"QueryLanguage": "JSONata", "StartAt": "P0", "States": states})
}

/// A JSONata Map over `$states.input.items` whose ItemSelector reads the item's index and value.
pub fn jsonata_map_items() -> Value {
    json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "Items": "{% $states.input.items %}", "MaxConcurrency": 0, "End": true,
        "ItemSelector": {"i": "{% $states.context.Map.Item.Index %}", "v": "{% $states.context.Map.Item.Value * 2 %}"},
        "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}}
    }}})
}

/// A chain of `n` Pass states: pure transition cost.
pub fn pass_chain(n: usize) -> Value {
    let mut states = Map::new();
    for i in 0..n {
        let mut s = json!({"Type": "Pass"});
        if i + 1 == n {
            s["End"] = json!(true);
        } else {
            s["Next"] = json!(format!("P{}", i + 1));
        }
        states.insert(format!("P{i}"), s);
    }
    json!({"StartAt": "P0", "States": states})
}

/// A Pass with a `States.MathAdd` counter and a Choice, `n` times round: 2n+2 transitions.
pub fn choice_loop(n: u64) -> Value {
    json!({"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.i", "Next": "Inc"},
        "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": n, "Next": "Inc"}], "Default": "Done"},
        "Done": {"Type": "Succeed"}
    }})
}

/// An inline Map over `$.items`, each item through one Pass state.
pub fn map_items() -> Value {
    json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 0, "End": true,
        "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}}
    }}})
}

/// A Parallel with `n` branches of two Pass states each.
pub fn parallel(n: usize) -> Value {
    let branches: Vec<Value> = (0..n)
        .map(|i| {
            json!({"StartAt": format!("A{i}"), "States": {
                format!("A{i}"): {"Type": "Pass", "Next": format!("B{i}")},
                format!("B{i}"): {"Type": "Pass", "End": true}
            }})
        })
        .collect();
    json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": branches, "End": true}}})
}

/// A Task that fails 500 times and is retried each time (virtual time makes the backoff free).
pub fn retry_storm() -> Workload {
    Workload {
        name: "retry-storm-500",
        definition: json!({"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 500, "IntervalSeconds": 1, "BackoffRate": 1.0}],
            "End": true
        }}}),
        input: json!({"x": 1}),
        behaviours: json!({"T": [{"throw": {"error": "Busy", "cause": "try again"}, "times": 500}, {"return": {"ok": true}}]}),
    }
}

/// Ten Pass states reshaping a large document with Parameters and a Task with ResultSelector.
pub fn heavy_templates() -> Value {
    let mut states = Map::new();
    for i in 0..10 {
        states.insert(
            format!("S{i}"),
            json!({"Type": "Pass", "Next": if i < 9 { format!("S{}", i + 1) } else { "T".to_string() },
                "Parameters": {"records.$": "$.records", "first.$": "$.records[0]", "names.$": "$.records[*].name",
                    "meta": {"step": i, "source.$": "$$.State.Name"}}}),
        );
    }
    states.insert(
        "T".into(),
        json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
            "ResultSelector": {"count.$": "States.ArrayLength($.records)", "records.$": "$.records"},
            "ResultPath": "$.summary"}),
    );
    json!({"StartAt": "S0", "States": states})
}

/// About 100 KiB of records.
pub fn document_100kib() -> Value {
    let records: Vec<Value> = (0..800)
        .map(|i| json!({"id": i, "name": format!("record-{i:05}"), "tags": ["alpha", "beta", "gamma"], "score": i as f64 * 1.5, "note": "x".repeat(40)}))
        .collect();
    json!({"records": records})
}

/// Pass states that are mostly intrinsic calls.
pub fn intrinsics_heavy() -> Value {
    let params = json!({
        "parts.$": "States.StringSplit($.csv, ',')",
        "count.$": "States.ArrayLength(States.StringSplit($.csv, ','))",
        "sum.$": "States.MathAdd($.n, 1)",
        "text.$": "States.Format('n={} obj={}', $.n, $.obj)",
        "json.$": "States.JsonToString($.obj)",
        "hash.$": "States.Hash($.csv, 'SHA-256')",
        "range.$": "States.ArrayRange(1, 20, 2)",
        "b64.$": "States.Base64Encode($.csv)"
    });
    let mut states = Map::new();
    for i in 0..20 {
        let mut s = json!({"Type": "Pass", "Parameters": params, "ResultPath": "$.out"});
        if i < 19 {
            s["Next"] = json!(format!("I{}", i + 1));
        } else {
            s["End"] = json!(true);
        }
        states.insert(format!("I{i}"), s);
    }
    json!({"StartAt": "I0", "States": states})
}
