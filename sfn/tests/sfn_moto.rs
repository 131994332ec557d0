//! The `sfn` engine against a real moto server on 127.0.0.1 (installed by
//! engines/moto/install.sh when missing): what it sends, what it reads back from the history,
//! and that it leaves no state machine behind.
//!
//! Installing moto needs Python and a package index, so these tests are `#[ignore]`d with the
//! reason: `cargo test` passes offline with only Rust, and `.ci/run` runs them with
//! `--include-ignored` (a moto that cannot start fails them there).

use asl_conformance::case::Case;
use asl_conformance::engine::{Engine, Outcome, Request};
use asl_conformance::expectations::Expectations;
use asl_conformance::suite::{self, Class, RunConfig};
use asl_sfn::moto::MotoServer;
use asl_sfn::{SfnConfig, SfnEngine};
use pretty_assertions::assert_eq;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn moto() -> MotoServer {
    MotoServer::start(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).expect("moto's server")
}

fn engine(url: &str, timeout: f64) -> SfnEngine {
    let cfg = SfnConfig {
        endpoint_url: Some(url.to_string()),
        timeout: Duration::from_secs_f64(timeout),
        ..SfnConfig::default()
    };
    SfnEngine::connect(cfg).expect("connect")
}

fn ran(engine: &mut SfnEngine, definition: Value, input: Value, behaviours: Value) -> Value {
    let req = Request { behaviours: Some(&behaviours), ..Request::new(&definition, &input) };
    match engine.run(&req) {
        Outcome::Ran { result } => result,
        other => panic!("expected a run, got {other:?}"),
    }
}

#[test]
#[ignore = "needs python3 and moto (engines/moto/install.sh, network): run by .ci/run (cargo test -- --include-ignored)"]
fn a_lowered_task_keeps_its_retry_delays_error_and_catch_route() {
    let moto = moto();
    let mut e = engine(&moto.url, 20.0);
    assert_eq!(e.name(), "moto");
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.r",
              "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1.5}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "H"}], "Next": "Done"},
        "H": {"Type": "Pass", "End": true},
        "Done": {"Type": "Succeed"}}});
    let r = ran(&mut e, def.clone(), json!({"x": 1}), json!({"T": [{"throw": {"error": "Busy", "cause": "c"}}]}));
    assert_eq!(r["status"], "SUCCEEDED");
    assert_eq!(r["output"], json!({"x": 1, "err": {"Error": "Busy", "Cause": "c"}}));
    assert_eq!(r["states"], json!(["T", "H"]));
    let delays = r["retries"][0]["delays"].as_array().unwrap().iter().map(|d| d.as_f64().unwrap()).collect::<Vec<_>>();
    assert_eq!(r["retries"][0]["state"], "T");
    assert!(delays.len() == 2 && (delays[0] - 1.0).abs() < 0.25 && (delays[1] - 1.5).abs() < 0.25, "{delays:?}");

    // Returning: the result lands where the Task's ResultPath puts it.
    let r = ran(&mut e, def, json!({"x": 1}), json!({"T": [{"return": {"ok": true}}]}));
    assert_eq!(r["output"], json!({"x": 1, "r": {"ok": true}}));
    assert_eq!(r["states"], json!(["T", "Done"]));
    assert_eq!(e.leftover_machines().unwrap(), Vec::<String>::new());
}

#[test]
#[ignore = "needs python3 and moto (engines/moto/install.sh, network): run by .ci/run (cargo test -- --include-ignored)"]
fn parallel_and_map_routes_are_read_back_per_branch_and_item() {
    let moto = moto();
    let mut e = engine(&moto.url, 20.0);
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "M", "ResultPath": null, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A2"}, "A2": {"Type": "Pass", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]},
        "M": {"Type": "Map", "ItemsPath": "$.items", "End": true,
              "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}}}});
    let r = ran(&mut e, def, json!({"items": [1, 2]}), json!({}));
    assert_eq!(r["status"], "SUCCEEDED");
    assert_eq!(r["output"], json!([1, 2]));
    assert_eq!(r["states"], json!([{"P": [["A", "A2"], ["B"]]}, {"M": [["X"], ["X"]]}]));
    let types: Vec<&str> = r["history"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.first(), Some(&"ExecutionStarted"));
    assert_eq!(types.last(), Some(&"ExecutionSucceeded"));
}

#[test]
#[ignore = "needs python3 and moto (engines/moto/install.sh, network): run by .ci/run (cargo test -- --include-ignored)"]
fn cases_that_run_too_long_time_out_and_nothing_is_left_behind() {
    let moto = moto();
    let mut e = engine(&moto.url, 1.5);
    let case = |id: &str, seconds: u64| -> Case {
        let file = json!({
            "description": "d", "features": ["wait.seconds"], "confidence": "reasoned",
            "definition": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": true}}},
            "input": {}, "expect": {"status": "SUCCEEDED", "output": {}}});
        let mut c: Case = serde_json::from_value(file).unwrap();
        c.id = id.to_string();
        c
    };
    // The reference says 0 s; the second case needs an hour: skipped before it is sent.
    let cases = vec![case("wait/zero", 0), case("wait/hour", 3600)];
    let none = Expectations::default();
    let stop = AtomicBool::new(false);
    let run = suite::run_all(&mut e, &cases, &RunConfig::new(&none, &stop), |_| Ok(())).unwrap();
    let classes: Vec<Class> = run.results.iter().map(|r| r.class).collect();
    assert_eq!(classes, [Class::Pass, Class::Skipped]);
    assert!(run.results[1].reason.as_deref().unwrap().contains("needs 3600 s of real time"), "{:?}", run.results[1]);

    // moto ignores TimeoutSeconds: the harness's own timeout stops the execution.
    let def =
        json!({"TimeoutSeconds": 1, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}});
    let mut longer = engine(&moto.url, 1.5);
    let input = json!({});
    let req = Request::new(&def, &input);
    let outcome = longer.run(&req);
    assert!(matches!(outcome, Outcome::Ran { .. } | Outcome::TimedOut), "{outcome:?}");
    assert_eq!(e.leftover_machines().unwrap(), Vec::<String>::new());
}

#[test]
#[ignore = "needs python3 and moto (engines/moto/install.sh, network): run by .ci/run (cargo test -- --include-ignored)"]
fn a_machine_created_once_runs_many_executions_then_is_deleted() {
    let moto = moto();
    let mut e = engine(&moto.url, 10.0);
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.r", "End": true}}});
    let behaviours = json!({"T": [{"return": {"ok": true}}]});
    let empty = json!({});
    let machine = match e.create(&Request { behaviours: Some(&behaviours), ..Request::new(&def, &empty) }) {
        Ok(m) => m,
        Err(o) => panic!("create: {o:?}"),
    };
    assert_eq!(e.leftover_machines().unwrap().len(), 1);
    for n in 0..3 {
        let input = json!({"n": n});
        let req = Request { behaviours: Some(&behaviours), ..Request::new(&def, &input) };
        match e.run_created(&machine, &req) {
            Outcome::Ran { result } => {
                assert_eq!(result["output"], json!({"n": n, "r": {"ok": true}}));
                assert_eq!(result["states"], json!(["T"]));
            }
            other => panic!("execution {n}: {other:?}"),
        }
    }
    assert_eq!(e.leftover_machines().unwrap().len(), 1, "one machine for every execution");
    e.delete(machine);
    assert_eq!(e.leftover_machines().unwrap(), Vec::<String>::new());
    let text = json!("{\"StartAt\": ");
    assert!(matches!(e.create(&Request::new(&text, &empty)), Err(Outcome::Rejected { .. })));
}

#[test]
#[ignore = "needs python3 and moto (engines/moto/install.sh, network): run by .ci/run (cargo test -- --include-ignored)"]
fn a_definition_moto_refuses_is_rejected_with_its_code() {
    let moto = moto();
    let mut e = engine(&moto.url, 10.0);
    let def = json!("{\"StartAt\": ");
    let input = json!({});
    let req = Request::new(&def, &input);
    let Outcome::Rejected { codes, messages } = e.run(&req) else { panic!("not rejected") };
    assert!(!codes.is_empty() && messages[0].contains(&codes[0]), "{codes:?} {messages:?}");
}

#[test]
#[ignore = "needs python3 and moto (engines/moto/install.sh, network): run by .ci/run (cargo test -- --include-ignored)"]
fn express_cases_use_start_sync_execution_which_moto_lacks() {
    let moto = moto();
    let mut e = engine(&moto.url, 10.0);
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": 1}, "End": true}}});
    let input = json!({});
    let flags = vec!["express".to_string()];
    let req = Request { flags: &flags, ..Request::new(&def, &input) };
    // moto 5.2.5 answers StartSyncExecution with an HTML 500 page (NotImplementedError).
    match e.run(&req) {
        Outcome::Crashed(why) => assert!(why.starts_with("StartSyncExecution failed: HTTP 500"), "{why}"),
        other => panic!("expected moto to lack StartSyncExecution, got {other:?}"),
    }
    assert_eq!(e.leftover_machines().unwrap(), Vec::<String>::new());
}
