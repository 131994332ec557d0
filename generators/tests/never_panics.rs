//! The parser, validator and interpreter never panic and always terminate, whatever JSON they
//! are given (asl invariant; DESIGN section 1). Raise the case count with PROPTEST_CASES.

use asl::{Behaviours, RunOptions};
use asl_generators::json::{any_json, behaviours, definition_like, mostly_valid_definition, shaped_input};
use proptest::prelude::*;
use serde_json::{json, Value};

fn run_any(definition: &Value, input: Value) {
    run_with(definition, input, &Value::Null);
}

fn run_with(definition: &Value, input: Value, behaviours: &Value) {
    let (sm, diags) = asl::check(definition);
    if let Some(sm) = sm {
        assert!(diags.is_empty());
        let behaviours = Behaviours::from_json(behaviours).unwrap_or_default();
        let opts = RunOptions { max_transitions: 2_000, behaviours, ..RunOptions::default() };
        let r = asl::run(&sm, input, &opts);
        assert!(r.transitions <= 2_001);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_definitions(def in any_json(), input in any_json()) {
        run_any(&def, input);
    }

    #[test]
    fn definition_shaped_json(def in definition_like(), input in any_json()) {
        run_any(&def, input);
    }

    #[test]
    fn mostly_valid_machines(def in mostly_valid_definition(), input in shaped_input(), b in behaviours()) {
        run_with(&def, input, &b);
    }

    #[test]
    fn arbitrary_text_definitions(text in "\\PC{0,64}") {
        let _ = asl::check_str(&text);
    }

    #[test]
    fn arbitrary_behaviours(b in any_json()) {
        let _ = Behaviours::from_json(&b);
    }
}

#[test]
fn a_machine_that_loops_forever_stops_at_the_budget() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": false, "Next": "A"}], "Default": "C"},
        "C": {"Type": "Succeed"}
    }});
    let (sm, diags) = asl::check(&def);
    assert!(diags.is_empty(), "{diags:?}");
    let r = asl::run(&sm.unwrap(), json!({}), &RunOptions::default());
    assert_eq!(r.error.as_deref(), Some("States.Runtime"));
    // The 25,000-event cap ends it first: ExecutionFailed is event #25,000.
    assert_eq!(r.history.last().map(|e| (e.id, e.kind)), Some((25_000, "ExecutionFailed")));
}
