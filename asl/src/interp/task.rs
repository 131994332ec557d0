//! States that retry and catch (Task, Parallel, Map), and the scripted Task itself.

use super::jsonata::{Data, NumberField};
use super::runner::{failure_details, obj, Entered, Halt, Route, Runner, Thread, Transition};
use crate::behaviour::Outcome;
use crate::error::{names, Failure};
use crate::jsonata::Expected;
use crate::model::{Catcher, Kind, NumberSource, QueryLanguage, Retrier, Task};
use crate::retry;
use serde_json::{json, Value};

/// How a Task's resource shows in the history.
enum Family {
    /// Optimized and SDK integrations: `Task*` events with resourceType/resource.
    Service { resource_type: String, resource: String },
    /// A Lambda function ARN: `LambdaFunction*` events.
    Lambda,
    /// An activity ARN: `Activity*` events.
    Activity,
}

fn family(resource: &str) -> Family {
    if resource.starts_with("arn:aws:lambda:") && resource.contains(":function:") {
        return Family::Lambda;
    }
    if resource.starts_with("arn:aws:states:") && resource.contains(":activity:") {
        return Family::Activity;
    }
    // `arn:aws:states:::lambda:invoke` → `lambda` / `invoke`;
    // `arn:aws:states:::states:startExecution.sync:2` → `states` / `startExecution.sync:2`;
    // UNSURE(aws): `arn:aws:states:::aws-sdk:s3:getObject` → `aws-sdk:s3` / `getObject`.
    let tail = resource.strip_prefix("arn:aws:states:::").unwrap_or(resource);
    let split = match tail.strip_prefix("aws-sdk:") {
        Some(rest) => rest.split_once(':').map(|(svc, api)| (format!("aws-sdk:{svc}"), api.to_string())),
        None => tail.split_once(':').map(|(t, r)| (t.to_string(), r.to_string())),
    };
    let (resource_type, resource) = split.unwrap_or_else(|| (tail.to_string(), String::new()));
    Family::Service { resource_type, resource }
}

impl Runner<'_> {
    /// Runs attempts of a Task/Parallel/Map under its Retry and Catch lists.
    pub fn run_retryable<'s>(
        &mut self,
        entered: &Entered<'s>,
        raw: Value,
        th: &mut Thread,
        route_index: usize,
    ) -> Result<Transition<'s>, Halt> {
        let (retriers, catchers): (&[Retrier], &[Catcher]) = match &entered.state.kind {
            Kind::Task(t) => (&t.retry, &t.catch),
            Kind::Parallel(p) => (&p.retry, &p.catch),
            Kind::Map(m) => (&m.retry, &m.catch),
            _ => (&[], &[]),
        };
        let mut counts = vec![0u64; retriers.len()];
        let mut retry_count = 0u64;
        let mut delays = Vec::new();
        let jsonata = entered.state.query_language == QueryLanguage::Jsonata;
        let failure = loop {
            self.fanout_failed = None;
            let outcome =
                self.attempt(entered, &raw, th, retry_count, route_index).and_then(|(result, result_path)| {
                    if jsonata {
                        self.finish_jsonata(entered, &raw, result, th, retry_count)
                    } else {
                        self.finish(entered, raw.clone(), result, result_path, th)
                    }
                });
            let failure = match outcome {
                Ok(step) => {
                    self.record_retries(entered, delays);
                    return Ok(step);
                }
                Err(Halt::Fail(f)) => f,
                Err(halt) => return Err(halt),
            };
            let name = failure.error_name();
            let Some(i) = retriers.iter().position(|r| retry::matches(&r.error_equals, name)) else { break failure };
            if counts[i] >= retriers[i].max_attempts {
                break failure;
            }
            let delay = retry::delay_seconds(&retriers[i], counts[i], &mut self.rng);
            counts[i] += 1;
            retry_count += 1;
            // A retried attempt counts as a transition (DESIGN section 8).
            self.transitions += 1;
            delays.push(delay);
            self.advance(th, (delay * 1000.0).round() as i64)?;
        };
        self.record_retries(entered, delays);
        if let Some(kind) = self.fanout_failed.take() {
            self.event(th, kind, || Value::Null)?;
        }
        let name = failure.error_name();
        let Some(c) = catchers.iter().find(|c| retry::matches(&c.error_equals, name)) else {
            return Err(Halt::Fail(failure));
        };
        // The state's own ResultSelector/ResultPath/OutputPath are skipped: the error output
        // merges into the raw input through the Catcher's ResultPath.
        let error_output = failure.error_output();
        if jsonata {
            return self.catch_jsonata(entered, c, &raw, error_output, th, retry_count);
        }
        let assigned = self.assign(entered, c.assign.as_ref(), &error_output, th, Some(retry_count))?;
        let out = self.result_path(entered, raw, error_output, &c.result_path)?;
        self.exit(entered, th, &out, assigned)?;
        Ok(Transition::Next(&c.next, out))
    }

    fn record_retries(&mut self, entered: &Entered, delays: Vec<f64>) {
        if !delays.is_empty() {
            self.retries.push(super::RetryRecord { state: entered.state.name.to_string(), delays });
        }
    }

    /// One attempt: the state's work up to its result (after ResultSelector).
    fn attempt<'s>(
        &mut self,
        entered: &Entered<'s>,
        raw: &Value,
        th: &mut Thread,
        retry_count: u64,
        route_index: usize,
    ) -> Result<(Value, &'s crate::model::IoPath), Halt> {
        match &entered.state.kind {
            Kind::Task(t) => Ok((self.task_attempt(entered, t, raw, th, retry_count)?, &t.result_path)),
            Kind::Parallel(p) => {
                Ok((self.parallel_attempt(entered, p, raw, th, Attempt { retry_count, route_index })?, &p.result_path))
            }
            Kind::Map(m) => {
                Ok((self.map_attempt(entered, m, raw, th, Attempt { retry_count, route_index })?, &m.result_path))
            }
            _ => Err(Halt::Fail(Failure::runtime("not a retryable state"))),
        }
    }

    fn task_attempt(
        &mut self,
        entered: &Entered,
        t: &Task,
        raw: &Value,
        th: &mut Thread,
        retry_count: u64,
    ) -> Result<Value, Halt> {
        let effective = match &t.arguments {
            Some(a) => self.query(entered, a, Data::input(raw), Expected::Any, th, Some(retry_count), None)?,
            None => self.effective_input(entered, raw, t.parameters.as_ref(), th, Some(retry_count))?,
        };
        let timeout = self.task_seconds(entered, t.timeout.as_ref(), "TimeoutSeconds", raw, th, retry_count)?;
        let heartbeat = self.task_seconds(entered, t.heartbeat.as_ref(), "HeartbeatSeconds", raw, th, retry_count)?;
        let fam = family(&t.resource);
        let region = self.opts.context.region.clone();
        let service = |extra: Value| match &fam {
            Family::Service { resource_type, resource } => {
                let mut d = obj(json!({"resourceType": resource_type, "resource": resource}));
                d.extend(obj(extra));
                Value::Object(d)
            }
            _ => extra,
        };
        let input_text = effective.to_string();
        let (scheduled, started, succeeded, failed, timed_out) = match fam {
            Family::Service { .. } => ("TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskFailed", "TaskTimedOut"),
            Family::Lambda => (
                "LambdaFunctionScheduled",
                "LambdaFunctionStarted",
                "LambdaFunctionSucceeded",
                "LambdaFunctionFailed",
                "LambdaFunctionTimedOut",
            ),
            Family::Activity => {
                ("ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "ActivityFailed", "ActivityTimedOut")
            }
        };
        self.event(th, scheduled, || {
            let mut d = match &fam {
                Family::Service { .. } => obj(service(json!({"region": region, "parameters": input_text}))),
                _ => obj(json!({"resource": t.resource, "input": input_text, "inputDetails": {"truncated": false}})),
            };
            if let Some(s) = timeout {
                d.insert("timeoutInSeconds".into(), s.into());
            }
            if let (Some(h), false) = (heartbeat, matches!(fam, Family::Lambda)) {
                d.insert("heartbeatInSeconds".into(), h.into());
            }
            Value::Object(d)
        })?;
        self.event(th, started, || match &fam {
            Family::Service { .. } => service(json!({})),
            Family::Lambda => Value::Null,
            Family::Activity => json!({"workerName": "aslcheck"}),
        })?;
        let step = self.opts.behaviours.step(&entered.state.name, th.item, retry_count).clone();
        // A scripted task never heartbeats, so a heartbeat limit acts like a timeout for the
        // task kinds that heartbeat (callbacks and activities). AWS reported the expiry as
        // States.Timeout (asl-features 6.6), not States.HeartbeatTimeout.
        let heartbeats = entered.token.is_some() || matches!(fam, Family::Activity);
        let limit = [timeout, heartbeat.filter(|_| heartbeats)].into_iter().flatten().min();
        let run_ms = (step.sleep * 1000.0).round() as i64;
        if let Some(limit) = limit {
            if run_ms > (limit as i64) * 1000 {
                self.advance(th, (limit as i64) * 1000)?;
                let f = Failure { error: Some(names::TIMEOUT.into()), cause: None };
                self.event(th, timed_out, || service(Value::Object(failure_details(&f))))?;
                return Err(Halt::Fail(f));
            }
        }
        self.advance(th, run_ms)?;
        let result = match step.outcome {
            Outcome::Return(v) => v,
            Outcome::Echo => effective,
            Outcome::Throw { error, cause } => {
                let f = Failure { error: Some(error), cause };
                self.event(th, failed, || service(Value::Object(failure_details(&f))))?;
                return Err(Halt::Fail(f));
            }
        };
        let subject = match &fam {
            Family::Service { resource_type, .. } => resource_type.as_str(),
            Family::Lambda | Family::Activity => t.resource.as_str(),
        };
        if let Err(f) = self.check_size(subject, &result) {
            self.event(th, failed, || service(Value::Object(failure_details(&f))))?;
            return Err(Halt::Fail(f));
        }
        let out_text = result.to_string();
        self.event(th, succeeded, || service(json!({"output": out_text, "outputDetails": {"truncated": false}})))?;
        match &t.result_selector {
            Some(rs) => Ok(self.template(entered, rs, &result, th, Some(retry_count), None)?),
            None => Ok(result),
        }
    }

    /// `TimeoutSeconds`/`HeartbeatSeconds`, their `Path` forms or expressions, in whole seconds.
    fn task_seconds(
        &mut self,
        entered: &Entered,
        src: Option<&NumberSource>,
        name: &str,
        raw: &Value,
        th: &Thread,
        retry_count: u64,
    ) -> Result<Option<u64>, Halt> {
        match src {
            None => Ok(None),
            Some(NumberSource::Value(n)) => Ok(Some(*n as u64)),
            Some(NumberSource::Expr(f)) => {
                let v = self.query(entered, f, Data::input(raw), Expected::Number, th, Some(retry_count), None)?;
                Ok(Some(self.expression_integer(entered, &v, NumberField { name, min: 1.0 })?))
            }
            Some(NumberSource::Path(p)) => match self.read_path(entered, p, raw, th)? {
                Some(v) if v.as_u64().is_some_and(|n| n > 0) => Ok(v.as_u64()),
                Some(v) => Err(Halt::Fail(entered.fail(Failure::runtime(format!(
                    // UNSURE(aws): the cause for a TimeoutSecondsPath value that is not a positive integer.
                    "The {name}Path field refers to value \"{}\" which is not a valid positive integer: {}",
                    v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()),
                    p.source()
                ))))),
                None => Err(Halt::Fail(entered.fail(Failure::runtime(format!(
                    "Invalid path '{}' : No results for path: {}",
                    p.source(),
                    p
                ))))),
            },
        }
    }
}

/// Which attempt of a fan-out state is running, and where its route entry goes.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    pub retry_count: u64,
    pub route_index: usize,
}

/// A route entry for a fan-out attempt: the first attempt replaces the plain entry pushed when
/// the state was entered; a retry adds another.
pub fn record_fanout(th: &mut Thread, route_index: usize, name: &str, branches: Vec<Vec<Route>>, first: bool) {
    let entry = Route::Fanout { name: name.to_string(), branches };
    match th.routes.get_mut(route_index) {
        Some(slot) if first => *slot = entry,
        _ => th.routes.push(entry),
    }
}
