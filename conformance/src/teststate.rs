//! The TestState oracle: AWS's `TestState` API runs one state with a mocked task outcome and a
//! given retry count, and answers with the status, next state, output or error, the data
//! pipeline's stages and the retry/catch decision. It is the cheapest exact check of paths,
//! retry timing and catch routing (DESIGN section 5): no execution, no waiting.
//!
//! Here: the request and response shapes, field for field as the API reference documents them
//! (<https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html>), a
//! builder from our model, what the reference interpreter says a request answers
//! ([`reference`]), the comparison ([`compare`]), generated checks ([`cases`]) and the
//! [`TestStateApi`] through which an AWS client (or saved answers) is asked.

mod cases;
mod compare;
mod reference;

pub use cases::{cases, DEFAULT_ROLE_ARN};
pub use compare::compare;
pub use reference::{reference, SINGLE_STATE_NAME};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// The request of `TestState`. Every string holding JSON (definition, input, mock result,
/// variables, context) is JSON text, as the API takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TestStateRequest {
    /// The state's definition (or, with `stateName`, a whole state machine's).
    pub definition: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspection_level: Option<InspectionLevel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reveal_secrets: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variables: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mock: Option<MockInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_configuration: Option<TestStateConfiguration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum InspectionLevel {
    Info,
    Debug,
    Trace,
}

/// `mock`: a result (JSON text) or an error output; API_MockInput.html.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MockInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_output: Option<MockErrorOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_validation_mode: Option<FieldValidationMode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MockErrorOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// How strictly AWS checks a mocked result against the integration's API model (default STRICT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum FieldValidationMode {
    Strict,
    Present,
    None,
}

/// `stateConfiguration`; API_TestStateConfiguration.html.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TestStateConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retrier_retry_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_caused_by_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map_iteration_failure_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map_item_reader_data: Option<String>,
}

/// The response of `TestState`. Unknown fields are ignored: AWS adds fields over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TestStateResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspection_data: Option<InspectionData>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TestExecutionStatus>,
    /// What the reference could not pin down (never sent or parsed: not part of the API).
    #[serde(skip)]
    pub open: Open,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TestExecutionStatus {
    Succeeded,
    Failed,
    Retriable,
    CaughtError,
}

impl TestExecutionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TestExecutionStatus::Succeeded => "SUCCEEDED",
            TestExecutionStatus::Failed => "FAILED",
            TestExecutionStatus::Retriable => "RETRIABLE",
            TestExecutionStatus::CaughtError => "CAUGHT_ERROR",
        }
    }
}

/// A reference answer's open points: values the comparison must not judge exactly.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Open {
    /// The un-jittered backoff in seconds (may be fractional; the API field is an integer).
    pub backoff_seconds: Option<f64>,
    /// FULL jitter: AWS's backoff is anywhere in `[0, backoff_seconds]`.
    pub backoff_jitter: bool,
    /// Response pointers (`/cause`, `/output`...) the reference does not know, with why.
    pub unsure: Vec<(String, String)>,
}

impl Open {
    pub fn is_unsure(&self, pointer: &str) -> bool {
        self.unsure.iter().any(|(p, _)| pointer == p || pointer.starts_with(&format!("{p}/")))
    }
}

/// `inspectionData`; API_InspectionData.html. The after-path views are JSON texts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct InspectionData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_arguments: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_input_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_parameters: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_result_selector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_result_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<InspectionDataRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<InspectionDataResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variables: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_details: Option<InspectionErrorDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_items_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_item_selector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_item_batcher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_items_pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerated_failure_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerated_failure_percentage: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u64>,
}

/// The HTTP Task request (TRACE); API_InspectionDataRequest.html.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct InspectionDataRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The HTTP Task response (TRACE); API_InspectionDataResponse.html. `statusCode` is a string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct InspectionDataResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// `errorDetails`; API_InspectionErrorDetails.html: integers, minimum 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct InspectionErrorDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catch_index: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_backoff_interval_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_index: Option<u64>,
}

/// The outcome a check mocks for a Task (or Map/Parallel) state.
#[derive(Debug, Clone, PartialEq)]
pub enum Mocked {
    Result(Value),
    Error { error: String, cause: Option<String> },
}

impl TestStateRequest {
    /// The request that tests `state` (one state's JSON) on `input`, at DEBUG level so the
    /// after-path views come back. Field validation is off (`NONE`): generated mocks are not
    /// shaped like each integration's API response, and the check is about ASL, not models.
    pub fn for_state(
        state: &Value,
        input: &Value,
        mocked: Option<&Mocked>,
        retrier_retry_count: Option<u32>,
        role_arn: &str,
    ) -> TestStateRequest {
        let mock = mocked.map(|m| MockInput {
            result: match m {
                Mocked::Result(v) => Some(v.to_string()),
                Mocked::Error { .. } => None,
            },
            error_output: match m {
                Mocked::Error { error, cause } => {
                    Some(MockErrorOutput { error: Some(error.clone()), cause: cause.clone() })
                }
                Mocked::Result(_) => None,
            },
            field_validation_mode: Some(FieldValidationMode::None),
        });
        TestStateRequest {
            definition: state.to_string(),
            role_arn: Some(role_arn.to_string()),
            input: Some(input.to_string()),
            inspection_level: Some(InspectionLevel::Debug),
            mock,
            state_configuration: retrier_retry_count
                .map(|n| TestStateConfiguration { retrier_retry_count: Some(n), ..Default::default() }),
            ..TestStateRequest::default()
        }
    }
}

/// Something that answers TestState requests: AWS (implemented elsewhere), saved answers, or
/// the reference itself.
pub trait TestStateApi {
    fn test_state(&mut self, req: &TestStateRequest) -> Result<TestStateResponse, String>;
}

/// The reference as a [`TestStateApi`] (for pipelines that treat every answerer alike).
#[derive(Debug, Default)]
pub struct ReferenceTestState;

impl TestStateApi for ReferenceTestState {
    fn test_state(&mut self, req: &TestStateRequest) -> Result<TestStateResponse, String> {
        reference(req)
    }
}

/// Answers from saved request/response pairs: `<name>.request.json` + `<name>.response.json`
/// files in a folder. A request matches when it has the same fields with the same values, JSON
/// texts compared as JSON (so spacing and key order do not matter).
#[derive(Debug, Default)]
pub struct SavedResponses {
    pub pairs: Vec<(String, TestStateRequest, TestStateResponse)>,
}

impl SavedResponses {
    pub fn load(dir: &Path) -> Result<SavedResponses, String> {
        let mut pairs = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for path in entries {
            let Some(name) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".request.json"))
            else {
                continue;
            };
            let req: TestStateRequest = read_json(&path)?;
            let resp: TestStateResponse = read_json(&dir.join(format!("{name}.response.json")))?;
            pairs.push((name.to_string(), req, resp));
        }
        Ok(SavedResponses { pairs })
    }
}

impl TestStateApi for SavedResponses {
    fn test_state(&mut self, req: &TestStateRequest) -> Result<TestStateResponse, String> {
        let key = canonical(req);
        self.pairs
            .iter()
            .find(|(_, r, _)| canonical(r) == key)
            .map(|(_, _, resp)| resp.clone())
            .ok_or_else(|| "no saved response for this request".to_string())
    }
}

/// A request as JSON with its JSON-text fields parsed, for matching.
fn canonical(req: &TestStateRequest) -> Value {
    let mut v = serde_json::to_value(req).unwrap_or(Value::Null);
    for key in ["definition", "input", "variables", "context"] {
        parse_text_field(&mut v, &[key]);
    }
    parse_text_field(&mut v, &["mock", "result"]);
    v
}

fn parse_text_field(v: &mut Value, at: &[&str]) {
    let mut cur = v;
    for k in at {
        match cur.get_mut(*k) {
            Some(next) => cur = next,
            None => return,
        }
    }
    if let Some(parsed) = cur.as_str().and_then(|s| serde_json::from_str::<Value>(s).ok()) {
        *cur = parsed;
    }
}

pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}
