//! The execution's identity for the context object (`$$`): names, ARNs, role, start time.

use crate::timestamp;
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionContext {
    pub execution_name: String,
    pub execution_id: String,
    pub role_arn: String,
    /// Epoch milliseconds; the virtual clock starts here.
    pub start_time: i64,
    pub state_machine_name: String,
    pub state_machine_id: String,
    pub region: String,
    /// `$$.Execution.Input` when the caller gives one; else the execution input.
    pub input: Option<Value>,
}

/// 2024-01-01T00:00:00.000Z: a fixed default start so runs are reproducible.
pub const DEFAULT_START: i64 = 1_704_067_200_000;

impl Default for ExecutionContext {
    fn default() -> Self {
        ExecutionContext {
            execution_name: "aslcheck-execution".into(),
            execution_id: "arn:aws:states:us-east-1:123456789012:execution:aslcheck:aslcheck-execution".into(),
            role_arn: "arn:aws:iam::123456789012:role/aslcheck".into(),
            start_time: DEFAULT_START,
            state_machine_name: "aslcheck".into(),
            state_machine_id: "arn:aws:states:us-east-1:123456789012:stateMachine:aslcheck".into(),
            region: "us-east-1".into(),
            input: None,
        }
    }
}

impl ExecutionContext {
    /// Reads `{"Execution": {"Name", "Id", "RoleArn", "StartTime", "Input"?}, "StateMachine": {"Name", "Id"}}`;
    /// missing fields keep their defaults.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        let mut c = ExecutionContext::default();
        let obj = v.as_object().ok_or("the context must be a JSON object")?;
        for key in obj.keys() {
            if key != "Execution" && key != "StateMachine" {
                return Err(format!("context: field '{key}' is not supported (only Execution and StateMachine)"));
            }
        }
        let text = |o: &Value, k: &str| -> Result<Option<String>, String> {
            match o.get(k) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("context: {k} must be a string")),
            }
        };
        if let Some(e) = obj.get("Execution") {
            if let Some(s) = text(e, "Name")? {
                c.execution_name = s;
            }
            if let Some(s) = text(e, "Id")? {
                c.execution_id = s;
            }
            if let Some(s) = text(e, "RoleArn")? {
                c.role_arn = s;
            }
            if let Some(s) = text(e, "StartTime")? {
                let t = timestamp::parse(&s)
                    .ok_or(format!("context: Execution.StartTime '{s}' is not an ISO-8601 timestamp"))?;
                c.start_time = t.timestamp_millis();
            }
            c.input = e.get("Input").cloned();
        }
        if let Some(sm) = obj.get("StateMachine") {
            if let Some(s) = text(sm, "Name")? {
                c.state_machine_name = s;
            }
            if let Some(s) = text(sm, "Id")? {
                c.state_machine_id = s;
            }
        }
        Ok(c)
    }

    pub(crate) fn execution_json(&self, input: &Value) -> Value {
        json!({
            "Id": self.execution_id,
            "Input": self.input.as_ref().unwrap_or(input),
            "StartTime": timestamp::format_millis(self.start_time),
            "Name": self.execution_name,
            "RoleArn": self.role_arn,
            "RedriveCount": 0,
        })
    }

    pub(crate) fn state_machine_json(&self) -> Value {
        json!({ "Id": self.state_machine_id, "Name": self.state_machine_name })
    }
}
