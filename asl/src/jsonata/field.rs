//! A field's value in a JSONata state: JSON whose strings `{% ... %}` are expressions,
//! compiled when the definition is parsed and evaluated with AWS's `$states`, workflow
//! variables and functions, failing as AWS fails (`States.QueryEvaluationError`, causes that
//! name the field as `Output/a/b[0]`).

use super::engine::{Bindings, Compiled, Error as JsonataError, Limits};
use super::functions::{aws_functions, with_random, RANDOM_NAMES};
use crate::diagnostic::{codes, Diagnostic, Diagnostics, Location};
use crate::error::{names, Failure};
use crate::random::SeededRandom;
use serde_json::{Map, Value};
use std::sync::Arc;

/// A compiled field value. A value without any expression stays one literal.
#[derive(Debug, Clone)]
pub struct Field {
    node: Node,
}

#[derive(Debug, Clone)]
enum Node {
    Literal(Value),
    Expr(Arc<Expression>),
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
}

#[derive(Debug)]
pub struct Expression {
    compiled: Arc<dyn Compiled>,
    /// The text between the delimiters, trimmed: how AWS quotes it in causes.
    text: String,
    /// AWS's name of where the expression sits, relative to the state: `Output/a/b[0]`.
    field: String,
    /// Variables it may read, without `$` (`states` included); found by scanning the text,
    /// so a `$x` inside a string literal is listed too (harmless: it is bound if it exists).
    reads: Vec<String>,
    /// The members of `$states` to build for it: copying the input or the context for an
    /// expression that reads neither made a 1,000-item Map quadratic.
    needs: Needs,
}

/// Which parts of `$states` an expression may read (by scanning its text; a false positive
/// only costs a copy).
#[derive(Debug, Clone, Copy, Default)]
struct Needs {
    input: bool,
    result: bool,
    error_output: bool,
    context: bool,
    /// The context's `Execution` and `StateMachine` (`Execution.Input` is the whole input).
    context_whole: bool,
    random: bool,
}

impl Needs {
    fn of(text: &str, reads: &[String]) -> Needs {
        let random = reads.iter().any(|n| RANDOM_NAMES.contains(&n.as_str()));
        if !reads.iter().any(|n| n == "states") {
            return Needs { random, ..Needs::default() };
        }
        // `$states` read whole, or through a variable bound to it, needs every member.
        let whole = text.match_indices("$states").any(|(i, _)| !text[i + 7..].trim_start().starts_with('.'));
        let has = |m: &str| whole || text.contains(m);
        let context = has("context");
        Needs {
            input: has("input"),
            result: has("result"),
            error_output: has("errorOutput"),
            context,
            context_whole: context && (whole || !text.contains("context.") || has("Execution") || has("StateMachine")),
            random,
        }
    }
}

/// The result type a field requires; AWS's names in causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Any,
    Array,
    Boolean,
    String,
    Number,
}

impl Expected {
    fn name(self) -> &'static str {
        match self {
            Expected::Any => "any",
            Expected::Array => "array",
            Expected::Boolean => "boolean",
            Expected::String => "string",
            Expected::Number => "number",
        }
    }

    fn accepts(self, v: &Value) -> bool {
        match self {
            Expected::Any => true,
            Expected::Array => v.is_array(),
            Expected::Boolean => v.is_boolean(),
            Expected::String => v.is_string(),
            Expected::Number => v.is_number(),
        }
    }
}

/// JSONata's type name of a value, as AWS prints it in causes.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Variables an expression can read: the thread's workflow variables.
pub trait Variables {
    fn get(&self, name: &str) -> Option<&Value>;
}

/// What one evaluation sees (`$states` and the rest).
pub struct Scope<'a> {
    /// `$states.input`: the state's raw input.
    pub input: &'a Value,
    /// `$states.result`, where the field may read it (Output/Assign after a Task, Parallel, Map).
    pub result: Option<&'a Value>,
    /// `$states.errorOutput`, in a Catcher's Output/Assign.
    pub error_output: Option<&'a Value>,
    /// `$states.context`, built only for expressions that read it; `true` asks for the whole
    /// object, `false` allows leaving out `Execution` and `StateMachine`.
    pub context: &'a dyn Fn(bool) -> Value,
    pub vars: &'a dyn Variables,
    /// The virtual clock, epoch milliseconds (`$now()`, `$millis()`).
    pub now_millis: i64,
    pub rng: &'a mut SeededRandom,
}

/// A failed evaluation: the failure and the field it happened in (the `location` of AWS's
/// `EvaluationFailed` event).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryFailure {
    pub failure: Failure,
    pub location: String,
}

/// Whether a JSON value is an expression: a string that starts with `{%` and ends with `%}`
/// exactly (surrounding whitespace makes it a literal).
pub fn expression_text(v: &Value) -> Option<&str> {
    let s = v.as_str()?;
    (s.len() >= 4 && s.starts_with("{%") && s.ends_with("%}")).then(|| &s[2..s.len() - 2])
}

impl Field {
    /// Compiles a field value; `field` is AWS's name of the field (`Output`, `Choices[1]/Condition`).
    /// An expression that does not parse is a diagnostic at its location.
    pub fn compile(v: &Value, field: &str, at: &Location, diags: &mut Diagnostics) -> Field {
        Field { node: compile_node(v, field, at, diags) }
    }

    /// The value when the field holds no expression.
    pub fn literal(&self) -> Option<&Value> {
        match &self.node {
            Node::Literal(v) => Some(v),
            _ => None,
        }
    }

    /// The keys of a field whose value is an object (the names an `Assign` assigns).
    pub fn object_keys(&self) -> Vec<String> {
        match &self.node {
            Node::Literal(Value::Object(m)) => m.keys().cloned().collect(),
            Node::Object(pairs) => pairs.iter().map(|(k, _)| k.clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// Every expression in the field.
    pub fn expressions(&self) -> Vec<&Expression> {
        fn walk<'a>(n: &'a Node, out: &mut Vec<&'a Expression>) {
            match n {
                Node::Literal(_) => {}
                Node::Expr(e) => out.push(e),
                Node::Object(pairs) => pairs.iter().for_each(|(_, n)| walk(n, out)),
                Node::Array(items) => items.iter().for_each(|n| walk(n, out)),
            }
        }
        let mut out = Vec::new();
        walk(&self.node, &mut out);
        out
    }

    /// Evaluates every expression; an undefined result anywhere fails the state.
    pub fn evaluate(&self, scope: &mut Scope) -> Result<Value, QueryFailure> {
        self.evaluate_as(scope, Expected::Any)
    }

    /// [`Field::evaluate`], with the whole result required to be of one type.
    pub fn evaluate_as(&self, scope: &mut Scope, expected: Expected) -> Result<Value, QueryFailure> {
        let v = evaluate_node(&self.node, scope)?;
        if expected.accepts(&v) {
            return Ok(v);
        }
        let (text, field) = match &self.node {
            Node::Expr(e) => (e.text.as_str(), e.field.as_str()),
            // A literal of the wrong type is refused when the definition is validated.
            _ => ("", ""),
        };
        Err(query_failure(
            field,
            format!(
                "The JSONata expression '{text}' specified for the field '{field}' returned an unexpected result type. Expected '{}', but was '{}' for value: {}",
                expected.name(),
                type_name(&v),
                v
            ),
        ))
    }
}

impl Expression {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn field(&self) -> &str {
        &self.field
    }

    /// Whether the expression names `$states.<member>`.
    pub fn reads_states_member(&self, member: &str) -> bool {
        let mut rest = self.text.as_str();
        while let Some(i) = rest.find("$states") {
            rest = &rest[i + 7..];
            if let Some(members) = rest.strip_prefix('.') {
                let members = members.trim_start();
                let after = members.strip_prefix(member).map(|a| a.chars().next());
                if matches!(after, Some(None)) || matches!(after, Some(Some(c)) if !(c.is_alphanumeric() || c == '_')) {
                    return true;
                }
            }
        }
        false
    }
}

fn compile_node(v: &Value, field: &str, at: &Location, diags: &mut Diagnostics) -> Node {
    match v {
        Value::String(_) => match expression_text(v) {
            Some(text) => match super::evaluator().compile(text) {
                Ok(compiled) => {
                    // The ASL specification forbids `$`, `$$` and bare field names at the top
                    // level. UNSURE(aws): the text for `$` and `$$` (observed for names only).
                    for name in compiled.top_level_names() {
                        diags.push(Diagnostic::new(
                            codes::UNSUPPORTED_JSONATA_EXPRESSION,
                            "jsonata-top-level-reference",
                            format!("Reference to '{name}' at the top level is not supported."),
                            at,
                        ));
                    }
                    let reads = variable_names(text);
                    let needs = Needs::of(text, &reads);
                    Node::Expr(Arc::new(Expression {
                        compiled,
                        text: text.trim().to_string(),
                        field: field.to_string(),
                        reads,
                        needs,
                    }))
                }
                Err(e) => {
                    // AWS gives the parser's message without its code (observed, see codes).
                    diags.push(
                        Diagnostic::new(codes::INVALID_JSONATA_EXPRESSION, "jsonata-syntax", e.message.clone(), at)
                            .with_detail(e.to_string()),
                    );
                    Node::Literal(Value::Null)
                }
            },
            None => Node::Literal(v.clone()),
        },
        Value::Object(m) => {
            let pairs: Vec<(String, Node)> = m
                .iter()
                .map(|(k, v)| (k.clone(), compile_node(v, &format!("{field}/{k}"), &at.key(k), diags)))
                .collect();
            if pairs.iter().all(|(_, n)| matches!(n, Node::Literal(_))) {
                Node::Literal(v.clone())
            } else {
                Node::Object(pairs)
            }
        }
        Value::Array(items) => {
            let nodes: Vec<Node> = items
                .iter()
                .enumerate()
                .map(|(i, v)| compile_node(v, &format!("{field}[{i}]"), &at.index(i), diags))
                .collect();
            if nodes.iter().all(|n| matches!(n, Node::Literal(_))) {
                Node::Literal(v.clone())
            } else {
                Node::Array(nodes)
            }
        }
        _ => Node::Literal(v.clone()),
    }
}

/// `$name` tokens of an expression text, without the `$`, deduplicated.
fn variable_names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '$' {
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while let Some(&(j, c)) = chars.peek() {
            if c.is_alphanumeric() || c == '_' {
                end = j + c.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let name = &text[start..end];
        if !name.is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}

fn evaluate_node(n: &Node, scope: &mut Scope) -> Result<Value, QueryFailure> {
    match n {
        Node::Literal(v) => Ok(v.clone()),
        Node::Expr(e) => evaluate_expression(e, scope),
        Node::Object(pairs) => {
            let mut m = Map::with_capacity(pairs.len());
            for (k, n) in pairs {
                m.insert(k.clone(), evaluate_node(n, scope)?);
            }
            Ok(Value::Object(m))
        }
        Node::Array(items) => items.iter().map(|n| evaluate_node(n, scope)).collect::<Result<_, _>>().map(Value::Array),
    }
}

fn query_failure(field: &str, cause: String) -> QueryFailure {
    QueryFailure { failure: Failure::new(names::QUERY_EVALUATION_ERROR, cause), location: field.to_string() }
}

fn evaluate_expression(e: &Expression, scope: &mut Scope) -> Result<Value, QueryFailure> {
    let needs = e.needs;
    let mut states = None;
    if e.reads.iter().any(|n| n == "states") {
        let mut m = Map::new();
        if needs.input {
            m.insert("input".into(), scope.input.clone());
        }
        if needs.context {
            m.insert("context".into(), (scope.context)(needs.context_whole));
        }
        if let (Some(r), true) = (scope.result, needs.result) {
            m.insert("result".into(), r.clone());
        }
        if let (Some(o), true) = (scope.error_output, needs.error_output) {
            m.insert("errorOutput".into(), o.clone());
        }
        states = Some(Value::Object(m));
    }
    let mut bindings = Bindings {
        now_millis: Some(scope.now_millis),
        limits: Limits::default(),
        functions: aws_functions(),
        ..Bindings::default()
    };
    if let Some(s) = &states {
        bindings.vars.push(("states", s));
    }
    for name in &e.reads {
        if name != "states" {
            if let Some(v) = scope.vars.get(name) {
                bindings.vars.push((name.as_str(), v));
            }
        }
    }
    let rng = needs.random.then(|| SeededRandom::new(scope.rng.next_u64()));
    match with_random(rng, || e.compiled.evaluate(None, &bindings)) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(query_failure(
            &e.field,
            format!(
                "The JSONata expression '{}' specified for the field '{}' returned nothing (undefined).",
                e.text, e.field
            ),
        )),
        Err(err) => Err(query_failure(&e.field, evaluation_cause(e, &err))),
    }
}

fn evaluation_cause(e: &Expression, err: &JsonataError) -> String {
    format!(
        "The JSONata expression '{}' specified for the field '{}' threw an error during evaluation. {err}",
        e.text, e.field
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct NoVars;
    impl Variables for NoVars {
        fn get(&self, _: &str) -> Option<&Value> {
            None
        }
    }

    fn eval(field: Value, input: Value) -> Result<Value, QueryFailure> {
        let mut diags = Diagnostics::new();
        let f = Field::compile(&field, "Output", &Location::root(), &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        let mut rng = SeededRandom::new(1);
        let ctx = |_| json!({"State": {"Name": "S"}});
        let mut scope = Scope {
            input: &input,
            result: None,
            error_output: None,
            context: &ctx,
            vars: &NoVars,
            now_millis: 0,
            rng: &mut rng,
        };
        f.evaluate(&mut scope)
    }

    #[test]
    fn expressions_only_between_exact_delimiters() {
        let out = eval(json!({"a": "{% $states.input.x + 1 %}", "b": " {% 1 %}", "c.$": "$.x"}), json!({"x": 1}));
        assert_eq!(out.unwrap(), json!({"a": 2, "b": " {% 1 %}", "c.$": "$.x"}));
    }

    #[test]
    fn undefined_names_the_field_path() {
        let err = eval(json!({"a": [1, {"b": "{% $states.input.missing %}"}]}), json!({})).unwrap_err();
        assert_eq!(err.location, "Output/a[1]/b");
        assert_eq!(
            err.failure.cause.as_deref(),
            Some("The JSONata expression '$states.input.missing' specified for the field 'Output/a[1]/b' returned nothing (undefined).")
        );
    }

    #[test]
    fn eval_is_not_a_function() {
        let err = eval(json!("{% $eval('1') %}"), json!({})).unwrap_err();
        assert!(err.failure.cause.unwrap().ends_with("T1006: Attempted to invoke a non-function"));
    }

    #[test]
    fn newer_operators_are_refused() {
        let mut diags = Diagnostics::new();
        Field::compile(&json!("{% $x ?: 1 %}"), "Output", &Location::root(), &mut diags);
        Field::compile(&json!("{% $x ?? 1 %}"), "Output", &Location::root(), &mut diags);
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert_eq!(diags[0].code, "INVALID_JSONATA_EXPRESSION");
        assert_eq!(diags[0].message, "The symbol \":\" cannot be used as a unary operator");
        assert!(diags[0].detail.as_deref().unwrap_or("").starts_with("S0211"));
    }

    #[test]
    fn top_level_field_references_are_refused() {
        let refused = |text: &str| {
            let mut diags = Diagnostics::new();
            Field::compile(&json!(text), "Output", &Location::root(), &mut diags);
            diags.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
        };
        assert_eq!(refused("{% phone %}"), ["Reference to 'phone' at the top level is not supported."]);
        assert_eq!(refused("{% $count(a) + b.c %}").len(), 2);
        assert!(refused("{% $states.input.a[b > 1].c %}").is_empty());
        assert!(refused("{% $map($states.input.xs, function($v) { $v.a }) %}").is_empty());
        assert!(refused("{% ($x := 1; $x) %}").is_empty());
        assert_eq!(refused("{% $ %}").len(), 1);
        assert_eq!(refused("{% $$ %}").len(), 1);
        assert_eq!(refused("{% $.a + 1 %}").len(), 1);
        assert!(refused("{% $states.input.xs[$ > 1] %}").is_empty());
    }

    #[test]
    fn reads_states_members() {
        let mut diags = Diagnostics::new();
        let f = Field::compile(&json!("{% $states.result.x %}"), "Arguments", &Location::root(), &mut diags);
        assert!(f.expressions()[0].reads_states_member("result"));
        assert!(!f.expressions()[0].reads_states_member("input"));
    }
}
