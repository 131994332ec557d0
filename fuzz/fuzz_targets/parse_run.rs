//! Arbitrary bytes → the parser, the validator and (when valid) the interpreter. The first
//! bytes, when they split off as JSON, are the definition; what follows is the input. Nothing
//! may panic and every run must end within its budget.
#![no_main]

use asl::{Behaviours, RunOptions};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // "definition\u{0}input": an input after a NUL byte, `{}` otherwise.
    let (def_text, input_text) = text.split_once('\u{0}').unwrap_or((text, "{}"));
    let (sm, diags) = asl::check_str(def_text);
    let Some(sm) = sm else { return };
    assert!(diags.is_empty());
    let input: Value = serde_json::from_str(input_text).unwrap_or(Value::Null);
    let opts = RunOptions { max_transitions: 5_000, behaviours: Behaviours::default(), ..RunOptions::default() };
    let r = asl::run(&sm, input, &opts);
    assert!(r.transitions <= 5_001);
});
