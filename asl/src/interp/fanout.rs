//! Parallel and Map: run branches and iterations on their own virtual clocks, collect results
//! in order, and fail with the error of the branch or iteration that failed first in time.

use super::env::Vars;
use super::jsonata::{items_not_array, Data, NumberField};
use super::runner::{Entered, Halt, Runner, Thread};
use super::task::{record_fanout, Attempt};
use crate::error::{names, Failure};
use crate::history::History;
use crate::jsonata::Expected;
use crate::model::{IoPath, Map, MapMode, NumberSource, Parallel};
use crate::path::JsonPath;
use serde_json::{json, Value};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The first failure in virtual time (ties: the lowest index): that is the error AWS reports.
struct FirstFailure {
    time: i64,
    failure: Failure,
    /// The id of the failing event (what `...Failed` events point at).
    event: u64,
}

impl FirstFailure {
    fn offer(slot: &mut Option<FirstFailure>, time: i64, failure: Failure, event: u64) {
        if slot.as_ref().is_none_or(|f| time < f.time) {
            *slot = Some(FirstFailure { time, failure, event });
        }
    }
}

impl Runner<'_> {
    pub(super) fn parallel_attempt(
        &mut self,
        entered: &Entered,
        p: &Parallel,
        raw: &Value,
        th: &mut Thread,
        at: Attempt,
    ) -> Result<Value, Halt> {
        let Attempt { retry_count, route_index } = at;
        let effective = match &p.arguments {
            Some(a) => self.query(entered, a, Data::input(raw), Expected::Any, th, Some(retry_count), None)?,
            None => self.effective_input(entered, raw, p.parameters.as_ref(), th, Some(retry_count))?,
        };
        let started = self.event(th, "ParallelStateStarted", || Value::Null)?;
        let start = th.now;
        let (mut results, mut routes) = (Vec::with_capacity(p.branches.len()), Vec::new());
        let (mut end, mut last_event, mut first_failure) = (start, started, None);
        for branch in &p.branches {
            let mut bt =
                Thread { now: start, prev: started, vars: Vars::child(&th.vars), item: th.item, routes: Vec::new() };
            match self.run_machine(branch, effective.clone(), &mut bt) {
                Ok(v) => results.push(v),
                Err(Halt::Fail(f)) => FirstFailure::offer(&mut first_failure, bt.now, f, bt.prev),
                Err(Halt::TimedOut) => return Err(Halt::TimedOut),
            }
            end = end.max(bt.now);
            last_event = bt.prev;
            routes.push(bt.routes);
        }
        record_fanout(th, route_index, &entered.state.name, routes, retry_count == 0);
        if let Some(ff) = first_failure {
            // UNSURE(aws): siblings still running are aborted on AWS (`...StateAborted`
            // events); we run branches to their end and record no abort events.
            th.now = ff.time;
            th.prev = ff.event;
            self.fanout_failed = Some("ParallelStateFailed");
            return Err(Halt::Fail(ff.failure));
        }
        th.now = end;
        th.prev = last_event;
        self.event(th, "ParallelStateSucceeded", || Value::Null)?;
        // ParallelStateExited points at the last branch event, like ParallelStateSucceeded.
        th.prev = last_event;
        let result = Value::Array(results);
        match &p.result_selector {
            Some(rs) => Ok(self.template(entered, rs, &result, th, Some(retry_count), None)?),
            None => Ok(result),
        }
    }

    pub(super) fn map_attempt(
        &mut self,
        entered: &Entered,
        m: &Map,
        raw: &Value,
        th: &mut Thread,
        at: Attempt,
    ) -> Result<Value, Halt> {
        let retry_count = at.retry_count;
        let effective = self.effective_input(entered, raw, None, th, Some(retry_count))?;
        let items = self.map_items(entered, m, &effective, th, retry_count)?;
        let max_concurrency = match &m.max_concurrency {
            None => 0,
            Some(src) => self.integer_field(entered, src, "MaxConcurrency", &effective, th)?,
        };
        let results = match m.mode {
            MapMode::Inline => self.inline_map(entered, m, &effective, items, max_concurrency, th, at)?,
            MapMode::Distributed => self.distributed_map(entered, m, &effective, items, th, at)?,
        };
        let result = Value::Array(results);
        match &m.result_selector {
            Some(rs) => Ok(self.template(entered, rs, &result, th, Some(retry_count), None)?),
            None => Ok(result),
        }
    }

    fn map_items(
        &mut self,
        entered: &Entered,
        m: &Map,
        effective: &Value,
        th: &Thread,
        retry_count: u64,
    ) -> Result<Vec<Value>, Halt> {
        if entered.state.query_language == crate::model::QueryLanguage::Jsonata {
            let items = match &m.items {
                Some(f) => {
                    self.query(entered, f, Data::input(effective), Expected::Array, th, Some(retry_count), None)?
                }
                None => effective.clone(),
            };
            return match items {
                Value::Array(a) => Ok(a),
                other => Err(Halt::Fail(entered.fail(items_not_array(&other)))),
            };
        }
        let (items, shown) = match &m.items_path {
            IoPath::Default | IoPath::Null => (Some(effective.clone()), "$".to_string()),
            IoPath::Path(p) => (self.read_path(entered, p, effective, th)?, p.source().to_string()),
        };
        match items {
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(Halt::Fail(
                entered.fail(Failure::runtime(format!("Reference path \"{shown}\" must point to array."))),
            )),
            None => Err(Halt::Fail(entered.fail(Failure::runtime(format!(
                "Invalid path '{shown}' : No results for path: {}",
                match &m.items_path {
                    IoPath::Path(p) => p.to_string(),
                    _ => "$".into(),
                }
            ))))),
        }
    }

    /// The item given to iteration `index`: ItemSelector (with `$` = the Map's effective
    /// input and `$$.Map.Item`) or the item itself.
    fn item_input(
        &mut self,
        entered: &Entered,
        m: &Map,
        effective: &Value,
        (index, item): (usize, &Value),
        th: &Thread,
        retry_count: u64,
    ) -> Result<Value, Halt> {
        match &m.item_selector {
            Some(sel) => self.payload(entered, sel, effective, th, Some(retry_count), Some((index as u64, item))),
            None => Ok(item.clone()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn inline_map(
        &mut self,
        entered: &Entered,
        m: &Map,
        effective: &Value,
        items: Vec<Value>,
        max_concurrency: u64,
        th: &mut Thread,
        at: Attempt,
    ) -> Result<Vec<Value>, Halt> {
        let Attempt { retry_count, route_index } = at;
        let length = items.len();
        let started = self.event(th, "MapStateStarted", || json!({"length": length}))?;
        let start = th.now;
        let name = entered.state.name.clone();
        // Iterations start in index order as soon as one of `max_concurrency` slots is free.
        let mut slots: BinaryHeap<Reverse<i64>> = BinaryHeap::new();
        let (mut results, mut routes) = (Vec::with_capacity(length), Vec::new());
        let (mut end, mut last_event, mut first_failure) = (start, started, None::<FirstFailure>);
        for (index, item) in items.iter().enumerate() {
            let begin = match max_concurrency {
                0 => start,
                k if (slots.len() as u64) < k => start,
                _ => slots.pop().map(|Reverse(t)| t).unwrap_or(start),
            };
            if first_failure.as_ref().is_some_and(|f| begin >= f.time) {
                break;
            }
            let input = self.item_input(entered, m, effective, (index, item), th, retry_count)?;
            // With one iteration at a time, AWS chains each iteration to the previous one.
            let prev = if max_concurrency == 1 { last_event } else { started };
            let mut it =
                Thread { now: begin, prev, vars: Vars::child(&th.vars), item: Some(index as u64), routes: Vec::new() };
            let details = || json!({"name": &*name, "index": index});
            self.event(&mut it, "MapIterationStarted", details)?;
            match self.run_machine(&m.processor, input, &mut it) {
                Ok(v) => {
                    results.push(v);
                    self.event(&mut it, "MapIterationSucceeded", details)?;
                    // MapStateSucceeded points at the last inner event, not at this one.
                    last_event = it.prev - 1;
                }
                Err(Halt::Fail(f)) => {
                    let failing = it.prev;
                    self.event(&mut it, "MapIterationFailed", details)?;
                    FirstFailure::offer(&mut first_failure, it.now, f, failing);
                }
                Err(Halt::TimedOut) => return Err(Halt::TimedOut),
            }
            slots.push(Reverse(it.now));
            end = end.max(it.now);
            routes.push(it.routes);
        }
        record_fanout(th, route_index, &entered.state.name, routes, retry_count == 0);
        if let Some(ff) = first_failure {
            th.now = ff.time;
            th.prev = ff.event;
            self.fanout_failed = Some("MapStateFailed");
            return Err(Halt::Fail(ff.failure));
        }
        th.now = end;
        th.prev = last_event;
        self.event(th, "MapStateSucceeded", || Value::Null)?;
        th.prev = last_event;
        Ok(results)
    }

    /// A distributed Map: each item (or batch) is a child execution with its own history and
    /// no access to the parent's variables; failures count against the tolerated thresholds.
    fn distributed_map(
        &mut self,
        entered: &Entered,
        m: &Map,
        effective: &Value,
        items: Vec<Value>,
        th: &mut Thread,
        at: Attempt,
    ) -> Result<Vec<Value>, Halt> {
        let Attempt { retry_count, route_index } = at;
        let length = items.len();
        self.event(th, "MapStateStarted", || json!({"length": length}))?;
        let tolerated_count = match &m.tolerated_failure_count {
            None => None,
            Some(src) => Some(self.integer_field(entered, src, "ToleratedFailureCount", effective, th)?),
        };
        let tolerated_pct = match &m.tolerated_failure_percentage {
            None => None,
            Some(src) => Some(self.percentage_field(entered, src, effective, th)?),
        };
        let mut inputs = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            inputs.push(self.item_input(entered, m, effective, (index, item), th, retry_count)?);
        }
        let inputs = self.batch(entered, m, effective, inputs, th)?;
        let label = m.label.clone().unwrap_or_else(|| entered.state.name.to_string());
        let run_arn = format!(
            "{}/{}:{}",
            self.opts.context.state_machine_id.replace(":stateMachine:", ":mapRun:"),
            label,
            self.rng.uuid_v4()
        );
        self.event(th, "MapRunStarted", || json!({"mapRunArn": run_arn}))?;
        let start = th.now;
        let (mut results, mut routes, mut failures, mut end) = (Vec::new(), Vec::new(), 0usize, start);
        let total = inputs.len();
        for (index, input) in inputs.into_iter().enumerate() {
            let outer = std::mem::replace(&mut self.history, History::new(false, self.opts.max_events));
            let mut child =
                Thread { now: start, prev: 0, vars: Vars::default(), item: Some(index as u64), routes: Vec::new() };
            let outcome = self.run_machine(&m.processor, input, &mut child);
            self.history = outer;
            match outcome {
                Ok(v) => results.push(v),
                Err(Halt::Fail(f)) => {
                    failures += 1;
                    // UNSURE(aws): what a failed child contributes to the Map's result when failures are tolerated.
                    results.push(f.error_output());
                }
                Err(Halt::TimedOut) => return Err(Halt::TimedOut),
            }
            end = end.max(child.now);
            routes.push(child.routes);
        }
        record_fanout(th, route_index, &entered.state.name, routes, retry_count == 0);
        th.now = end;
        let exceeded = match (tolerated_count, tolerated_pct) {
            (None, None) => failures > 0,
            (count, pct) => {
                count.is_some_and(|c| failures as u64 > c)
                    || pct.is_some_and(|p| total > 0 && (failures as f64) * 100.0 / (total as f64) > p)
            }
        };
        if exceeded {
            let f = Failure::new(
                names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                "The specified tolerated failure threshold was exceeded",
            );
            self.event(th, "MapRunFailed", || json!({"error": f.error, "cause": f.cause}))?;
            self.fanout_failed = Some("MapStateFailed");
            return Err(Halt::Fail(f));
        }
        let run_succeeded = self.event(th, "MapRunSucceeded", || Value::Null)?;
        self.event(th, "MapStateSucceeded", || Value::Null)?;
        th.prev = run_succeeded;
        Ok(results)
    }

    /// ItemBatcher: child inputs become `{"BatchInput": ..., "Items": [...]}`.
    fn batch(
        &mut self,
        entered: &Entered,
        m: &Map,
        effective: &Value,
        inputs: Vec<Value>,
        th: &Thread,
    ) -> Result<Vec<Value>, Halt> {
        let Some(b) = &m.item_batcher else { return Ok(inputs) };
        let max_items = match &b.max_items_per_batch {
            Some(src) => self.integer_field(entered, src, "MaxItemsPerBatch", effective, th)?.max(1),
            None => u64::MAX,
        };
        let max_bytes = match &b.max_input_bytes_per_batch {
            Some(src) => self.integer_field(entered, src, "MaxInputBytesPerBatch", effective, th)?.max(1),
            None => super::runner::MAX_PAYLOAD_BYTES as u64,
        };
        let batch_input = match &b.batch_input {
            Some(p) => Some(self.payload(entered, p, effective, th, None, None)?),
            None => None,
        };
        let mut batches: Vec<Vec<Value>> = Vec::new();
        let mut bytes = 0u64;
        for input in inputs {
            let size = super::runner::json_size(&input) as u64;
            let full = batches.last().is_none_or(|b| b.len() as u64 >= max_items || bytes + size > max_bytes);
            if full {
                batches.push(Vec::new());
                bytes = 0;
            }
            bytes += size;
            if let Some(last) = batches.last_mut() {
                last.push(input);
            }
        }
        Ok(batches
            .into_iter()
            .map(|items| {
                let mut o = serde_json::Map::new();
                if let Some(bi) = &batch_input {
                    o.insert("BatchInput".into(), bi.clone());
                }
                o.insert("Items".into(), Value::Array(items));
                Value::Object(o)
            })
            .collect())
    }

    /// A non-negative integer field given literally, by path (`MaxConcurrencyPath`...) or by
    /// expression; `name` is the field's name without `Path`.
    fn integer_field(
        &mut self,
        entered: &Entered,
        src: &NumberSource,
        name: &str,
        input: &Value,
        th: &Thread,
    ) -> Result<u64, Halt> {
        let p = match src {
            NumberSource::Value(n) => return Ok(*n as u64),
            NumberSource::Path(p) => p,
            NumberSource::Expr(f) => {
                let v = self.query(entered, f, Data::input(input), Expected::Number, th, None, None)?;
                return self.expression_integer(entered, &v, NumberField { name, min: 0.0 });
            }
        };
        let v = self.path_value(entered, p, input, th)?;
        match v.as_u64() {
            Some(n) => Ok(n),
            None if v.as_i64().is_some_and(|n| n < 0) && name == "ToleratedFailureCount" => {
                Err(Halt::Fail(entered.fail(Failure::runtime("ToleratedFailureCount cannot be negative."))))
            }
            None => Err(Halt::Fail(entered.fail(Failure::runtime(format!(
                "The {name}Path field refers to value \"{}\" which is not a valid integer: {}",
                shown(&v),
                p.source()
            ))))),
        }
    }

    fn percentage_field(
        &mut self,
        entered: &Entered,
        src: &NumberSource,
        input: &Value,
        th: &Thread,
    ) -> Result<f64, Halt> {
        let value = match src {
            NumberSource::Value(n) => *n,
            NumberSource::Expr(f) => {
                let v = self.query(entered, f, Data::input(input), Expected::Number, th, None, None)?;
                v.as_f64().unwrap_or(-1.0)
            }
            NumberSource::Path(p) => {
                let v = self.path_value(entered, p, input, th)?;
                v.as_f64().ok_or_else(|| {
                    Halt::Fail(entered.fail(Failure::runtime(format!(
                        "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid float: {}",
                        shown(&v),
                        p.source()
                    ))))
                })?
            }
        };
        if !(0.0..=100.0).contains(&value) {
            return Err(Halt::Fail(
                entered.fail(Failure::runtime("ToleratedFailurePercentage must be between 0 and 100.")),
            ));
        }
        Ok(value)
    }

    fn path_value(&mut self, entered: &Entered, p: &JsonPath, input: &Value, th: &Thread) -> Result<Value, Halt> {
        self.read_path(entered, p, input, th)?.ok_or_else(|| {
            Halt::Fail(entered.fail(Failure::runtime(format!(
                "Invalid path '{}' : No results for path: {}",
                p.source(),
                p
            ))))
        })
    }
}

/// A value as AWS quotes it in messages: strings raw, everything else as JSON.
fn shown(v: &Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
}
