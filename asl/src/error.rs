//! Errors raised while a state machine runs: AWS's error names and the `Failure` value that
//! carries a name and a cause through Retry, Catch and the execution result.

use serde_json::{json, Value};

/// The predefined error names of the States language (AWS developer guide, "Error names").
pub mod names {
    pub const ALL: &str = "States.ALL";
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
    pub const PERMISSIONS: &str = "States.Permissions";
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
    pub const RUNTIME: &str = "States.Runtime";
    pub const TASK_FAILED: &str = "States.TaskFailed";
    pub const TIMEOUT: &str = "States.Timeout";
    pub const BRANCH_FAILED: &str = "States.BranchFailed";
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
}

/// An error raised by a state: AWS's `error` and `cause`.
///
/// Both are optional because a `Fail` state may name neither (AWS then reports an
/// `ExecutionFailed` event with empty details).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: Option<String>,
    pub cause: Option<String>,
}

impl Failure {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Failure { error: Some(error.into()), cause: Some(cause.into()) }
    }

    /// `States.Runtime`: path failures and other faults that AWS never retries or catches.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Failure::new(names::RUNTIME, cause)
    }

    /// `States.IntrinsicFailure`: an intrinsic function rejected its arguments at run time.
    pub fn intrinsic(cause: impl Into<String>) -> Self {
        Failure::new(names::INTRINSIC_FAILURE, cause)
    }

    pub fn error_name(&self) -> &str {
        self.error.as_deref().unwrap_or("")
    }

    /// The error output a Catcher passes on: `{"Error": ..., "Cause": ...}`.
    ///
    /// A timeout has no cause in its history event, yet AWS hands a catcher `"Cause": ""`
    /// (observed; asl-features 6.3).
    pub fn error_output(&self) -> Value {
        let cause = match (&self.cause, self.error.as_deref()) {
            (None, Some(names::TIMEOUT)) => Some(String::new()),
            (c, _) => c.clone(),
        };
        json!({ "Error": self.error, "Cause": cause })
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error_name(), self.cause.as_deref().unwrap_or(""))
    }
}
