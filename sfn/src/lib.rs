//! The `sfn` engine: any Step Functions API endpoint through aws-sdk-sfn. Real AWS (opt-in:
//! it costs money), or an emulator at `--endpoint-url` (moto, LocalStack, Step Functions
//! Local).
//!
//! Each case gets its own state machine with a unique name: CreateStateMachine,
//! StartExecution (StartSyncExecution for `express` cases), DescribeExecution until it ends,
//! GetExecutionHistory (every page), DeleteStateMachine, whatever happened. Cases run
//! concurrently on a bounded pool; a throttled call backs off and retries, and a case that
//! stays throttled is `poisoned`. Tasks run as the plain-state stand-ins of [`lower`], so the
//! engine needs no Lambda.

pub mod api;
pub mod history;
pub mod local_http;
pub mod lower;
pub mod mock_config;
pub mod moto;
pub mod teststate_api;

use api::{Api, CallError};
use asl::Behaviours;
use asl_conformance::engine::{foreign_machine, Engine, Machine, Outcome, Reference, Request};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How to reach the endpoint and run cases there.
#[derive(Debug, Clone)]
pub struct SfnConfig {
    /// An emulator's URL; `None` means real AWS, which needs `aws_opt_in`.
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
    /// The role executions run as. Emulators accept any well-formed ARN.
    pub role_arn: Option<String>,
    /// The user said yes to real AWS (`--aws` or `ASLCHECK_AWS=1`).
    pub aws_opt_in: bool,
    /// Cases in flight at once.
    pub concurrency: usize,
    /// How long one case may run; also the most real time a case may need (Wait states and
    /// retry delays are real on these engines): a case that needs more is skipped.
    pub timeout: Duration,
    /// The engine's name in reports and for `corpus/expectations/<name>.toml`; `None`: ask the
    /// endpoint (moto and LocalStack say who they are), else `sfn`, or `aws` without an endpoint.
    pub name: Option<String>,
    /// Tasks call this scripted Lambda (`cargo xtask aws-setup` deploys it) instead of running
    /// as plain-state stand-ins.
    pub scripted_lambda: Option<String>,
    /// Tasks answer from the engine's mock configuration (Step Functions Local, LocalStack's
    /// SFN_MOCK_CONFIG), written by `cargo xtask corpus mock-config`.
    pub mock_config: bool,
    /// Seconds a measured retry delay may differ from the expected one (default: 0.25 on an
    /// emulator, 1 on AWS).
    pub timing_tolerance: Option<f64>,
}

impl Default for SfnConfig {
    fn default() -> Self {
        SfnConfig {
            endpoint_url: None,
            region: None,
            role_arn: None,
            aws_opt_in: false,
            concurrency: 8,
            timeout: Duration::from_secs(10),
            name: None,
            scripted_lambda: None,
            mock_config: false,
            timing_tolerance: None,
        }
    }
}

/// The machines nested in a state: each Parallel branch, and a Map's Iterator or
/// ItemProcessor (marked `true`: their states run once per item).
fn nested(state: &Value) -> Vec<(bool, &Value)> {
    let branches = state.get("Branches").and_then(Value::as_array).into_iter().flatten().map(|b| (false, b));
    let processors = ["Iterator", "ItemProcessor"].into_iter().filter_map(|k| state.get(k)).map(|p| (true, p));
    branches.chain(processors).collect()
}

/// [`nested`], for rewriting them.
fn nested_mut(state: &mut Value) -> Vec<(bool, &mut Value)> {
    let mut out = Vec::new();
    for (key, v) in state.as_object_mut().into_iter().flatten() {
        match key.as_str() {
            "Branches" => out.extend(v.as_array_mut().into_iter().flatten().map(|b| (false, b))),
            "Iterator" | "ItemProcessor" => out.push((true, v)),
            _ => {}
        }
    }
    out
}

/// Emulators take any role; this one names us.
const EMULATOR_ROLE: &str = "arn:aws:iam::123456789012:role/aslcheck";

pub struct SfnEngine {
    rt: tokio::runtime::Runtime,
    api: Arc<Api>,
    cfg: SfnConfig,
    name: String,
    version: String,
    role_arn: String,
    /// Unique per engine: state machine names are `aslcheck-<tag>-<n>`.
    tag: String,
    counter: AtomicU64,
}

impl SfnEngine {
    pub fn connect(cfg: SfnConfig) -> Result<SfnEngine, String> {
        if cfg.endpoint_url.is_none() && !cfg.aws_opt_in {
            return Err("--engine sfn without --endpoint-url talks to real AWS, which costs money: \
                        pass --aws (or set ASLCHECK_AWS=1) to confirm, or give an emulator's --endpoint-url"
                .into());
        }
        let role_arn = match (&cfg.role_arn, &cfg.endpoint_url) {
            (Some(r), _) => r.clone(),
            (None, Some(_)) => EMULATOR_ROLE.to_string(),
            (None, None) => {
                return Err("real AWS needs --role-arn (an IAM role Step Functions can assume; \
                            `cargo xtask aws-setup` creates one)"
                    .into())
            }
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("starting the async runtime: {e}"))?;
        let api = rt.block_on(Api::connect(cfg.endpoint_url.as_deref(), cfg.region.as_deref()));
        let detected = cfg.endpoint_url.as_deref().and_then(local_http::identify);
        if let (Some(url), Some("moto")) = (&cfg.endpoint_url, detected.as_deref()) {
            local_http::enable_moto_execution(url)?;
        }
        let name = cfg
            .name
            .clone()
            .or(detected)
            .unwrap_or_else(|| if cfg.endpoint_url.is_some() { "sfn" } else { "aws" }.to_string());
        let version = match &cfg.endpoint_url {
            Some(url) => format!("Step Functions API at {url}"),
            None => format!("AWS Step Functions ({})", api.region()),
        };
        // Reachability first, so a wrong URL is one clear error, not a failed case each.
        rt.block_on(api.list_machines(1))
            .map_err(|e| format!("cannot use the Step Functions API at {}: {e}", endpoint(&cfg)))?;
        let tag = run_tag();
        Ok(SfnEngine { rt, api: Arc::new(api), cfg, name, version, role_arn, tag, counter: AtomicU64::new(0) })
    }

    /// Names of the state machines on the endpoint that this harness created (any run).
    pub fn leftover_machines(&self) -> Result<Vec<String>, String> {
        let names = self.rt.block_on(self.api.list_machines(1000)).map_err(|e| e.to_string())?;
        Ok(names.into_iter().filter(|(n, _)| n.starts_with("aslcheck-")).map(|(n, _)| n).collect())
    }

    fn job(&self, req: &Request) -> Result<Job, Outcome> {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        prepare(req, &self.cfg, format!("aslcheck-{}-{n}", self.tag), &self.role_arn)
    }
}

fn endpoint(cfg: &SfnConfig) -> String {
    cfg.endpoint_url.clone().unwrap_or_else(|| "AWS".into())
}

/// A short tag unique enough between runs: the process id and the clock.
fn run_tag() -> String {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    format!("{:x}{:x}", t.as_millis() % 0xff_ffff, std::process::id() % 0xfff)
}

/// Everything a case needs, owned, so it can run on the pool.
#[derive(Debug, Clone)]
struct Job {
    machine_name: String,
    /// The definition text to send.
    definition: String,
    input: String,
    execution_name: Option<String>,
    express: bool,
    role_arn: String,
    timeout: Duration,
    lowered: BTreeSet<String>,
    /// Tasks call the scripted Lambda.
    lambda: bool,
    /// Executions start on `<machine ARN>#<test case>` (mock configuration).
    test_case: Option<String>,
    branch_starts: std::collections::HashMap<String, Vec<String>>,
}

/// Turns a request into a job, or says why it cannot run here.
fn prepare(req: &Request, cfg: &SfnConfig, machine_name: String, role_arn: &str) -> Result<Job, Outcome> {
    let behaviours = match req.behaviours {
        Some(b) => Behaviours::from_json(b).map_err(Outcome::Error)?,
        None => Behaviours::default(),
    };
    let execution_name = context_execution_name(req.context)?;
    let mut machine_name = machine_name;
    let (definition, lowered) = match (req.definition, &cfg.scripted_lambda) {
        (Value::String(text), _) => (text.clone(), BTreeSet::new()),
        (v, _) if cfg.mock_config => {
            mock_config::add_case(&mut json!({}), v, req.behaviours).map_err(Outcome::Unsupported)?;
            machine_name = mock_config::machine_name(v, req.behaviours);
            (v.to_string(), BTreeSet::new())
        }
        (v, Some(arn)) => {
            let empty = json!({});
            let lambda = lower::to_scripted_lambda(v, req.behaviours.unwrap_or(&empty), arn);
            (lambda.map_err(Outcome::Unsupported)?.to_string(), BTreeSet::new())
        }
        (v, None) => {
            let low = lower::lower(v, &behaviours).map_err(Outcome::Unsupported)?;
            (low.definition.to_string(), low.tasks)
        }
    };
    if req.expects_history && !lowered.is_empty() {
        return Err(Outcome::Unsupported(
            "the history of a scripted Task cannot be reproduced by its Parallel stand-in".into(),
        ));
    }
    // Wait states and retry delays take real time here: the reference's virtual clock says
    // how much.
    if let Outcome::Ran { result } = Reference.run(req) {
        let needs = result["duration_seconds"].as_f64().unwrap_or(0.0);
        if needs > cfg.timeout.as_secs_f64() * 0.8 {
            return Err(Outcome::Unsupported(format!(
                "needs {needs} s of real time on this engine (Wait states and retry delays are real); \
                 allowed: {} s (--timeout)",
                cfg.timeout.as_secs_f64()
            )));
        }
    }
    let branch_starts = match req.definition {
        Value::String(_) => Default::default(),
        v => history::branch_starts(v),
    };
    Ok(Job {
        machine_name,
        definition,
        input: req.input.to_string(),
        execution_name,
        express: req.flags.iter().any(|f| f == "express"),
        lambda: cfg.scripted_lambda.is_some(),
        test_case: cfg.mock_config.then(|| mock_config::TEST_CASE.to_string()),
        role_arn: role_arn.to_string(),
        timeout: cfg.timeout,
        lowered,
        branch_starts,
    })
}

/// Of a case's context object, only the execution's name can be given to StartExecution.
fn context_execution_name(context: Option<&Value>) -> Result<Option<String>, Outcome> {
    let Some(ctx) = context else { return Ok(None) };
    let fields: Vec<String> = ctx
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(k, v)| match v.as_object() {
            Some(o) => o.keys().map(|f| format!("{k}.{f}")).collect::<Vec<_>>(),
            None => vec![k.clone()],
        })
        .collect();
    if let Some(f) = fields.iter().find(|f| *f != "Execution.Name") {
        return Err(Outcome::Unsupported(format!("the context field $$.{f} cannot be set through the API")));
    }
    Ok(ctx["Execution"]["Name"].as_str().map(str::to_string))
}

impl Engine for SfnEngine {
    fn name(&self) -> &str {
        &self.name
    }

    fn version(&self) -> String {
        self.version.clone()
    }

    fn run(&mut self, req: &Request) -> Outcome {
        let job = match self.job(req) {
            Ok(j) => j,
            Err(o) => return o,
        };
        let stop = Arc::new(AtomicBool::new(false));
        self.rt.block_on(run_job(Arc::clone(&self.api), job, stop))
    }

    fn concurrency(&self) -> usize {
        self.cfg.concurrency.max(1)
    }

    fn timing_tolerance(&self) -> f64 {
        // Real clocks: API latency and the engine's scheduling add to every measured delay.
        let default = if self.cfg.endpoint_url.is_some() { 0.25 } else { 1.0 };
        self.cfg.timing_tolerance.unwrap_or(default)
    }

    fn create(&mut self, req: &Request) -> Result<Machine, Outcome> {
        let job = self.job(req)?;
        let arn = self.rt.block_on(create_machine(&self.api, &job))?;
        Ok(Machine::new(CreatedMachine { arn, job }))
    }

    fn run_created(&mut self, machine: &Machine, req: &Request) -> Outcome {
        let Some(m) = machine.handle::<CreatedMachine>() else {
            return foreign_machine(&self.name);
        };
        let execution_name = match context_execution_name(req.context) {
            Ok(n) => n,
            Err(o) => return o,
        };
        // AWS names an unnamed execution with a UUID; moto 5.2.5 (executions simulated) names
        // every one `None`, so a second unnamed execution of a machine is refused there as
        // ExecutionAlreadyExists. Executions of a created machine are therefore always named.
        let execution_name =
            execution_name.or_else(|| Some(format!("e{}", self.counter.fetch_add(1, Ordering::SeqCst))));
        let job = Job { input: req.input.to_string(), execution_name, ..m.job.clone() };
        let halt = AtomicBool::new(false);
        self.rt.block_on(execute(&self.api, &m.arn, &job, &halt))
    }

    fn delete(&mut self, machine: Machine) {
        if let Some(m) = machine.handle::<CreatedMachine>() {
            if let Err(e) = self.rt.block_on(self.api.delete_machine(&m.arn)) {
                eprintln!("sfn engine: could not delete state machine {}: {e}", m.arn);
            }
        }
    }

    fn run_stream(
        &mut self,
        reqs: &mut dyn Iterator<Item = (usize, Request)>,
        stop: &AtomicBool,
        done: asl_conformance::engine::Done,
    ) {
        let limit = self.concurrency();
        let halt = Arc::new(AtomicBool::new(false));
        let mut set = tokio::task::JoinSet::new();
        let mut exhausted = false;
        loop {
            while !exhausted && set.len() < limit && !stop.load(Ordering::SeqCst) {
                let Some((i, req)) = reqs.next() else {
                    exhausted = true;
                    break;
                };
                match self.job(&req) {
                    Ok(job) => {
                        let (api, halt) = (Arc::clone(&self.api), Arc::clone(&halt));
                        set.spawn_on(
                            async move {
                                let started = Instant::now();
                                (i, run_job(api, job, halt).await, started.elapsed())
                            },
                            self.rt.handle(),
                        );
                    }
                    Err(o) => {
                        if !done(i, o, Duration::ZERO) {
                            halt.store(true, Ordering::SeqCst);
                        }
                    }
                }
            }
            if stop.load(Ordering::SeqCst) {
                // Ctrl-C: in-flight executions are stopped and their machines deleted.
                halt.store(true, Ordering::SeqCst);
            }
            if set.is_empty() {
                break;
            }
            let next =
                self.rt.block_on(async { tokio::time::timeout(Duration::from_millis(100), set.join_next()).await });
            match next {
                Ok(Some(Ok((i, outcome, took)))) => {
                    let interrupted = halt.load(Ordering::SeqCst) && matches!(outcome, Outcome::Poisoned(_));
                    if !interrupted && !done(i, outcome, took) {
                        halt.store(true, Ordering::SeqCst);
                        exhausted = true;
                    }
                }
                Ok(Some(Err(e))) => eprintln!("sfn engine: a case task failed: {e}"),
                Ok(None) | Err(_) => {}
            }
            if halt.load(Ordering::SeqCst) {
                exhausted = true;
            }
        }
    }
}

/// A state machine made by [`Engine::create`]: its ARN, and the job it was made for.
struct CreatedMachine {
    arn: String,
    job: Job,
}

/// CreateStateMachine for a job. Any refusal is a rejected definition (moto answers some with
/// UnknownError, not InvalidDefinition): the comparison then shows which code it gave.
async fn create_machine(api: &Api, job: &Job) -> Result<String, Outcome> {
    match api.create_machine(&job.machine_name, &job.definition, &job.role_arn, job.express).await {
        Ok(arn) => Ok(arn),
        Err(CallError::Rejected { code, message } | CallError::Failed { code, message }) => {
            Err(rejected(&code, &message))
        }
        Err(e) => Err(call_failed("CreateStateMachine", e)),
    }
}

/// One case, start to finish; the state machine is deleted whatever happened.
async fn run_job(api: Arc<Api>, job: Job, halt: Arc<AtomicBool>) -> Outcome {
    let arn = match create_machine(&api, &job).await {
        Ok(arn) => arn,
        Err(outcome) => return outcome,
    };
    let outcome = execute(&api, &arn, &job, &halt).await;
    if let Err(e) = api.delete_machine(&arn).await {
        eprintln!("sfn engine: could not delete state machine {arn}: {e}");
    }
    outcome
}

async fn execute(api: &Api, arn: &str, job: &Job, halt: &AtomicBool) -> Outcome {
    let name = job.execution_name.as_deref();
    if job.express {
        return match api.start_sync(arn, &job.input, name).await {
            Ok(end) => Outcome::Ran { result: result_json(&end, None) },
            Err(e) => call_failed("StartSyncExecution", e),
        };
    }
    let target = match &job.test_case {
        Some(tc) => format!("{arn}#{tc}"),
        None => arn.to_string(),
    };
    let exec = match api.start(&target, &job.input, name).await {
        Ok(e) => e,
        Err(CallError::Rejected { code, message }) => {
            return Outcome::Ran { result: json!({"status": "NOT_STARTED", "error": code, "cause": message}) }
        }
        Err(e) => return call_failed("StartExecution", e),
    };
    let deadline = Instant::now() + job.timeout;
    let mut pause = Duration::from_millis(10);
    let mut settle: Option<Instant> = None;
    let end = loop {
        match api.describe(&exec).await {
            // moto 5.2.5 marks an execution SUCCEEDED a moment before it sets the output (its
            // worker assigns the status first), so a poll can see one without the other. AWS
            // documents the output as set whenever the execution succeeded: such an answer is
            // read again, for up to a second, before it is taken as it is.
            Ok(Some(end))
                if end.status == "SUCCEEDED"
                    && end.output.is_none()
                    && *settle.get_or_insert_with(|| Instant::now() + Duration::from_secs(1)) > Instant::now() =>
            {
                pause = Duration::from_millis(10);
            }
            Ok(Some(end)) => break end,
            Ok(None) => {}
            Err(e) => return call_failed("DescribeExecution", e),
        }
        if halt.load(Ordering::SeqCst) || Instant::now() >= deadline {
            let _ = api.stop(&exec).await;
            return if halt.load(Ordering::SeqCst) {
                Outcome::Poisoned("interrupted".into())
            } else {
                Outcome::TimedOut
            };
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 3 / 2).min(Duration::from_millis(250));
    };
    let events = match api.history(&exec).await {
        Ok(ev) => ev,
        Err(e) => return call_failed("GetExecutionHistory", e),
    };
    let mut result = result_json(&end, Some(&events));
    if job.lambda {
        unwrap_lambda_cause(&mut result);
    }
    if let Some(cause) = result["cause"].as_str().filter(|c| c.contains(lower::MARK)) {
        // The error names a stand-in state (and event ids the stand-in shifted): its text
        // says nothing about how the engine would word it for the Task.
        return Outcome::Unsupported(format!("the error's cause names a stand-in state: {cause}"));
    }
    let (route, retries) = history::route_and_retries(&events, &job.branch_starts, &job.lowered);
    result["states"] = route;
    result["retries"] = retries;
    if job.lowered.is_empty() {
        result["history"] = Value::Array(events.iter().map(history::Event::to_json).collect());
    }
    Outcome::Ran { result }
}

/// The result object from how the execution ended (and its history, for a missing error).
fn result_json(end: &api::Ending, events: Option<&[history::Event]>) -> Value {
    let mut r = json!({"status": end.status});
    if let Some(text) = &end.output {
        // DescribeExecution's output is JSON text; anything else is the engine's bug, shown as such.
        r["output"] = serde_json::from_str(text)
            .unwrap_or_else(|_| json!(format!("<DescribeExecution output is not JSON: {text}>")));
    }
    let from_history = |key: &str| {
        events.and_then(|evs| {
            evs.iter().rev().find_map(|e| {
                let (k, d) = e.details.as_ref()?;
                (k.starts_with("execution") && !k.starts_with("executionStarted"))
                    .then(|| d.get(key).and_then(Value::as_str).map(str::to_string))
                    .flatten()
            })
        })
    };
    if end.status != "SUCCEEDED" {
        if let Some(e) = end.error.clone().or_else(|| from_history("error")) {
            r["error"] = json!(e);
        }
        if let Some(c) = end.cause.clone().or_else(|| from_history("cause")) {
            r["cause"] = json!(c);
        }
    }
    r
}

/// A Lambda's error reaches Step Functions with the error document as its cause
/// (`{"errorMessage": ..., "errorType": ..., "stackTrace": [...]}`); the scripted behaviour's
/// cause is its `errorMessage`. UNSURE(aws): the document's exact keys for Python 3.12.
fn unwrap_lambda_cause(result: &mut Value) {
    let doc: Option<Value> = result["cause"].as_str().and_then(|c| serde_json::from_str(c).ok());
    if let Some(msg) = doc.as_ref().and_then(|d| d.get("errorMessage")).and_then(Value::as_str) {
        result["cause"] = json!(msg);
    }
}

/// An InvalidDefinition: AWS's message lists `CODE: message at /path` entries.
fn rejected(code: &str, message: &str) -> Outcome {
    let mut codes: Vec<String> = Vec::new();
    for word in message.split(|c: char| !(c.is_ascii_uppercase() || c == '_')) {
        if word.len() >= 8 && word.contains('_') && !codes.iter().any(|c| c == word) {
            codes.push(word.to_string());
        }
    }
    if codes.is_empty() {
        codes.push(code.to_string());
    }
    Outcome::Rejected { codes, messages: vec![format!("{code}: {message}")] }
}

fn call_failed(call: &str, e: CallError) -> Outcome {
    match e {
        CallError::Throttled(m) => Outcome::Poisoned(format!("{call} throttled: {m}")),
        CallError::Unreachable(m) => Outcome::Crashed(format!("{call}: {m}")),
        CallError::Rejected { code, message } | CallError::Failed { code, message } => {
            Outcome::Crashed(format!("{call} failed: {code}: {message}"))
        }
    }
}

impl Drop for SfnEngine {
    fn drop(&mut self) {
        // Machines of cases cut short (a panic on our side) would otherwise stay behind.
        let prefix = format!("aslcheck-{}-", self.tag);
        let api = Arc::clone(&self.api);
        let _ = self.rt.block_on(async move {
            let machines = api.list_machines(1000).await?;
            for (_, arn) in machines.into_iter().filter(|(n, _)| n.starts_with(&prefix)) {
                let _ = api.delete_machine(&arn).await;
            }
            Ok::<(), CallError>(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_definition_codes_come_from_the_message() {
        let msg = "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next, \
                   SCHEMA_VALIDATION_FAILED: The field \"X\" is not supported at /States/A'";
        let Outcome::Rejected { codes, .. } = rejected("InvalidDefinition", msg) else { panic!() };
        assert_eq!(codes, ["MISSING_TRANSITION_TARGET", "SCHEMA_VALIDATION_FAILED"]);
        let Outcome::Rejected { codes, .. } = rejected("InvalidDefinition", "bad") else { panic!() };
        assert_eq!(codes, ["InvalidDefinition"]);
    }

    #[test]
    fn only_the_execution_name_of_a_context_can_be_sent() {
        assert_eq!(context_execution_name(Some(&json!({"Execution": {"Name": "e1"}}))).unwrap(), Some("e1".into()));
        let Err(Outcome::Unsupported(why)) = context_execution_name(Some(&json!({"Execution": {"StartTime": "x"}})))
        else {
            panic!()
        };
        assert!(why.contains("$$.Execution.StartTime"), "{why}");
    }

    #[test]
    fn real_aws_needs_an_explicit_yes_and_a_role() {
        let err = SfnEngine::connect(SfnConfig::default()).err().unwrap();
        assert!(err.contains("--aws"), "{err}");
        let err = SfnEngine::connect(SfnConfig { aws_opt_in: true, ..SfnConfig::default() }).err().unwrap();
        assert!(err.contains("--role-arn"), "{err}");
    }

    #[test]
    fn a_lambda_error_document_gives_its_message_as_the_cause() {
        let mut r = json!({"cause": "{\"errorMessage\": \"try later\", \"errorType\": \"Busy\", \"stackTrace\": []}"});
        unwrap_lambda_cause(&mut r);
        assert_eq!(r["cause"], "try later");
        let mut plain = json!({"cause": "not json"});
        unwrap_lambda_cause(&mut plain);
        assert_eq!(plain["cause"], "not json");
    }

    #[test]
    fn output_that_is_not_json_is_shown_as_the_engines_fault() {
        let end = api::Ending { status: "SUCCEEDED".into(), output: Some("str".into()), error: None, cause: None };
        assert_eq!(result_json(&end, None)["output"], json!("<DescribeExecution output is not JSON: str>"));
    }
}
