//! What the reference interpreter says a TestState request answers.

use super::{InspectionData, InspectionErrorDetails, InspectionLevel, Open, TestExecutionStatus};
use super::{TestStateRequest, TestStateResponse};
use asl::interp::single::{self, Mock, SingleOptions, SingleResult, SingleStatus};
use serde_json::{json, Map, Value};

/// The name the reference gives a state sent alone (a definition without `States`).
// UNSURE(aws): the name TestState gives such a state ($$.State.Name, cause prefixes) is not
// documented: https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
pub const SINGLE_STATE_NAME: &str = "TestState";

/// The prefix of causes of errors raised while a state processes its data (runner.rs).
const CAUSE_PREFIX: &str = "An error occurred while executing the state";

/// The reference's answer. `Err` when it cannot answer: an invalid definition, JSON texts that
/// are not JSON, or a state that needs AWS (a Task, Map or Parallel without a mock).
///
/// Not applied: `context` (the reference's own context object is used, and answers of states
/// that read `$$` are marked open), `revealSecrets` and `fieldValidationMode` (nothing is
/// called or validated), and the Map/Parallel settings `errorCausedByState`,
/// `mapIterationFailureCount`, `mapItemReaderData`.
pub fn reference(req: &TestStateRequest) -> Result<TestStateResponse, String> {
    let definition: Value = parse_text("definition", &req.definition)?;
    let (machine, name) = machine_of(&definition, req.state_name.as_deref());
    let (sm, diags) = asl::check(&machine);
    let sm = sm.ok_or_else(|| {
        format!("the definition is rejected: {:?}", diags.iter().map(|d| d.to_string()).collect::<Vec<_>>())
    })?;
    let state = sm.states.get(&name).ok_or_else(|| format!("no state named '{name}' in the definition"))?;
    // UNSURE(aws): the input when the request has none; we take `{}`:
    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
    let input = match &req.input {
        Some(text) => parse_text("input", text)?,
        None => json!({}),
    };
    let mut opts = SingleOptions {
        mock: mock_of(req)?,
        retrier_retry_count: req.state_configuration.as_ref().and_then(|c| c.retrier_retry_count).unwrap_or(0).into(),
        ..SingleOptions::default()
    };
    if let Some(text) = &req.variables {
        opts.variables = single::variables(&parse_text("variables", text)?);
    }
    let result = single::run_state(state, input, &opts)?;
    let mut resp = response(&result, req.inspection_level);
    resp.open = open(&result, &req.definition);
    Ok(resp)
}

fn parse_text(field: &str, text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("{field} is not JSON: {e}"))
}

/// A whole machine as given (with `stateName`, or its StartAt), or one state wrapped in a
/// machine whose transition targets are Succeed stubs, so it validates as AWS checks one state.
fn machine_of(definition: &Value, state_name: Option<&str>) -> (Value, String) {
    if definition.get("States").is_some() {
        let name = state_name
            .map(str::to_string)
            .or_else(|| definition.get("StartAt").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_default();
        return (definition.clone(), name);
    }
    let mut states = Map::new();
    states.insert(SINGLE_STATE_NAME.into(), definition.clone());
    for target in targets(definition) {
        if target != SINGLE_STATE_NAME {
            states.insert(target, json!({"Type": "Succeed"}));
        }
    }
    (json!({"StartAt": SINGLE_STATE_NAME, "States": states}), SINGLE_STATE_NAME.to_string())
}

/// Every state name a state can transition to: Next, Default, Choices[].Next, Catch[].Next.
fn targets(state: &Value) -> Vec<String> {
    let name = |v: &Value| v.get("Next").and_then(Value::as_str).map(str::to_string);
    let list = |k: &str| state.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut out: Vec<String> = name(state).into_iter().collect();
    out.extend(state.get("Default").and_then(Value::as_str).map(str::to_string));
    out.extend(list("Choices").iter().filter_map(name));
    out.extend(list("Catch").iter().filter_map(name));
    out
}

fn mock_of(req: &TestStateRequest) -> Result<Option<Mock>, String> {
    let Some(m) = &req.mock else { return Ok(None) };
    if let Some(e) = &m.error_output {
        return Ok(Some(Mock::Error { error: e.error.clone().unwrap_or_default(), cause: e.cause.clone() }));
    }
    match &m.result {
        Some(text) => Ok(Some(Mock::Result(parse_text("mock.result", text)?))),
        None => Ok(None),
    }
}

fn response(r: &SingleResult, level: Option<InspectionLevel>) -> TestStateResponse {
    let status = match r.status {
        SingleStatus::Succeeded => TestExecutionStatus::Succeeded,
        SingleStatus::Failed => TestExecutionStatus::Failed,
        SingleStatus::Retriable => TestExecutionStatus::Retriable,
        SingleStatus::CaughtError => TestExecutionStatus::CaughtError,
    };
    // INFO (the default) shows no inspection data; DEBUG and TRACE show the data flow.
    let inspection = matches!(level, Some(InspectionLevel::Debug | InspectionLevel::Trace)).then(|| {
        let text = |v: &Option<Value>| v.as_ref().map(Value::to_string);
        let details = InspectionErrorDetails {
            catch_index: r.catch_index.map(|i| i as u64),
            // The API field is an integer; the exact value is in `Open::backoff_seconds`.
            retry_backoff_interval_seconds: r.retry_backoff_seconds.map(|s| s.floor() as u64),
            retry_index: r.retry_index.map(|i| i as u64),
        };
        let has_details = details != InspectionErrorDetails::default();
        InspectionData {
            input: text(&r.stages.input),
            after_input_path: text(&r.stages.after_input_path),
            after_parameters: text(&r.stages.after_parameters),
            result: text(&r.stages.result),
            after_result_selector: text(&r.stages.after_result_selector),
            after_result_path: text(&r.stages.after_result_path),
            error_details: has_details.then_some(details),
            ..InspectionData::default()
        }
    });
    // UNSURE(aws): that RETRIABLE and CAUGHT_ERROR answers carry `error` and `cause` too (the
    // reference says "the error returned when the execution of a state fails"):
    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
    TestStateResponse {
        output: r.output.as_ref().map(Value::to_string),
        error: r.error.clone(),
        cause: r.cause.clone(),
        inspection_data: inspection,
        next_state: r.next_state.clone(),
        status: Some(status),
        open: Open::default(),
    }
}

/// What the comparison must not judge exactly in this answer.
fn open(r: &SingleResult, definition: &str) -> Open {
    let mut unsure = Vec::new();
    let mut note = |p: &str, why: &str| unsure.push((p.to_string(), why.to_string()));
    if r.cause.as_deref().is_some_and(|c| c.starts_with(CAUSE_PREFIX)) {
        note("/cause", "the cause prefix names the state and its entered event id, which TestState chooses");
    }
    if definition.contains("$$") {
        // The request sends no `context`, so AWS's context object (names, ids, times) differs.
        note("/output", "the state reads the context object");
        note("/inspectionData", "the state reads the context object");
    }
    if r.status != SingleStatus::Retriable {
        // UNSURE(aws): whether errorDetails names an exhausted retrier's index:
        // https://docs.aws.amazon.com/step-functions/latest/apireference/API_InspectionErrorDetails.html
        note("/inspectionData/errorDetails/retryIndex", "an exhausted retrier may or may not be named");
    }
    Open { backoff_seconds: r.retry_backoff_seconds, backoff_jitter: r.retry_jitter, unsure }
}
