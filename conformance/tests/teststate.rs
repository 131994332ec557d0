//! The TestState oracle against saved pairs hand-written from the AWS documentation
//! (tests/teststate/README.md): request building, the reference's answers, the comparison,
//! and parsing of every documented field.

use asl_conformance::teststate::{
    cases, compare, read_json, reference, Mocked, SavedResponses, TestExecutionStatus, TestStateApi, TestStateRequest,
    TestStateResponse,
};
use pretty_assertions::assert_eq;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const ROLE: &str = "arn:aws:iam::123456789012:role/aslcheck-teststate";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/teststate")
}

fn saved() -> SavedResponses {
    SavedResponses::load(&dir()).unwrap()
}

fn pair(name: &str) -> (TestStateRequest, TestStateResponse) {
    let s = saved();
    let (_, req, resp) = s.pairs.into_iter().find(|(n, _, _)| n == name).unwrap_or_else(|| panic!("no pair {name}"));
    (req, resp)
}

fn file(name: &str) -> Value {
    read_json(&dir().join(name)).unwrap()
}

/// The Task state of task-retriable / task-caught, as a corpus machine would hold it.
fn retrying_task() -> Value {
    json!({
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "fn", "Payload.$": "$"},
        "Retry": [{"ErrorEquals": ["Other"]},
                  {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "BackoffRate": 2.0, "MaxAttempts": 5}],
        "Catch": [{"ErrorEquals": ["Other"], "Next": "Elsewhere"},
                  {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}],
        "Next": "Done"
    })
}

#[test]
fn request_building_gives_exactly_the_saved_requests() {
    let mock_result = json!({
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "fn", "Payload.$": "$"},
        "ResultSelector": {"body.$": "$.Payload"}, "ResultPath": "$.result", "End": true
    });
    let built = TestStateRequest::for_state(
        &mock_result,
        &json!({"id": 7}),
        Some(&Mocked::Result(json!({"Payload": {"ok": true}, "StatusCode": 200}))),
        None,
        ROLE,
    );
    assert_eq!(serde_json::to_value(&built).unwrap(), file("task-mock-result.request.json"));

    let boom = Mocked::Error { error: "States.TaskFailed".into(), cause: Some("boom".into()) };
    for (count, name) in [(4, "task-retriable"), (5, "task-caught")] {
        let built = TestStateRequest::for_state(&retrying_task(), &json!({"id": 7}), Some(&boom), Some(count), ROLE);
        assert_eq!(serde_json::to_value(&built).unwrap(), file(&format!("{name}.request.json")), "{name}");
    }
}

#[test]
fn the_reference_agrees_with_every_saved_response() {
    let s = saved();
    let runnable: Vec<_> = s.pairs.iter().filter(|(n, _, _)| !n.starts_with("parse-")).collect();
    assert_eq!(runnable.len(), 7);
    for (name, req, saved) in runnable {
        let expected = reference(req).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(compare(&expected, saved), vec![], "{name}");
    }
}

#[test]
fn the_reference_computes_the_documented_retry_and_catch_decisions() {
    let (req, _) = pair("task-retriable");
    let r = reference(&req).unwrap();
    assert_eq!(r.status, Some(TestExecutionStatus::Retriable));
    let details = r.inspection_data.unwrap().error_details.unwrap();
    assert_eq!((details.retry_index, details.retry_backoff_interval_seconds), (Some(1), Some(16)));
    assert_eq!(r.open.backoff_seconds, Some(16.0));
    assert!(!r.open.backoff_jitter);

    let (req, _) = pair("task-caught");
    let r = reference(&req).unwrap();
    assert_eq!((r.status, r.next_state.as_deref()), (Some(TestExecutionStatus::CaughtError), Some("Recover")));
    assert_eq!(r.inspection_data.unwrap().error_details.unwrap().catch_index, Some(1));
}

#[test]
fn an_altered_saved_response_is_reported() {
    let (req, saved) = pair("task-caught");
    let expected = reference(&req).unwrap();
    let mut wrong = saved.clone();
    wrong.next_state = Some("Elsewhere".into());
    wrong.output = Some(r#"{"id":7,"error":{"Error":"States.TaskFailed","Cause":"other"}}"#.into());
    wrong.inspection_data.as_mut().unwrap().error_details.as_mut().unwrap().catch_index = Some(0);
    let pointers: Vec<String> = compare(&expected, &wrong).into_iter().map(|d| d.pointer).collect();
    assert_eq!(pointers, ["/nextState", "/output/error/Cause", "/inspectionData/errorDetails/catchIndex"]);

    let (req, saved) = pair("task-retriable");
    let expected = reference(&req).unwrap();
    let mut wrong = saved.clone();
    wrong.status = Some(TestExecutionStatus::Failed);
    wrong.inspection_data.as_mut().unwrap().error_details.as_mut().unwrap().retry_backoff_interval_seconds = Some(17);
    let pointers: Vec<String> = compare(&expected, &wrong).into_iter().map(|d| d.pointer).collect();
    assert_eq!(pointers, ["/status", "/inspectionData/errorDetails/retryBackoffIntervalSeconds"]);

    let (req, saved) = pair("pass-pipeline");
    let mut wrong = saved.clone();
    wrong.inspection_data.as_mut().unwrap().after_parameters = Some(r#"{"data":"baz"}"#.into());
    let pointers: Vec<String> = compare(&reference(&req).unwrap(), &wrong).into_iter().map(|d| d.pointer).collect();
    assert_eq!(pointers, ["/inspectionData/afterParameters/data"]);
}

#[test]
fn a_jittered_backoff_only_has_to_lie_within_its_range() {
    let mut state = retrying_task();
    state["Retry"][1]["JitterStrategy"] = json!("FULL");
    state["Retry"][1]["IntervalSeconds"] = json!(3);
    state["Retry"][1]["BackoffRate"] = json!(1.5);
    let boom = Mocked::Error { error: "States.TaskFailed".into(), cause: None };
    let req = TestStateRequest::for_state(&state, &json!({}), Some(&boom), Some(2), ROLE);
    let expected = reference(&req).unwrap();
    // 3 × 1.5² = 6.75 seconds before jitter.
    assert_eq!((expected.open.backoff_seconds, expected.open.backoff_jitter), (Some(6.75), true));
    let with = |secs: u64| {
        let mut a = expected.clone();
        a.inspection_data.as_mut().unwrap().error_details.as_mut().unwrap().retry_backoff_interval_seconds = Some(secs);
        compare(&expected, &a).len()
    };
    assert_eq!((with(0), with(4), with(7), with(8)), (0, 0, 0, 1));
}

#[test]
fn every_documented_field_parses_and_serializes_back() {
    for f in ["parse-every-field.request.json", "parse-every-field.response.json"] {
        let raw = file(f);
        let back = if f.contains("request") {
            serde_json::to_value(serde_json::from_value::<TestStateRequest>(raw.clone()).unwrap()).unwrap()
        } else {
            serde_json::to_value(serde_json::from_value::<TestStateResponse>(raw.clone()).unwrap()).unwrap()
        };
        assert_eq!(back, raw, "{f}");
    }
    // Requests are ours to build: a misspelt field is an error, not silently dropped.
    assert!(serde_json::from_value::<TestStateRequest>(json!({"definition": "{}", "roleARN": "x"})).is_err());
}

#[test]
fn saved_responses_answer_a_request_by_its_json_values() {
    let (mut req, resp) = pair("choice");
    let def: Value = serde_json::from_str(&req.definition).unwrap();
    req.definition = serde_json::to_string_pretty(&def).unwrap();
    assert_eq!(saved().test_state(&req).unwrap(), resp);
    req.input = Some(r#"{"n": 1}"#.into());
    assert!(saved().test_state(&req).is_err());
}

#[test]
fn generated_checks_are_reproducible_and_varied() {
    let a = cases(1, 40);
    let b = cases(1, 40);
    assert_eq!(a.len(), 40);
    let key = |c: &[(TestStateRequest, TestStateResponse)]| -> Vec<Value> {
        c.iter().map(|(q, r)| json!([serde_json::to_value(q).unwrap(), serde_json::to_value(r).unwrap()])).collect()
    };
    assert_eq!(key(&a), key(&b));
    let mut statuses: Vec<&str> = a.iter().filter_map(|(_, r)| r.status.map(|s| s.as_str())).collect();
    statuses.sort();
    statuses.dedup();
    assert!(statuses.len() >= 2, "{statuses:?}");
    for (req, resp) in &a {
        assert_eq!(compare(resp, resp), vec![]);
        // Each request is what the reference answers again.
        assert_eq!(&reference(req).unwrap(), resp);
    }
}

/// A state tested alone gives what it gave inside its machine: the reference's TestState
/// answer for a Pass, Choice or Succeed state matches the state's StateExited output (and the
/// next state entered) in a full run of a generated machine.
#[test]
fn a_state_alone_answers_what_it_did_inside_its_machine() {
    use asl_conformance::generated::{reference_result_with_history, tree, ConfigSource};
    use proptest::strategy::ValueTree;
    let strategy = ConfigSource::Fixed(Default::default()).strategy();
    let mut checked = 0;
    for index in 0..60 {
        let (_, g) = tree(&strategy, 5, index).current();
        let run = reference_result_with_history(&g).unwrap();
        let events = run["history"].as_array().unwrap();
        for (name, state) in g.definition["States"].as_object().unwrap() {
            let text = state.to_string();
            let plain = matches!(state["Type"].as_str(), Some("Pass" | "Choice" | "Succeed"));
            let reads_context = text.contains('$') && (text.contains("$$") || text.contains("Assign"));
            let reads_vars = text.as_bytes().windows(2).any(|w| w[0] == b'$' && w[1].is_ascii_alphabetic());
            if !plain || reads_context || reads_vars {
                continue;
            }
            let at = |key: &str| events.iter().position(|e| e[key]["name"] == name.as_str());
            let (Some(entered), Some(exited)) = (at("stateEnteredEventDetails"), at("stateExitedEventDetails")) else {
                continue;
            };
            let input: Value =
                serde_json::from_str(events[entered]["stateEnteredEventDetails"]["input"].as_str().unwrap()).unwrap();
            let output: Value =
                serde_json::from_str(events[exited]["stateExitedEventDetails"]["output"].as_str().unwrap()).unwrap();
            let next = events[exited + 1..].iter().find_map(|e| e["stateEnteredEventDetails"]["name"].as_str());
            let r = reference(&TestStateRequest::for_state(state, &input, None, None, ROLE)).unwrap();
            let got: Value = serde_json::from_str(r.output.as_deref().unwrap()).unwrap();
            assert_eq!(got, output, "seed 5 case {index} state {name}");
            if state["Type"] != "Succeed" {
                assert_eq!(r.next_state.as_deref(), next, "seed 5 case {index} state {name}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} states checked");
}
