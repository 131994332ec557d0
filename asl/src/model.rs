//! The model of a state machine definition (JSONPath and JSONata modes), and its parser.
//!
//! Parsing never fails: it returns the model it could build plus schema diagnostics with AWS's
//! codes and locations. Graph rules (targets, reachability, terminal states, names across
//! branches) are checked by [`crate::validate`] on the parsed model.

use crate::choice::{self, Rule};
use crate::diagnostic::{codes, Diagnostic, Diagnostics, Location};
use crate::fields::Fields;
use crate::intrinsics::{self, Call};
use crate::jsonata::field::expression_text;
use crate::jsonata::Field;
use crate::path::JsonPath;
use crate::template::Template;
use crate::timestamp;
use indexmap::IndexMap;
use serde_json::Value;

/// The largest integer AWS accepts in `TimeoutSeconds`, `IntervalSeconds`, `MaxAttempts`...
pub const MAX_INT_FIELD: u64 = 99_999_999;

/// States by name, in definition order. Fx hashing: names are looked up on every transition.
pub type States = IndexMap<String, State, rustc_hash::FxBuildHasher>;

/// `QueryLanguage`: how a state's fields read data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryLanguage {
    #[default]
    JsonPath,
    Jsonata,
}

#[derive(Debug, Clone)]
pub struct StateMachine {
    pub start_at: String,
    pub states: States,
    pub timeout_seconds: Option<u64>,
    pub comment: Option<String>,
    /// The top-level `QueryLanguage` (nested machines inherit it).
    pub query_language: QueryLanguage,
    /// Where this (sub-)machine sits in the definition (root, a branch, an item processor).
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct State {
    pub name: std::sync::Arc<str>,
    pub kind: Kind,
    pub input_path: IoPath,
    pub output_path: IoPath,
    pub next: Option<String>,
    pub end: bool,
    pub assign: Option<Payload>,
    /// The state's effective query language (its own, or the machine's).
    pub query_language: QueryLanguage,
    /// JSONata `Output` (absent: the state's result, or its input for states without one).
    pub output: Option<Field>,
    pub at: Location,
}

/// A field that holds a payload in either query language (`Assign`, `ItemSelector`,
/// `Credentials`, `BatchInput`).
#[derive(Debug, Clone)]
pub enum Payload {
    /// JSONPath: a payload template (`.$` keys read paths and intrinsics).
    Path(Template),
    /// JSONata: JSON whose `{% %}` strings are expressions.
    Jsonata(Field),
}

impl Payload {
    /// The JSONPath template, for callers that handle JSONPath mode only.
    pub fn template(&self) -> Option<&Template> {
        match self {
            Payload::Path(t) => Some(t),
            Payload::Jsonata(_) => None,
        }
    }
}

/// An `InputPath`, `OutputPath`, `ResultPath` or `ItemsPath` field: absent (`$`), `null`, or a path.
#[derive(Debug, Clone)]
pub enum IoPath {
    Default,
    Null,
    Path(JsonPath),
}

/// A number given literally, through a reference path (`TimeoutSeconds` / `TimeoutSecondsPath`),
/// or by a JSONata expression.
#[derive(Debug, Clone)]
pub enum NumberSource {
    Value(f64),
    Path(JsonPath),
    Expr(Field),
}

/// A Fail state's `Error`/`Cause`: literal, path, or string-returning intrinsic.
#[derive(Debug, Clone)]
pub enum TextSource {
    Literal(String),
    Path(JsonPath),
    /// An intrinsic call and its text as written.
    Call(Call, String),
    /// A JSONata expression that must give a string.
    Expr(Field),
}

#[derive(Debug, Clone)]
pub enum Kind {
    Pass(Pass),
    Task(Box<Task>),
    Choice(Choice),
    Wait(Wait),
    Succeed,
    Fail(Fail),
    Parallel(Parallel),
    Map(Box<Map>),
}

impl Kind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Pass(_) => "Pass",
            Kind::Task(_) => "Task",
            Kind::Choice(_) => "Choice",
            Kind::Wait(_) => "Wait",
            Kind::Succeed => "Succeed",
            Kind::Fail(_) => "Fail",
            Kind::Parallel(_) => "Parallel",
            Kind::Map(_) => "Map",
        }
    }
}

impl State {
    /// Every path the state itself reads (templates, intrinsic arguments, Choice rules,
    /// `*Path` fields), not those of its nested branches or item processor.
    pub fn paths(&self) -> Vec<&JsonPath> {
        fn io(p: &IoPath) -> Option<&JsonPath> {
            match p {
                IoPath::Path(p) => Some(p),
                _ => None,
            }
        }
        fn number(n: &Option<NumberSource>) -> Option<&JsonPath> {
            match n {
                Some(NumberSource::Path(p)) => Some(p),
                _ => None,
            }
        }
        let mut out = Vec::new();
        out.extend(io(&self.input_path));
        out.extend(io(&self.output_path));
        let mut templates: Vec<&Template> = self.assign.iter().filter_map(Payload::template).collect();
        match &self.kind {
            Kind::Pass(p) => templates.extend(p.parameters.iter()),
            Kind::Task(t) => {
                templates.extend(t.parameters.iter().chain(&t.result_selector));
                templates.extend(t.credentials.iter().filter_map(Payload::template));
                templates.extend(t.catch.iter().filter_map(|c| c.assign.as_ref()?.template()));
                out.extend(number(&t.timeout));
                out.extend(number(&t.heartbeat));
            }
            Kind::Choice(c) => {
                for b in &c.choices {
                    if let Test::Rule(rule) = &b.test {
                        out.extend(rule.paths());
                    }
                    templates.extend(b.assign.iter().filter_map(Payload::template));
                }
            }
            Kind::Wait(Wait::SecondsPath(p) | Wait::TimestampPath(p)) => out.push(p),
            Kind::Wait(_) | Kind::Succeed => {}
            Kind::Fail(f) => {
                for src in [&f.error, &f.cause].into_iter().flatten() {
                    match src {
                        TextSource::Path(p) => out.push(p),
                        TextSource::Call(call, _) => out.extend(call.paths()),
                        TextSource::Literal(_) | TextSource::Expr(_) => {}
                    }
                }
            }
            Kind::Parallel(p) => {
                templates.extend(p.parameters.iter().chain(&p.result_selector));
                templates.extend(p.catch.iter().filter_map(|c| c.assign.as_ref()?.template()));
            }
            Kind::Map(m) => {
                templates.extend(m.item_selector.iter().filter_map(Payload::template).chain(&m.result_selector));
                templates.extend(m.catch.iter().filter_map(|c| c.assign.as_ref()?.template()));
                out.extend(io(&m.items_path));
                for n in [&m.max_concurrency, &m.tolerated_failure_count, &m.tolerated_failure_percentage] {
                    out.extend(number(n));
                }
                if let Some(b) = &m.item_batcher {
                    out.extend(number(&b.max_items_per_batch));
                    out.extend(number(&b.max_input_bytes_per_batch));
                    templates.extend(b.batch_input.iter().filter_map(Payload::template));
                }
            }
        }
        for t in templates {
            out.extend(t.paths());
        }
        out
    }

    /// Every JSONata field of the state itself (not of nested machines), each with whether it
    /// belongs to a Catcher.
    pub fn jsonata_fields(&self) -> Vec<(&Field, bool)> {
        fn payload(p: &Option<Payload>) -> Option<&Field> {
            match p {
                Some(Payload::Jsonata(f)) => Some(f),
                _ => None,
            }
        }
        fn number(n: &Option<NumberSource>) -> Option<&Field> {
            match n {
                Some(NumberSource::Expr(f)) => Some(f),
                _ => None,
            }
        }
        let mut own: Vec<&Field> = self.output.iter().chain(payload(&self.assign)).collect();
        let catch_list: &[Catcher] = match &self.kind {
            Kind::Task(t) => &t.catch,
            Kind::Parallel(p) => &p.catch,
            Kind::Map(m) => &m.catch,
            _ => &[],
        };
        let catchers = catch_list.iter().flat_map(|c| c.output.iter().chain(payload(&c.assign)));
        match &self.kind {
            Kind::Task(t) => {
                own.extend(t.arguments.iter().chain(number(&t.timeout)).chain(number(&t.heartbeat)));
                own.extend(payload(&t.credentials));
            }
            Kind::Parallel(p) => own.extend(p.arguments.iter()),
            Kind::Map(m) => {
                own.extend(m.items.iter().chain(payload(&m.item_selector)));
                for n in [&m.max_concurrency, &m.tolerated_failure_count, &m.tolerated_failure_percentage] {
                    own.extend(number(n));
                }
                if let Some(b) = &m.item_batcher {
                    own.extend(number(&b.max_items_per_batch).into_iter().chain(number(&b.max_input_bytes_per_batch)));
                    own.extend(payload(&b.batch_input));
                }
            }
            Kind::Choice(c) => {
                for b in &c.choices {
                    if let Test::Condition(f) = &b.test {
                        own.push(f);
                    }
                    own.extend(b.output.iter().chain(payload(&b.assign)));
                }
            }
            Kind::Wait(Wait::SecondsExpr(f) | Wait::TimestampExpr(f)) => own.push(f),
            Kind::Fail(f) => {
                for src in [&f.error, &f.cause].into_iter().flatten() {
                    if let TextSource::Expr(f) = src {
                        own.push(f);
                    }
                }
            }
            _ => {}
        }
        let mut out: Vec<(&Field, bool)> = own.into_iter().map(|f| (f, false)).collect();
        out.extend(catchers.map(|f| (f, true)));
        out
    }
}

#[derive(Debug, Clone)]
pub struct Pass {
    pub result: Option<Value>,
    pub parameters: Option<Template>,
    pub result_path: IoPath,
}

#[derive(Debug, Clone)]
pub struct Task {
    pub resource: String,
    pub parameters: Option<Template>,
    /// JSONata `Arguments`.
    pub arguments: Option<Field>,
    pub result_selector: Option<Template>,
    pub result_path: IoPath,
    pub timeout: Option<NumberSource>,
    pub heartbeat: Option<NumberSource>,
    pub credentials: Option<Payload>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub choices: Vec<ChoiceBranch>,
    pub default: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ChoiceBranch {
    pub test: Test,
    pub next: String,
    pub assign: Option<Payload>,
    /// JSONata: the rule's own `Output`, used when the rule matches.
    pub output: Option<Field>,
}

/// What a Choice rule tests: a JSONPath rule, or a JSONata `Condition`.
#[derive(Debug, Clone)]
pub enum Test {
    Rule(Rule),
    Condition(Field),
}

#[derive(Debug, Clone)]
pub enum Wait {
    Seconds(u64),
    SecondsPath(JsonPath),
    /// Epoch milliseconds of a literal `Timestamp`.
    Timestamp(i64),
    TimestampPath(JsonPath),
    /// JSONata `Seconds` given as an expression.
    SecondsExpr(Field),
    /// JSONata `Timestamp` given as an expression.
    TimestampExpr(Field),
}

#[derive(Debug, Clone)]
pub struct Fail {
    pub error: Option<TextSource>,
    pub cause: Option<TextSource>,
}

#[derive(Debug, Clone)]
pub struct Parallel {
    pub branches: Vec<StateMachine>,
    pub parameters: Option<Template>,
    /// JSONata `Arguments`.
    pub arguments: Option<Field>,
    pub result_selector: Option<Template>,
    pub result_path: IoPath,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapMode {
    Inline,
    Distributed,
}

#[derive(Debug, Clone)]
pub struct Map {
    pub processor: StateMachine,
    pub mode: MapMode,
    /// `ProcessorConfig.ExecutionType` of a distributed Map (`STANDARD` or `EXPRESS`).
    pub execution_type: Option<String>,
    pub items_path: IoPath,
    /// JSONata `Items` (absent: the state input, which must be an array).
    pub items: Option<Field>,
    /// `ItemSelector`, or the older `Parameters` (same meaning: one per item).
    pub item_selector: Option<Payload>,
    pub max_concurrency: Option<NumberSource>,
    pub tolerated_failure_count: Option<NumberSource>,
    pub tolerated_failure_percentage: Option<NumberSource>,
    pub item_batcher: Option<ItemBatcher>,
    pub label: Option<String>,
    pub result_selector: Option<Template>,
    pub result_path: IoPath,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone)]
pub struct ItemBatcher {
    pub max_items_per_batch: Option<NumberSource>,
    pub max_input_bytes_per_batch: Option<NumberSource>,
    pub batch_input: Option<Payload>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    None,
    Full,
}

#[derive(Debug, Clone)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    pub interval_seconds: u64,
    pub max_attempts: u64,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<u64>,
    pub jitter: Jitter,
}

#[derive(Debug, Clone)]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: String,
    pub result_path: IoPath,
    pub assign: Option<Payload>,
    /// JSONata `Output` (absent: the error output).
    pub output: Option<Field>,
}

/// Parses a definition given as JSON text. A text that is not JSON gets AWS's
/// `INVALID_JSON_DESCRIPTION`; an empty one `SCHEMA_VALIDATION_FAILED`.
pub fn parse_str(text: &str) -> (Option<StateMachine>, Diagnostics) {
    if text.trim().is_empty() {
        let d = Diagnostic::schema("not-an-object", "Definition must be a valid JSON object", &Location::root());
        return (None, vec![d.without_location()]);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => parse(&v),
        Err(e) => {
            let d = Diagnostic::new(codes::INVALID_JSON_DESCRIPTION, "invalid-json", e.to_string(), &Location::root());
            (None, vec![d.without_location()])
        }
    }
}

/// Parses a definition given as a JSON value.
pub fn parse(v: &Value) -> (Option<StateMachine>, Diagnostics) {
    let mut diags = Diagnostics::new();
    if !v.is_object() {
        let d = Diagnostic::schema("not-an-object", "Definition must be a valid JSON object", &Location::root());
        return (None, vec![d.without_location()]);
    }
    let sm = parse_machine(v, &Location::root(), None, &mut diags);
    (sm, diags)
}

/// Parses a machine; `top_ql` is the top-level machine's query language (`None` while parsing the
/// top level itself): nested machines inherit it, not their enclosing state's (asl-features 1.2).
fn parse_machine(
    v: &Value,
    at: &Location,
    top_ql: Option<QueryLanguage>,
    diags: &mut Diagnostics,
) -> Option<StateMachine> {
    let top = top_ql.is_none();
    let mut f = Fields::new(v, at, "A state machine", diags)?;
    if !f.has("States") || !f.has("StartAt") {
        let mut missing = Vec::new();
        if !f.has("States") {
            missing.push("States");
        }
        if !f.has("StartAt") {
            missing.push("StartAt");
        }
        f.missing(&missing, diags);
    }
    let start_at = f.string("StartAt", diags);
    let comment = f.string("Comment", diags);
    let mut timeout_seconds = None;
    if top {
        timeout_seconds = f.integer("TimeoutSeconds", 1, MAX_INT_FIELD, diags);
        if let Some(version) = f.string("Version", diags) {
            if version != "1.0" {
                diags.push(Diagnostic::schema("version", "The field 'Version' must be \"1.0\"", &f.loc("Version")));
            }
        }
    }
    // Only the top level may say QueryLanguage: a branch or item processor that does is
    // refused ("Field 'QueryLanguage' is not supported", measured on AWS:
    // https://github.com/floci-io/floci/issues/2968).
    let own_ql = if top { query_language(&mut f, diags) } else { None };
    let query_language = top_ql.unwrap_or(own_ql.unwrap_or_default());
    let mut states = States::default();
    if let Some(raw) = f.raw("States") {
        let sat = at.key("States");
        match raw.as_object() {
            Some(map) if map.is_empty() => {
                diags.push(Diagnostic::schema("states-empty", "Value cannot be empty", &sat));
            }
            Some(map) => {
                for (name, sv) in map {
                    if let Some(state) = parse_state(name, sv, &sat.key(name), query_language, diags) {
                        states.insert(name.clone(), state);
                    }
                }
            }
            None => diags.push(Diagnostic::schema("type", "The field 'States' must be a JSON object", &sat)),
        }
    }
    f.finish(diags);
    Some(StateMachine {
        start_at: start_at.unwrap_or_default(),
        states,
        timeout_seconds,
        comment,
        query_language,
        at: at.clone(),
    })
}

/// `QueryLanguage`, when the object sets it to a valid value.
fn query_language(f: &mut Fields, diags: &mut Diagnostics) -> Option<QueryLanguage> {
    match f.string("QueryLanguage", diags)?.as_str() {
        "JSONPath" => Some(QueryLanguage::JsonPath),
        "JSONata" => Some(QueryLanguage::Jsonata),
        _ => {
            diags.push(Diagnostic::schema(
                "enum",
                "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
                &f.loc("QueryLanguage"),
            ));
            None
        }
    }
}

const STATE_TYPES: &str = "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]";

fn parse_state(name: &str, v: &Value, at: &Location, top_ql: QueryLanguage, diags: &mut Diagnostics) -> Option<State> {
    let mut f = Fields::new(v, at, "A state", diags)?;
    if name.chars().count() > 80 {
        diags.push(Diagnostic::new(
            codes::INVALID_STATE_NAME,
            "state-name-length",
            "State names must be at most 80 characters",
            at,
        ));
    }
    let ty = f.required_string("Type", diags)?;
    f.string("Comment", diags);
    let ql = match query_language(&mut f, diags) {
        Some(QueryLanguage::JsonPath) if top_ql == QueryLanguage::Jsonata => {
            diags.push(Diagnostic::schema(
                "query-language-downgrade",
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                at,
            ));
            QueryLanguage::Jsonata
        }
        Some(ql) => ql,
        None => top_ql,
    };
    let jsonata = ql == QueryLanguage::Jsonata;
    let p = Parser { ql, top_ql };
    let kind = match ty.as_str() {
        "Pass" => Kind::Pass(parse_pass(&mut f, p, diags)),
        "Task" => Kind::Task(Box::new(parse_task(&mut f, p, diags))),
        "Choice" => Kind::Choice(parse_choice(&mut f, p, diags)),
        "Wait" => Kind::Wait(parse_wait(&mut f, p, diags).unwrap_or(Wait::Seconds(0))),
        "Succeed" => Kind::Succeed,
        "Fail" => Kind::Fail(parse_fail(&mut f, p, diags)),
        "Parallel" => Kind::Parallel(parse_parallel(&mut f, p, diags)),
        "Map" => Kind::Map(Box::new(parse_map(&mut f, p, diags)?)),
        _ => {
            diags.push(Diagnostic::schema(
                "state-type",
                format!("The field 'Type' should have one of these values: {STATE_TYPES}"),
                &f.loc("Type"),
            ));
            return None;
        }
    };
    let takes_io_paths = !matches!(kind, Kind::Fail(_)) && !jsonata;
    let (input_path, output_path) = if takes_io_paths {
        (io_path(&mut f, "InputPath", false, diags), io_path(&mut f, "OutputPath", false, diags))
    } else {
        (IoPath::Default, IoPath::Default)
    };
    let transitions = !matches!(kind, Kind::Choice(_) | Kind::Succeed | Kind::Fail(_));
    let (mut next, mut end) = (None, false);
    if transitions {
        next = f.string("Next", diags);
        end = f.bool("End", diags).unwrap_or(false);
        if next.is_some() && end {
            diags.push(Diagnostic::schema("next-and-end", "Only one of 'Next' or 'End' can be set", at));
        }
        if next.is_none() && !end && !f.has("Next") {
            diags.push(Diagnostic::schema("next-or-end", "Either 'Next' or 'End' is required", at));
        }
    }
    let assign = if matches!(kind, Kind::Succeed | Kind::Fail(_)) { None } else { assign(&mut f, p, "Assign", diags) };
    let output = if jsonata && !matches!(kind, Kind::Fail(_)) { p.field(&mut f, "Output", diags) } else { None };
    f.finish(diags);
    let state = State {
        name: name.into(),
        kind,
        input_path,
        output_path,
        next,
        end,
        assign,
        query_language: ql,
        output,
        at: at.clone(),
    };
    error_output_only_in_catchers(&state, diags);
    Some(state)
}

/// `$states.errorOutput` exists only in a Catcher's Output and Assign; AWS refuses a definition
/// that reads it elsewhere (ASL specification; measured on AWS,
/// https://github.com/floci-io/floci/pull/2786).
// UNSURE(aws): the diagnostic's code and text were not recorded.
fn error_output_only_in_catchers(state: &State, diags: &mut Diagnostics) {
    for (field, in_catcher) in state.jsonata_fields() {
        for e in field.expressions() {
            if !in_catcher && e.reads_states_member("errorOutput") {
                diags.push(Diagnostic::schema(
                    "jsonata-error-output-scope",
                    format!(
                        "The JSONata expression '{}' specified for the field '{}' references $states.errorOutput, which is only available in a Catcher's Output and Assign",
                        e.text(),
                        e.field()
                    ),
                    &state.at,
                ));
            }
        }
    }
}

/// The query language of the state being parsed, and of the whole machine (for nested ones).
#[derive(Clone, Copy)]
struct Parser {
    ql: QueryLanguage,
    top_ql: QueryLanguage,
}

impl Parser {
    fn jsonata(self) -> bool {
        self.ql == QueryLanguage::Jsonata
    }

    /// A JSONata field (any JSON, `{% %}` strings are expressions); `name` is AWS's field path.
    fn field(self, f: &mut Fields, key: &str, diags: &mut Diagnostics) -> Option<Field> {
        let v = f.raw(key)?;
        Some(Field::compile(v, key, &f.loc(key), diags))
    }

    /// A payload field in the state's language.
    fn payload(self, f: &mut Fields, key: &str, diags: &mut Diagnostics) -> Option<Payload> {
        if self.jsonata() {
            self.field(f, key, diags).map(Payload::Jsonata)
        } else {
            template(f, key, diags).map(Payload::Path)
        }
    }

    /// A number field: in JSONata an integer ≥ `min` or an expression; in JSONPath the field
    /// or its `Path` form.
    fn number(self, f: &mut Fields, key: &str, min: u64, diags: &mut Diagnostics) -> Option<NumberSource> {
        if !self.jsonata() {
            return number_source(f, key, min, diags);
        }
        match f.raw(key).map(expression_text) {
            Some(Some(_)) => self.field(f, key, diags).map(NumberSource::Expr),
            _ => f.integer(key, min, MAX_INT_FIELD, diags).map(|n| NumberSource::Value(n as f64)),
        }
    }
}

fn parse_pass(f: &mut Fields, p: Parser, diags: &mut Diagnostics) -> Pass {
    if p.jsonata() {
        return Pass { result: None, parameters: None, result_path: IoPath::Default };
    }
    Pass {
        result: f.raw("Result").cloned(),
        parameters: template(f, "Parameters", diags),
        result_path: io_path(f, "ResultPath", true, diags),
    }
}

fn parse_task(f: &mut Fields, p: Parser, diags: &mut Diagnostics) -> Task {
    let resource = f.required_string("Resource", diags).unwrap_or_default();
    f.exclusive(&["TimeoutSeconds", "TimeoutSecondsPath"], diags);
    f.exclusive(&["HeartbeatSeconds", "HeartbeatSecondsPath"], diags);
    let timeout = p.number(f, "TimeoutSeconds", 1, diags);
    let heartbeat = p.number(f, "HeartbeatSeconds", 1, diags);
    if let (Some(NumberSource::Value(t)), Some(NumberSource::Value(h))) = (&timeout, &heartbeat) {
        if h >= t {
            diags.push(Diagnostic::schema(
                "heartbeat-below-timeout",
                "HeartbeatSeconds must be smaller than TimeoutSeconds",
                &f.loc("HeartbeatSeconds"),
            ));
        }
    }
    if let Some(v) = f.raw("Credentials") {
        let ok = v.as_object().is_some_and(|m| m.contains_key("RoleArn") || m.contains_key("RoleArn.$"));
        if !ok {
            let at = f.loc("Credentials");
            diags.push(Diagnostic::schema("required-field", "The field 'RoleArn' is required but was missing", &at));
        }
    }
    let credentials = p.payload(f, "Credentials", diags);
    let jsonata = p.jsonata();
    Task {
        resource,
        parameters: if jsonata { None } else { template(f, "Parameters", diags) },
        arguments: if jsonata { p.field(f, "Arguments", diags) } else { None },
        result_selector: if jsonata { None } else { template(f, "ResultSelector", diags) },
        result_path: if jsonata { IoPath::Default } else { io_path(f, "ResultPath", true, diags) },
        timeout,
        heartbeat,
        credentials,
        retry: retriers(f, diags),
        catch: catchers(f, p, diags),
    }
}

fn parse_choice(f: &mut Fields, p: Parser, diags: &mut Diagnostics) -> Choice {
    let mut choices = Vec::new();
    match f.raw("Choices") {
        None => f.missing(&["Choices"], diags),
        Some(Value::Array(rules)) if rules.is_empty() => {
            diags.push(Diagnostic::schema("choices-empty", "Value cannot be empty", &f.loc("Choices")));
        }
        Some(Value::Array(rules)) => {
            for (i, rv) in rules.iter().enumerate() {
                let at = f.loc("Choices").index(i);
                let branch =
                    if p.jsonata() { jsonata_branch(rv, i, &at, p, diags) } else { jsonpath_branch(rv, &at, diags) };
                choices.extend(branch);
            }
        }
        Some(_) => diags.push(Diagnostic::schema("type", "The field 'Choices' must be an array", &f.loc("Choices"))),
    }
    Choice { choices, default: f.string("Default", diags) }
}

fn jsonpath_branch(rv: &Value, at: &Location, diags: &mut Diagnostics) -> Option<ChoiceBranch> {
    let rule = choice::parse_rule(rv, at, true, diags);
    let next = rv.get("Next").and_then(Value::as_str).map(str::to_string);
    if next.is_none() {
        diags.push(Diagnostic::schema("required-field", "These fields are required: [Next]", at));
    }
    let assign = rv.get("Assign").map(|a| Payload::Path(assign_template(a, &at.key("Assign"), diags)));
    Some(ChoiceBranch { test: Test::Rule(rule?), next: next?, assign, output: None })
}

/// A JSONata Choice rule: `Condition`, `Next`, and its own `Output` and `Assign`.
fn jsonata_branch(rv: &Value, i: usize, at: &Location, p: Parser, diags: &mut Diagnostics) -> Option<ChoiceBranch> {
    let mut rf = Fields::new(rv, at, "A Choice Rule", diags)?;
    rf.string("Comment", diags);
    let prefix = format!("Choices[{i}]");
    let condition = rf.raw("Condition").map(|v| {
        let at = rf.loc("Condition");
        if expression_text(v).is_none() && !v.is_boolean() {
            // UNSURE(aws): the text; a constant true/false is accepted (asl-features 5.1).
            diags.push(Diagnostic::schema(
                "condition-type",
                "The field 'Condition' must be a boolean or a JSONata expression",
                &at,
            ));
        }
        Field::compile(v, &format!("{prefix}/Condition"), &at, diags)
    });
    let next = rf.required_string("Next", diags);
    if condition.is_none() {
        rf.missing(&["Condition"], diags);
    }
    let output = rf.raw("Output").map(|v| Field::compile(v, &format!("{prefix}/Output"), &rf.loc("Output"), diags));
    let assign = rf.raw("Assign").map(|v| jsonata_assign(v, &format!("{prefix}/Assign"), &rf.loc("Assign"), diags));
    let _ = p;
    rf.finish(diags);
    Some(ChoiceBranch { test: Test::Condition(condition?), next: next?, assign, output })
}

fn parse_wait(f: &mut Fields, p: Parser, diags: &mut Diagnostics) -> Option<Wait> {
    if p.jsonata() {
        return jsonata_wait(f, p, diags);
    }
    let keys = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"];
    let count = keys.iter().filter(|k| f.has(k)).count();
    if count != 1 {
        diags.push(Diagnostic::schema(
            "wait-one-of",
            "A Wait state needs exactly one of these fields: [Seconds, SecondsPath, Timestamp, TimestampPath]",
            &f.at,
        ));
    }
    if f.has("Seconds") {
        return f.integer("Seconds", 0, MAX_INT_FIELD, diags).map(Wait::Seconds);
    }
    if f.has("SecondsPath") {
        return reference_path(f, "SecondsPath", diags).map(Wait::SecondsPath);
    }
    if f.has("Timestamp") {
        return literal_timestamp(f, diags);
    }
    if f.has("TimestampPath") {
        return reference_path(f, "TimestampPath", diags).map(Wait::TimestampPath);
    }
    None
}

fn literal_timestamp(f: &mut Fields, diags: &mut Diagnostics) -> Option<Wait> {
    let s = f.string("Timestamp", diags)?;
    match timestamp::parse(&s) {
        Some(t) => Some(Wait::Timestamp(t.timestamp_millis())),
        None => {
            diags.push(Diagnostic::schema(
                "timestamp-format",
                "String does not match RFC3339 timestamp",
                &f.loc("Timestamp"),
            ));
            None
        }
    }
}

/// A JSONata Wait: `Seconds` (an integer or an expression) or `Timestamp` (a literal or an
/// expression).
fn jsonata_wait(f: &mut Fields, p: Parser, diags: &mut Diagnostics) -> Option<Wait> {
    let count = ["Seconds", "Timestamp"].iter().filter(|k| f.has(k)).count();
    if count != 1 {
        diags.push(Diagnostic::schema(
            "wait-one-of",
            "A Wait state needs exactly one of these fields: [Seconds, Timestamp]",
            &f.at,
        ));
    }
    let expr = |f: &Fields, key: &str| f.peek(key).and_then(expression_text).is_some();
    if expr(f, "Seconds") {
        return p.field(f, "Seconds", diags).map(Wait::SecondsExpr);
    }
    if expr(f, "Timestamp") {
        return p.field(f, "Timestamp", diags).map(Wait::TimestampExpr);
    }
    if f.has("Seconds") {
        return f.integer("Seconds", 0, MAX_INT_FIELD, diags).map(Wait::Seconds);
    }
    if f.has("Timestamp") {
        return literal_timestamp(f, diags);
    }
    None
}

fn parse_fail(f: &mut Fields, p: Parser, diags: &mut Diagnostics) -> Fail {
    if p.jsonata() {
        let text = |f: &mut Fields, key: &str, diags: &mut Diagnostics| {
            let v = f.raw(key)?;
            if !v.is_string() {
                diags.push(Diagnostic::schema("type", format!("The field '{key}' must be a string"), &f.loc(key)));
                return None;
            }
            Some(match expression_text(v) {
                Some(_) => TextSource::Expr(Field::compile(v, key, &f.loc(key), diags)),
                None => TextSource::Literal(v.as_str().unwrap_or_default().to_string()),
            })
        };
        return Fail { error: text(f, "Error", diags), cause: text(f, "Cause", diags) };
    }
    f.exclusive(&["Error", "ErrorPath"], diags);
    f.exclusive(&["Cause", "CausePath"], diags);
    Fail { error: text_source(f, "Error", diags), cause: text_source(f, "Cause", diags) }
}

fn text_source(f: &mut Fields, key: &str, diags: &mut Diagnostics) -> Option<TextSource> {
    if let Some(s) = f.string(key, diags) {
        return Some(TextSource::Literal(s));
    }
    let path_key = format!("{key}Path");
    let src = f.string(&path_key, diags)?;
    let at = f.loc(&path_key);
    if intrinsics::is_call(&src) {
        match intrinsics::parse(&src) {
            Ok(call) => Some(TextSource::Call(call, src.clone())),
            Err(e) => {
                diags.push(Diagnostic::schema("intrinsic-syntax", e.message, &at));
                None
            }
        }
    } else {
        match JsonPath::parse(&src) {
            Ok(p) if p.is_reference() => Some(TextSource::Path(p)),
            Ok(_) => {
                diags.push(Diagnostic::schema(
                    "reference-path",
                    format!("The value for the field '{path_key}' must be a valid reference path"),
                    &at,
                ));
                None
            }
            Err(e) => {
                diags.push(Diagnostic::schema("path-syntax", e.message, &at));
                None
            }
        }
    }
}

fn parse_parallel(f: &mut Fields, p: Parser, diags: &mut Diagnostics) -> Parallel {
    let mut branches = Vec::new();
    match f.raw("Branches") {
        None => f.missing(&["Branches"], diags),
        Some(Value::Array(bs)) if bs.is_empty() => {
            diags.push(Diagnostic::schema("branches-empty", "Value cannot be empty", &f.loc("Branches")));
        }
        Some(Value::Array(bs)) => {
            for (i, b) in bs.iter().enumerate() {
                if let Some(m) = parse_machine(b, &f.loc("Branches").index(i), Some(p.top_ql), diags) {
                    branches.push(m);
                }
            }
        }
        Some(_) => diags.push(Diagnostic::schema("type", "The field 'Branches' must be an array", &f.loc("Branches"))),
    }
    let jsonata = p.jsonata();
    Parallel {
        branches,
        parameters: if jsonata { None } else { template(f, "Parameters", diags) },
        arguments: if jsonata { p.field(f, "Arguments", diags) } else { None },
        result_selector: if jsonata { None } else { template(f, "ResultSelector", diags) },
        result_path: if jsonata { IoPath::Default } else { io_path(f, "ResultPath", true, diags) },
        retry: retriers(f, diags),
        catch: catchers(f, p, diags),
    }
}

fn parse_map(f: &mut Fields, p: Parser, diags: &mut Diagnostics) -> Option<Map> {
    let jsonata = p.jsonata();
    f.exclusive(&["Iterator", "ItemProcessor"], diags);
    f.exclusive(&["ItemSelector", "Parameters"], diags);
    f.exclusive(&["MaxConcurrency", "MaxConcurrencyPath"], diags);
    f.exclusive(&["ToleratedFailureCount", "ToleratedFailureCountPath"], diags);
    f.exclusive(&["ToleratedFailurePercentage", "ToleratedFailurePercentagePath"], diags);
    for key in ["ItemReader", "ResultWriter"] {
        if f.raw(key).is_some() {
            diags.push(Diagnostic::new(
                codes::UNSUPPORTED_FEATURE,
                "item-reader-writer",
                format!("{key} (Amazon S3) is not supported by this interpreter yet"),
                &f.loc(key),
            ));
        }
    }
    let key = if f.has("ItemProcessor") { "ItemProcessor" } else { "Iterator" };
    let (mut mode, mut execution_type) = (MapMode::Inline, None);
    let processor = match f.raw(key) {
        None => {
            f.missing(&["ItemProcessor"], diags);
            None
        }
        Some(pv) => {
            let at = f.loc(key);
            let mut inner = pv.clone();
            if let Some(cfg) = inner.as_object_mut().and_then(|o| o.remove("ProcessorConfig")) {
                (mode, execution_type) = processor_config(&cfg, &at.key("ProcessorConfig"), diags);
            }
            parse_machine(&inner, &at, Some(p.top_ql), diags)
        }
    };
    let item_selector = match p.payload(f, "ItemSelector", diags) {
        None if !jsonata => template(f, "Parameters", diags).map(Payload::Path),
        selector => selector,
    };
    let item_batcher = f.raw("ItemBatcher").and_then(|v| item_batcher(v, &f.loc("ItemBatcher"), p, diags));
    let label = f.string("Label", diags);
    if let Some(l) = &label {
        if l.is_empty() || l.chars().count() > 40 || l.chars().any(forbidden_name_char) {
            diags.push(Diagnostic::schema(
                "map-label",
                "Label must be 1 to 40 characters without whitespace or reserved characters",
                &f.loc("Label"),
            ));
        }
    }
    let map = Map {
        processor: processor?,
        mode,
        execution_type,
        items_path: if jsonata { IoPath::Default } else { io_path(f, "ItemsPath", true, diags) },
        items: if jsonata { p.field(f, "Items", diags) } else { None },
        item_selector,
        max_concurrency: p.number(f, "MaxConcurrency", 0, diags),
        tolerated_failure_count: p.number(f, "ToleratedFailureCount", 0, diags),
        tolerated_failure_percentage: percentage_source(f, p, diags),
        item_batcher,
        label,
        result_selector: if jsonata { None } else { template(f, "ResultSelector", diags) },
        result_path: if jsonata { IoPath::Default } else { io_path(f, "ResultPath", true, diags) },
        retry: retriers(f, diags),
        catch: catchers(f, p, diags),
    };
    if map.mode == MapMode::Inline {
        for (present, key) in [
            (map.tolerated_failure_count.is_some(), "ToleratedFailureCount"),
            (map.tolerated_failure_percentage.is_some(), "ToleratedFailurePercentage"),
            (map.item_batcher.is_some(), "ItemBatcher"),
            (map.label.is_some(), "Label"),
        ] {
            if present {
                diags.push(Diagnostic::schema(
                    "distributed-only",
                    format!("Field '{key}' is only supported in a Map state in DISTRIBUTED mode"),
                    &f.at,
                ));
            }
        }
    }
    Some(map)
}

fn processor_config(v: &Value, at: &Location, diags: &mut Diagnostics) -> (MapMode, Option<String>) {
    let Some(mut f) = Fields::new(v, at, "ProcessorConfig", diags) else {
        return (MapMode::Inline, None);
    };
    let mode = match f.string("Mode", diags).as_deref() {
        None | Some("INLINE") => MapMode::Inline,
        Some("DISTRIBUTED") => MapMode::Distributed,
        Some(_) => {
            diags.push(Diagnostic::schema(
                "enum",
                "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]",
                &f.loc("Mode"),
            ));
            MapMode::Inline
        }
    };
    let execution_type = f.string("ExecutionType", diags);
    match (mode, execution_type.as_deref()) {
        (MapMode::Distributed, None) => {
            diags.push(Diagnostic::schema("required-field", "These fields are required: [ExecutionType]", at))
        }
        (_, Some("STANDARD" | "EXPRESS") | None) => {}
        (_, Some(_)) => diags.push(Diagnostic::schema(
            "enum",
            "The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]",
            &f.loc("ExecutionType"),
        )),
    }
    f.finish(diags);
    (mode, execution_type)
}

fn item_batcher(v: &Value, at: &Location, p: Parser, diags: &mut Diagnostics) -> Option<ItemBatcher> {
    let mut f = Fields::new(v, at, "ItemBatcher", diags)?;
    f.exclusive(&["MaxItemsPerBatch", "MaxItemsPerBatchPath"], diags);
    f.exclusive(&["MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"], diags);
    let b = ItemBatcher {
        max_items_per_batch: p.number(&mut f, "MaxItemsPerBatch", 1, diags),
        max_input_bytes_per_batch: p.number(&mut f, "MaxInputBytesPerBatch", 1, diags),
        batch_input: p.payload(&mut f, "BatchInput", diags),
    };
    if b.max_items_per_batch.is_none() && b.max_input_bytes_per_batch.is_none() {
        diags.push(Diagnostic::schema(
            "item-batcher-limit",
            "ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch",
            at,
        ));
    }
    f.finish(diags);
    Some(b)
}

/// `forbidden characters in names (AWS developer guide, quotas: naming rules).
pub fn forbidden_name_char(c: char) -> bool {
    c.is_whitespace()
        || "?*<>{}[]\"#%\\^|~`$&,;:/".contains(c)
        || ('\u{0}'..='\u{1f}').contains(&c)
        || ('\u{7f}'..='\u{9f}').contains(&c)
}

fn retriers(f: &mut Fields, diags: &mut Diagnostics) -> Vec<Retrier> {
    let Some(v) = f.raw("Retry") else { return Vec::new() };
    let at = f.loc("Retry");
    let Some(items) = v.as_array() else {
        diags.push(Diagnostic::schema("type", "The field 'Retry' must be an array", &at));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, rv) in items.iter().enumerate() {
        let at = at.index(i);
        let Some(mut rf) = Fields::new(rv, &at, "A Retrier", diags) else { continue };
        let error_equals = error_equals(&mut rf, diags);
        rf.string("Comment", diags);
        let interval_seconds = rf.integer("IntervalSeconds", 1, MAX_INT_FIELD, diags).unwrap_or(1);
        let max_attempts = rf.integer("MaxAttempts", 0, MAX_INT_FIELD, diags).unwrap_or(3);
        let mut backoff_rate = 2.0;
        if let Some(b) = rf.number("BackoffRate", diags) {
            if b < 1.0 {
                diags.push(Diagnostic::schema(
                    "backoff-rate",
                    "The field 'BackoffRate' must be greater than or equal to 1.0",
                    &rf.loc("BackoffRate"),
                ));
            }
            backoff_rate = b;
        }
        let max_delay_seconds = rf.integer("MaxDelaySeconds", 1, 31_622_400, diags);
        let jitter = match rf.string("JitterStrategy", diags).as_deref() {
            None | Some("NONE") => Jitter::None,
            Some("FULL") => Jitter::Full,
            Some(_) => {
                diags.push(Diagnostic::schema(
                    "enum",
                    "The field 'JitterStrategy' should have one of these values: [FULL, NONE]",
                    &rf.loc("JitterStrategy"),
                ));
                Jitter::None
            }
        };
        rf.finish(diags);
        out.push(Retrier { error_equals, interval_seconds, max_attempts, backoff_rate, max_delay_seconds, jitter });
    }
    out
}

fn catchers(f: &mut Fields, p: Parser, diags: &mut Diagnostics) -> Vec<Catcher> {
    let Some(v) = f.raw("Catch") else { return Vec::new() };
    let at = f.loc("Catch");
    let Some(items) = v.as_array() else {
        diags.push(Diagnostic::schema("type", "The field 'Catch' must be an array", &at));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, cv) in items.iter().enumerate() {
        let at = at.index(i);
        let Some(mut cf) = Fields::new(cv, &at, "A Catcher", diags) else { continue };
        let error_equals = error_equals(&mut cf, diags);
        cf.string("Comment", diags);
        let next = cf.required_string("Next", diags);
        let (result_path, output) = if p.jsonata() {
            let output =
                cf.raw("Output").map(|v| Field::compile(v, &format!("Catch[{i}]/Output"), &cf.loc("Output"), diags));
            (IoPath::Default, output)
        } else {
            (io_path(&mut cf, "ResultPath", true, diags), None)
        };
        let assign = assign(&mut cf, p, &format!("Catch[{i}]/Assign"), diags);
        cf.finish(diags);
        if let Some(next) = next {
            out.push(Catcher { error_equals, next, result_path, assign, output });
        }
    }
    out
}

fn error_equals(f: &mut Fields, diags: &mut Diagnostics) -> Vec<String> {
    let at = f.loc("ErrorEquals");
    match f.raw("ErrorEquals") {
        None => {
            f.missing(&["ErrorEquals"], diags);
            Vec::new()
        }
        Some(Value::Array(names)) if !names.is_empty() => {
            let out: Vec<String> = names.iter().filter_map(|n| n.as_str().map(str::to_string)).collect();
            if out.len() != names.len() {
                diags.push(Diagnostic::schema("type", "ErrorEquals must hold strings", &at));
            }
            out
        }
        Some(_) => {
            diags.push(Diagnostic::schema("error-equals", "ErrorEquals must be a non-empty array of strings", &at));
            Vec::new()
        }
    }
}

fn template(f: &mut Fields, key: &str, diags: &mut Diagnostics) -> Option<Template> {
    let v = f.raw(key)?;
    Some(Template::compile(v, &f.loc(key), diags))
}

/// `Assign` in the state's language; `field` is AWS's name for it (`Assign`, `Catch[0]/Assign`).
fn assign(f: &mut Fields, p: Parser, field: &str, diags: &mut Diagnostics) -> Option<Payload> {
    let v = f.raw("Assign")?;
    let at = f.loc("Assign");
    Some(if p.jsonata() { jsonata_assign(v, field, &at, diags) } else { Payload::Path(assign_template(v, &at, diags)) })
}

/// A JSONata `Assign`: an object whose keys are variable names (no `.$` suffix), values any
/// JSON with expressions.
fn jsonata_assign(v: &Value, field: &str, at: &Location, diags: &mut Diagnostics) -> Payload {
    match v.as_object() {
        Some(map) => {
            for key in map.keys() {
                if !is_variable_name(key) {
                    diags.push(Diagnostic::schema(
                        "variable-name",
                        format!("The variable name '{key}' is not valid"),
                        &at.key(key),
                    ));
                }
            }
        }
        None => diags.push(Diagnostic::schema("type", "The field 'Assign' must be a JSON object", at)),
    }
    Payload::Jsonata(Field::compile(v, field, at, diags))
}

/// `Assign`: an object whose keys are variable names (`name` or `name.$`).
fn assign_template(v: &Value, at: &Location, diags: &mut Diagnostics) -> Template {
    match v.as_object() {
        Some(map) => {
            for key in map.keys() {
                let name = key.strip_suffix(".$").unwrap_or(key);
                if !is_variable_name(name) {
                    diags.push(Diagnostic::schema(
                        "variable-name",
                        format!("The variable name '{name}' is not valid"),
                        &at.key(key),
                    ));
                }
            }
        }
        None => diags.push(Diagnostic::schema("type", "The field 'Assign' must be a JSON object", at)),
    }
    Template::compile(v, at, diags)
}

/// Variable names follow identifier rules, at most 80 characters; `states` is reserved.
pub fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_alphanumeric() || c == '_') && name.chars().count() <= 80 && name != "states"
}

/// An `InputPath`-like field. `ResultPath`/`ItemsPath` (`reference` = true) must be reference paths.
fn io_path(f: &mut Fields, key: &str, reference: bool, diags: &mut Diagnostics) -> IoPath {
    let raw = f.raw(key);
    let at = || f.loc(key);
    match raw {
        None => IoPath::Default,
        Some(Value::Null) if key != "ItemsPath" => IoPath::Null,
        Some(Value::String(s)) => match JsonPath::parse(s) {
            Ok(p) if reference && !p.is_reference() => {
                diags.push(Diagnostic::schema(
                    "reference-path",
                    format!("The value for the field '{key}' must be a valid reference path"),
                    &at(),
                ));
                IoPath::Default
            }
            Ok(p) if key == "ResultPath" && *p.root() != crate::path::Root::Input => {
                diags.push(Diagnostic::schema(
                    "result-path-root",
                    "The value for the field 'ResultPath' must start with '$'",
                    &at(),
                ));
                IoPath::Default
            }
            Ok(p) => IoPath::Path(p),
            Err(e) => {
                diags.push(Diagnostic::schema(
                    "path-syntax",
                    format!("The value for the field '{key}' must be a valid JSONPath ({})", e.message),
                    &at(),
                ));
                IoPath::Default
            }
        },
        Some(_) => {
            diags.push(Diagnostic::schema("type", format!("The field '{key}' must be a string"), &at()));
            IoPath::Default
        }
    }
}

fn reference_path(f: &mut Fields, key: &str, diags: &mut Diagnostics) -> Option<JsonPath> {
    let at = f.loc(key);
    let s = f.string(key, diags)?;
    match JsonPath::parse(&s) {
        Ok(p) if p.is_reference() => Some(p),
        _ => {
            diags.push(Diagnostic::schema(
                "reference-path",
                format!("The value for the field '{key}' must be a valid reference path"),
                &at,
            ));
            None
        }
    }
}

/// `X` given as an integer ≥ `min`, or `XPath` as a reference path.
fn number_source(f: &mut Fields, key: &str, min: u64, diags: &mut Diagnostics) -> Option<NumberSource> {
    let path_key = format!("{key}Path");
    if f.has(&path_key) {
        return reference_path(f, &path_key, diags).map(NumberSource::Path);
    }
    f.integer(key, min, MAX_INT_FIELD, diags).map(|n| NumberSource::Value(n as f64))
}

fn percentage_source(f: &mut Fields, p: Parser, diags: &mut Diagnostics) -> Option<NumberSource> {
    let key = "ToleratedFailurePercentage";
    if p.jsonata() && f.peek(key).and_then(expression_text).is_some() {
        return p.field(f, key, diags).map(NumberSource::Expr);
    }
    if !p.jsonata() && f.has("ToleratedFailurePercentagePath") {
        return reference_path(f, "ToleratedFailurePercentagePath", diags).map(NumberSource::Path);
    }
    let n = f.number(key, diags)?;
    if !(0.0..=100.0).contains(&n) {
        diags.push(Diagnostic::schema(
            "percentage-range",
            "ToleratedFailurePercentage must be between 0 and 100",
            &f.loc(key),
        ));
    }
    Some(NumberSource::Value(n))
}
