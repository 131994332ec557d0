//! What paths read while a state runs: its input (`$`), the context object (`$$`) and the
//! workflow variables (`$name`), with AWS's scoping.

use crate::error::Failure;
use crate::path::{JsonPath, PathError, Root};
use crate::random::SeededRandom;
use crate::template::Resolve;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Variables visible to a thread: its own scope, then the enclosing scopes (read-only).
#[derive(Debug, Default)]
pub struct Vars<'p> {
    pub parent: Option<&'p Vars<'p>>,
    pub own: HashMap<String, Value>,
}

impl<'p> Vars<'p> {
    pub fn child(parent: &'p Vars<'p>) -> Vars<'p> {
        Vars { parent: Some(parent), own: HashMap::new() }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.own.get(name).or_else(|| self.parent.and_then(|p| p.get(name)))
    }
}

/// The parts of the context object that vary per state; built into JSON only when a `$$`
/// path is read.
#[derive(Debug, Clone)]
pub struct StateCtx<'a> {
    pub execution: &'a Value,
    pub state_machine: &'a Value,
    pub name: &'a str,
    pub entered_time: i64,
    /// `Some` for states that can retry (Task, Parallel, Map).
    pub retry_count: Option<u64>,
    pub task_token: Option<&'a str>,
    /// `$$.Map.Item` while an ItemSelector is evaluated.
    pub map_item: Option<(u64, &'a Value)>,
}

impl StateCtx<'_> {
    /// The context object; without `Execution` and `StateMachine` when `whole` is false, for a
    /// path that cannot reach them (`Execution.Input` is the whole execution input: copying it
    /// for every `$$.State.Name` read was a tenth of a run on a 100 KiB input).
    pub(crate) fn to_json(&self, whole: bool) -> Value {
        // Key order as AWS serialises it: Execution, StateMachine, State{Name, EnteredTime, RetryCount}, Task.
        let mut state = Map::new();
        state.insert("Name".into(), self.name.into());
        state.insert("EnteredTime".into(), crate::timestamp::format_millis(self.entered_time).into());
        if let Some(n) = self.retry_count {
            state.insert("RetryCount".into(), n.into());
        }
        let mut m = Map::new();
        if whole {
            m.insert("Execution".into(), self.execution.clone());
            m.insert("StateMachine".into(), self.state_machine.clone());
        }
        m.insert("State".into(), Value::Object(state));
        if let Some(t) = self.task_token {
            let mut task = Map::new();
            task.insert("Token".into(), t.into());
            m.insert("Task".into(), Value::Object(task));
        }
        if let Some((index, value)) = self.map_item {
            let mut item = Map::new();
            item.insert("Index".into(), index.into());
            item.insert("Value".into(), value.clone());
            let mut map = Map::new();
            map.insert("Item".into(), Value::Object(item));
            m.insert("Map".into(), Value::Object(map));
        }
        Value::Object(m)
    }
}

/// A resolver over one document (`$`) plus the context and variables.
pub struct Env<'a, 'p> {
    pub input: &'a Value,
    pub ctx: &'a StateCtx<'a>,
    pub vars: &'a Vars<'p>,
    pub rng: &'a mut SeededRandom,
    /// The context object as JSON, built at the first `$$` read: whole, and without
    /// `Execution` and `StateMachine` (see [`StateCtx::to_json`]).
    ctx_json: Option<Value>,
    ctx_json_light: Option<Value>,
}

impl<'a, 'p> Env<'a, 'p> {
    pub fn new(input: &'a Value, ctx: &'a StateCtx<'a>, vars: &'a Vars<'p>, rng: &'a mut SeededRandom) -> Self {
        Env { input, ctx, vars, rng, ctx_json: None, ctx_json_light: None }
    }

    /// Evaluates a path keeping Jayway's message when it matches nothing; a reference to an
    /// unknown variable is a `States.Runtime` failure.
    pub fn select(&mut self, path: &JsonPath) -> Result<Result<Value, PathError>, Failure> {
        match path.root() {
            // Observed AWS cause for any path applied to a null input, `$` included
            // (asl-features 3.4; "Input.$": "$" on a null input failed this way).
            Root::Input if self.input.is_null() => {
                Err(Failure::runtime("Unable to apply Path transformation to null or empty input."))
            }
            Root::Input => Ok(path.evaluate(self.input)),
            Root::Context => {
                let whole = path
                    .first_names()
                    .is_none_or(|names| names.iter().any(|n| n == "Execution" || n == "StateMachine"));
                let slot = if whole { &mut self.ctx_json } else { &mut self.ctx_json_light };
                let ctx = slot.get_or_insert_with(|| self.ctx.to_json(whole));
                Ok(path.evaluate(ctx))
            }
            Root::Variable(name) => match self.vars.get(name) {
                Some(v) => Ok(path.evaluate(v)),
                // UNSURE(aws): the cause AWS gives for an undefined variable in JSONPath mode.
                None => Err(Failure::runtime(format!("The variable '${name}' is not defined"))),
            },
        }
    }
}

impl Resolve for Env<'_, '_> {
    fn lookup(&mut self, path: &JsonPath) -> Result<Option<Value>, Failure> {
        Ok(self.select(path)?.ok())
    }

    fn input_text(&self) -> String {
        self.input.to_string()
    }

    fn random(&mut self) -> &mut SeededRandom {
        self.rng
    }
}
