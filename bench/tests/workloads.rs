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
        ("jsonata-pass-chain-100", 100),
        ("jsonata-map-1000-items", 1_001),
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

/// Recording history off skips building events and nothing else: every other field of the
/// result is the same, on every workload.
#[test]
fn history_off_changes_nothing_but_history() {
    for w in asl_bench::all() {
        let sm = asl::check(&w.definition).0.expect("valid");
        let behaviours = Behaviours::from_json(&w.behaviours).unwrap();
        let result = |record_history| {
            let opts = RunOptions { record_history, behaviours: behaviours.clone(), ..RunOptions::default() };
            let mut json = asl::run(&sm, w.input.clone(), &opts).to_json();
            let history = json.as_object_mut().and_then(|o| o.remove("history"));
            (json, history)
        };
        let (on, on_history) = result(true);
        let (off, off_history) = result(false);
        assert_eq!(on, off, "{}", w.name);
        assert!(on_history.is_some_and(|h| h.as_array().is_some_and(|a| !a.is_empty())), "{}", w.name);
        assert!(off_history.is_none_or(|h| h.as_array().is_some_and(Vec::is_empty)), "{}", w.name);
    }
}

/// `RunResult::write_json` (the streaming form `aslcheck run` prints) writes exactly the text
/// of `into_json`.
#[test]
fn streamed_result_is_the_json_result() {
    for w in asl_bench::all() {
        let sm = asl::check(&w.definition).0.expect("valid");
        let opts = RunOptions { behaviours: Behaviours::from_json(&w.behaviours).unwrap(), ..RunOptions::default() };
        let r = asl::run(&sm, w.input.clone(), &opts);
        let mut text = Vec::new();
        r.clone().write_json(&mut text).unwrap();
        assert_eq!(String::from_utf8(text).unwrap(), r.into_json().to_string(), "{}", w.name);
    }
}
