//! The state loop: entering states, the JSONPath input/output pipeline, events, the clock.

use super::env::{Env, StateCtx, Vars};
use super::jsonata::Data;
use super::{RetryRecord, RunOptions, RunResult, Status};
use crate::error::{names, Failure};
use crate::history::{Details, History};
use crate::jsonata::Expected;
use crate::model::{IoPath, Kind, Payload, QueryLanguage, State, StateMachine, Test, TextSource, Wait};
use crate::path::JsonPath;
use crate::random::SeededRandom;
use crate::template::{self, Template};
use crate::timestamp;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// AWS's payload quota: 256 KiB of UTF-8 for inputs, outputs and results.
pub const MAX_PAYLOAD_BYTES: usize = 262_144;

/// Why a (sub-)machine stopped early.
#[derive(Debug)]
pub enum Halt {
    /// An error left its scope uncaught (for a branch: it fails the Parallel/Map).
    Fail(Failure),
    /// The execution's `TimeoutSeconds` expired: nothing catches this.
    TimedOut,
}

impl From<Failure> for Halt {
    fn from(f: Failure) -> Self {
        Halt::Fail(f)
    }
}

/// One entry of the routing record.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    State(Arc<str>),
    /// A Parallel or Map attempt: the states entered in each branch or iteration.
    Fanout {
        name: String,
        branches: Vec<Vec<Route>>,
    },
}

impl Route {
    pub fn to_json(&self) -> Value {
        match self {
            Route::State(n) => Value::String(n.to_string()),
            Route::Fanout { name, branches } => {
                let b: Vec<Value> =
                    branches.iter().map(|r| Value::Array(r.iter().map(Route::to_json).collect())).collect();
                json!({ name.clone(): b })
            }
        }
    }
}

/// One line of execution: the top level, a Parallel branch or a Map iteration.
pub struct Thread<'p> {
    /// Virtual time, epoch milliseconds.
    pub now: i64,
    /// The id of this thread's latest event (what the next event's previousEventId is).
    pub prev: u64,
    pub vars: Vars<'p>,
    /// The innermost Map item index, for behaviours.
    pub item: Option<u64>,
    pub routes: Vec<Route>,
}

/// What a state decided.
pub enum Transition<'s> {
    Next(&'s str, Value),
    End(Value),
}

/// The state being run: what causes and events need.
pub struct Entered<'s> {
    pub state: &'s State,
    pub id: u64,
    pub time: i64,
    /// `$$.Task.Token` of a callback (`.waitForTaskToken`) Task.
    pub token: Option<String>,
}

impl Entered<'_> {
    /// AWS prefixes the causes of errors raised while processing a state's data.
    pub fn fail(&self, f: Failure) -> Failure {
        let prefix = format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). ",
            self.state.name, self.id
        );
        Failure { error: f.error, cause: Some(prefix + f.cause.as_deref().unwrap_or("")) }
    }
}

pub struct Runner<'o> {
    pub opts: &'o RunOptions,
    pub rng: SeededRandom,
    pub history: History,
    pub transitions: u64,
    pub retries: Vec<RetryRecord>,
    pub deadline: Option<i64>,
    /// The `...StateFailed` event a failed fan-out attempt owes, emitted only once the failure
    /// is final (AWS writes none before a retry).
    pub fanout_failed: Option<&'static str>,
    pub execution: Value,
    pub state_machine: Value,
}

impl<'o> Runner<'o> {
    pub fn new(opts: &'o RunOptions) -> Self {
        Runner {
            opts,
            rng: SeededRandom::new(opts.seed),
            history: History::new(opts.record_history, opts.max_events),
            transitions: 0,
            retries: Vec::new(),
            deadline: None,
            fanout_failed: None,
            execution: Value::Null,
            state_machine: opts.context.state_machine_json(),
        }
    }

    pub fn execute(mut self, sm: &StateMachine, input: Value) -> RunResult {
        let start = self.opts.context.start_time;
        self.execution = self.opts.context.execution_json(&input);
        self.deadline = sm.timeout_seconds.map(|s| start + (s as i64) * 1000);
        let role = self.opts.context.role_arn.clone();
        let started = self.history.push(0, start, "ExecutionStarted", || {
            Details::json(json!({"input": input.to_string(), "inputDetails": {"truncated": false}, "roleArn": role}))
        });
        let mut th = Thread { now: start, prev: 0, vars: Vars::default(), item: None, routes: Vec::new() };
        let outcome = match started {
            Ok(_) => self.run_machine(sm, input, &mut th),
            Err(_) => Err(Halt::Fail(event_cap_failure(self.opts.max_events))),
        };
        let (status, output, failure) = match outcome {
            Ok(out) => (Status::Succeeded, Some(out), None),
            Err(Halt::Fail(f)) => (Status::Failed, None, Some(f)),
            Err(Halt::TimedOut) => {
                (Status::TimedOut, None, Some(Failure { error: Some(names::TIMEOUT.into()), cause: None }))
            }
        };
        let end = match status {
            Status::TimedOut => self.deadline.unwrap_or(th.now),
            _ => th.now,
        };
        let prev = th.prev;
        let _ = match status {
            Status::Succeeded => {
                let text = output.as_ref().map(Value::to_string).unwrap_or_default();
                self.history.push(prev, end, "ExecutionSucceeded", || {
                    Details::json(json!({"output": text, "outputDetails": {"truncated": false}}))
                })
            }
            Status::Failed => self.history.push(prev, end, "ExecutionFailed", || failure_event(&failure)),
            // UNSURE(aws): ExecutionTimedOut details were never recorded; we give the error only.
            Status::TimedOut => self.history.push(prev, end, "ExecutionTimedOut", || failure_event(&failure)),
        };
        // DescribeExecution of a TIMED_OUT execution shows no error or cause (observed); the
        // ExecutionTimedOut event carries the error.
        let (error, cause) = match status {
            Status::TimedOut => (None, None),
            _ => failure.map(|f| (f.error, f.cause)).unwrap_or_default(),
        };
        RunResult {
            status,
            output,
            error,
            cause,
            states: th.routes,
            retries: self.retries,
            history: self.history.into_events(),
            transitions: self.transitions,
            duration_ms: end - start,
        }
    }

    /// Runs a machine (the top level, a branch or an iteration) from its StartAt.
    pub fn run_machine(&mut self, sm: &StateMachine, input: Value, th: &mut Thread) -> Result<Value, Halt> {
        let mut name = sm.start_at.as_str();
        let mut input = input;
        loop {
            let Some(state) = sm.states.get(name) else {
                return Err(Halt::Fail(Failure::runtime(format!("State '{name}' does not exist"))));
            };
            match self.run_state(state, input, th)? {
                Transition::End(out) => return Ok(out),
                Transition::Next(next, out) => {
                    name = next;
                    input = out;
                }
            }
        }
    }

    fn run_state<'s>(&mut self, state: &'s State, raw: Value, th: &mut Thread) -> Result<Transition<'s>, Halt> {
        self.transitions += 1;
        if self.transitions > self.opts.max_transitions {
            return Err(Halt::Fail(Failure::runtime(format!(
                "aslcheck: the transition budget of {} states was exhausted (not an AWS limit)",
                self.opts.max_transitions
            ))));
        }
        self.check_deadline(th.now)?;
        let route_index = th.routes.len();
        th.routes.push(Route::State(state.name.clone()));
        let entered_kind = event_kind(&state.kind, true);
        let id = self
            .event_with(th, entered_kind, || Details::Entered { name: state.name.clone(), input: raw.to_string() })
            // The cap refused the Entered event: the state never ran.
            .inspect_err(|_| self.transitions -= 1)?;
        let token = match &state.kind {
            Kind::Task(t) if t.resource.ends_with(".waitForTaskToken") => Some(self.rng.uuid_v4()),
            _ => None,
        };
        let entered = Entered { state, id, time: th.now, token };
        let retryable = matches!(state.kind, Kind::Task(_) | Kind::Parallel(_) | Kind::Map(_));
        if state.query_language == QueryLanguage::Jsonata && !retryable {
            return self.run_jsonata_state(&entered, raw, th);
        }
        match &state.kind {
            Kind::Pass(p) => {
                let effective = self.effective_input_if_changed(&entered, &raw, p.parameters.as_ref(), th, None)?;
                match (&p.result, effective) {
                    (Some(result), _) => self.finish(&entered, raw, result.clone(), &p.result_path, th),
                    // The effective input's size was checked when Parameters made it.
                    (None, Some(result)) => self.finish_sized(&entered, raw, result, &p.result_path, th, true),
                    (None, None) => self.finish_pass_through(&entered, raw, &p.result_path, th),
                }
            }
            Kind::Choice(c) => {
                let changed = self.effective_input_if_changed(&entered, &raw, None, th, None)?;
                let unchanged = changed.is_none() && matches!(state.output_path, IoPath::Default);
                let effective = changed.unwrap_or(raw);
                let ctx = state_ctx(&self.execution, &self.state_machine, &entered, None, None);
                let mut env = Env::new(&effective, &ctx, &th.vars, &mut self.rng);
                let mut chosen = None;
                for branch in &c.choices {
                    let Test::Rule(rule) = &branch.test else { continue };
                    let hit = rule.evaluate(&mut |p: &JsonPath| env.lookup_opt(p)).map_err(|f| entered.fail(f))?;
                    if hit {
                        chosen = Some((branch.next.as_str(), branch.assign.as_ref()));
                        break;
                    }
                }
                let (next, assign) = match chosen {
                    Some(c) => c,
                    None => match &c.default {
                        Some(d) => (d.as_str(), state.assign.as_ref()),
                        // UNSURE(aws): the cause text of States.NoChoiceMatched.
                        None => {
                            return Err(Halt::Fail(entered.fail(Failure::new(names::NO_CHOICE_MATCHED, "No Matches!"))))
                        }
                    },
                };
                let assigned = self.assign(&entered, assign, &effective, th, None)?;
                let out = self.output_path(&entered, effective, th)?;
                self.exit_sized(&entered, th, &out, assigned, unchanged)?;
                Ok(Transition::Next(next, out))
            }
            Kind::Wait(w) => {
                let changed = self.effective_input_if_changed(&entered, &raw, None, th, None)?;
                let until = self.wait_until(&entered, w, changed.as_ref().unwrap_or(&raw), th)?;
                self.advance(th, until - th.now)?;
                self.finish_plain(&entered, changed, raw, th)
            }
            Kind::Succeed => {
                let changed = self.effective_input_if_changed(&entered, &raw, None, th, None)?;
                let unchanged = changed.is_none() && matches!(state.output_path, IoPath::Default);
                let out = self.output_path(&entered, changed.unwrap_or(raw), th)?;
                self.exit_sized(&entered, th, &out, None, unchanged)?;
                Ok(Transition::End(out))
            }
            Kind::Fail(f) => {
                let error = self.fail_text(&entered, f.error.as_ref(), "ErrorPath", &raw, th)?;
                let cause = self.fail_text(&entered, f.cause.as_ref(), "CausePath", &raw, th)?;
                Err(Halt::Fail(Failure { error, cause }))
            }
            Kind::Task(_) | Kind::Parallel(_) | Kind::Map(_) => self.run_retryable(&entered, raw, th, route_index),
        }
    }

    /// Wait-like states: no result, output = OutputPath of the effective input (`changed`, or
    /// the raw input itself when `None`).
    fn finish_plain<'s>(
        &mut self,
        entered: &Entered<'s>,
        changed: Option<Value>,
        raw: Value,
        th: &mut Thread,
    ) -> Result<Transition<'s>, Halt> {
        let unchanged = changed.is_none() && matches!(entered.state.output_path, IoPath::Default);
        let effective = changed.unwrap_or(raw);
        let assigned = self.assign(entered, entered.state.assign.as_ref(), &effective, th, None)?;
        let out = self.output_path(entered, effective, th)?;
        self.exit_sized(entered, th, &out, assigned, unchanged)?;
        self.transition(entered, out)
    }

    /// A Pass state whose result is its raw input (no InputPath, Parameters or Result).
    fn finish_pass_through<'s>(
        &mut self,
        entered: &Entered<'s>,
        raw: Value,
        result_path: &IoPath,
        th: &mut Thread,
    ) -> Result<Transition<'s>, Halt> {
        let assigned = self.assign(entered, entered.state.assign.as_ref(), &raw, th, None)?;
        let (merged, same) = match result_path {
            IoPath::Default | IoPath::Null => (raw, true),
            IoPath::Path(_) => (self.result_path(entered, raw.clone(), raw, result_path)?, false),
        };
        let unchanged = same && matches!(entered.state.output_path, IoPath::Default);
        let out = self.output_path(entered, merged, th)?;
        self.exit_sized(entered, th, &out, assigned, unchanged)?;
        self.transition(entered, out)
    }

    /// ResultPath, Assign, OutputPath, the Exited event and the transition.
    pub fn finish<'s>(
        &mut self,
        entered: &Entered<'s>,
        raw: Value,
        result: Value,
        result_path: &IoPath,
        th: &mut Thread,
    ) -> Result<Transition<'s>, Halt> {
        self.finish_sized(entered, raw, result, result_path, th, false)
    }

    /// [`Runner::finish`]; `result_checked` says the result's size was already checked, so an
    /// output that is the result itself need not be measured again.
    fn finish_sized<'s>(
        &mut self,
        entered: &Entered<'s>,
        raw: Value,
        result: Value,
        result_path: &IoPath,
        th: &mut Thread,
        result_checked: bool,
    ) -> Result<Transition<'s>, Halt> {
        let assigned = self.assign(entered, entered.state.assign.as_ref(), &result, th, None)?;
        let merged = self.result_path(entered, raw, result, result_path)?;
        let out = self.output_path(entered, merged, th)?;
        let checked = result_checked
            && matches!(result_path, IoPath::Default)
            && matches!(entered.state.output_path, IoPath::Default);
        self.exit_sized(entered, th, &out, assigned, checked)?;
        self.transition(entered, out)
    }

    pub fn transition<'s>(&self, entered: &Entered<'s>, out: Value) -> Result<Transition<'s>, Halt> {
        match &entered.state.next {
            Some(n) if !entered.state.end => Ok(Transition::Next(n, out)),
            _ => Ok(Transition::End(out)),
        }
    }

    /// Emits the Exited event and commits the state's variable assignments.
    pub fn exit(
        &mut self,
        entered: &Entered,
        th: &mut Thread,
        out: &Value,
        assigned: Option<Map<String, Value>>,
    ) -> Result<(), Halt> {
        self.exit_sized(entered, th, out, assigned, false)
    }

    /// [`Runner::exit`]; `unchanged` says the output's size was already checked (it is the
    /// state's raw input, checked when the previous state produced it, or a checked result).
    pub fn exit_sized(
        &mut self,
        entered: &Entered,
        th: &mut Thread,
        out: &Value,
        assigned: Option<Map<String, Value>>,
        unchanged: bool,
    ) -> Result<(), Halt> {
        if !unchanged {
            self.check_size(&entered.state.name, out)?;
        }
        let details = || Details::Exited {
            name: entered.state.name.clone(),
            output: out.to_string(),
            assigned: assigned.as_ref().map(|a| a.iter().map(|(k, v)| (k.clone(), v.to_string())).collect()),
        };
        self.event_with(th, event_kind(&entered.state.kind, false), details)?;
        if let Some(a) = assigned {
            th.vars.own.extend(a);
        }
        Ok(())
    }

    /// Evaluates an `Assign` block (reading variables as they were when the state was entered;
    /// the caller commits the values at exit).
    pub fn assign(
        &mut self,
        entered: &Entered,
        assign: Option<&Payload>,
        input: &Value,
        th: &Thread,
        retry_count: Option<u64>,
    ) -> Result<Option<Map<String, Value>>, Halt> {
        let Some(t) = assign.and_then(Payload::template) else { return Ok(None) };
        let ctx = state_ctx(&self.execution, &self.state_machine, entered, retry_count, None);
        let mut env = Env::new(input, &ctx, &th.vars, &mut self.rng);
        let Value::Object(values) = t.evaluate(&mut env).map_err(|f| entered.fail(f))? else { return Ok(None) };
        check_assign_size(&values).map_err(|f| entered.fail(f))?;
        Ok(Some(values))
    }

    /// InputPath, then a Parameters template if the state has one.
    pub fn effective_input(
        &mut self,
        entered: &Entered,
        raw: &Value,
        parameters: Option<&Template>,
        th: &Thread,
        retry_count: Option<u64>,
    ) -> Result<Value, Halt> {
        Ok(self.effective_input_if_changed(entered, raw, parameters, th, retry_count)?.unwrap_or_else(|| raw.clone()))
    }

    /// Like [`Runner::effective_input`], but `None` when the effective input is the raw input
    /// itself, so callers that own the raw input need not copy it.
    pub fn effective_input_if_changed(
        &mut self,
        entered: &Entered,
        raw: &Value,
        parameters: Option<&Template>,
        th: &Thread,
        retry_count: Option<u64>,
    ) -> Result<Option<Value>, Halt> {
        let ctx = state_ctx(&self.execution, &self.state_machine, entered, retry_count, None);
        let after_input_path = match &entered.state.input_path {
            IoPath::Default => None,
            IoPath::Null => Some(Value::Object(Map::new())),
            IoPath::Path(p) => {
                let mut env = Env::new(raw, &ctx, &th.vars, &mut self.rng);
                Some(select_io(&mut env, p).map_err(|f| entered.fail(f))?)
            }
        };
        let Some(t) = parameters else { return Ok(after_input_path) };
        let doc = after_input_path.as_ref().unwrap_or(raw);
        let mut env = Env::new(doc, &ctx, &th.vars, &mut self.rng);
        let effective = t.evaluate(&mut env).map_err(|f| entered.fail(f))?;
        self.check_size(&entered.state.name, &effective)?;
        Ok(Some(effective))
    }

    /// A template evaluated against a document (ResultSelector, ItemSelector).
    pub fn template(
        &mut self,
        entered: &Entered,
        t: &Template,
        doc: &Value,
        th: &Thread,
        retry_count: Option<u64>,
        map_item: Option<(u64, &Value)>,
    ) -> Result<Value, Failure> {
        let ctx = state_ctx(&self.execution, &self.state_machine, entered, retry_count, map_item);
        let mut env = Env::new(doc, &ctx, &th.vars, &mut self.rng);
        t.evaluate(&mut env).map_err(|f| entered.fail(f))
    }

    pub fn result_path(&mut self, entered: &Entered, raw: Value, result: Value, rp: &IoPath) -> Result<Value, Failure> {
        match rp {
            IoPath::Default => Ok(result),
            IoPath::Null => Ok(raw),
            IoPath::Path(p) => crate::path::set_at(p, raw, result)
                .map_err(|e| entered.fail(Failure::new(names::RESULT_PATH_MATCH_FAILURE, e.message))),
        }
    }

    pub fn output_path(&mut self, entered: &Entered, v: Value, th: &Thread) -> Result<Value, Failure> {
        match &entered.state.output_path {
            IoPath::Default => Ok(v),
            IoPath::Null => Ok(Value::Object(Map::new())),
            IoPath::Path(p) => {
                let ctx = state_ctx(&self.execution, &self.state_machine, entered, None, None);
                let mut env = Env::new(&v, &ctx, &th.vars, &mut self.rng);
                select_io(&mut env, p).map_err(|f| entered.fail(f))
            }
        }
    }
}

/// The context object view of a state; a free function so callers can borrow the runner's
/// random source at the same time.
pub fn state_ctx<'a>(
    execution: &'a Value,
    state_machine: &'a Value,
    entered: &'a Entered,
    retry_count: Option<u64>,
    map_item: Option<(u64, &'a Value)>,
) -> StateCtx<'a> {
    {
        // UNSURE(aws): RetryCount was observed on Task states and absent on Pass; Parallel and Map
        // can retry too, so they expose it here.
        let retry_count = match entered.state.kind {
            Kind::Task(_) | Kind::Parallel(_) | Kind::Map(_) => Some(retry_count.unwrap_or(0)),
            _ => None,
        };
        StateCtx {
            execution,
            state_machine,
            name: &entered.state.name,
            entered_time: entered.time,
            retry_count,
            task_token: entered.token.as_deref(),
            map_item,
        }
    }
}

impl Runner<'_> {
    pub(super) fn fail_text(
        &mut self,
        entered: &Entered,
        src: Option<&TextSource>,
        field: &str,
        raw: &Value,
        th: &Thread,
    ) -> Result<Option<String>, Halt> {
        let value = match src {
            None => return Ok(None),
            Some(TextSource::Literal(s)) => return Ok(Some(s.clone())),
            Some(TextSource::Path(p)) => {
                let ctx = state_ctx(&self.execution, &self.state_machine, entered, None, None);
                let mut env = Env::new(raw, &ctx, &th.vars, &mut self.rng);
                match env.select(p).map_err(|f| entered.fail(f))? {
                    Ok(v) => v,
                    Err(_) => {
                        return Err(Halt::Fail(entered.fail(Failure::runtime(format!(
                        "The JSONPath '{}' specified for the field '{field}' could not be found in the input '{raw}'",
                        p.source()
                    )))))
                    }
                }
            }
            Some(TextSource::Call(call, source)) => {
                let ctx = state_ctx(&self.execution, &self.state_machine, entered, None, None);
                let mut env = Env::new(raw, &ctx, &th.vars, &mut self.rng);
                template::evaluate_call(call, source, &mut env).map_err(|f| entered.fail(f))?
            }
            Some(TextSource::Expr(f)) => self.query(entered, f, Data::input(raw), Expected::String, th, None, None)?,
        };
        match value {
            Value::String(s) => Ok(Some(s)),
            // UNSURE(aws): the cause when ErrorPath/CausePath names a non-string value.
            other => Err(Halt::Fail(entered.fail(Failure::runtime(format!(
                "The value of the field '{field}' must be a string, but was: {other}"
            ))))),
        }
    }

    pub(super) fn wait_until(&mut self, entered: &Entered, w: &Wait, input: &Value, th: &Thread) -> Result<i64, Halt> {
        let now = th.now;
        let until = match w {
            Wait::Seconds(s) => now.saturating_add((*s as i64).saturating_mul(1000)),
            Wait::Timestamp(t) => (*t).max(now),
            Wait::SecondsExpr(f) => {
                let v = self.query(entered, f, Data::input(input), Expected::Number, th, None, None)?;
                // The literal field's range (0 to 99999999) holds for an expression's result too.
                // UNSURE(aws): the cause for a negative, fractional or too large result.
                let max = crate::model::MAX_INT_FIELD as f64;
                match v.as_f64() {
                    Some(s) if (0.0..=max).contains(&s) && s.fract() == 0.0 => {
                        now.saturating_add((s as i64).saturating_mul(1000))
                    }
                    _ => {
                        return Err(Halt::Fail(entered.fail(Failure::new(
                            names::QUERY_EVALUATION_ERROR,
                            format!("The Seconds field must be an integer from 0 to 99999999, but was: {v}"),
                        ))))
                    }
                }
            }
            Wait::TimestampExpr(f) => {
                let v = self.query(entered, f, Data::input(input), Expected::String, th, None, None)?;
                let text = v.as_str().unwrap_or_default();
                match timestamp::parse(text) {
                    Some(t) => t.timestamp_millis().max(now),
                    // Observed cause (asl-features 2.5).
                    None => {
                        return Err(Halt::Fail(entered.fail(Failure::new(
                            names::QUERY_EVALUATION_ERROR,
                            format!("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {text}"),
                        ))))
                    }
                }
            }
            Wait::SecondsPath(p) => {
                let v = self.read_path(entered, p, input, th)?;
                let src = p.source();
                let secs = match v.as_ref() {
                    None => {
                        return Err(self.wait_error(
                            entered,
                            format!("The SecondsPath parameter does not reference an input value: {src}"),
                        ))
                    }
                    Some(v) if v.is_i64() || v.is_u64() => v.as_i64().unwrap_or(i64::MAX),
                    Some(v @ Value::Number(_)) => {
                        return Err(self.wait_error(
                            entered,
                            format!("The SecondsPath parameter cannot be parsed as a long value: {src} == {v}"),
                        ))
                    }
                    // UNSURE(aws): the cause for a non-number SecondsPath value.
                    Some(v) => {
                        return Err(self.wait_error(
                            entered,
                            format!("The SecondsPath parameter cannot be parsed as a long value: {src} == {v}"),
                        ))
                    }
                };
                if secs < 0 {
                    return Err(self.wait_error(
                        entered,
                        format!("The SecondsPath parameter references a negative value: {src} == {secs}"),
                    ));
                }
                now.saturating_add(secs.saturating_mul(1000))
            }
            Wait::TimestampPath(p) => {
                let v = self.read_path(entered, p, input, th)?;
                let src = p.source();
                let parsed = v.as_ref().and_then(Value::as_str).and_then(timestamp::parse);
                match (parsed, v) {
                    (Some(t), _) => t.timestamp_millis().max(now),
                    (None, None) => {
                        return Err(self.wait_error(
                            entered,
                            format!("The TimestampPath parameter does not reference an input value: {src}"),
                        ))
                    }
                    (None, Some(v)) => {
                        let shown = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
                        return Err(self.wait_error(
                            entered,
                            format!("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {src} == {shown}"),
                        ));
                    }
                }
            }
        };
        // AWS refuses delays beyond 2^31-1 seconds (asl-features 2.5).
        if (until - now) / 1000 > i64::from(i32::MAX) {
            return Err(self.wait_error(entered, "Wait state delay is too long.".into()));
        }
        Ok(until)
    }

    fn wait_error(&self, entered: &Entered, cause: String) -> Halt {
        Halt::Fail(entered.fail(Failure::runtime(cause)))
    }

    /// Reads a reference path (`SecondsPath`, `TimeoutSecondsPath`...): `None` when missing.
    pub fn read_path(
        &mut self,
        entered: &Entered,
        p: &JsonPath,
        input: &Value,
        th: &Thread,
    ) -> Result<Option<Value>, Halt> {
        let ctx = state_ctx(&self.execution, &self.state_machine, entered, None, None);
        let mut env = Env::new(input, &ctx, &th.vars, &mut self.rng);
        Ok(env.select(p).map_err(|f| entered.fail(f))?.ok())
    }

    /// Appends an event on a thread with JSON details (a non-object means none); the closure
    /// runs only when recording.
    pub fn event(&mut self, th: &mut Thread, kind: &'static str, details: impl FnOnce() -> Value) -> Result<u64, Halt> {
        self.event_with(th, kind, || Details::json(details()))
    }

    /// Appends an event on a thread; the details closure runs only when recording.
    pub fn event_with(
        &mut self,
        th: &mut Thread,
        kind: &'static str,
        details: impl FnOnce() -> Details,
    ) -> Result<u64, Halt> {
        let id = self
            .history
            .push(th.prev, th.now, kind, details)
            .map_err(|_| Halt::Fail(event_cap_failure(self.opts.max_events)))?;
        th.prev = id;
        Ok(id)
    }

    /// Moves a thread's clock forward, timing the execution out at its deadline.
    pub fn advance(&self, th: &mut Thread, ms: i64) -> Result<(), Halt> {
        let to = th.now.saturating_add(ms.max(0));
        if let Some(d) = self.deadline {
            if to > d {
                th.now = d;
                return Err(Halt::TimedOut);
            }
        }
        th.now = to;
        Ok(())
    }

    pub fn check_deadline(&self, now: i64) -> Result<(), Halt> {
        match self.deadline {
            Some(d) if now > d => Err(Halt::TimedOut),
            _ => Ok(()),
        }
    }

    /// `States.DataLimitExceeded` for payloads over 256 KiB.
    /// `subject` is what AWS names in the cause: the state for a state's own payloads, the
    /// resource type (`lambda`) or function ARN for a task's result (observed).
    pub fn check_size(&self, subject: &str, v: &Value) -> Result<(), Failure> {
        if json_size(v) > MAX_PAYLOAD_BYTES {
            return Err(Failure::new(
                names::DATA_LIMIT_EXCEEDED,
                format!(
                    "The state/task '{subject}' returned a result with a size exceeding the maximum number of bytes service limit."
                ),
            ));
        }
        Ok(())
    }
}

impl Env<'_, '_> {
    fn lookup_opt(&mut self, p: &JsonPath) -> Result<Option<Value>, Failure> {
        Ok(self.select(p)?.ok())
    }
}

/// InputPath/OutputPath: a path that matches nothing is `States.Runtime` with Jayway's text.
fn select_io(env: &mut Env, p: &JsonPath) -> Result<Value, Failure> {
    env.select(p)?.map_err(|e| Failure::runtime(format!("Invalid path '{}' : {}", p.source(), e.message)))
}

/// AWS's documented limits: one variable at most 256 KiB, one `Assign` at most 256 KiB in all.
// UNSURE(aws): the error name and cause when a limit is exceeded were never recorded; we raise
// States.DataLimitExceeded, AWS's error for every other 256 KiB limit.
pub(super) fn check_assign_size(values: &Map<String, Value>) -> Result<(), Failure> {
    let mut total = 0;
    for (name, v) in values {
        let size = json_size(v);
        if size > MAX_PAYLOAD_BYTES {
            return Err(Failure::new(
                names::DATA_LIMIT_EXCEEDED,
                format!("The value assigned to the variable '{name}' exceeds the maximum size of 256 KiB."),
            ));
        }
        total += size;
    }
    if total > MAX_PAYLOAD_BYTES {
        return Err(Failure::new(
            names::DATA_LIMIT_EXCEEDED,
            "The values assigned in the Assign field exceed the maximum total size of 256 KiB.",
        ));
    }
    Ok(())
}

/// `XxxStateEntered` / `XxxStateExited` for a state type.
fn event_kind(kind: &Kind, entered: bool) -> &'static str {
    match (kind, entered) {
        (Kind::Pass(_), true) => "PassStateEntered",
        (Kind::Pass(_), false) => "PassStateExited",
        (Kind::Task(_), true) => "TaskStateEntered",
        (Kind::Task(_), false) => "TaskStateExited",
        (Kind::Choice(_), true) => "ChoiceStateEntered",
        (Kind::Choice(_), false) => "ChoiceStateExited",
        (Kind::Wait(_), true) => "WaitStateEntered",
        (Kind::Wait(_), false) => "WaitStateExited",
        (Kind::Succeed, true) => "SucceedStateEntered",
        (Kind::Succeed, false) => "SucceedStateExited",
        (Kind::Fail(_), _) => "FailStateEntered",
        (Kind::Parallel(_), true) => "ParallelStateEntered",
        (Kind::Parallel(_), false) => "ParallelStateExited",
        (Kind::Map(_), true) => "MapStateEntered",
        (Kind::Map(_), false) => "MapStateExited",
    }
}

/// `ExecutionFailed`/`ExecutionTimedOut` details: an object even when empty (observed).
fn failure_event(f: &Option<Failure>) -> Details {
    match f {
        Some(f) => Details::Json(failure_details(f)),
        None => Details::None,
    }
}

pub fn event_cap_failure(limit: u64) -> Failure {
    Failure::runtime(format!("The execution reached the maximum number of history events ({limit})."))
}

pub fn failure_details(f: &Failure) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(e) = &f.error {
        m.insert("error".into(), e.clone().into());
    }
    if let Some(c) = &f.cause {
        m.insert("cause".into(), c.clone().into());
    }
    m
}

pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The UTF-8 size of a value's compact JSON text, without building the text.
pub fn json_size(v: &Value) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Counter(0);
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}
