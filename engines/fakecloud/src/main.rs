//! fakecloud's Step Functions interpreter behind conformance/PROTOCOL.md (JSON lines on
//! stdin/stdout), for `cargo xtask bench` and `cargo xtask conformance --engine process`.
//!
//! Each `run` is one execution through `fakecloud_stepfunctions::interpreter::execute_state_machine`
//! (the function fakecloud's StartExecution spawns), on a current-thread tokio runtime with
//! paused time, so Wait states and retry delays advance a virtual clock instead of sleeping.
//! Tasks would call AWS services through fakecloud's registry, which this peer does not run:
//! definitions with Task states are answered `unsupported`. `states`, `retries` and `history`
//! are not reported (fakecloud's event log is reported only as `events`, a count).
//!
//! `create` keeps the definition text under an id, as fakecloud's CreateStateMachine stores
//! it; a `run` naming that machine hands the stored text to the interpreter, as its
//! StartExecution does (the interpreter parses the text for every execution).

use fakecloud_stepfunctions::interpreter::execute_state_machine;
use fakecloud_stepfunctions::{Execution, SharedStepFunctionsState};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::Arc;

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    send(
        &mut out,
        &json!({"type": "hello", "protocol": 1, "engine": "fakecloud", "version": "fakecloud-stepfunctions 0.51.0",
            "features": ["*"], "unsupported": ["task", "variables", "jsonata"]}),
    );
    let mut machines: HashMap<String, String> = HashMap::new();
    let mut created = 0;
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let msg: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                send(&mut out, &json!({"type": "error", "id": null, "message": format!("not JSON: {e}")}));
                continue;
            }
        };
        let id = msg["id"].clone();
        let answer = match msg["type"].as_str() {
            Some("bye") => break,
            Some("run") => match msg.get("machine") {
                Some(m) => match m.as_str().and_then(|m| machines.get(m)) {
                    Some(text) => execute(text, &msg),
                    None => json!({"type": "error", "message": format!("no state machine {m} was created")}),
                },
                None => run(&msg),
            },
            Some("create") => match definition(&msg) {
                Ok(text) => {
                    created += 1;
                    let machine = format!("m{created}");
                    machines.insert(machine.clone(), text);
                    json!({"type": "created", "machine": machine})
                }
                Err(answer) => answer,
            },
            Some("delete") => match msg["machine"].as_str().and_then(|m| machines.remove(m)) {
                Some(_) => json!({"type": "deleted"}),
                None => json!({"type": "error", "message": "no such state machine"}),
            },
            Some("validate") => json!({"type": "unsupported", "reason": "no separate validator"}),
            other => json!({"type": "error", "message": format!("unknown request type {other:?}")}),
        };
        let mut answer = answer;
        answer["id"] = id;
        send(&mut out, &answer);
    }
}

fn send(out: &mut impl Write, msg: &Value) {
    let _ = writeln!(out, "{msg}");
    let _ = out.flush();
}

fn has_task(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.get("Type").and_then(Value::as_str) == Some("Task") || o.values().any(has_task),
        Value::Array(a) => a.iter().any(has_task),
        _ => false,
    }
}

/// The definition text of a run or create request, or the answer that refuses it.
fn definition(msg: &Value) -> Result<String, Value> {
    let definition = match &msg["definition"] {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(v) => v,
            Err(e) => {
                return Err(
                    json!({"type": "rejected", "diagnostics": [{"code": "INVALID_JSON_DESCRIPTION", "message": e.to_string()}]}),
                )
            }
        },
        v => v.clone(),
    };
    if has_task(&definition) {
        return Err(
            json!({"type": "unsupported", "reason": "Task states need fakecloud's service registry, which this peer does not run"}),
        );
    }
    Ok(definition.to_string())
}

fn run(msg: &Value) -> Value {
    match definition(msg) {
        Ok(text) => execute(&text, msg),
        Err(answer) => answer,
    }
}

/// One execution of a definition (its text) with the request's input.
fn execute(definition: &str, msg: &Value) -> Value {
    let input = msg.get("input").cloned().unwrap_or(json!({})).to_string();
    let arn = format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:aslcheck:run");
    let state: SharedStepFunctionsState =
        Arc::new(parking_lot::RwLock::new(fakecloud_core::multi_account::MultiAccountState::new(ACCOUNT, REGION, "")));
    let exec: Execution = match serde_json::from_value(json!({
        "execution_arn": arn,
        "state_machine_arn": format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:aslcheck"),
        "state_machine_name": "aslcheck",
        "name": "run",
        "status": "Running",
        "input": input,
        "output": null,
        "start_date": "2024-01-01T00:00:00Z",
        "stop_date": null,
        "error": null,
        "cause": null,
        "history_events": [],
        "role_arn": format!("arn:aws:iam::{ACCOUNT}:role/aslcheck"),
    })) {
        Ok(e) => e,
        Err(e) => return json!({"type": "error", "message": format!("building the execution record: {e}")}),
    };
    state.write().regional_mut(ACCOUNT, REGION).executions.insert(arn.clone(), exec);
    let rt = match tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build() {
        Ok(rt) => rt,
        Err(e) => return json!({"type": "error", "message": format!("tokio: {e}")}),
    };
    rt.block_on(execute_state_machine(
        state.clone(),
        arn.clone(),
        definition.to_string(),
        Some(input),
        None,
        None,
        None,
        None,
    ));
    let accounts = state.read();
    let Some(exec) = accounts.by_arn(&arn).and_then(|s| s.executions.get(&arn)) else {
        return json!({"type": "error", "message": "the execution record is gone"});
    };
    let status = match serde_json::to_value(exec.status).ok().as_ref().and_then(Value::as_str) {
        Some("Succeeded") => "SUCCEEDED",
        Some("Failed") => "FAILED",
        Some("TimedOut") => "TIMED_OUT",
        Some("Aborted") => "ABORTED",
        other => return json!({"type": "error", "message": format!("execution ended {other:?}")}),
    };
    let mut answer = json!({"type": "result", "status": status, "events": exec.history_events.len()});
    if let Some(o) = &exec.output {
        answer["output"] = serde_json::from_str(o).unwrap_or(Value::String(o.clone()));
    }
    if let Some(e) = &exec.error {
        answer["error"] = json!(e);
    }
    if let Some(c) = &exec.cause {
        answer["cause"] = json!(c);
    }
    answer
}
