//! Every bench workload is valid, succeeds, and does the number of transitions it claims.

use asl::{Behaviours, RunOptions, Status};

#[test]
fn workloads_run_to_success_with_known_transition_counts() {
    let expected = [
        ("pass-chain-100", 100),
        ("pass-chain-10000", 10_000),
        ("choice-loop-1000", 2_002),
        ("map-1000-items", 1_001),
        ("parallel-16-branches", 33),
        ("retry-storm-500", 501),
        ("heavy-templates-100kib", 11),
        ("intrinsics-heavy", 20),
    ];
    for w in asl_bench::all() {
        let (sm, diags) = asl::check(&w.definition);
        assert!(diags.is_empty(), "{}: {diags:?}", w.name);
        let opts = RunOptions { behaviours: Behaviours::from_json(&w.behaviours).unwrap(), ..RunOptions::default() };
        let r = asl::run(&sm.unwrap(), w.input.clone(), &opts);
        assert_eq!(r.status, Status::Succeeded, "{}: {:?} {:?}", w.name, r.error, r.cause);
        let want = expected.iter().find(|(n, _)| *n == w.name).map(|(_, t)| *t);
        assert_eq!(Some(r.transitions), want, "{}", w.name);
    }
}
