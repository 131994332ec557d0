//! The `process` engine end to end, with the real `aslcheck` binary: the whole corpus through
//! `aslcheck serve` must be judged exactly as the in-process reference, and broken engines
//! (tests/engines/*.py) must be reported, restarted, and not spoil later cases.
//!
//! The tests that run the Python test engines are `#[ignore]`d with the reason, so
//! `cargo test` passes with only Rust; `.ci/run` runs them with `--include-ignored`, and there a
//! missing python3 fails them.

use asl_conformance::case::Case;
use asl_conformance::engine::{Engine, Outcome, Reference, Request};
use asl_conformance::process::ProcessEngine;
use asl_conformance::suite::{self, Class, Selection};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const ASLCHECK: &str = env!("CARGO_BIN_EXE_aslcheck");
/// Short, so the hang and silent engines cost seconds; long enough for a busy machine to start
/// Python and `aslcheck serve`.
const SHORT: Duration = Duration::from_secs(4);

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/cases")
}

fn engines() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/engines")
}

fn load(dir: &Path) -> Vec<Case> {
    let (cases, errors) = suite::load(&[dir.to_path_buf()], &Selection::default());
    assert_eq!(errors, Vec::<String>::new());
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    cases
}

fn serve_cmd() -> String {
    format!("'{ASLCHECK}' serve")
}

/// A fresh folder for a test engine's counters.
fn state_dir(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("aslcheck-process-{}-{tag}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(std::fs::create_dir_all(&dir).is_ok());
    dir
}

fn script_cmd(script: &str, state: &Path, extra: &str) -> String {
    format!("python3 '{}' '{ASLCHECK}' '{}' {extra}", engines().join(script).display(), state.display())
}

#[test]
fn the_whole_corpus_through_serve_is_judged_as_in_process() {
    let cases = load(&corpus());
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    let mut served = match ProcessEngine::spawn(&serve_cmd(), Duration::from_secs(60)) {
        Ok(e) => e,
        Err(e) => panic!("aslcheck serve did not start: {e:#}"),
    };
    assert_eq!(served.name(), "reference");
    assert_eq!(served.version(), Reference.version());
    let mut mismatches = Vec::new();
    for case in &cases {
        let direct = suite::run_case(&mut Reference, case);
        let remote = suite::run_case(&mut served, case);
        if (direct.class, &direct.diffs, &direct.reason) != (remote.class, &remote.diffs, &remote.reason) {
            mismatches.push(format!(
                "{}: in process {:?} {:?} {:?}, served {:?} {:?} {:?}",
                case.id, direct.class, direct.diffs, direct.reason, remote.class, remote.diffs, remote.reason
            ));
        }
    }
    assert_eq!(mismatches, Vec::<String>::new());
    assert_eq!(served.starts(), 1, "serve never needed a restart");
}

#[test]
fn served_outcomes_equal_in_process_outcomes() {
    // Stricter than classes: the whole outcome, for a rejected, a failed and a bad request.
    let mut served = match ProcessEngine::spawn(&serve_cmd(), SHORT) {
        Ok(e) => e,
        Err(e) => panic!("aslcheck serve did not start: {e:#}"),
    };
    let bad_next = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}});
    let fails = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}});
    let text = json!("{\"StartAt\": ");
    let input = json!({"a": [1, 2.5, "x"]});
    let behaviours = json!(7);
    for (def, b) in [(&bad_next, None), (&fails, None), (&text, None), (&fails, Some(&behaviours))] {
        let req = Request { behaviours: b, seed: 3, ..Request::new(def, &input) };
        assert_eq!(served.run(&req), Reference.run(&req), "for {def}");
    }
    let validated = served.validate(&bad_next);
    let codes: Vec<String> = validated.unwrap_or_default().into_iter().map(|d| d.code).collect();
    assert_eq!(codes, ["MISSING_TRANSITION_TARGET", "MISSING_END_STATE"]);
}

#[test]
fn a_machine_created_once_runs_like_a_definition_sent_each_time() {
    let mut served = match ProcessEngine::spawn(&serve_cmd(), SHORT) {
        Ok(e) => e,
        Err(e) => panic!("aslcheck serve did not start: {e:#}"),
    };
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 2}], "End": true}}});
    let behaviours = json!({"T": [{"throw": {"error": "E"}}, {"return": {"ok": true}}]});
    let empty = json!({});
    let machine = match served.create(&Request { behaviours: Some(&behaviours), ..Request::new(&def, &empty) }) {
        Ok(m) => m,
        Err(o) => panic!("create: {o:?}"),
    };
    for n in 0..3 {
        let input = json!({"n": n});
        let req =
            Request { behaviours: Some(&behaviours), seed: n, expects_history: n == 2, ..Request::new(&def, &input) };
        assert_eq!(served.run_created(&machine, &req), Reference.run(&req), "execution {n}");
    }
    let plain = Request::new(&def, &empty);
    let other = match Reference.create(&plain) {
        Ok(m) => m,
        Err(o) => panic!("{o:?}"),
    };
    assert!(matches!(served.run_created(&other, &plain), Outcome::Error(_)));
    served.delete(machine);
    let bad = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}});
    let bad_req = Request::new(&bad, &empty);
    assert_eq!(served.create(&bad_req).map(|_| ()), Err(Reference.run(&bad_req)));
    assert_eq!(served.starts(), 1);
}

#[test]
#[ignore = "needs python3: run by .ci/run (cargo test -- --include-ignored)"]
fn an_engine_without_create_says_so() {
    let script = engines().join("example_engine.py");
    let mut toy = match ProcessEngine::spawn(&format!("python3 '{}'", script.display()), SHORT) {
        Ok(e) => e,
        Err(e) => panic!("{e:#}"),
    };
    let def = json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}});
    let empty = json!({});
    let created = toy.create(&Request::new(&def, &empty)).map(|_| ());
    assert_eq!(created, Err(Outcome::Unsupported("create requests".to_string())));
}

/// Runs `cases` on the engine; returns the classes.
fn classes(engine: &mut ProcessEngine, cases: &[Case]) -> Vec<Class> {
    cases.iter().map(|c| suite::run_case(engine, c).class).collect()
}

/// Five cases the reference passes.
fn five_cases() -> Vec<Case> {
    let cases: Vec<Case> = load(&corpus().join("pass")).into_iter().take(5).collect();
    assert_eq!(cases.len(), 5);
    assert_eq!(classes_on_reference(&cases), [Class::Pass; 5]);
    cases
}

fn classes_on_reference(cases: &[Case]) -> Vec<Class> {
    cases.iter().map(|c| suite::run_case(&mut Reference, c).class).collect()
}

fn spawn(script: &str, tag: &str, extra: &str) -> (ProcessEngine, PathBuf) {
    let dir = state_dir(tag);
    match ProcessEngine::spawn(&script_cmd(script, &dir, extra), SHORT) {
        Ok(e) => (e, dir),
        Err(e) => panic!("{script} did not start: {e:#}"),
    }
}

#[test]
#[ignore = "needs python3: run by .ci/run (cargo test -- --include-ignored)"]
fn an_engine_that_crashes_is_reported_and_restarted() {
    let cases = five_cases();
    let (mut engine, dir) = spawn("crash_second.py", "crash", "");
    assert_eq!(engine.name(), "crash-second");
    let results: Vec<_> = cases.iter().map(|c| suite::run_case(&mut engine, c)).collect();
    let got: Vec<Class> = results.iter().map(|r| r.class).collect();
    assert_eq!(got, [Class::Pass, Class::Crashed, Class::Pass, Class::Pass, Class::Pass]);
    let reason = results[1].reason.clone().unwrap_or_default();
    assert!(reason.starts_with("the engine exited with exit status: 3 while answering run request 2"), "{reason}");
    assert!(reason.contains("unfinished line: {\"type\": \"result\", \"id\": "), "{reason}");
    assert!(reason.contains("crash_second: dying on purpose"), "{reason}");
    assert_eq!(engine.starts(), 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[ignore = "needs python3: run by .ci/run (cargo test -- --include-ignored)"]
fn an_engine_that_hangs_times_out_and_is_restarted() {
    let cases = five_cases();
    let (mut engine, dir) = spawn("hang.py", "hang", "");
    let started = Instant::now();
    let got = classes(&mut engine, &cases);
    assert_eq!(got, [Class::Pass, Class::Timeout, Class::Pass, Class::Pass, Class::Pass]);
    assert!(started.elapsed() < SHORT * 3, "took {:?}", started.elapsed());
    assert_eq!(engine.starts(), 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[ignore = "needs python3: run by .ci/run (cargo test -- --include-ignored)"]
fn an_engine_that_prints_garbage_is_reported_and_restarted() {
    let cases = five_cases();
    let (mut engine, dir) = spawn("garbage.py", "garbage", "");
    let results: Vec<_> = cases.iter().map(|c| suite::run_case(&mut engine, c)).collect();
    let got: Vec<Class> = results.iter().map(|r| r.class).collect();
    assert_eq!(got, [Class::Pass, Class::Crashed, Class::Pass, Class::Crashed, Class::Pass]);
    let garbage = results[1].reason.clone().unwrap_or_default();
    assert!(garbage.starts_with("garbage while answering run request 2: Traceback"), "{garbage}");
    let wrong_id = results[3].reason.clone().unwrap_or_default();
    assert!(wrong_id.starts_with("an answer that is not for request"), "{wrong_id}");
    assert_eq!(engine.starts(), 3);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[ignore = "needs python3: run by .ci/run (cargo test -- --include-ignored)"]
fn an_engine_silent_on_restart_times_out_that_case_only() {
    let cases = five_cases();
    let (mut engine, dir) = spawn("silent_start.py", "silent", "");
    let got = classes(&mut engine, &cases);
    // Case 2: the engine exits; case 3: its restart says nothing; case 4: a restart that works.
    assert_eq!(got, [Class::Pass, Class::Crashed, Class::Timeout, Class::Pass, Class::Pass]);
    assert_eq!(engine.starts(), 3);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[ignore = "needs python3: run by .ci/run (cargo test -- --include-ignored)"]
fn an_engine_that_never_says_hello_does_not_start() {
    let dir = state_dir("mute");
    let started = Instant::now();
    let spawned = ProcessEngine::spawn(&script_cmd("silent_start.py", &dir, "always"), Duration::from_millis(1500));
    let err = spawned.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("did not say hello within 1.5s"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_engine_that_exits_at_once_does_not_start() {
    let spawned = ProcessEngine::spawn("sh -c 'echo going >&2; exit 7'", SHORT);
    let err = spawned.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("exited with exit status: 7 before its hello"), "{err}");
    assert!(err.contains("going"), "{err}");
}

#[test]
fn a_wrong_protocol_version_is_refused() {
    let spawned = ProcessEngine::spawn(r#"sh -c 'echo "{\"type\":\"hello\",\"protocol\":2}"; cat'"#, SHORT);
    let err = spawned.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("protocol Some(2)"), "{err}");
}

#[test]
fn repeated_failed_restarts_give_up_quickly() {
    // Says hello once, then dies on the first request; restarts die before hello.
    let dir = state_dir("flaky");
    let flag = dir.join("started");
    let cmd = format!(
        r#"sh -c 'if [ -e "{0}" ]; then exit 5; fi; touch "{0}"; echo "{{\"type\":\"hello\",\"protocol\":1}}"; read line; exit 4'"#,
        flag.display()
    );
    let mut engine = match ProcessEngine::spawn(&cmd, SHORT) {
        Ok(e) => e,
        Err(e) => panic!("{e:#}"),
    };
    let (def, input) = (json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}), json!({}));
    let req = Request::new(&def, &input);
    let outcomes: Vec<Outcome> = (0..6).map(|_| engine.run(&req)).collect();
    let crashed = |o: &Outcome, text: &str| matches!(o, Outcome::Crashed(r) if r.contains(text));
    assert!(crashed(&outcomes[0], "exited with exit status: 4"), "{:?}", outcomes[0]);
    for o in &outcomes[1..4] {
        assert!(crashed(o, "restarting the engine: the engine exited with exit status: 5"), "{o:?}");
    }
    for o in &outcomes[4..] {
        assert!(crashed(o, "failed to start 3 times in a row"), "{o:?}");
    }
    assert_eq!(engine.starts(), 4);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[ignore = "needs python3: run by .ci/run (cargo test -- --include-ignored)"]
fn the_example_engine_of_the_protocol_page_works() {
    let script = engines().join("example_engine.py");
    let doc = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("PROTOCOL.md"));
    let code = std::fs::read_to_string(&script);
    assert!(doc.unwrap_or_default().contains(&format!("```python\n{}```", code.unwrap_or_default())));
    let mut toy = match ProcessEngine::spawn(&format!("python3 '{}'", script.display()), SHORT) {
        Ok(e) => e,
        Err(e) => panic!("{e:#}"),
    };
    assert_eq!((toy.name(), toy.version().as_str()), ("toy", "0.1"));
    let cases = load(&corpus().join("pass"));
    let mut seen = std::collections::BTreeMap::new();
    for case in &cases {
        let outcome = toy.run_case(&case_request(case), &case.features);
        let kind = match &outcome {
            Outcome::Ran { .. } => "ran",
            Outcome::Unsupported(r) if r.starts_with("toy does not support") => "skipped by the harness",
            Outcome::Unsupported(_) => "unsupported by the engine",
            other => panic!("{}: {other:?}", case.id),
        };
        *seen.entry(kind).or_insert(0) += 1;
    }
    // pass.result.literal cases it can run, pass.parameters cases it never receives.
    assert!(seen.get("ran").is_some_and(|n| *n >= 1), "{seen:?}");
    assert!(seen.get("skipped by the harness").is_some_and(|n| *n >= 1), "{seen:?}");
    assert!(!toy.supports(&["map.inline".to_string()]));
    let support = toy.feature_support();
    assert_eq!(support.unsupported_reason(&["map.inline".to_string()]), Some("toy does not support map.inline".into()));
    assert!(toy.supports(&["pass.result.literal".to_string(), "succeed".to_string()]));
}

fn case_request(case: &Case) -> Request<'_> {
    case.request()
}
