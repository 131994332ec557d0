//! [`TestStateApi`] on a real endpoint: the TestState call through aws-sdk-sfn. Requests and
//! responses go through the serde types of [`asl_conformance::teststate`], so the API's JSON shape is
//! defined in one place; this file only moves fields between them and the SDK.

use super::api::Api;
use asl_conformance::teststate::{TestStateApi, TestStateRequest, TestStateResponse};
use aws_sdk_sfn::types::{
    InspectionLevel, MockErrorOutput, MockInput, MockResponseValidationMode, TestStateConfiguration,
};
use serde_json::{json, Map, Value};

/// TestState on AWS (or an emulator that has it), one call at a time.
pub struct SdkTestState {
    rt: tokio::runtime::Runtime,
    api: Api,
}

impl SdkTestState {
    pub fn connect(endpoint_url: Option<&str>, region: Option<&str>) -> Result<SdkTestState, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("starting the async runtime: {e}"))?;
        let api = rt.block_on(Api::connect(endpoint_url, region));
        Ok(SdkTestState { rt, api })
    }
}

impl TestStateApi for SdkTestState {
    fn test_state(&mut self, req: &TestStateRequest) -> Result<TestStateResponse, String> {
        let call = self
            .api
            .client()
            .test_state()
            .definition(&req.definition)
            .set_role_arn(req.role_arn.clone())
            .set_input(req.input.clone())
            .set_inspection_level(req.inspection_level.map(|l| InspectionLevel::from(enum_text(&l).as_str())))
            .set_reveal_secrets(req.reveal_secrets)
            .set_variables(req.variables.clone())
            .set_state_name(req.state_name.clone())
            .set_context(req.context.clone())
            .set_mock(req.mock.as_ref().map(|m| {
                MockInput::builder()
                    .set_result(m.result.clone())
                    .set_error_output(m.error_output.as_ref().map(|e| {
                        MockErrorOutput::builder().set_error(e.error.clone()).set_cause(e.cause.clone()).build()
                    }))
                    .set_field_validation_mode(
                        m.field_validation_mode.map(|v| MockResponseValidationMode::from(enum_text(&v).as_str())),
                    )
                    .build()
            }))
            .set_state_configuration(req.state_configuration.as_ref().map(|c| {
                TestStateConfiguration::builder()
                    .set_retrier_retry_count(c.retrier_retry_count.map(|n| n as i32))
                    .set_error_caused_by_state(c.error_caused_by_state.clone())
                    .set_map_iteration_failure_count(c.map_iteration_failure_count.map(|n| n as i32))
                    .set_map_item_reader_data(c.map_item_reader_data.clone())
                    .build()
            }));
        let out = self.rt.block_on(call.send()).map_err(|e| super::api::error_chain(&e))?;
        serde_json::from_value(response_json(&out)).map_err(|e| format!("reading the TestState response: {e}"))
    }
}

/// The serde name of one of our enums (`DEBUG`, `NONE`...).
fn enum_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The SDK's output as the API's JSON document.
fn response_json(out: &aws_sdk_sfn::operation::test_state::TestStateOutput) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.to_string(), v);
        }
    };
    put("output", out.output().map(|s| json!(s)));
    put("error", out.error().map(|s| json!(s)));
    put("cause", out.cause().map(|s| json!(s)));
    put("nextState", out.next_state().map(|s| json!(s)));
    put("status", out.status().map(|s| json!(s.as_str())));
    put("inspectionData", out.inspection_data().map(inspection_json));
    Value::Object(m)
}

fn inspection_json(d: &aws_sdk_sfn::types::InspectionData) -> Value {
    let mut m = Map::new();
    let text = [
        ("input", d.input()),
        ("afterArguments", d.after_arguments()),
        ("afterInputPath", d.after_input_path()),
        ("afterParameters", d.after_parameters()),
        ("result", d.result()),
        ("afterResultSelector", d.after_result_selector()),
        ("afterResultPath", d.after_result_path()),
        ("variables", d.variables()),
        ("afterItemsPath", d.after_items_path()),
        ("afterItemSelector", d.after_item_selector()),
        ("afterItemBatcher", d.after_item_batcher()),
        ("afterItemsPointer", d.after_items_pointer()),
    ];
    for (k, v) in text {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    }
    if let Some(n) = d.tolerated_failure_count() {
        m.insert("toleratedFailureCount".into(), json!(n));
    }
    if let Some(p) = d.tolerated_failure_percentage() {
        m.insert("toleratedFailurePercentage".into(), json!(p));
    }
    if let Some(n) = d.max_concurrency() {
        m.insert("maxConcurrency".into(), json!(n));
    }
    if let Some(r) = d.request() {
        m.insert(
            "request".into(),
            json!({"protocol": r.protocol(), "method": r.method(), "url": r.url(), "headers": r.headers(), "body": r.body()}),
        );
    }
    if let Some(r) = d.response() {
        m.insert(
            "response".into(),
            json!({"protocol": r.protocol(), "statusCode": r.status_code(), "statusMessage": r.status_message(),
                   "headers": r.headers(), "body": r.body()}),
        );
    }
    if let Some(e) = d.error_details() {
        let mut ed = Map::new();
        if let Some(i) = e.catch_index() {
            ed.insert("catchIndex".into(), json!(i));
        }
        if let Some(s) = e.retry_backoff_interval_seconds() {
            ed.insert("retryBackoffIntervalSeconds".into(), json!(s));
        }
        if let Some(i) = e.retry_index() {
            ed.insert("retryIndex".into(), json!(i));
        }
        m.insert("errorDetails".into(), Value::Object(ed));
    }
    Value::Object(m)
}
