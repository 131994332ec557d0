//! The Step Functions API calls the `sfn` engine makes, with throttling handled in one place.

use super::history::Event;
use aws_sdk_sfn::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sfn::types::{HistoryEvent, StateMachineType};
use aws_sdk_sfn::Client;
use serde_json::{json, Value};
use std::future::Future;
use std::time::Duration;

/// Why a call did not give an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// Still throttled after backing off.
    Throttled(String),
    /// The endpoint could not be reached (connection refused, timeout...).
    Unreachable(String),
    /// The request was refused as invalid: InvalidDefinition, InvalidExecutionInput...
    Rejected { code: String, message: String },
    /// Any other service error.
    Failed { code: String, message: String },
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Throttled(m) => write!(f, "throttled: {m}"),
            CallError::Unreachable(m) => write!(f, "unreachable: {m}"),
            CallError::Rejected { code, message } | CallError::Failed { code, message } => {
                write!(f, "{code}: {message}")
            }
        }
    }
}

/// How an execution ended (DescribeExecution or StartSyncExecution).
#[derive(Debug, Clone, PartialEq)]
pub struct Ending {
    pub status: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

pub struct Api {
    client: Client,
    region: String,
}

/// The SDK's configuration loader (credentials and region from the environment, as the AWS
/// CLI finds them) with an HTTPS client on rustls and ring. Every AWS client here starts from it.
pub fn aws_loader() -> aws_config::ConfigLoader {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    let http = aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(http)
}

/// StartSyncExecution and TestState go to `sync-<host>` on AWS; an emulator at a given URL
/// (`http://127.0.0.1:5000`) has no such host, so the prefix is taken off again before signing.
#[derive(Debug)]
struct NoHostPrefix;

impl aws_sdk_sfn::config::Intercept for NoHostPrefix {
    fn name(&self) -> &'static str {
        "NoHostPrefix"
    }

    fn modify_before_signing(
        &self,
        context: &mut aws_sdk_sfn::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _: &aws_sdk_sfn::config::RuntimeComponents,
        _: &mut aws_sdk_sfn::config::ConfigBag,
    ) -> Result<(), aws_sdk_sfn::error::BoxError> {
        let uri = context.request().uri().to_string();
        if let Some((scheme, rest)) = uri.split_once("://") {
            if let Some(host) = rest.strip_prefix("sync-") {
                context.request_mut().set_uri(format!("{scheme}://{host}"))?;
            }
        }
        Ok(())
    }
}

/// Retries of a throttled call, on top of the SDK's own, before the case is poisoned.
const THROTTLE_RETRIES: u32 = 6;

impl Api {
    pub async fn connect(endpoint_url: Option<&str>, region: Option<&str>) -> Api {
        let mut loader = aws_loader();
        if let Some(r) = region {
            loader = loader.region(aws_config::Region::new(r.to_string()));
        }
        if let Some(url) = endpoint_url {
            loader = loader.endpoint_url(url);
            // Emulators want some credentials but check none: don't make users set them.
            if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() && std::env::var_os("AWS_PROFILE").is_none() {
                loader = loader.credentials_provider(aws_sdk_sfn::config::Credentials::new(
                    "aslcheck", "aslcheck", None, None, "aslcheck",
                ));
            }
            if region.is_none()
                && std::env::var_os("AWS_REGION").is_none()
                && std::env::var_os("AWS_DEFAULT_REGION").is_none()
            {
                loader = loader.region(aws_config::Region::new("us-east-1"));
            }
        }
        let conf = loader.load().await;
        let region = conf.region().map(|r| r.to_string()).unwrap_or_else(|| "(no region)".into());
        let mut sfn = aws_sdk_sfn::config::Builder::from(&conf);
        if endpoint_url.is_some() {
            sfn = sfn.interceptor(NoHostPrefix);
        }
        Api { client: Client::from_conf(sfn.build()), region }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// (name, ARN) of up to `limit` state machines.
    pub async fn list_machines(&self, limit: usize) -> Result<Vec<(String, String)>, CallError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = throttled(|| self.client.list_state_machines().set_next_token(token.clone()).send()).await?;
            out.extend(page.state_machines().iter().map(|m| (m.name().to_string(), m.state_machine_arn().to_string())));
            token = page.next_token().map(str::to_string);
            if token.is_none() || out.len() >= limit {
                return Ok(out);
            }
        }
    }

    pub async fn create_machine(
        &self,
        name: &str,
        definition: &str,
        role: &str,
        express: bool,
    ) -> Result<String, CallError> {
        let kind = if express { StateMachineType::Express } else { StateMachineType::Standard };
        let made = throttled(|| {
            self.client
                .create_state_machine()
                .name(name)
                .definition(definition)
                .role_arn(role)
                .r#type(kind.clone())
                .send()
        })
        .await?;
        Ok(made.state_machine_arn().to_string())
    }

    pub async fn delete_machine(&self, arn: &str) -> Result<(), CallError> {
        throttled(|| self.client.delete_state_machine().state_machine_arn(arn).send()).await.map(|_| ())
    }

    pub async fn start(&self, machine: &str, input: &str, name: Option<&str>) -> Result<String, CallError> {
        let started = throttled(|| {
            self.client
                .start_execution()
                .state_machine_arn(machine)
                .input(input)
                .set_name(name.map(str::to_string))
                .send()
        })
        .await?;
        Ok(started.execution_arn().to_string())
    }

    pub async fn start_sync(&self, machine: &str, input: &str, name: Option<&str>) -> Result<Ending, CallError> {
        let out = throttled(|| {
            self.client
                .start_sync_execution()
                .state_machine_arn(machine)
                .input(input)
                .set_name(name.map(str::to_string))
                .send()
        })
        .await?;
        Ok(Ending {
            status: out.status().as_str().to_string(),
            output: out.output().map(str::to_string),
            error: out.error().map(str::to_string),
            cause: out.cause().map(str::to_string),
        })
    }

    /// How the execution ended, or `None` while it runs.
    pub async fn describe(&self, execution: &str) -> Result<Option<Ending>, CallError> {
        let d = throttled(|| self.client.describe_execution().execution_arn(execution).send()).await?;
        let status = d.status().as_str().to_string();
        if status == "RUNNING" || status == "PENDING_REDRIVE" {
            return Ok(None);
        }
        Ok(Some(Ending {
            status,
            output: d.output().map(str::to_string),
            error: d.error().map(str::to_string),
            cause: d.cause().map(str::to_string),
        }))
    }

    pub async fn stop(&self, execution: &str) -> Result<(), CallError> {
        throttled(|| self.client.stop_execution().execution_arn(execution).cause("stopped by aslcheck").send())
            .await
            .map(|_| ())
    }

    /// Every page of the history, oldest first.
    pub async fn history(&self, execution: &str) -> Result<Vec<Event>, CallError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = throttled(|| {
                self.client
                    .get_execution_history()
                    .execution_arn(execution)
                    .max_results(1000)
                    .set_next_token(token.clone())
                    .send()
            })
            .await?;
            out.extend(page.events().iter().map(event));
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(out);
            }
        }
    }
}

/// Runs a call, backing off while it is throttled (0.2 s doubling, up to 6 more tries).
async fn throttled<T, E, F, Fut>(mut call: F) -> Result<T, CallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let mut pause = Duration::from_millis(200);
    for attempt in 0.. {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) => match classify(&e) {
                CallError::Throttled(m) if attempt < THROTTLE_RETRIES => {
                    let _ = m;
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                other => return Err(other),
            },
        }
    }
    unreachable!("the loop returns")
}

fn classify<E: ProvideErrorMetadata + std::error::Error + 'static>(e: &SdkError<E>) -> CallError {
    if let SdkError::ServiceError(se) = e {
        let status = se.raw().status().as_u16();
        if e.code().is_none() && status >= 500 {
            // Not the API's JSON error: emulators answer an operation they lack this way.
            return CallError::Failed {
                code: format!("HTTP {status}"),
                message: "the endpoint failed without an API error (it may not implement this operation)".into(),
            };
        }
    }
    let code = e.code().unwrap_or_default().to_string();
    let message = e.message().map(str::to_string).unwrap_or_else(|| error_chain(e));
    match e {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => CallError::Unreachable(error_chain(e)),
        _ if code.contains("Throttl") || code == "TooManyRequestsException" || code == "RequestLimitExceeded" => {
            CallError::Throttled(format!("{code}: {message}"))
        }
        _ if matches!(
            code.as_str(),
            "InvalidDefinition" | "InvalidExecutionInput" | "InvalidName" | "ValidationException" | "InvalidArn"
        ) =>
        {
            CallError::Rejected { code, message }
        }
        _ => CallError::Failed { code: if code.is_empty() { "error".into() } else { code }, message },
    }
}

/// An error and its causes on one line (`dispatch failure: io error: ... Connection refused`),
/// each cause once: the SDK's own `DisplayErrorContext` ends with a Debug dump of the error.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !text.is_empty() && !parts.last().is_some_and(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}

/// An SDK event as the engine-neutral [`Event`], with the details the comparisons read.
fn event(e: &HistoryEvent) -> Event {
    let s = |v: Option<&str>| v.map(|t| json!(t)).unwrap_or(Value::Null);
    let details = if let Some(d) = e.state_entered_event_details() {
        Some(("stateEnteredEventDetails", json!({"name": d.name(), "input": s(d.input())})))
    } else if let Some(d) = e.state_exited_event_details() {
        Some(("stateExitedEventDetails", json!({"name": d.name(), "output": s(d.output())})))
    } else if let Some(d) = e.execution_started_event_details() {
        Some(("executionStartedEventDetails", json!({"input": s(d.input()), "roleArn": s(d.role_arn())})))
    } else if let Some(d) = e.execution_succeeded_event_details() {
        Some(("executionSucceededEventDetails", json!({"output": s(d.output())})))
    } else if let Some(d) = e.execution_failed_event_details() {
        Some(("executionFailedEventDetails", json!({"error": s(d.error()), "cause": s(d.cause())})))
    } else if let Some(d) = e.execution_timed_out_event_details() {
        Some(("executionTimedOutEventDetails", json!({"error": s(d.error()), "cause": s(d.cause())})))
    } else if let Some(d) = e.execution_aborted_event_details() {
        Some(("executionAbortedEventDetails", json!({"error": s(d.error()), "cause": s(d.cause())})))
    } else if let Some(d) = e.task_scheduled_event_details() {
        Some((
            "taskScheduledEventDetails",
            json!({"resourceType": d.resource_type(), "resource": d.resource(), "region": d.region(), "parameters": d.parameters()}),
        ))
    } else if let Some(d) = e.task_failed_event_details() {
        Some((
            "taskFailedEventDetails",
            json!({"resourceType": d.resource_type(), "resource": d.resource(), "error": s(d.error()), "cause": s(d.cause())}),
        ))
    } else if let Some(d) = e.task_succeeded_event_details() {
        Some((
            "taskSucceededEventDetails",
            json!({"resourceType": d.resource_type(), "resource": d.resource(), "output": s(d.output())}),
        ))
    } else if let Some(d) = e.map_state_started_event_details() {
        Some(("mapStateStartedEventDetails", json!({"length": d.length()})))
    } else {
        [
            e.map_iteration_started_event_details(),
            e.map_iteration_succeeded_event_details(),
            e.map_iteration_failed_event_details(),
            e.map_iteration_aborted_event_details(),
        ]
        .into_iter()
        .zip([
            "mapIterationStartedEventDetails",
            "mapIterationSucceededEventDetails",
            "mapIterationFailedEventDetails",
            "mapIterationAbortedEventDetails",
        ])
        .find_map(|(d, k)| d.map(|d| (k, json!({"name": s(d.name()), "index": d.index()}))))
    };
    Event {
        id: e.id(),
        previous: e.previous_event_id(),
        at: e.timestamp().as_secs_f64(),
        kind: e.r#type().as_str().to_string(),
        details: details.map(|(k, v)| (k.to_string(), v)),
    }
}
