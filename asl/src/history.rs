//! The execution history, with AWS's event types, detail keys and id links.
//!
//! Ids are counted even when recording is off, because AWS quotes the id of a state's
//! `...StateEntered` event in the causes of its runtime errors.

use crate::timestamp;
use serde_json::{Map, Value};
use std::sync::Arc;

/// AWS's cap on events per (standard) execution.
pub const MAX_EVENTS: u64 = 25_000;

/// An event's details, kept typed for the events every state writes (cheap to record) and as
/// JSON for the rest.
#[derive(Debug, Clone, PartialEq)]
pub enum Details {
    None,
    /// `stateEnteredEventDetails`: the state's name and its input as JSON text.
    Entered {
        name: Arc<str>,
        input: String,
    },
    /// `stateExitedEventDetails`: name, output text, and assigned variables as JSON texts.
    Exited {
        name: Arc<str>,
        output: String,
        assigned: Option<Vec<(String, String)>>,
    },
    Json(Map<String, Value>),
}

impl Details {
    /// Details from a JSON value: an object becomes `Json`, anything else `None`.
    pub fn json(v: Value) -> Details {
        match v {
            Value::Object(m) => Details::Json(m),
            _ => Details::None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: u64,
    pub previous_event_id: u64,
    /// Virtual time, epoch milliseconds.
    pub timestamp: i64,
    pub kind: &'static str,
    pub details: Details,
}

impl Event {
    /// The detail key AWS uses: all `*StateEntered` share `stateEnteredEventDetails`, all
    /// `*StateExited` share `stateExitedEventDetails`; the rest are the lower-camel type.
    pub fn details_key(kind: &str) -> String {
        if kind.ends_with("StateEntered") {
            return "stateEnteredEventDetails".into();
        }
        if kind.ends_with("StateExited") {
            return "stateExitedEventDetails".into();
        }
        let mut chars = kind.chars();
        let first = chars.next().map(|c| c.to_ascii_lowercase()).unwrap_or_default();
        format!("{first}{}EventDetails", chars.as_str())
    }

    /// The details object as GetExecutionHistory shows it (`None` when the event has none).
    pub fn details_json(&self) -> Option<Map<String, Value>> {
        self.details.clone().into_json()
    }

    /// The event as GetExecutionHistory returns it.
    pub fn to_json(&self) -> Value {
        self.clone().into_json_at(timestamp::format_millis(self.timestamp))
    }

    /// [`Event::to_json`], moving the details' texts instead of copying them, with the
    /// timestamp already formatted.
    fn into_json_at(self, timestamp: String) -> Value {
        let mut m = Map::with_capacity(5);
        m.insert("id".into(), self.id.into());
        m.insert("previousEventId".into(), self.previous_event_id.into());
        m.insert("timestamp".into(), timestamp.into());
        m.insert("type".into(), self.kind.into());
        if let Some(d) = self.details.into_json() {
            m.insert(Event::details_key(self.kind), Value::Object(d));
        }
        Value::Object(m)
    }

    /// A whole history as GetExecutionHistory returns it, consuming it; events of the same
    /// millisecond share one formatting of their timestamp.
    pub fn list_json(events: Vec<Event>) -> Vec<Value> {
        let mut list = Vec::with_capacity(events.len());
        let _ = Event::for_each_json(events, |e| {
            list.push(e);
            Ok::<(), std::convert::Infallible>(())
        });
        list
    }

    /// Each event of a history as GetExecutionHistory returns it, in order, to `f` (the first
    /// error stops and is returned).
    pub fn for_each_json<E>(events: Vec<Event>, mut f: impl FnMut(Value) -> Result<(), E>) -> Result<(), E> {
        let mut last: Option<(i64, String)> = None;
        for e in events {
            let text = match &last {
                Some((t, text)) if *t == e.timestamp => text.clone(),
                _ => {
                    let text = timestamp::format_millis(e.timestamp);
                    last = Some((e.timestamp, text.clone()));
                    text
                }
            };
            f(e.into_json_at(text))?;
        }
        Ok(())
    }
}

impl Details {
    /// The details object as GetExecutionHistory shows it (`None` when there is none).
    fn into_json(self) -> Option<Map<String, Value>> {
        let truncated = || Value::Object(Map::from_iter([("truncated".to_string(), Value::Bool(false))]));
        match self {
            Details::None => None,
            Details::Json(m) => Some(m),
            Details::Entered { name, input } => {
                let mut m = Map::with_capacity(3);
                m.insert("name".into(), name.as_ref().into());
                m.insert("input".into(), input.into());
                m.insert("inputDetails".into(), truncated());
                Some(m)
            }
            Details::Exited { name, output, assigned } => {
                let mut m = Map::with_capacity(if assigned.is_some() { 5 } else { 3 });
                m.insert("name".into(), name.as_ref().into());
                m.insert("output".into(), output.into());
                m.insert("outputDetails".into(), truncated());
                if let Some(vars) = assigned {
                    let texts = vars.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
                    m.insert("assignedVariables".into(), Value::Object(texts));
                    m.insert("assignedVariablesDetails".into(), truncated());
                }
                Some(m)
            }
        }
    }
}

/// The 25,000-event cap was reached; the execution must fail with the next event.
#[derive(Debug)]
pub struct EventCapReached;

#[derive(Debug)]
pub struct History {
    record: bool,
    limit: u64,
    last_id: u64,
    events: Vec<Event>,
}

pub fn is_terminal(kind: &str) -> bool {
    matches!(kind, "ExecutionSucceeded" | "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted")
}

impl History {
    pub fn new(record: bool, limit: u64) -> Self {
        History { record, limit, last_id: 0, events: Vec::new() }
    }

    pub fn recording(&self) -> bool {
        self.record
    }

    pub fn last_id(&self) -> u64 {
        self.last_id
    }

    /// Appends an event and returns its id. Only a terminal event may take the last id
    /// below the cap: AWS fails the execution with event #25,000.
    pub fn push(
        &mut self,
        prev: u64,
        at: i64,
        kind: &'static str,
        details: impl FnOnce() -> Details,
    ) -> Result<u64, EventCapReached> {
        if self.last_id + 1 >= self.limit && !is_terminal(kind) {
            return Err(EventCapReached);
        }
        self.last_id += 1;
        if self.record {
            self.events.push(Event {
                id: self.last_id,
                previous_event_id: prev,
                timestamp: at,
                kind,
                details: details(),
            });
        }
        Ok(self.last_id)
    }

    pub fn into_events(self) -> Vec<Event> {
        self.events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_keys_follow_aws() {
        assert_eq!(Event::details_key("PassStateEntered"), "stateEnteredEventDetails");
        assert_eq!(Event::details_key("MapStateExited"), "stateExitedEventDetails");
        assert_eq!(Event::details_key("TaskScheduled"), "taskScheduledEventDetails");
        assert_eq!(Event::details_key("MapIterationStarted"), "mapIterationStartedEventDetails");
    }

    #[test]
    fn cap_leaves_the_last_id_to_a_terminal_event() {
        let mut h = History::new(false, 3);
        assert_eq!(h.push(0, 0, "ExecutionStarted", || Details::None).unwrap(), 1);
        assert_eq!(h.push(0, 0, "PassStateEntered", || Details::None).unwrap(), 2);
        assert!(h.push(2, 0, "PassStateExited", || Details::None).is_err());
        assert_eq!(h.push(2, 0, "ExecutionFailed", || Details::None).unwrap(), 3);
    }
}
