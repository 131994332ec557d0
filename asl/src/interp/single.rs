//! One state on its own, the way AWS's TestState API runs it: a mocked outcome instead of a
//! task call or fan-out, a retry count instead of earlier attempts, and every stage of the
//! JSONPath data pipeline reported (`afterInputPath`, `afterParameters`, ...).
//!
//! It reuses the interpreter's own pipeline steps, so a state's stages here are exactly what a
//! full execution computes for that state.

use super::env::Vars;
use super::runner::{state_ctx, Entered, Halt, Runner, Thread};
use super::RunOptions;
use crate::error::{names, Failure};
use crate::model::{Catcher, IoPath, Kind, Retrier, State};
use crate::path::JsonPath;
use crate::retry;
use crate::template::Template;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// What the mocked task (or Map/Parallel fan-out) gives instead of running.
#[derive(Debug, Clone, PartialEq)]
pub enum Mock {
    Result(Value),
    Error { error: String, cause: Option<String> },
}

#[derive(Debug, Clone, Default)]
pub struct SingleOptions {
    pub mock: Option<Mock>,
    /// Retries already made by the retrier that matches the error (`retrierRetryCount`).
    pub retrier_retry_count: u64,
    /// Workflow variables visible to the state.
    pub variables: HashMap<String, Value>,
    pub run: RunOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SingleStatus {
    Succeeded,
    Failed,
    /// A retrier matched and has attempts left: the state would run again.
    Retriable,
    /// A catcher matched: the state's output is the catcher's ResultPath of the error output.
    CaughtError,
}

/// The data pipeline's stages, as far as the state got. `None` = not reached or not a stage
/// of this state type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stages {
    pub input: Option<Value>,
    pub after_input_path: Option<Value>,
    pub after_parameters: Option<Value>,
    pub result: Option<Value>,
    pub after_result_selector: Option<Value>,
    pub after_result_path: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SingleResult {
    pub status: SingleStatus,
    pub next_state: Option<String>,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub stages: Stages,
    pub retry_index: Option<usize>,
    /// The delay before the next retry without jitter: `min(Interval × Rate^count, MaxDelay)`.
    pub retry_backoff_seconds: Option<f64>,
    /// The matching retrier uses FULL jitter: the real delay is anywhere in `[0, backoff]`.
    pub retry_jitter: bool,
    pub catch_index: Option<usize>,
}

/// The event id the state is taken to be entered at, for AWS's cause prefix: the id a state has
/// when it is the first of an execution (ExecutionStarted is #1).
// UNSURE(aws): the id TestState puts in "(entered at the event id #N)" is not documented:
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
pub const ENTERED_EVENT_ID: u64 = 2;

/// Runs one state on `input`. `Err` names what cannot be run without calling AWS: a Task,
/// Map or Parallel state with no mock.
pub fn run_state(state: &State, input: Value, opts: &SingleOptions) -> Result<SingleResult, String> {
    if state.query_language == crate::model::QueryLanguage::Jsonata {
        // The TestState issue builds JSONata states on top of this module.
        return Err("TestState of a JSONata state is not supported by the reference yet".into());
    }
    if opts.mock.is_none() && matches!(state.kind, Kind::Task(_) | Kind::Map(_) | Kind::Parallel(_)) {
        return Err(format!("a {} state needs a mock: the reference does not call AWS", state.kind.type_name()));
    }
    let mut r = Runner::new(&opts.run);
    r.execution = opts.run.context.execution_json(&input);
    let start = opts.run.context.start_time;
    let vars = Vars { parent: None, own: opts.variables.clone() };
    let mut th = Thread { now: start, prev: ENTERED_EVENT_ID, vars, item: None, routes: Vec::new() };
    let entered = Entered { state, id: ENTERED_EVENT_ID, time: start, token: None };
    let mut out = SingleResult {
        status: SingleStatus::Succeeded,
        next_state: None,
        output: None,
        error: None,
        cause: None,
        stages: Stages::default(),
        retry_index: None,
        retry_backoff_seconds: None,
        retry_jitter: false,
        catch_index: None,
    };
    let mut stages = Stages { input: Some(input.clone()), ..Stages::default() };
    let mut run = Run { r: &mut r, entered: &entered, th: &mut th, raw: &input, opts, stages: &mut stages };
    match run.state() {
        Ok((output, next)) => {
            out.output = Some(output);
            out.next_state = next;
        }
        Err(f) => run.handle(f, &mut out),
    }
    out.stages = stages;
    Ok(out)
}

/// The pieces one state's run needs, so the steps below stay short.
struct Run<'a, 'o, 's, 'p> {
    r: &'a mut Runner<'o>,
    entered: &'a Entered<'s>,
    th: &'a mut Thread<'p>,
    raw: &'a Value,
    opts: &'a SingleOptions,
    stages: &'a mut Stages,
}

fn failure(h: Halt) -> Failure {
    match h {
        Halt::Fail(f) => f,
        // No deadline is set, so nothing times out; kept total anyway.
        Halt::TimedOut => Failure { error: Some(names::TIMEOUT.into()), cause: None },
    }
}

impl Run<'_, '_, '_, '_> {
    /// The state's output and next state, or the error it raised.
    fn state(&mut self) -> Result<(Value, Option<String>), Failure> {
        let state = self.entered.state;
        match &state.kind {
            Kind::Pass(p) => {
                let effective = self.effective(p.parameters.as_ref(), None)?;
                let result = p.result.clone().unwrap_or(effective);
                self.finish(result, None, &p.result_path, None)
            }
            Kind::Task(t) => {
                let _ = self.effective(t.parameters.as_ref(), Some(self.count()))?;
                let result = self.mocked()?;
                self.finish(result, t.result_selector.as_ref(), &t.result_path, Some(self.count()))
            }
            Kind::Parallel(p) => {
                let _ = self.effective(p.parameters.as_ref(), Some(self.count()))?;
                let result = self.mocked()?;
                self.finish(result, p.result_selector.as_ref(), &p.result_path, Some(self.count()))
            }
            Kind::Map(m) => {
                // UNSURE(aws): the Map-only stages (afterItemsPath, afterItemSelector,
                // afterItemBatcher, maxConcurrency, toleratedFailure*) are not computed, nor how a
                // mocked Map result meets ToleratedFailure*: https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
                let _ = self.effective(None, Some(self.count()))?;
                let result = self.mocked()?;
                self.finish(result, m.result_selector.as_ref(), &m.result_path, Some(self.count()))
            }
            Kind::Choice(c) => {
                let effective = self.effective(None, None)?;
                let ctx = state_ctx(&self.r.execution, &self.r.state_machine, self.entered, None, None);
                let mut env = super::env::Env::new(&effective, &ctx, &self.th.vars, &mut self.r.rng);
                let mut chosen = None;
                for b in &c.choices {
                    let crate::model::Test::Rule(rule) = &b.test else { continue };
                    let hit =
                        rule.evaluate(&mut |p: &JsonPath| Ok(env.select(p)?.ok())).map_err(|f| self.entered.fail(f))?;
                    if hit {
                        chosen = Some((b.next.as_str(), b.assign.as_ref()));
                        break;
                    }
                }
                let (next, assign) = match (chosen, &c.default) {
                    (Some(c), _) => c,
                    (None, Some(d)) => (d.as_str(), state.assign.as_ref()),
                    // UNSURE(aws): the cause text of States.NoChoiceMatched (as in runner.rs).
                    (None, None) => {
                        return Err(self.entered.fail(Failure::new(names::NO_CHOICE_MATCHED, "No Matches!")))
                    }
                };
                self.r.assign(self.entered, assign, &effective, self.th, None).map_err(failure)?;
                let out = self.r.output_path(self.entered, effective, self.th)?;
                Ok((out, Some(next.to_string())))
            }
            Kind::Wait(w) => {
                let effective = self.effective(None, None)?;
                // The delay is checked (negative, unparseable...) but not waited.
                self.r.wait_until(self.entered, w, &effective, self.th).map_err(failure)?;
                self.r.assign(self.entered, state.assign.as_ref(), &effective, self.th, None).map_err(failure)?;
                let out = self.r.output_path(self.entered, effective, self.th)?;
                Ok((out, self.next()))
            }
            Kind::Succeed => {
                let effective = self.effective(None, None)?;
                Ok((self.r.output_path(self.entered, effective, self.th)?, None))
            }
            Kind::Fail(f) => {
                let error = self.r.fail_text(self.entered, f.error.as_ref(), "ErrorPath", self.raw, self.th);
                let cause = self.r.fail_text(self.entered, f.cause.as_ref(), "CausePath", self.raw, self.th);
                Err(Failure { error: error.map_err(failure)?, cause: cause.map_err(failure)? })
            }
        }
    }

    fn count(&self) -> u64 {
        self.opts.retrier_retry_count
    }

    fn next(&self) -> Option<String> {
        let s = self.entered.state;
        s.next.clone().filter(|_| !s.end)
    }

    /// InputPath, then Parameters: the effective input, with both stages recorded.
    fn effective(&mut self, parameters: Option<&Template>, retry_count: Option<u64>) -> Result<Value, Failure> {
        let after_input_path = self
            .r
            .effective_input_if_changed(self.entered, self.raw, None, self.th, retry_count)
            .map_err(failure)?
            .unwrap_or_else(|| self.raw.clone());
        self.stages.after_input_path = Some(after_input_path.clone());
        let Some(t) = parameters else { return Ok(after_input_path) };
        let effective = self.r.template(self.entered, t, &after_input_path, self.th, retry_count, None)?;
        self.stages.after_parameters = Some(effective.clone());
        Ok(effective)
    }

    fn mocked(&mut self) -> Result<Value, Failure> {
        match &self.opts.mock {
            Some(Mock::Result(v)) => Ok(v.clone()),
            Some(Mock::Error { error, cause }) => Err(Failure { error: Some(error.clone()), cause: cause.clone() }),
            None => Err(Failure::runtime("no mock")),
        }
    }

    /// ResultSelector, Assign, ResultPath, OutputPath: the order of `Runner::finish`.
    fn finish(
        &mut self,
        result: Value,
        selector: Option<&Template>,
        result_path: &IoPath,
        retry_count: Option<u64>,
    ) -> Result<(Value, Option<String>), Failure> {
        self.stages.result = Some(result.clone());
        let selected = match selector {
            Some(t) => {
                let v = self.r.template(self.entered, t, &result, self.th, retry_count, None)?;
                self.stages.after_result_selector = Some(v.clone());
                v
            }
            None => result,
        };
        self.r.assign(self.entered, self.entered.state.assign.as_ref(), &selected, self.th, None).map_err(failure)?;
        let merged = self.r.result_path(self.entered, self.raw.clone(), selected, result_path)?;
        self.stages.after_result_path = Some(merged.clone());
        let out = self.r.output_path(self.entered, merged, self.th)?;
        Ok((out, self.next()))
    }

    /// An error: the first matching retrier with attempts left makes it RETRIABLE; otherwise
    /// the first matching catcher makes it CAUGHT_ERROR; otherwise FAILED.
    fn handle(&mut self, f: Failure, out: &mut SingleResult) {
        out.error = f.error.clone();
        out.cause = f.cause.clone();
        out.status = SingleStatus::Failed;
        let (retriers, catchers): (&[Retrier], &[Catcher]) = match &self.entered.state.kind {
            Kind::Task(t) => (&t.retry, &t.catch),
            Kind::Parallel(p) => (&p.retry, &p.catch),
            Kind::Map(m) => (&m.retry, &m.catch),
            _ => return,
        };
        let name = f.error_name();
        if let Some(i) = retriers.iter().position(|r| retry::matches(&r.error_equals, name)) {
            let r = &retriers[i];
            if self.count() < r.max_attempts {
                let plain = Retrier { jitter: crate::model::Jitter::None, ..r.clone() };
                out.status = SingleStatus::Retriable;
                out.retry_index = Some(i);
                out.retry_backoff_seconds = Some(retry::delay_seconds(&plain, self.count(), &mut self.r.rng));
                out.retry_jitter = r.jitter == crate::model::Jitter::Full;
                return;
            }
        }
        let Some(i) = catchers.iter().position(|c| retry::matches(&c.error_equals, name)) else { return };
        let c = &catchers[i];
        let error_output = f.error_output();
        let caught = self
            .r
            .assign(self.entered, c.assign.as_ref(), &error_output, self.th, Some(self.count()))
            .map_err(failure)
            .and_then(|_| self.r.result_path(self.entered, self.raw.clone(), error_output, &c.result_path));
        match caught {
            Ok(v) => {
                out.status = SingleStatus::CaughtError;
                out.catch_index = Some(i);
                out.next_state = Some(c.next.clone());
                out.output = Some(v);
            }
            // The catcher's own ResultPath failed: that error ends the state (as in task.rs).
            Err(f2) => {
                out.error = f2.error;
                out.cause = f2.cause;
            }
        }
    }
}

/// Variables from a JSON object (TestState's `variables`).
pub fn variables(v: &Value) -> HashMap<String, Value> {
    v.as_object().map(|m: &Map<String, Value>| m.clone().into_iter().collect()).unwrap_or_default()
}
