//! `aslcheck serve`: the reference interpreter behind PROTOCOL.md, on stdin/stdout. It is the
//! protocol's own test (the corpus must judge it exactly as the in-process engine) and a way
//! for other harnesses to use the reference engine.

use crate::engine::{Engine, Outcome, Reference, Request};
use crate::process::PROTOCOL_VERSION;
use asl::StateMachine;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, Write};

/// The first message: who we are and what we run (everything the corpus holds).
pub fn hello() -> Value {
    json!({
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "engine": "reference",
        "version": Reference.version(),
        "features": ["*"],
    })
}

/// Serves requests until `bye` or end of input. Only I/O errors end it early: a bad request
/// gets an `error` answer and the loop goes on.
pub fn serve(input: impl BufRead, mut output: impl Write) -> std::io::Result<()> {
    writeln!(output, "{}", hello())?;
    output.flush()?;
    let mut session = Session::default();
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let Some(answer) = session.answer(&line) else {
            break;
        };
        writeln!(output, "{answer}")?;
        output.flush()?;
    }
    Ok(())
}

/// One engine session: the state machines created in it, by id.
#[derive(Default)]
pub struct Session {
    machines: HashMap<String, StateMachine>,
    created: u64,
}

impl Session {
    /// The answer to one request line; `None` for `bye`.
    pub fn answer(&mut self, line: &str) -> Option<Value> {
        let msg: Value = match serde_json::from_str(line) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => return Some(json!({"type": "error", "id": null, "message": "the request is not a JSON object"})),
            Err(e) => return Some(json!({"type": "error", "id": null, "message": unparsed(&e)})),
        };
        let id = msg.get("id").cloned().unwrap_or(Value::Null);
        let mut out = match msg.get("type") {
            Some(Value::String(t)) => match t.as_str() {
                "bye" => return None,
                "run" => self.run(&msg),
                "create" => self.create(&msg),
                "delete" => self.delete(&msg),
                "validate" => validate(&msg),
                other => error(format!(
                    "unknown request type \"{other}\" (this engine answers run, create, delete, validate and bye)"
                )),
            },
            None => error("the request has no type".to_string()),
            Some(other) => error(format!("the request type must be a string, not {other}")),
        };
        if let Value::Object(m) = &mut out {
            // `type` first, then `id`, for readable transcripts.
            let mut ordered = Map::new();
            ordered.insert("type".into(), m.shift_remove("type").unwrap_or_default());
            ordered.insert("id".into(), id);
            ordered.extend(std::mem::take(m));
            out = Value::Object(ordered);
        }
        Some(out)
    }

    fn run(&mut self, msg: &Value) -> Value {
        let checked;
        let sm = match (msg.get("machine"), msg.get("definition")) {
            (Some(m), _) => match m.as_str().and_then(|m| self.machines.get(m)) {
                Some(sm) => sm,
                None => return error(format!("no state machine {m} was created in this session")),
            },
            (None, Some(definition)) => match Reference::check(definition) {
                (Some(sm), _) => {
                    checked = sm;
                    &checked
                }
                (None, diags) => return rejected(&diags),
            },
            (None, None) => return error("a run request needs a definition or a machine".to_string()),
        };
        let present = |k: &str| msg.get(k).filter(|v| !v.is_null());
        let empty = json!({});
        let req = Request {
            behaviours: present("behaviours"),
            context: present("context"),
            seed: msg.get("seed").and_then(Value::as_u64).unwrap_or(0),
            expects_history: msg.get("history") == Some(&Value::Bool(true)),
            ..Request::new(&Value::Null, present("input").unwrap_or(&empty))
        };
        match Reference::execute(sm, &req) {
            Outcome::Ran { result } => {
                let mut m = Map::new();
                m.insert("type".into(), "result".into());
                if let Value::Object(fields) = result {
                    m.extend(fields);
                }
                Value::Object(m)
            }
            Outcome::Unsupported(r) => json!({"type": "unsupported", "reason": r}),
            Outcome::Poisoned(r) => json!({"type": "poisoned", "reason": r}),
            Outcome::Error(e) | Outcome::Crashed(e) => error(e),
            Outcome::Rejected { messages, .. } => error(messages.join("; ")),
            Outcome::TimedOut => error("timed out".to_string()),
        }
    }

    fn create(&mut self, msg: &Value) -> Value {
        let Some(definition) = msg.get("definition") else {
            return error("a create request needs a definition".to_string());
        };
        match Reference::check(definition) {
            (Some(sm), _) => {
                self.created += 1;
                let machine = format!("m{}", self.created);
                self.machines.insert(machine.clone(), sm);
                json!({"type": "created", "machine": machine})
            }
            (None, diags) => rejected(&diags),
        }
    }

    fn delete(&mut self, msg: &Value) -> Value {
        let machine = msg.get("machine").and_then(Value::as_str).unwrap_or_default();
        match self.machines.remove(machine) {
            Some(_) => json!({"type": "deleted"}),
            None => error(format!("no state machine {machine:?} was created in this session")),
        }
    }
}

/// Why a request line is not JSON: nested too deeply (serde_json stops at 128 levels) or not
/// JSON at all.
fn unparsed(e: &serde_json::Error) -> String {
    if e.to_string().starts_with("recursion limit exceeded") {
        format!("the request is nested too deeply: more than 128 levels of arrays and objects (column {})", e.column())
    } else {
        format!("the request is not valid JSON: {e}")
    }
}

fn error(message: String) -> Value {
    json!({"type": "error", "message": message})
}

/// Diagnostics with AWS's code and location plus our rule id and detail.
fn rejected(diags: &[asl::Diagnostic]) -> Value {
    json!({"type": "rejected", "diagnostics": diags})
}

fn validate(msg: &Value) -> Value {
    let Some(definition) = msg.get("definition") else {
        return error("a validate request needs a definition".to_string());
    };
    let (_, diags) = Reference::check(definition);
    json!({"type": "validation", "valid": diags.is_empty(), "diagnostics": diags})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcript(input: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let served = serve(input.as_bytes(), &mut out);
        assert!(served.is_ok());
        String::from_utf8_lossy(&out).lines().map(|l| serde_json::from_str(l).unwrap_or(Value::Null)).collect()
    }

    #[test]
    fn says_hello_first_and_stops_at_bye() {
        let lines = transcript("{\"type\":\"bye\"}\n{\"type\":\"validate\",\"id\":\"x\"}\n");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["type"], "hello");
        assert_eq!(lines[0]["protocol"], 1);
        assert_eq!(lines[0]["engine"], "reference");
        assert_eq!(lines[0]["features"], json!(["*"]));
    }

    #[test]
    fn runs_a_pass_state() {
        let req = json!({"type": "run", "id": "7", "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 3, "End": true}}}, "input": {}, "seed": 0});
        let a = Session::default().answer(&req.to_string()).unwrap_or_default();
        assert_eq!(a["type"], "result");
        assert_eq!(a["id"], "7");
        assert_eq!(a["status"], "SUCCEEDED");
        assert_eq!(a["output"], 3);
        assert_eq!(a["states"], json!(["A"]));
    }

    #[test]
    fn rejects_with_codes_and_locations() {
        let req = json!({"type": "run", "id": 1, "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}});
        let a = Session::default().answer(&req.to_string()).unwrap_or_default();
        assert_eq!(a["type"], "rejected");
        assert_eq!(a["id"], 1);
        assert_eq!(a["diagnostics"][0]["code"], "MISSING_TRANSITION_TARGET");
        assert_eq!(a["diagnostics"][0]["location"], "/States/A/Next");
    }

    #[test]
    fn definition_text_that_is_not_json_is_rejected() {
        let req = json!({"type": "run", "id": "t", "definition": "{not json"});
        let a = Session::default().answer(&req.to_string()).unwrap_or_default();
        assert_eq!(a["type"], "rejected");
        assert_eq!(a["diagnostics"][0]["code"], "INVALID_JSON_DESCRIPTION");
    }

    #[test]
    fn validates() {
        let ok = json!({"type": "validate", "id": "v", "definition": {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}});
        let a = Session::default().answer(&ok.to_string()).unwrap_or_default();
        assert_eq!(a, json!({"type": "validation", "id": "v", "valid": true, "diagnostics": []}));
    }

    #[test]
    fn bad_requests_get_errors_and_the_loop_goes_on() {
        let lines = transcript("garbage\n[1]\n{\"type\":\"dance\",\"id\":\"d\"}\n{\"type\":\"run\",\"id\":\"r\"}\n");
        let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap_or("?")).collect();
        assert_eq!(types, ["hello", "error", "error", "error", "error"]);
        assert_eq!(lines[1]["id"], Value::Null);
        assert_eq!(lines[3]["id"], "d");
        assert_eq!(
            lines[3]["message"],
            "unknown request type \"dance\" (this engine answers run, create, delete, validate and bye)"
        );
        assert_eq!(lines[4]["message"], "a run request needs a definition or a machine");
        assert_eq!(lines[1]["message"], "the request is not valid JSON: expected value at line 1 column 1");
        assert_eq!(lines[2]["message"], "the request is not a JSON object");
    }

    #[test]
    fn a_request_nested_too_deeply_is_told_so() {
        let deep = format!("{{\"type\":\"run\",\"id\":\"d\",\"input\":{}{}}}", "[".repeat(200), "]".repeat(200));
        let a = Session::default().answer(&deep).unwrap_or_default();
        assert_eq!(a["type"], "error");
        let message = a["message"].as_str().unwrap_or_default();
        assert!(message.starts_with("the request is nested too deeply: more than 128 levels"), "{message}");
        let untyped = Session::default().answer(r#"{"id":"u"}"#).unwrap_or_default();
        assert_eq!(untyped["message"], "the request has no type");
    }

    #[test]
    fn bad_behaviours_are_an_error_answer() {
        let req = json!({"type": "run", "id": "b", "definition": {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, "behaviours": 5});
        let a = Session::default().answer(&req.to_string()).unwrap_or_default();
        assert_eq!(a["type"], "error");
        assert_eq!(a["id"], "b");
    }

    #[test]
    fn a_created_machine_runs_many_times_until_deleted() {
        let lines = transcript(concat!(
            r#"{"type":"create","id":"c","definition":{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}}"#,
            "\n",
            r#"{"type":"run","id":"r1","machine":"m1","input":{"n":1}}"#,
            "\n",
            r#"{"type":"run","id":"r2","machine":"m1","input":{"n":2}}"#,
            "\n",
            r#"{"type":"delete","id":"d","machine":"m1"}"#,
            "\n",
            r#"{"type":"run","id":"r3","machine":"m1","input":{}}"#,
            "\n",
            r#"{"type":"create","id":"bad","definition":{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}}"#,
            "\n",
        ));
        assert_eq!(lines[1], json!({"type": "created", "id": "c", "machine": "m1"}));
        assert_eq!((&lines[2]["type"], &lines[2]["output"]), (&json!("result"), &json!({"n": 1})));
        assert_eq!((&lines[3]["id"], &lines[3]["output"]), (&json!("r2"), &json!({"n": 2})));
        assert_eq!(lines[4], json!({"type": "deleted", "id": "d"}));
        assert_eq!(lines[5]["type"], "error");
        assert_eq!(lines[6]["type"], "rejected");
        assert_eq!(lines[6]["diagnostics"][0]["code"], "MISSING_TRANSITION_TARGET");
    }
}
