//! The `aslcheck` binary as a user calls it: exit codes that agree between commands, and
//! inputs refused as StartExecution refuses them.

use asl_conformance::engine::{Engine, Outcome, Reference, Request, MAX_INPUT_BYTES};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Command, Output};

const ASLCHECK: &str = env!("CARGO_BIN_EXE_aslcheck");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aslcheck-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn aslcheck(args: &[&str]) -> Output {
    Command::new(ASLCHECK).args(args).output().expect("run aslcheck")
}

#[test]
fn an_invalid_definition_exits_2_in_validate_and_in_run() {
    let dir = scratch("invalid");
    let def = dir.join("bad.json");
    std::fs::write(&def, r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#).expect("write");
    let def = def.to_string_lossy();
    assert_eq!(aslcheck(&["validate", &def]).status.code(), Some(2));
    assert_eq!(aslcheck(&["run", &def]).status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_input_over_256_kib_is_refused_before_running() {
    let dir = scratch("big-input");
    let def = dir.join("pass.json");
    std::fs::write(&def, r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#).expect("write");
    let input = dir.join("input.json");
    let big = json!({"blob": "x".repeat(10 << 20)});
    std::fs::write(&input, big.to_string()).expect("write");
    let out = aslcheck(&["run", &def.to_string_lossy(), "--input", &input.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    let result: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(result["status"], "NOT_STARTED");
    assert_eq!(result["error"], "InvalidExecutionInput");
    let _ = std::fs::remove_dir_all(dir);

    // The engine the harness uses does the same; an input of exactly the limit runs.
    let pass = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
    let over = json!("y".repeat(MAX_INPUT_BYTES - 1));
    match Reference.run(&Request::new(&pass, &over)) {
        Outcome::Ran { result } => assert_eq!(result["status"], "NOT_STARTED", "{}", result["cause"]),
        other => panic!("{other:?}"),
    }
    let at_limit = json!("y".repeat(MAX_INPUT_BYTES - 2));
    match Reference.run(&Request::new(&pass, &at_limit)) {
        Outcome::Ran { result } => assert_eq!(result["status"], "SUCCEEDED"),
        other => panic!("{other:?}"),
    }
}
