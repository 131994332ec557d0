//! Bytes → a swarm configuration → a generated machine (valid by construction) → a run.
//! Fails when a generated machine does not validate, a run does not end within its budget, or
//! the history is malformed.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use asl::{Behaviours, RunOptions};
use asl_generators::{generate, GenConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(cfg) = GenConfig::arbitrary(&mut u) else { return };
    let Ok(g) = generate(&cfg, &mut u) else { return };
    let (sm, diags) = asl::check(&g.definition);
    assert!(diags.is_empty(), "generated machine invalid: {diags:?}\n{}", g.definition);
    let Some(sm) = sm else { return };
    let behaviours = Behaviours::from_json(&g.behaviours).unwrap_or_default();
    let opts = RunOptions { behaviours, max_transitions: 100_000, ..RunOptions::default() };
    let r = asl::run(&sm, g.input, &opts);
    assert!(!r.cause.as_deref().unwrap_or("").contains("transition budget"), "unbounded: {}", g.definition);
    for (i, e) in r.history.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
        assert!(e.previous_event_id < e.id);
    }
    let terminals = r.history.iter().filter(|e| asl::history::is_terminal(e.kind)).count();
    assert_eq!(terminals, 1);
    assert!(r.history.last().is_some_and(|e| asl::history::is_terminal(e.kind)));
});
