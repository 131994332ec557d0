//! Graph rules of a parsed definition, as CreateStateMachine checks them: transition targets,
//! reachability, a terminal state, unique state names across all branches, and the position of
//! `States.ALL`. Run after parsing; AWS reports these only when the schema is valid.

use crate::diagnostic::{codes, Diagnostic, Diagnostics, Location};
use crate::error::names;
use crate::model::{self, Catcher, Kind, Payload, Retrier, StateMachine};
use crate::template::Template;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Parses and validates a definition: the model (when it can run) and every diagnostic.
pub fn check(v: &Value) -> (Option<StateMachine>, Diagnostics) {
    let (sm, mut diags) = model::parse(v);
    if let (Some(sm), true) = (&sm, diags.is_empty()) {
        validate(sm, &mut diags);
    }
    let runnable = if diags.is_empty() { sm } else { None };
    (runnable, diags)
}

/// Parses JSON text and validates it (see [`check`]).
pub fn check_str(text: &str) -> (Option<StateMachine>, Diagnostics) {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => check(&v),
        Err(_) => model::parse_str(text),
    }
}

/// The graph rules on a schema-valid model.
pub fn validate(sm: &StateMachine, diags: &mut Diagnostics) {
    let mut seen = HashMap::new();
    duplicate_names(sm, &mut seen, diags);
    machine(sm, diags);
    variable_scopes(sm, &HashSet::new(), diags);
}

/// Branches and iterations read the variables of enclosing scopes but may not assign them,
/// and may not declare a variable an enclosing scope has (AWS developer guide, "Variable
/// scope"). A distributed Map's children see no outer variables at all.
fn variable_scopes(sm: &StateMachine, outer: &HashSet<String>, diags: &mut Diagnostics) {
    let mut here: HashSet<String> = HashSet::new();
    for state in sm.states.values() {
        let mut assigns: Vec<(&Payload, Location)> = Vec::new();
        if let Some(a) = &state.assign {
            assigns.push((a, state.at.key("Assign")));
        }
        if let Kind::Choice(c) = &state.kind {
            for (i, b) in c.choices.iter().enumerate() {
                if let Some(a) = &b.assign {
                    assigns.push((a, state.at.key("Choices").index(i).key("Assign")));
                }
            }
        }
        let catchers: &[Catcher] = match &state.kind {
            Kind::Task(t) => &t.catch,
            Kind::Parallel(p) => &p.catch,
            Kind::Map(m) => &m.catch,
            _ => &[],
        };
        for (i, c) in catchers.iter().enumerate() {
            if let Some(a) = &c.assign {
                assigns.push((a, state.at.key("Catch").index(i).key("Assign")));
            }
        }
        for (t, at) in assigns {
            for name in assigned_names(t) {
                if outer.contains(&name) {
                    diags.push(Diagnostic::schema(
                        "variable-scope",
                        format!(
                            "The variable '{name}' is already defined in an outer scope and cannot be assigned here"
                        ),
                        &at,
                    ));
                }
                here.insert(name);
            }
        }
    }
    let mut visible = outer.clone();
    visible.extend(here);
    for state in sm.states.values() {
        match &state.kind {
            Kind::Parallel(p) => p.branches.iter().for_each(|b| variable_scopes(b, &visible, diags)),
            Kind::Map(m) if m.mode == model::MapMode::Distributed => {
                outer_variables_in_child(&m.processor, &visible, diags);
                variable_scopes(&m.processor, &HashSet::new(), diags)
            }
            Kind::Map(m) => variable_scopes(&m.processor, &visible, diags),
            _ => {}
        }
    }
}

/// A distributed Map's children are separate executions: they cannot read the variables of
/// the scopes around the Map (AWS developer guide, "Variable scope").
// UNSURE(aws): that this is a create-time rejection and its code (SCHEMA_VALIDATION_FAILED).
fn outer_variables_in_child(child: &StateMachine, outer: &HashSet<String>, diags: &mut Diagnostics) {
    let mut own = HashSet::new();
    assigned_anywhere(child, &mut own);
    let mut refs = Vec::new();
    references_anywhere(child, &mut refs);
    for (name, at) in refs {
        if outer.contains(name) && !own.contains(name) {
            diags.push(Diagnostic::schema(
                "variable-scope",
                format!("The variable '${name}' of an outer scope cannot be referenced in a Distributed Map's child workflow"),
                &at,
            ));
        }
    }
}

/// Variable names assigned anywhere in a machine, nested machines included.
fn assigned_anywhere(sm: &StateMachine, out: &mut HashSet<String>) {
    for state in sm.states.values() {
        let mut templates: Vec<&Payload> = state.assign.iter().collect();
        match &state.kind {
            Kind::Choice(c) => templates.extend(c.choices.iter().filter_map(|b| b.assign.as_ref())),
            Kind::Task(t) => templates.extend(t.catch.iter().filter_map(|c| c.assign.as_ref())),
            Kind::Parallel(p) => templates.extend(p.catch.iter().filter_map(|c| c.assign.as_ref())),
            Kind::Map(m) => templates.extend(m.catch.iter().filter_map(|c| c.assign.as_ref())),
            _ => {}
        }
        out.extend(templates.into_iter().flat_map(assigned_names));
        children(&state.kind).into_iter().for_each(|c| assigned_anywhere(c, out));
    }
}

/// Every `$name` variable a machine reads, with the state that reads it.
fn references_anywhere<'a>(sm: &'a StateMachine, out: &mut Vec<(&'a str, Location)>) {
    for state in sm.states.values() {
        for p in state.paths() {
            if let crate::path::Root::Variable(name) = p.root() {
                out.push((name.as_str(), state.at.clone()));
            }
        }
        children(&state.kind).into_iter().for_each(|c| references_anywhere(c, out));
    }
}

fn assigned_names(p: &Payload) -> Vec<String> {
    match p {
        Payload::Path(Template::Object(entries)) => entries.iter().map(|(k, _)| k.clone()).collect(),
        Payload::Path(Template::Literal(Value::Object(m))) => m.keys().cloned().collect(),
        Payload::Path(_) => Vec::new(),
        Payload::Jsonata(f) => f.object_keys(),
    }
}

fn duplicate_names<'a>(sm: &'a StateMachine, seen: &mut HashMap<&'a str, ()>, diags: &mut Diagnostics) {
    for (name, state) in &sm.states {
        if seen.insert(name.as_str(), ()).is_some() {
            diags.push(Diagnostic::new(
                codes::DUPLICATE_STATE_NAME,
                "duplicate-state-name",
                format!("Duplicate State name: {name}"),
                &state.at,
            ));
        }
        for child in children(&state.kind) {
            duplicate_names(child, seen, diags);
        }
    }
}

fn children(kind: &Kind) -> Vec<&StateMachine> {
    match kind {
        Kind::Parallel(p) => p.branches.iter().collect(),
        Kind::Map(m) => vec![&m.processor],
        _ => Vec::new(),
    }
}

/// Reports a missing transition target; the location is built only when one is missing.
type TargetCheck<'a> = dyn Fn(&str, &dyn Fn() -> Location, &mut Diagnostics) + 'a;

/// One (sub-)machine: its own scope for transitions, then its children.
fn machine(sm: &StateMachine, diags: &mut Diagnostics) {
    // The location is built only for a missing target: most targets exist.
    let target = |name: &str, at: &dyn Fn() -> Location, diags: &mut Diagnostics| {
        if !sm.states.contains_key(name) {
            diags.push(Diagnostic::new(
                codes::MISSING_TRANSITION_TARGET,
                "missing-target",
                format!("Missing 'Next' target: {name}"),
                &at(),
            ));
        }
    };
    target(&sm.start_at, &|| sm.at.key("StartAt"), diags);
    for state in sm.states.values() {
        if let Some(next) = &state.next {
            target(next, &|| state.at.key("Next"), diags);
        }
        match &state.kind {
            Kind::Choice(c) => {
                for (i, branch) in c.choices.iter().enumerate() {
                    target(&branch.next, &|| state.at.key("Choices").index(i).key("Next"), diags);
                }
                if let Some(d) = &c.default {
                    target(d, &|| state.at.key("Default"), diags);
                }
            }
            Kind::Task(t) => error_lists(&t.retry, &t.catch, &state.at, diags, &target),
            Kind::Parallel(p) => error_lists(&p.retry, &p.catch, &state.at, diags, &target),
            Kind::Map(m) => error_lists(&m.retry, &m.catch, &state.at, diags, &target),
            _ => {}
        }
    }
    let terminal = sm.states.values().any(|s| s.end || matches!(s.kind, Kind::Succeed | Kind::Fail(_)));
    if !terminal {
        diags.push(
            Diagnostic::new(codes::MISSING_END_STATE, "no-terminal-state", "Workflow has no terminal state", &sm.at)
                .without_location(),
        );
    } else {
        unreachable(sm, diags);
    }
    for state in sm.states.values() {
        for child in children(&state.kind) {
            machine(child, diags);
        }
    }
}

fn error_lists(retry: &[Retrier], catch: &[Catcher], at: &Location, diags: &mut Diagnostics, target: &TargetCheck) {
    let retry_lists: Vec<&[String]> = retry.iter().map(|r| r.error_equals.as_slice()).collect();
    states_all_position(&retry_lists, &|| at.key("Retry"), diags);
    let catch_lists: Vec<&[String]> = catch.iter().map(|c| c.error_equals.as_slice()).collect();
    states_all_position(&catch_lists, &|| at.key("Catch"), diags);
    for (i, c) in catch.iter().enumerate() {
        target(&c.next, &|| at.key("Catch").index(i).key("Next"), diags);
    }
}

/// `States.ALL` must appear alone in its `ErrorEquals`, and only in the last Retrier/Catcher.
fn states_all_position(lists: &[&[String]], at: &dyn Fn() -> Location, diags: &mut Diagnostics) {
    for (i, list) in lists.iter().enumerate() {
        if !list.iter().any(|e| e == names::ALL) {
            continue;
        }
        let here = at().index(i).key("ErrorEquals");
        if list.len() > 1 {
            diags.push(Diagnostic::schema("states-all-alone", "States.ALL must appear alone in ErrorEquals", &here));
        }
        if i + 1 != lists.len() {
            diags.push(Diagnostic::schema(
                "states-all-last",
                "States.ALL can only appear in the last element of Retry or Catch",
                &here,
            ));
        }
    }
}

fn unreachable(sm: &StateMachine, diags: &mut Diagnostics) {
    let mut reached: HashSet<&str> = HashSet::new();
    let mut todo = vec![sm.start_at.as_str()];
    while let Some(name) = todo.pop() {
        let Some(state) = sm.states.get(name) else { continue };
        if !reached.insert(name) {
            continue;
        }
        todo.extend(state.next.as_deref());
        match &state.kind {
            Kind::Choice(c) => {
                todo.extend(c.choices.iter().map(|b| b.next.as_str()));
                todo.extend(c.default.as_deref());
            }
            Kind::Task(t) => todo.extend(t.catch.iter().map(|c| c.next.as_str())),
            Kind::Parallel(p) => todo.extend(p.catch.iter().map(|c| c.next.as_str())),
            Kind::Map(m) => todo.extend(m.catch.iter().map(|c| c.next.as_str())),
            _ => {}
        }
    }
    for (name, state) in &sm.states {
        if !reached.contains(name.as_str()) {
            diags.push(Diagnostic::new(
                codes::MISSING_TRANSITION_TARGET,
                "unreachable-state",
                format!("State \"{name}\" is not reachable."),
                &state.at,
            ));
        }
    }
}
