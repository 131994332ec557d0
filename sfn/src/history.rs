//! An execution's history, as GetExecutionHistory gives it, read back into the result object
//! that `aslcheck run` prints: the route (states entered, per branch and Map iteration) and
//! the retry delays.
//!
//! Branch and iteration events interleave on AWS, so events are sorted into lanes by
//! `previousEventId`: an event continues its predecessor's lane, a state entered right after
//! a `ParallelStateStarted` opens a branch lane (which branch: the one whose `StartAt` it is),
//! a `MapIterationStarted` opens an iteration lane, and the fan-out's own later events
//! (started again on retry, succeeded, failed) climb back to the lane the fan-out was entered
//! in.

use super::lower;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One history event, engine-neutral.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub previous: i64,
    /// Seconds since the Unix epoch.
    pub at: f64,
    pub kind: String,
    /// The details object under its API key (`stateEnteredEventDetails`...), when known.
    pub details: Option<(String, Value)>,
}

impl Event {
    fn detail(&self, key: &str) -> Option<&Value> {
        self.details.as_ref().and_then(|(_, d)| d.get(key))
    }

    fn state_name(&self) -> Option<&str> {
        self.detail("name").and_then(Value::as_str)
    }

    /// The event as GetExecutionHistory's JSON shows it.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "previousEventId": self.previous,
            "timestamp": timestamp(self.at),
            "type": self.kind,
        });
        if let Some((k, d)) = &self.details {
            v[k] = d.clone();
        }
        v
    }
}

fn timestamp(at: f64) -> String {
    let ms = (at * 1000.0).round() as i64;
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

const FANOUT_START: [&str; 2] = ["ParallelStateStarted", "MapStateStarted"];
const FANOUT_END: [&str; 6] = [
    "ParallelStateSucceeded",
    "ParallelStateFailed",
    "ParallelStateAborted",
    "MapStateSucceeded",
    "MapStateFailed",
    "MapStateAborted",
];

enum Node {
    State(String),
    /// An attempt of a Parallel or Map state: an index into `Routes::attempts`.
    Attempt(usize),
}

struct Lane {
    nodes: Vec<Node>,
    /// The attempt this lane is a branch or iteration of.
    attempt: Option<usize>,
    /// The state entered last in this lane.
    entry: Option<String>,
}

struct Attempt {
    name: String,
    lane: usize,
    /// Branch or iteration index → lane.
    branches: BTreeMap<usize, usize>,
    /// Its Succeeded/Failed/Aborted event has been seen.
    ended: bool,
}

/// The route and retries of a history. `branch_starts` gives, per Parallel state, the
/// `StartAt` of each branch; `lowered` names the Tasks that run as Parallel stand-ins.
pub fn route_and_retries(
    events: &[Event],
    branch_starts: &HashMap<String, Vec<String>>,
    lowered: &BTreeSet<String>,
) -> (Value, Value) {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by_key(|e| e.id);
    let mut w = Walk::default();
    w.lanes.push(Lane { nodes: Vec::new(), attempt: None, entry: None });
    for e in sorted {
        w.event(e, branch_starts, lowered);
    }
    let route = Value::Array(w.lanes[0].nodes.iter().map(|n| node_json(n, &w.lanes, &w.attempts)).collect());
    let retries = w.retries.into_iter().map(|(state, delays)| json!({"state": state, "delays": delays})).collect();
    (route, Value::Array(retries))
}

#[derive(Default)]
struct Walk {
    lanes: Vec<Lane>,
    attempts: Vec<Attempt>,
    /// Per event id: its lane, time and type.
    seen: HashMap<i64, (usize, f64, String)>,
    /// Per lane: the latest fan-out attempt started there.
    open_attempt: HashMap<usize, usize>,
    /// Per lane: the id of the latest fan-out state entry or start there. A fan-out event
    /// right after it concerns that fan-out, not the one the lane is a branch of.
    fanout_marker: HashMap<usize, i64>,
    retries: Vec<(String, Vec<f64>)>,
    /// Per lane: the current entry's slot in `retries`, and whether it has started an attempt.
    started: HashMap<usize, (Option<usize>, bool)>,
}

impl Walk {
    fn event(&mut self, e: &Event, branch_starts: &HashMap<String, Vec<String>>, lowered: &BTreeSet<String>) {
        let kind = e.kind.as_str();
        let (prev_lane, prev_kind) = self.seen.get(&e.previous).map(|(l, _, k)| (*l, k.as_str())).unwrap_or((0, ""));
        let mut lane = prev_lane;
        let is_fanout_state = |k: &str| FANOUT_KINDS.iter().any(|f| k.starts_with(f));
        if kind.ends_with("StateEntered") && prev_kind == "ParallelStateStarted" {
            // The first state of a branch: which branch is told by its name.
            if let Some(&a) = self.open_attempt.get(&prev_lane) {
                let name = e.state_name().unwrap_or_default();
                let starts = branch_starts.get(&self.attempts[a].name);
                let index =
                    starts.and_then(|s| s.iter().position(|n| n == name)).unwrap_or(self.attempts[a].branches.len());
                lane = self.new_lane(a, index);
            }
        } else if kind == "MapIterationStarted" {
            let attempt = if prev_kind == "MapStateStarted" {
                self.open_attempt.get(&prev_lane).copied()
            } else {
                self.lanes[prev_lane].attempt
            };
            if let Some(a) = attempt {
                let index = e.detail("index").and_then(Value::as_u64).map(|i| i as usize);
                lane = self.new_lane(a, index.unwrap_or(self.attempts[a].branches.len()));
            }
        } else if FANOUT_EXIT.contains(&kind) {
            // AWS chains Exited to the fan-out's Succeeded; moto to the last event of the
            // deepest branch: climb out of every fan-out that has already ended.
            if !FANOUT_END.contains(&prev_kind) {
                lane = self.climb_closed(prev_lane);
            }
        } else if FANOUT_START.contains(&kind) || FANOUT_END.contains(&kind) {
            // A retry's start or a fan-out's end. Right after the fan-out's own entry or start
            // (no branch ran) it is in that lane; otherwise it comes after some branch's last
            // event, and belongs to the innermost fan-out still running above that event.
            let own = self.fanout_marker.get(&prev_lane) == Some(&e.previous);
            let attempt = if own {
                self.open_attempt.get(&prev_lane).copied()
            } else {
                let l = self.climb_closed(prev_lane);
                self.lanes[l].attempt.inspect(|&a| lane = self.attempts[a].lane)
            };
            if FANOUT_END.contains(&kind) {
                if let Some(a) = attempt {
                    self.attempts[a].ended = true;
                }
            }
        }
        self.seen.insert(e.id, (lane, e.at, e.kind.clone()));

        if kind.ends_with("StateEntered") {
            let name = e.state_name().unwrap_or_default().to_string();
            self.lanes[lane].entry = Some(name.clone());
            self.started.insert(lane, (None, false));
            if is_fanout_state(kind) {
                self.fanout_marker.insert(lane, e.id);
            }
            if !lower::is_added(&name) {
                self.lanes[lane].nodes.push(Node::State(name));
            }
        }
        if FANOUT_START.contains(&kind) || kind == "TaskScheduled" {
            let name = self.lanes[lane].entry.clone().unwrap_or_default();
            let first = !self.started.get(&lane).is_some_and(|s| s.1);
            if FANOUT_START.contains(&kind) {
                self.attempts.push(Attempt { name: name.clone(), lane, branches: BTreeMap::new(), ended: false });
                let a = self.attempts.len() - 1;
                self.open_attempt.insert(lane, a);
                self.fanout_marker.insert(lane, e.id);
                // Like the reference: the first attempt replaces the plain entry, a retry adds one.
                if !lowered.contains(&name) {
                    let nodes = &mut self.lanes[lane].nodes;
                    match nodes.last_mut() {
                        Some(last @ Node::State(_)) if first => *last = Node::Attempt(a),
                        _ => nodes.push(Node::Attempt(a)),
                    }
                }
            }
            let prev_at = self.seen.get(&e.previous).map(|(_, t, _)| *t);
            let slot = self.started.entry(lane).or_insert((None, false));
            if slot.1 {
                // A retry: the wait is the gap since the failure before it.
                let delay = prev_at.map(|p| ((e.at - p) * 1000.0).round() / 1000.0).unwrap_or(0.0);
                let retries = &mut self.retries;
                let idx = *slot.0.get_or_insert_with(|| {
                    retries.push((name.clone(), Vec::new()));
                    retries.len() - 1
                });
                retries[idx].1.push(delay.max(0.0));
            }
            slot.1 = true;
        }
    }

    /// From a lane, up through the fan-outs that have ended, to the lane of the innermost one
    /// still running (or the top lane).
    fn climb_closed(&self, mut lane: usize) -> usize {
        while let Some(a) = self.lanes[lane].attempt.filter(|&a| self.attempts[a].ended) {
            lane = self.attempts[a].lane;
        }
        lane
    }

    fn new_lane(&mut self, attempt: usize, index: usize) -> usize {
        if let Some(&l) = self.attempts[attempt].branches.get(&index) {
            return l;
        }
        self.lanes.push(Lane { nodes: Vec::new(), attempt: Some(attempt), entry: None });
        self.attempts[attempt].branches.insert(index, self.lanes.len() - 1);
        self.lanes.len() - 1
    }
}

const FANOUT_EXIT: [&str; 2] = ["ParallelStateExited", "MapStateExited"];
const FANOUT_KINDS: [&str; 2] = ["ParallelState", "MapState"];

fn node_json(n: &Node, lanes: &[Lane], attempts: &[Attempt]) -> Value {
    match n {
        Node::State(s) => json!(s),
        Node::Attempt(a) => {
            let at = &attempts[*a];
            let count = at.branches.keys().next_back().map(|k| k + 1).unwrap_or(0);
            let branches: Vec<Value> = (0..count)
                .map(|i| match at.branches.get(&i) {
                    Some(&l) => Value::Array(lanes[l].nodes.iter().map(|n| node_json(n, lanes, attempts)).collect()),
                    None => json!([]),
                })
                .collect();
            json!({ at.name.clone(): branches })
        }
    }
}

/// Per Parallel state of a definition (at any depth), the `StartAt` of each branch.
pub fn branch_starts(definition: &Value) -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    collect_starts(definition, &mut out);
    out
}

fn collect_starts(machine: &Value, out: &mut HashMap<String, Vec<String>>) {
    let Some(states) = machine.get("States").and_then(Value::as_object) else { return };
    for (name, s) in states {
        if let Some(branches) = s.get("Branches").and_then(Value::as_array) {
            let starts = branches.iter().map(|b| b["StartAt"].as_str().unwrap_or_default().to_string()).collect();
            out.insert(name.clone(), starts);
        }
        for (_, inner) in super::nested(s) {
            collect_starts(inner, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// An event; `name` fills the details of state and iteration events.
    fn ev(id: i64, previous: i64, at: f64, kind: &str, name: &str) -> Event {
        let details = if kind.ends_with("StateEntered") {
            Some(("stateEnteredEventDetails".to_string(), json!({"name": name})))
        } else if kind.ends_with("StateExited") {
            Some(("stateExitedEventDetails".to_string(), json!({"name": name})))
        } else if kind.starts_with("MapIteration") {
            Some((
                "mapIterationStartedEventDetails".to_string(),
                json!({"name": "M", "index": name.parse::<u64>().unwrap()}),
            ))
        } else {
            None
        };
        Event { id, previous, at, kind: kind.to_string(), details }
    }

    fn run(events: &[Event], starts: &[(&str, &[&str])], lowered: &[&str]) -> (Value, Value) {
        let starts = starts.iter().map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect())).collect();
        let lowered = lowered.iter().map(|s| s.to_string()).collect();
        route_and_retries(events, &starts, &lowered)
    }

    #[test]
    fn a_retried_parallel_gives_one_route_entry_per_attempt_and_its_delays() {
        // As moto 5.2.5 wrote it for a Parallel retried twice after 1 s and 2 s.
        let events = [
            ev(1, 0, 0.0, "ExecutionStarted", ""),
            ev(2, 0, 0.0, "ParallelStateEntered", "P"),
            ev(3, 2, 0.003, "ParallelStateStarted", ""),
            ev(4, 3, 0.004, "ChoiceStateEntered", "C"),
            ev(5, 4, 0.007, "ChoiceStateExited", "C"),
            ev(6, 5, 0.007, "FailStateEntered", "F"),
            ev(7, 6, 1.012, "ParallelStateStarted", ""),
            ev(8, 7, 1.013, "ChoiceStateEntered", "C"),
            ev(9, 8, 1.014, "ChoiceStateExited", "C"),
            ev(10, 9, 1.014, "FailStateEntered", "F"),
            ev(11, 10, 3.015, "ParallelStateStarted", ""),
            ev(12, 11, 3.016, "ChoiceStateEntered", "C"),
            ev(13, 12, 3.017, "FailStateEntered", "F"),
            ev(14, 13, 3.017, "ParallelStateFailed", ""),
            ev(15, 14, 3.018, "ExecutionFailed", ""),
        ];
        let (route, retries) = run(&events, &[("P", &["C"])], &[]);
        let attempt = json!({"P": [["C", "F"]]});
        assert_eq!(route, json!([attempt, attempt, attempt]));
        assert_eq!(retries, json!([{"state": "P", "delays": [1.005, 2.001]}]));
    }

    #[test]
    fn interleaved_branches_are_sorted_by_previous_event_and_start_state() {
        let events = [
            ev(1, 0, 0.0, "ExecutionStarted", ""),
            ev(2, 1, 0.0, "ParallelStateEntered", "P"),
            ev(3, 2, 0.0, "ParallelStateStarted", ""),
            ev(4, 3, 0.0, "PassStateEntered", "B"),
            ev(5, 3, 0.0, "PassStateEntered", "A"),
            ev(6, 5, 0.0, "PassStateExited", "A"),
            ev(7, 4, 0.0, "PassStateExited", "B"),
            ev(8, 6, 0.0, "PassStateEntered", "A2"),
            ev(9, 8, 0.0, "PassStateExited", "A2"),
            ev(10, 9, 0.0, "ParallelStateSucceeded", ""),
            ev(11, 10, 0.0, "ParallelStateExited", "P"),
            ev(12, 11, 0.0, "SucceedStateEntered", "S"),
        ];
        let (route, retries) = run(&events, &[("P", &["A", "B"])], &[]);
        assert_eq!(route, json!([{"P": [["A", "A2"], ["B"]]}, "S"]));
        assert_eq!(retries, json!([]));
    }

    #[test]
    fn moto_chains_a_fanouts_exit_to_the_last_branch_event() {
        // As moto 5.2.5 wrote it.
        let events = [
            ev(1, 0, 0.0, "ExecutionStarted", ""),
            ev(2, 0, 0.0, "ParallelStateEntered", "P"),
            ev(3, 2, 0.0, "ParallelStateStarted", ""),
            ev(4, 3, 0.0, "PassStateEntered", "A"),
            ev(5, 4, 0.0, "PassStateExited", "A"),
            ev(6, 3, 0.0, "PassStateEntered", "B"),
            ev(7, 6, 0.0, "PassStateExited", "B"),
            ev(8, 7, 0.0, "ParallelStateSucceeded", ""),
            ev(9, 7, 0.0, "ParallelStateExited", "P"),
            ev(10, 9, 0.0, "MapStateEntered", "M"),
            ev(11, 10, 0.0, "MapStateStarted", ""),
            ev(12, 11, 0.0, "MapIterationStarted", "0"),
            ev(13, 12, 0.0, "PassStateEntered", "X"),
            ev(14, 13, 0.0, "MapIterationSucceeded", "0"),
            ev(15, 14, 0.0, "MapStateSucceeded", ""),
            ev(16, 14, 0.0, "MapStateExited", "M"),
            ev(17, 16, 0.0, "SucceedStateEntered", "S"),
        ];
        let (route, _) = run(&events, &[("P", &["A", "B"])], &[]);
        assert_eq!(route, json!([{"P": [["A"], ["B"]]}, {"M": [["X"]]}, "S"]));
    }

    #[test]
    fn map_iterations_go_by_index() {
        let events = [
            ev(1, 0, 0.0, "ExecutionStarted", ""),
            ev(2, 1, 0.0, "MapStateEntered", "M"),
            ev(3, 2, 0.0, "MapStateStarted", ""),
            ev(4, 3, 0.0, "MapIterationStarted", "1"),
            ev(5, 3, 0.0, "MapIterationStarted", "0"),
            ev(6, 4, 0.0, "PassStateEntered", "X"),
            ev(7, 5, 0.0, "PassStateEntered", "X"),
            ev(8, 7, 0.0, "PassStateExited", "X"),
            ev(9, 8, 0.0, "PassStateEntered", "Y"),
            ev(10, 9, 0.0, "MapIterationSucceeded", "0"),
            ev(11, 6, 0.0, "MapIterationSucceeded", "1"),
            ev(12, 11, 0.0, "MapStateSucceeded", ""),
            ev(13, 12, 0.0, "MapStateExited", "M"),
            ev(14, 13, 0.0, "PassStateEntered", "After"),
        ];
        let (route, _) = run(&events, &[], &[]);
        assert_eq!(route, json!([{"M": [["X", "Y"], ["X"]]}, "After"]));
    }

    #[test]
    fn a_lowered_task_shows_as_the_task_with_its_retries() {
        let events = [
            ev(1, 0, 0.0, "ExecutionStarted", ""),
            ev(2, 1, 0.0, "ParallelStateEntered", "T"),
            ev(3, 2, 0.0, "ParallelStateStarted", ""),
            ev(4, 3, 0.0, "FailStateEntered", "T__aslcheck_result"),
            ev(5, 4, 2.0, "ParallelStateStarted", ""),
            ev(6, 5, 2.0, "FailStateEntered", "T__aslcheck_result"),
            ev(7, 6, 2.0, "ParallelStateFailed", ""),
            ev(8, 7, 2.0, "PassStateEntered", "Handler"),
        ];
        let (route, retries) = run(&events, &[("T", &["T__aslcheck_result"])], &["T"]);
        assert_eq!(route, json!(["T", "Handler"]));
        assert_eq!(retries, json!([{"state": "T", "delays": [2.0]}]));
    }

    #[test]
    fn a_lowered_task_inside_a_branch_stays_in_its_branch() {
        // As moto 5.2.5 wrote it.
        let events = [
            ev(1, 0, 0.0, "ExecutionStarted", ""),
            ev(2, 0, 0.0, "ParallelStateEntered", "P"),
            ev(3, 2, 0.0, "ParallelStateStarted", ""),
            ev(4, 3, 0.0, "PassStateEntered", "B1"),
            ev(5, 4, 0.0, "PassStateExited", "B1"),
            ev(6, 3, 0.0, "ParallelStateEntered", "B2"),
            ev(7, 6, 0.0, "ParallelStateStarted", ""),
            ev(8, 7, 0.0, "PassStateEntered", "B2__aslcheck_result"),
            ev(9, 8, 0.0, "PassStateExited", "B2__aslcheck_result"),
            ev(10, 9, 0.0, "ParallelStateSucceeded", ""),
            ev(11, 9, 0.0, "ParallelStateExited", "B2"),
            ev(12, 11, 0.0, "PassStateEntered", "B2__aslcheck_unwrap"),
            ev(13, 12, 0.0, "PassStateExited", "B2__aslcheck_unwrap"),
            ev(14, 13, 0.0, "ParallelStateSucceeded", ""),
            ev(15, 13, 0.0, "ParallelStateExited", "P"),
            ev(16, 15, 0.0, "ExecutionSucceeded", ""),
        ];
        let (route, _) = run(&events, &[("P", &["B1", "B2"]), ("B2", &["B2__aslcheck_result"])], &["B2"]);
        assert_eq!(route, json!([{"P": [["B1"], ["B2"]]}]));
    }

    #[test]
    fn a_retry_after_a_failed_stand_in_belongs_to_the_outer_parallel() {
        // moto chains the outer retry's start to the deepest failing event.
        let events = [
            ev(1, 0, 0.0, "ExecutionStarted", ""),
            ev(2, 0, 0.0, "ParallelStateEntered", "P"),
            ev(3, 2, 0.0, "ParallelStateStarted", ""),
            ev(4, 3, 0.0, "ParallelStateEntered", "B"),
            ev(5, 4, 0.0, "ParallelStateStarted", ""),
            ev(6, 5, 0.0, "FailStateEntered", "B__aslcheck_result"),
            ev(7, 6, 0.0, "ParallelStateFailed", ""),
            ev(8, 6, 1.0, "ParallelStateStarted", ""),
            ev(9, 8, 1.0, "ParallelStateEntered", "B"),
            ev(10, 9, 1.0, "ParallelStateStarted", ""),
            ev(11, 10, 1.0, "FailStateEntered", "B__aslcheck_result"),
            ev(12, 11, 1.0, "ParallelStateFailed", ""),
            ev(13, 11, 1.0, "ParallelStateFailed", ""),
            ev(14, 13, 1.0, "ExecutionFailed", ""),
        ];
        let (route, retries) = run(&events, &[("P", &["B"]), ("B", &["B__aslcheck_result"])], &["B"]);
        assert_eq!(route, json!([{"P": [["B"]]}, {"P": [["B"]]}]));
        assert_eq!(retries, json!([{"state": "P", "delays": [1.0]}]));
    }

    #[test]
    fn an_empty_map_inside_a_branch_ends_in_its_own_lane() {
        let events = [
            ev(1, 0, 0.0, "ExecutionStarted", ""),
            ev(2, 1, 0.0, "ParallelStateEntered", "P"),
            ev(3, 2, 0.0, "ParallelStateStarted", ""),
            ev(4, 3, 0.0, "MapStateEntered", "M"),
            ev(5, 4, 0.0, "MapStateStarted", ""),
            ev(6, 5, 0.0, "MapStateSucceeded", ""),
            ev(7, 6, 0.0, "MapStateExited", "M"),
            ev(8, 7, 0.0, "PassStateEntered", "Z"),
            ev(9, 8, 0.0, "ParallelStateSucceeded", ""),
            ev(10, 9, 0.0, "ParallelStateExited", "P"),
        ];
        let (route, _) = run(&events, &[("P", &["M"])], &[]);
        assert_eq!(route, json!([{"P": [[{"M": []}, "Z"]]}]));
    }

    #[test]
    fn events_render_as_the_api_shows_them() {
        let e = ev(2, 1, 1_700_000_000.5, "PassStateEntered", "A");
        assert_eq!(
            e.to_json(),
            json!({"id": 2, "previousEventId": 1, "timestamp": "2023-11-14T22:13:20.500Z", "type": "PassStateEntered",
                   "stateEnteredEventDetails": {"name": "A"}})
        );
    }
}
