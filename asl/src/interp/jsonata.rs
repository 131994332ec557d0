//! JSONata-mode states: `Arguments`, `Output`, `Assign`, `Condition` and the other fields that
//! take `{% %}` expressions, with `$states` and AWS's failures (`States.QueryEvaluationError`
//! and the `EvaluationFailed` event).

use super::runner::{event_cap_failure, state_ctx, Entered, Halt, Runner, Thread, Transition};
use crate::error::{names, Failure};
use crate::history::Details;
use crate::jsonata::field::{QueryFailure, Variables};
use crate::jsonata::{Expected, Field, Scope};
use crate::model::{Catcher, Kind, Payload, Test};
use serde_json::{Map, Value};

/// The data an expression reads besides variables and the context: `$states.input`,
/// `$states.result`, `$states.errorOutput`.
#[derive(Clone, Copy)]
pub struct Data<'a> {
    pub input: &'a Value,
    pub result: Option<&'a Value>,
    pub error_output: Option<&'a Value>,
}

impl<'a> Data<'a> {
    pub fn input(input: &'a Value) -> Self {
        Data { input, result: None, error_output: None }
    }
}

impl Variables for super::env::Vars<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        super::env::Vars::get(self, name)
    }
}

/// Where a number field's value was read from, for AWS's cause texts.
pub struct NumberField<'a> {
    pub name: &'a str,
    pub min: f64,
}

impl Runner<'_> {
    /// Evaluates a JSONata field. A failure writes the `EvaluationFailed` event and fails the
    /// state with AWS's prefixed cause.
    #[allow(clippy::too_many_arguments)]
    pub fn query(
        &mut self,
        entered: &Entered,
        field: &Field,
        data: Data,
        expected: Expected,
        th: &Thread,
        retry_count: Option<u64>,
        map_item: Option<(u64, &Value)>,
    ) -> Result<Value, Halt> {
        if let Some(v) = field.literal() {
            return Ok(v.clone());
        }
        let ctx = state_ctx(&self.execution, &self.state_machine, entered, retry_count, map_item);
        let context = |whole: bool| ctx.to_json(whole);
        let mut scope = Scope {
            input: data.input,
            result: data.result,
            error_output: data.error_output,
            context: &context,
            vars: &th.vars,
            now_millis: th.now,
            rng: &mut self.rng,
        };
        let outcome = field.evaluate_as(&mut scope, expected);
        outcome.map_err(|q| self.evaluation_failed(entered, q, th))
    }

    /// `EvaluationFailed` {error, cause, location, state}, then the state's failure.
    fn evaluation_failed(&mut self, entered: &Entered, q: QueryFailure, th: &Thread) -> Halt {
        let QueryFailure { failure, location } = q;
        let details = || {
            let mut d = super::runner::failure_details(&failure);
            d.insert("location".into(), location.clone().into());
            d.insert("state".into(), entered.state.name.to_string().into());
            Details::json(Value::Object(d))
        };
        // Observed on AWS: the event's previousEventId is 0 (asl-features 9.4), and it is not
        // chained into the thread. UNSURE(aws): whether it is written when a Retry or Catch
        // then handles the error, and whether its cause carries the state prefix (we give it
        // without; the execution's cause has it, as observed).
        if self.history.push(0, th.now, "EvaluationFailed", details).is_err() {
            return Halt::Fail(event_cap_failure(self.opts.max_events));
        }
        Halt::Fail(entered.fail(failure))
    }

    /// A payload field in either language: JSONPath templates read `doc` as `$`; JSONata
    /// expressions read it as `$states.input`.
    #[allow(clippy::too_many_arguments)]
    pub fn payload(
        &mut self,
        entered: &Entered,
        p: &Payload,
        doc: &Value,
        th: &Thread,
        retry_count: Option<u64>,
        map_item: Option<(u64, &Value)>,
    ) -> Result<Value, Halt> {
        match p {
            Payload::Path(t) => Ok(self.template(entered, t, doc, th, retry_count, map_item)?),
            Payload::Jsonata(f) => self.query(entered, f, Data::input(doc), Expected::Any, th, retry_count, map_item),
        }
    }

    /// A JSONata `Assign` (variables as they were on entry; committed at exit).
    pub fn query_assign(
        &mut self,
        entered: &Entered,
        assign: Option<&Payload>,
        data: Data,
        th: &Thread,
        retry_count: Option<u64>,
    ) -> Result<Option<Map<String, Value>>, Halt> {
        let Some(Payload::Jsonata(f)) = assign else { return Ok(None) };
        let Value::Object(values) = self.query(entered, f, data, Expected::Any, th, retry_count, None)? else {
            return Ok(None);
        };
        super::runner::check_assign_size(&values).map_err(|f| entered.fail(f))?;
        Ok(Some(values))
    }

    /// A number an expression gave, checked as AWS checks the field's value.
    // UNSURE(aws): the cause texts for expression results outside a field's range.
    pub fn expression_integer(&self, entered: &Entered, v: &Value, field: NumberField) -> Result<u64, Halt> {
        match v.as_f64() {
            Some(n) if n.fract() == 0.0 && n >= field.min && n <= crate::model::MAX_INT_FIELD as f64 => Ok(n as u64),
            _ => Err(Halt::Fail(entered.fail(Failure::new(
                names::QUERY_EVALUATION_ERROR,
                format!(
                    "The value of the field '{}' must be an integer of at least {}, but was: {v}",
                    field.name, field.min
                ),
            )))),
        }
    }

    /// Runs a JSONata state other than Task, Parallel and Map (those go through Retry/Catch).
    pub(super) fn run_jsonata_state<'s>(
        &mut self,
        entered: &Entered<'s>,
        raw: Value,
        th: &mut Thread,
    ) -> Result<Transition<'s>, Halt> {
        let state = entered.state;
        match &state.kind {
            Kind::Pass(_) | Kind::Wait(_) | Kind::Succeed => {
                if let Kind::Wait(w) = &state.kind {
                    let until = self.wait_until(entered, w, &raw, th)?;
                    self.advance(th, until - th.now)?;
                }
                let assigned = self.query_assign(entered, state.assign.as_ref(), Data::input(&raw), th, None)?;
                let out = match &state.output {
                    Some(o) => self.query(entered, o, Data::input(&raw), Expected::Any, th, None, None)?,
                    None => raw,
                };
                self.exit(entered, th, &out, assigned)?;
                match state.kind {
                    Kind::Succeed => Ok(Transition::End(out)),
                    _ => self.transition(entered, out),
                }
            }
            Kind::Choice(c) => {
                let mut chosen = None;
                for b in &c.choices {
                    let Test::Condition(cond) = &b.test else { continue };
                    let hit = self.query(entered, cond, Data::input(&raw), Expected::Boolean, th, None, None)?;
                    if hit == Value::Bool(true) {
                        chosen = Some(b);
                        break;
                    }
                }
                let next = match (chosen, &c.default) {
                    (Some(b), _) => b.next.as_str(),
                    (None, Some(d)) => d.as_str(),
                    // UNSURE(aws): the cause text of States.NoChoiceMatched.
                    (None, None) => {
                        return Err(Halt::Fail(entered.fail(Failure::new(names::NO_CHOICE_MATCHED, "No Matches!"))))
                    }
                };
                // A matched rule assigns its own Assign only; the state's Assign runs when
                // Default is taken (observed on AWS in JSONPath mode, asl-features 5.1, and the
                // developer guide's "Workflow variables"). UNSURE(aws): one version of the
                // Choice page says the state's Assign applies whichever rule matches.
                let assign = match chosen {
                    Some(b) => b.assign.as_ref(),
                    None => state.assign.as_ref(),
                };
                let assigned = self.query_assign(entered, assign, Data::input(&raw), th, None)?;
                let output = chosen.and_then(|b| b.output.as_ref()).or(state.output.as_ref());
                let out = match output {
                    Some(o) => self.query(entered, o, Data::input(&raw), Expected::Any, th, None, None)?,
                    None => raw,
                };
                self.exit(entered, th, &out, assigned)?;
                Ok(Transition::Next(next, out))
            }
            Kind::Fail(f) => {
                let error = self.fail_text(entered, f.error.as_ref(), "Error", &raw, th)?;
                let cause = self.fail_text(entered, f.cause.as_ref(), "Cause", &raw, th)?;
                Err(Halt::Fail(Failure { error, cause }))
            }
            Kind::Task(_) | Kind::Parallel(_) | Kind::Map(_) => {
                unreachable!("retryable states run through run_retryable")
            }
        }
    }

    /// A retryable JSONata state succeeded: Assign and Output read `$states.result`; the
    /// default output is the result.
    pub(super) fn finish_jsonata<'s>(
        &mut self,
        entered: &Entered<'s>,
        raw: &Value,
        result: Value,
        th: &mut Thread,
        retry_count: u64,
    ) -> Result<Transition<'s>, Halt> {
        let state = entered.state;
        let data = Data { input: raw, result: Some(&result), error_output: None };
        let assigned = self.query_assign(entered, state.assign.as_ref(), data, th, Some(retry_count))?;
        let out = match &state.output {
            Some(o) => self.query(entered, o, data, Expected::Any, th, Some(retry_count), None)?,
            None => result,
        };
        self.exit(entered, th, &out, assigned)?;
        self.transition(entered, out)
    }

    /// A Catcher of a JSONata state matched: its Assign and Output read
    /// `$states.errorOutput`; the default output is the error output.
    pub(super) fn catch_jsonata<'s>(
        &mut self,
        entered: &Entered<'s>,
        c: &'s Catcher,
        raw: &Value,
        error_output: Value,
        th: &mut Thread,
        retry_count: u64,
    ) -> Result<Transition<'s>, Halt> {
        let data = Data { input: raw, result: None, error_output: Some(&error_output) };
        let assigned = self.query_assign(entered, c.assign.as_ref(), data, th, Some(retry_count))?;
        let out = match &c.output {
            Some(o) => self.query(entered, o, data, Expected::Any, th, Some(retry_count), None)?,
            None => error_output,
        };
        self.exit(entered, th, &out, assigned)?;
        Ok(Transition::Next(&c.next, out))
    }
}

/// The `States.QueryEvaluationError` of a Map whose items are not an array (observed cause).
pub fn items_not_array(v: &Value) -> Failure {
    Failure::new(names::QUERY_EVALUATION_ERROR, format!("Map state input must be an array but was: {v}"))
}
