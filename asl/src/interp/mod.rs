//! The reference interpreter (JSONPath and JSONata modes).
//!
//! Deterministic and single-threaded: Parallel branches and Map iterations run one after the
//! other in index order, each on its own virtual clock that starts when the fan-out starts, so
//! timing (waits, retries, timeouts) is what concurrent execution on AWS would give. Runs end:
//! the 25,000-event cap and a transition budget bound every execution.

mod env;
mod fanout;
mod jsonata;
mod runner;
pub mod single;
mod task;

use crate::behaviour::Behaviours;
use crate::context::ExecutionContext;
use crate::history::{Event, MAX_EVENTS};
use crate::model::StateMachine;
use serde_json::{json, Map, Value};

pub use runner::Route;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub context: ExecutionContext,
    pub behaviours: Behaviours,
    /// Seeds jitter, `States.UUID`, unseeded `States.MathRandom` and task tokens.
    pub seed: u64,
    /// Record the execution history (ids are counted either way).
    pub record_history: bool,
    /// AWS's cap on history events (25,000 for standard workflows).
    pub max_events: u64,
    /// A budget of state transitions so no machine runs forever (not an AWS limit).
    pub max_transitions: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            context: ExecutionContext::default(),
            behaviours: Behaviours::default(),
            seed: 0,
            record_history: true,
            max_events: MAX_EVENTS,
            max_transitions: 1_000_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Succeeded,
    Failed,
    TimedOut,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
        }
    }
}

/// The seconds waited before each retry of one state entry.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryRecord {
    pub state: String,
    pub delays: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct RunResult {
    pub status: Status,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Routing: states in order of entry, with per-branch routes for Parallel and Map.
    pub states: Vec<Route>,
    pub retries: Vec<RetryRecord>,
    pub history: Vec<Event>,
    /// States entered, including states inside branches and iterations, plus retried attempts.
    pub transitions: u64,
    /// Virtual milliseconds from start to end.
    pub duration_ms: i64,
}

impl RunResult {
    /// The result object of `aslcheck run`.
    pub fn to_json(&self) -> Value {
        self.clone().into_json()
    }

    /// [`RunResult::into_json`] without the `history` field.
    pub fn into_json_without_history(self) -> Value {
        self.json(false)
    }

    /// [`RunResult::to_json`], moving the output and the history's texts instead of copying them.
    pub fn into_json(self) -> Value {
        self.json(true)
    }

    fn json(self, with_history: bool) -> Value {
        let mut m = Map::with_capacity(9);
        m.insert("status".into(), self.status.as_str().into());
        if let Some(o) = self.output {
            m.insert("output".into(), o);
        }
        if let Some(e) = self.error {
            m.insert("error".into(), e.into());
        }
        if let Some(c) = self.cause {
            m.insert("cause".into(), c.into());
        }
        m.insert("states".into(), Value::Array(self.states.iter().map(Route::to_json).collect()));
        let retries: Vec<Value> = self.retries.iter().map(|r| json!({"state": r.state, "delays": r.delays})).collect();
        m.insert("retries".into(), Value::Array(retries));
        if with_history {
            m.insert("history".into(), Value::Array(Event::list_json(self.history)));
        }
        m.insert("transitions".into(), self.transitions.into());
        m.insert("duration_seconds".into(), json!(self.duration_ms as f64 / 1000.0));
        Value::Object(m)
    }
}

impl RunResult {
    /// Writes the text of [`RunResult::into_json`] (compact) without building the history as
    /// one JSON value: events are converted and written one at a time, so a 25,000-event
    /// history costs little more memory than the events themselves.
    pub fn write_json(mut self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let mut events = std::mem::take(&mut self.history);
        let fields = match self.into_json() {
            Value::Object(fields) => fields,
            other => return serde_json::to_writer(out, &other).map_err(std::io::Error::from),
        };
        out.write_all(b"{")?;
        for (i, (k, v)) in fields.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, k)?;
            out.write_all(b":")?;
            if k == "history" {
                out.write_all(b"[")?;
                let mut first = true;
                Event::for_each_json(std::mem::take(&mut events), |e| {
                    if !std::mem::take(&mut first) {
                        out.write_all(b",")?;
                    }
                    serde_json::to_writer(&mut *out, &e).map_err(std::io::Error::from)
                })?;
                out.write_all(b"]")?;
            } else {
                serde_json::to_writer(&mut *out, v)?;
            }
        }
        out.write_all(b"}")
    }
}

/// Runs a validated state machine on an input.
pub fn run(sm: &StateMachine, input: Value, opts: &RunOptions) -> RunResult {
    runner::Runner::new(opts).execute(sm, input)
}
