//! Choice Rules in JSONPath mode: parsing (with the diagnostics CreateStateMachine reports) and
//! evaluation with AWS's semantics.
//!
//! Sources: https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html and
//! asl-features.md §5. Semantics in short: a type mismatch is `false`, never an error; numbers
//! compare by value; strings compare by UTF-16 code units (Java `String.compareTo`); a missing
//! `Variable` fails the execution with `States.Runtime` except under `IsPresent`.

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::error::Failure;
use crate::path::JsonPath;
use crate::timestamp;
use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Number, Value};
use std::cmp::Ordering;

/// Deepest `And`/`Or`/`Not` nesting accepted, so parsing and evaluation recursion stay bounded.
/// UNSURE(aws): AWS documents no nesting limit; serde_json's own limit (128) is reached first
/// for definitions parsed from text.
pub const MAX_DEPTH: usize = 128;

/// A Choice Rule (the `Next`/`Assign` of a top-level rule are read by the caller).
#[derive(Debug, Clone)]
pub enum Rule {
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
    Test(Test),
}

/// A data-test rule: `Variable` and exactly one comparison operator.
#[derive(Debug, Clone)]
pub struct Test {
    pub variable: JsonPath,
    pub op: Op,
}

/// A comparison operator with its (compiled) operand.
#[derive(Debug, Clone)]
pub enum Op {
    /// `String*`, `Numeric*`, `BooleanEquals`, `Timestamp*` and their `…Path` forms.
    Compare { kind: Kind, cmp: Cmp, operand: Operand },
    /// `StringMatches` (it has no `…Path` form).
    Matches(Pattern),
    /// `IsNull`, `IsPresent`, `IsNumeric`, `IsString`, `IsBoolean`, `IsTimestamp`.
    Is { test: TypeTest, expected: bool },
}

/// The type family of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

/// The relation a comparison tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Lt,
    Gt,
    Le,
    Ge,
}

/// The type predicates of the `Is*` operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeTest {
    Null,
    Present,
    Numeric,
    String,
    Boolean,
    Timestamp,
}

/// The right-hand side of a comparison: a literal checked at parse time, or a reference path.
#[derive(Debug, Clone)]
pub enum Operand {
    String(String),
    Number(Number),
    Boolean(bool),
    Timestamp(DateTime<FixedOffset>),
    Path(JsonPath),
}

/// What one operator field name means.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Spec {
    Compare(Kind, Cmp, bool),
    Matches,
    Is(TypeTest),
}

/// Every data-test operator (section 5.2), in the order the AWS docs list them.
const OPERATORS: [(&str, Spec); 39] = [
    ("StringEquals", Spec::Compare(Kind::String, Cmp::Eq, false)),
    ("StringEqualsPath", Spec::Compare(Kind::String, Cmp::Eq, true)),
    ("StringLessThan", Spec::Compare(Kind::String, Cmp::Lt, false)),
    ("StringLessThanPath", Spec::Compare(Kind::String, Cmp::Lt, true)),
    ("StringGreaterThan", Spec::Compare(Kind::String, Cmp::Gt, false)),
    ("StringGreaterThanPath", Spec::Compare(Kind::String, Cmp::Gt, true)),
    ("StringLessThanEquals", Spec::Compare(Kind::String, Cmp::Le, false)),
    ("StringLessThanEqualsPath", Spec::Compare(Kind::String, Cmp::Le, true)),
    ("StringGreaterThanEquals", Spec::Compare(Kind::String, Cmp::Ge, false)),
    ("StringGreaterThanEqualsPath", Spec::Compare(Kind::String, Cmp::Ge, true)),
    ("StringMatches", Spec::Matches),
    ("NumericEquals", Spec::Compare(Kind::Numeric, Cmp::Eq, false)),
    ("NumericEqualsPath", Spec::Compare(Kind::Numeric, Cmp::Eq, true)),
    ("NumericLessThan", Spec::Compare(Kind::Numeric, Cmp::Lt, false)),
    ("NumericLessThanPath", Spec::Compare(Kind::Numeric, Cmp::Lt, true)),
    ("NumericGreaterThan", Spec::Compare(Kind::Numeric, Cmp::Gt, false)),
    ("NumericGreaterThanPath", Spec::Compare(Kind::Numeric, Cmp::Gt, true)),
    ("NumericLessThanEquals", Spec::Compare(Kind::Numeric, Cmp::Le, false)),
    ("NumericLessThanEqualsPath", Spec::Compare(Kind::Numeric, Cmp::Le, true)),
    ("NumericGreaterThanEquals", Spec::Compare(Kind::Numeric, Cmp::Ge, false)),
    ("NumericGreaterThanEqualsPath", Spec::Compare(Kind::Numeric, Cmp::Ge, true)),
    ("BooleanEquals", Spec::Compare(Kind::Boolean, Cmp::Eq, false)),
    ("BooleanEqualsPath", Spec::Compare(Kind::Boolean, Cmp::Eq, true)),
    ("TimestampEquals", Spec::Compare(Kind::Timestamp, Cmp::Eq, false)),
    ("TimestampEqualsPath", Spec::Compare(Kind::Timestamp, Cmp::Eq, true)),
    ("TimestampLessThan", Spec::Compare(Kind::Timestamp, Cmp::Lt, false)),
    ("TimestampLessThanPath", Spec::Compare(Kind::Timestamp, Cmp::Lt, true)),
    ("TimestampGreaterThan", Spec::Compare(Kind::Timestamp, Cmp::Gt, false)),
    ("TimestampGreaterThanPath", Spec::Compare(Kind::Timestamp, Cmp::Gt, true)),
    ("TimestampLessThanEquals", Spec::Compare(Kind::Timestamp, Cmp::Le, false)),
    ("TimestampLessThanEqualsPath", Spec::Compare(Kind::Timestamp, Cmp::Le, true)),
    ("TimestampGreaterThanEquals", Spec::Compare(Kind::Timestamp, Cmp::Ge, false)),
    ("TimestampGreaterThanEqualsPath", Spec::Compare(Kind::Timestamp, Cmp::Ge, true)),
    ("IsNull", Spec::Is(TypeTest::Null)),
    ("IsPresent", Spec::Is(TypeTest::Present)),
    ("IsNumeric", Spec::Is(TypeTest::Numeric)),
    ("IsString", Spec::Is(TypeTest::String)),
    ("IsBoolean", Spec::Is(TypeTest::Boolean)),
    ("IsTimestamp", Spec::Is(TypeTest::Timestamp)),
];

/// The names of all 39 data-test operators, in the order AWS's documentation lists them.
pub const OPERATOR_NAMES: [&str; 39] = {
    let mut names = [""; 39];
    let mut i = 0;
    while i < names.len() {
        names[i] = OPERATORS[i].0;
        i += 1;
    }
    names
};

/// The names of all 39 data-test operators.
pub fn operator_names() -> impl Iterator<Item = &'static str> {
    OPERATOR_NAMES.into_iter()
}

fn spec_of(name: &str) -> Option<Spec> {
    OPERATORS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// Parses one Choice Rule at `at` (the rule object's own location, e.g. `/States/C/Choices/0`).
///
/// Every problem is pushed to `diags`; the result is `None` when there was any. With
/// `top_level` the keys `Next` and `Assign` are accepted but not interpreted (the caller reads
/// and checks them, including that `Next` is present); nested rules must not have them.
pub fn parse_rule(v: &Value, at: &Location, top_level: bool, diags: &mut Diagnostics) -> Option<Rule> {
    parse_at_depth(v, at, top_level, 0, diags)
}

fn parse_at_depth(v: &Value, at: &Location, top_level: bool, depth: usize, diags: &mut Diagnostics) -> Option<Rule> {
    if depth >= MAX_DEPTH {
        diags.push(Diagnostic::schema(
            "choice-nesting-depth",
            format!("Choice Rules may not be nested more than {MAX_DEPTH} levels deep"),
            at,
        ));
        return None;
    }
    let Some(obj) = v.as_object() else {
        // UNSURE(aws): exact message for a Choice Rule that is not an object.
        diags.push(Diagnostic::schema("choice-rule-type", "A Choice Rule must be an object", at));
        return None;
    };
    let before = diags.len();
    let fields = classify_fields(obj, at, top_level, diags);
    let rule = build_rule(obj, &fields, at, depth, diags);
    if diags.len() > before {
        return None;
    }
    rule
}

/// The fields of a rule object sorted by role, in document order.
struct Fields<'a> {
    /// `And`, `Or`, `Not` and the data-test operators.
    operators: Vec<&'a str>,
    variable: Option<&'a Value>,
}

fn classify_fields<'a>(
    obj: &'a Map<String, Value>,
    at: &Location,
    top_level: bool,
    diags: &mut Diagnostics,
) -> Fields<'a> {
    let mut fields = Fields { operators: Vec::new(), variable: None };
    for (key, value) in obj {
        match key.as_str() {
            "Variable" => fields.variable = Some(value),
            // UNSURE(aws): `Comment` is accepted in nested rules too (statelint allows it on any
            // Choice Rule). https://github.com/awslabs/statelint/blob/master/data/StateMachine.j2119
            "Comment" => check_comment(value, at, diags),
            "Next" | "Assign" if top_level => {}
            // The docs: nested rules "must not themselves contain `Next` fields".
            "Next" => diags.push(not_supported("choice-nested-next", key, at)),
            "And" | "Or" | "Not" => fields.operators.push(key),
            k if spec_of(k).is_some() => fields.operators.push(key),
            _ => diags.push(not_supported("choice-unknown-field", key, at)),
        }
    }
    fields
}

fn check_comment(value: &Value, at: &Location, diags: &mut Diagnostics) {
    if !value.is_string() {
        diags.push(Diagnostic::schema(
            "choice-comment-type",
            "The value for the field 'Comment' must be a string",
            &at.key("Comment"),
        ));
    }
}

/// `Field 'X' is not supported` — AWS's wording for an unexpected field (asl-features.md §1.5),
/// reported at the object that holds it.
fn not_supported(rule: &'static str, key: &str, at: &Location) -> Diagnostic {
    Diagnostic::schema(rule, format!("Field '{key}' is not supported"), at)
}

fn build_rule(
    obj: &Map<String, Value>,
    fields: &Fields<'_>,
    at: &Location,
    depth: usize,
    diags: &mut Diagnostics,
) -> Option<Rule> {
    let op = match fields.operators.as_slice() {
        [op] => *op,
        [] => {
            // UNSURE(aws): exact message when a rule has no operator at all.
            diags.push(Diagnostic::schema(
                "choice-operator-missing",
                "Each Choice Rule must have one comparison operator.",
                at,
            ));
            return None;
        }
        _ => {
            // Text of AWS's language service (D-lsp MUTUALLY_EXCLUSIVE_CHOICE_PROPERTIES).
            diags.push(Diagnostic::schema(
                "choice-operator-count",
                "Each Choice Rule can only have one comparison operator.",
                at,
            ));
            return None;
        }
    };
    let value = obj.get(op)?;
    match op {
        "And" | "Or" | "Not" => {
            if fields.variable.is_some() {
                diags.push(not_supported("choice-unknown-field", "Variable", at));
            }
            parse_boolean(op, value, &at.key(op), depth, diags)
        }
        _ => {
            let Some(variable) = fields.variable else {
                diags.push(Diagnostic::schema(
                    "choice-variable-missing",
                    "The field 'Variable' is required but was missing",
                    at,
                ));
                return None;
            };
            let variable = parse_reference("Variable", variable, &at.key("Variable"), diags);
            let op = parse_op(op, value, &at.key(op), diags);
            Some(Rule::Test(Test { variable: variable?, op: op? }))
        }
    }
}

fn parse_boolean(op: &str, value: &Value, at: &Location, depth: usize, diags: &mut Diagnostics) -> Option<Rule> {
    if op == "Not" {
        if !value.is_object() {
            diags.push(operand_type(op, "an object", at));
            return None;
        }
        return parse_at_depth(value, at, false, depth + 1, diags).map(|r| Rule::Not(Box::new(r)));
    }
    let Some(items) = value.as_array() else {
        diags.push(operand_type(op, "an array", at));
        return None;
    };
    if items.is_empty() {
        // AWS's wording for an empty array (asl-features.md §1.5, `Branches`).
        diags.push(Diagnostic::schema("choice-empty-boolean", "Value cannot be empty", at));
        return None;
    }
    let mut rules = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        match parse_at_depth(item, &at.index(i), false, depth + 1, diags) {
            Some(r) => rules.push(r),
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    Some(if op == "And" { Rule::And(rules) } else { Rule::Or(rules) })
}

/// UNSURE(aws): exact message for an operand of the wrong JSON type.
fn operand_type(field: &str, expected: &str, at: &Location) -> Diagnostic {
    Diagnostic::schema("choice-operand-type", format!("The value for the field '{field}' must be {expected}"), at)
}

/// Parses `Variable` or a `…Path` operand: a string holding a reference path (`$…`, `$$…` or
/// `$var…`).
fn parse_reference(field: &str, value: &Value, at: &Location, diags: &mut Diagnostics) -> Option<JsonPath> {
    let parsed = value.as_str().and_then(|s| JsonPath::parse(s).ok()).filter(JsonPath::is_reference);
    if parsed.is_none() {
        // UNSURE(aws): message modelled on AWS's "The value for the field 'x.$' must be a valid
        // JSONPath or a valid intrinsic function call".
        diags.push(Diagnostic::schema(
            "choice-invalid-path",
            format!("The value for the field '{field}' must be a valid JSONPath"),
            at,
        ));
    }
    parsed
}

fn parse_op(name: &str, value: &Value, at: &Location, diags: &mut Diagnostics) -> Option<Op> {
    match spec_of(name)? {
        Spec::Compare(kind, cmp, true) => {
            let path = parse_reference(name, value, at, diags)?;
            Some(Op::Compare { kind, cmp, operand: Operand::Path(path) })
        }
        Spec::Compare(kind, cmp, false) => {
            let operand = parse_literal(name, kind, value, at, diags)?;
            Some(Op::Compare { kind, cmp, operand })
        }
        Spec::Matches => match value.as_str() {
            Some(s) => Some(Op::Matches(Pattern::compile(s))),
            None => {
                diags.push(operand_type(name, "a string", at));
                None
            }
        },
        Spec::Is(test) => match value.as_bool() {
            Some(expected) => Some(Op::Is { test, expected }),
            None => {
                diags.push(operand_type(name, "a boolean", at));
                None
            }
        },
    }
}

fn parse_literal(name: &str, kind: Kind, value: &Value, at: &Location, diags: &mut Diagnostics) -> Option<Operand> {
    let (operand, expected) = match kind {
        Kind::String => (value.as_str().map(|s| Operand::String(s.to_owned())), "a string"),
        Kind::Numeric => (value.as_number().map(|n| Operand::Number(n.clone())), "a number"),
        Kind::Boolean => (value.as_bool().map(Operand::Boolean), "a boolean"),
        Kind::Timestamp => return parse_timestamp_literal(name, value, at, diags),
    };
    if operand.is_none() {
        diags.push(operand_type(name, expected, at));
    }
    operand
}

fn parse_timestamp_literal(name: &str, value: &Value, at: &Location, diags: &mut Diagnostics) -> Option<Operand> {
    let Some(s) = value.as_str() else {
        diags.push(operand_type(name, "a string", at));
        return None;
    };
    match timestamp::parse(s) {
        Some(dt) => Some(Operand::Timestamp(dt)),
        None => {
            // AWS's text for a bad Wait `Timestamp` (asl-features.md §1.5); UNSURE(aws) that the
            // Choice operators use the same text.
            diags.push(Diagnostic::schema("choice-invalid-timestamp", "String does not match RFC3339 timestamp", at));
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/// Resolves a path (the `Variable` or a `…Path` operand): `Ok(Some(v))` found, `Ok(None)` not
/// found.
pub type Lookup<'a> = dyn FnMut(&JsonPath) -> Result<Option<Value>, Failure> + 'a;

impl Rule {
    /// Evaluates the rule. `And`/`Or` stop at the first rule that decides the result.
    ///
    /// UNSURE(aws): that AWS short-circuits `And`/`Or` (it matters only when a later rule would
    /// fail on a missing path).
    pub fn evaluate(&self, lookup: &mut Lookup<'_>) -> Result<bool, Failure> {
        match self {
            Rule::And(rules) => {
                for r in rules {
                    if !r.evaluate(lookup)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Rule::Or(rules) => {
                for r in rules {
                    if r.evaluate(lookup)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Rule::Not(rule) => Ok(!rule.evaluate(lookup)?),
            Rule::Test(test) => test.evaluate(lookup),
        }
    }

    /// Every path the rule reads (`Variable`s and `…Path` operands), in document order.
    pub fn paths(&self) -> Vec<&JsonPath> {
        let mut out = Vec::new();
        self.collect_paths(&mut out);
        out
    }

    fn collect_paths<'a>(&'a self, out: &mut Vec<&'a JsonPath>) {
        match self {
            Rule::And(rules) | Rule::Or(rules) => rules.iter().for_each(|r| r.collect_paths(out)),
            Rule::Not(rule) => rule.collect_paths(out),
            Rule::Test(test) => {
                out.push(&test.variable);
                if let Op::Compare { operand: Operand::Path(p), .. } = &test.op {
                    out.push(p);
                }
            }
        }
    }
}

impl Test {
    /// The AWS field name of the operator, e.g. `NumericEqualsPath`.
    pub fn operator(&self) -> &'static str {
        let spec = match &self.op {
            Op::Compare { kind, cmp, operand } => Spec::Compare(*kind, *cmp, matches!(operand, Operand::Path(_))),
            Op::Matches(_) => Spec::Matches,
            Op::Is { test, .. } => Spec::Is(*test),
        };
        OPERATORS.iter().find(|(_, s)| *s == spec).map_or("", |(n, _)| *n)
    }

    pub fn evaluate(&self, lookup: &mut Lookup<'_>) -> Result<bool, Failure> {
        let value = lookup(&self.variable)?;
        if let Op::Is { test: TypeTest::Present, expected } = self.op {
            return Ok(value.is_some() == expected);
        }
        // UNSURE(aws): IsNull on a missing path fails like the other operators (only IsPresent
        // is documented to tolerate a missing path).
        let value = value.ok_or_else(|| missing_path(&self.variable))?;
        match &self.op {
            Op::Is { test, expected } => Ok(has_type(*test, &value) == *expected),
            Op::Matches(pattern) => Ok(value.as_str().is_some_and(|s| pattern.matches(s))),
            Op::Compare { kind, cmp, operand } => compare_operand(*kind, *cmp, &value, operand, lookup),
        }
    }
}

/// The cause AWS reports when a Choice path resolves to nothing (reported by several
/// independent AWS-checked suites; see also https://github.com/localstack/localstack/issues/11980).
/// UNSURE(aws): the same text is used for a missing `…Path` operand.
fn missing_path(path: &JsonPath) -> Failure {
    Failure::runtime(format!(
        "Invalid path '{}': The choice state's condition path references an invalid value.",
        path.source()
    ))
}

fn compare_operand(
    kind: Kind,
    cmp: Cmp,
    value: &Value,
    operand: &Operand,
    lookup: &mut Lookup<'_>,
) -> Result<bool, Failure> {
    let ord = match operand {
        Operand::String(s) => value.as_str().map(|v| utf16_cmp(v, s)),
        Operand::Number(n) => value.as_number().map(|v| number_cmp(v, n)),
        Operand::Boolean(b) => value.as_bool().map(|v| v.cmp(b)),
        Operand::Timestamp(t) => value_timestamp(value).map(|v| v.cmp(t)),
        Operand::Path(path) => {
            // UNSURE(aws): an operand path resolving to a value of the wrong type gives false
            // (like a mismatched Variable), not an error.
            let other = lookup(path)?.ok_or_else(|| missing_path(path))?;
            compare_values(kind, value, &other)
        }
    };
    Ok(ord.is_some_and(|o| cmp.holds(o)))
}

/// Orders two values of `kind`; `None` when either has the wrong type.
fn compare_values(kind: Kind, a: &Value, b: &Value) -> Option<Ordering> {
    match kind {
        Kind::String => Some(utf16_cmp(a.as_str()?, b.as_str()?)),
        Kind::Numeric => Some(number_cmp(a.as_number()?, b.as_number()?)),
        Kind::Boolean => Some(a.as_bool()?.cmp(&b.as_bool()?)),
        Kind::Timestamp => Some(value_timestamp(a)?.cmp(&value_timestamp(b)?)),
    }
}

impl Cmp {
    fn holds(self, o: Ordering) -> bool {
        match self {
            Cmp::Eq => o == Ordering::Equal,
            Cmp::Lt => o == Ordering::Less,
            Cmp::Gt => o == Ordering::Greater,
            Cmp::Le => o != Ordering::Greater,
            Cmp::Ge => o != Ordering::Less,
        }
    }
}

fn has_type(test: TypeTest, v: &Value) -> bool {
    match test {
        TypeTest::Null => v.is_null(),
        TypeTest::Present => true,
        TypeTest::Numeric => v.is_number(),
        TypeTest::String => v.is_string(),
        TypeTest::Boolean => v.is_boolean(),
        TypeTest::Timestamp => value_timestamp(v).is_some(),
    }
}

fn value_timestamp(v: &Value) -> Option<DateTime<FixedOffset>> {
    timestamp::parse(v.as_str()?)
}

/// Java's `String.compareTo`: lexicographic over UTF-16 code units.
///
/// UTF-8 byte order equals code point order, which differs from UTF-16 order only when a
/// supplementary character (≥ U+10000, a surrogate pair) meets one in U+E000..=U+FFFF.
pub fn utf16_cmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Compares JSON numbers by value: integers exactly, an integer against a float exactly, floats
/// as IEEE doubles (JSON numbers are finite).
///
/// UNSURE(aws): integers beyond ±2^53 compare exactly here; AWS may convert to double first
/// (the docs warn such values "might fail to compare in the expected way").
pub fn number_cmp(a: &Number, b: &Number) -> Ordering {
    match (as_integer(a), as_integer(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(x), None) => int_float_cmp(x, b.as_f64().unwrap_or(0.0)),
        (None, Some(y)) => int_float_cmp(y, a.as_f64().unwrap_or(0.0)).reverse(),
        (None, None) => {
            let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
    }
}

fn as_integer(n: &Number) -> Option<i128> {
    n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from))
}

/// Orders integer `i` (|i| < 2^64) against a finite double `f` without rounding `i`.
fn int_float_cmp(i: i128, f: f64) -> Ordering {
    // Beyond ±1e20 the double is outside every 64-bit integer.
    if f >= 1e20 {
        return Ordering::Less;
    }
    if f <= -1e20 {
        return Ordering::Greater;
    }
    let floor = f.floor();
    // |floor| < 1e20 < 2^127: the conversion is exact.
    match i.cmp(&(floor as i128)) {
        Ordering::Equal if f > floor => Ordering::Less,
        o => o,
    }
}

// ---------------------------------------------------------------------------------------------
// StringMatches
// ---------------------------------------------------------------------------------------------

/// A compiled `StringMatches` pattern: `*` matches any sequence (including the empty one),
/// `\*` a literal star, `\\` a literal backslash; nothing else is special.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    /// The literal text between unescaped stars; one more than the number of stars.
    segments: Vec<String>,
}

impl Pattern {
    /// Compiles a pattern.
    ///
    /// UNSURE(aws): a backslash before any other character escapes it too (`\a` matches `a`),
    /// and a trailing lone backslash is a literal backslash.
    /// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
    pub fn compile(source: &str) -> Pattern {
        let mut segments = vec![String::new()];
        let mut chars = source.chars();
        while let Some(c) = chars.next() {
            let literal = match c {
                '*' => {
                    segments.push(String::new());
                    continue;
                }
                '\\' => chars.next().unwrap_or('\\'),
                c => c,
            };
            if let Some(last) = segments.last_mut() {
                last.push(literal);
            }
        }
        Pattern { source: source.to_owned(), segments }
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whole-string match. Greedy leftmost placement of the inner segments is exact for
    /// star-only globs and runs in linear-ish time (no backtracking).
    pub fn matches(&self, s: &str) -> bool {
        let (first, rest) = match self.segments.split_first() {
            Some(x) => x,
            None => return s.is_empty(),
        };
        let Some((last, middle)) = rest.split_last() else {
            return s == first;
        };
        let Some(mut text) = s.strip_prefix(first.as_str()).and_then(|t| t.strip_suffix(last.as_str())) else {
            return false;
        };
        for seg in middle {
            match text.find(seg.as_str()) {
                Some(i) => text = &text[i + seg.len()..],
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::names;
    use serde_json::json;

    /// Test-only resolver, independent of `crate::path`: `$…` reads `input`, `$$…` reads
    /// `context`, `$name…` reads the variable `name`; dot-separated keys and array indexes.
    struct World {
        input: Value,
        context: Value,
        vars: Map<String, Value>,
    }

    impl World {
        fn new(input: Value) -> World {
            World { input, context: json!({}), vars: Map::new() }
        }

        fn resolve(&self, src: &str) -> Option<Value> {
            let (root, rest) = if let Some(rest) = src.strip_prefix("$$") {
                (&self.context, rest)
            } else if let Some(rest) = src.strip_prefix("$.").map(|r| r.to_string()) {
                return walk(&self.input, &format!(".{rest}"));
            } else if src == "$" {
                return Some(self.input.clone());
            } else {
                let name_and_rest = src.strip_prefix('$')?;
                let (name, rest) = name_and_rest.split_once('.').map_or((name_and_rest, ""), |(n, r)| (n, r));
                let v = self.vars.get(name)?;
                return if rest.is_empty() { Some(v.clone()) } else { walk(v, &format!(".{rest}")) };
            };
            walk(root, rest)
        }
    }

    fn walk(root: &Value, rest: &str) -> Option<Value> {
        let mut cur = root;
        for key in rest.split('.').skip(1) {
            cur = match cur {
                Value::Object(m) => m.get(key)?,
                Value::Array(a) => a.get(key.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur.clone())
    }

    fn loc() -> Location {
        Location::root().key("States").key("C").key("Choices").index(0)
    }

    fn parse_ok(v: Value) -> Rule {
        let mut diags = Diagnostics::new();
        let rule = parse_rule(&v, &loc(), true, &mut diags);
        assert_eq!(diags, vec![], "unexpected diagnostics for {v}");
        match rule {
            Some(r) => r,
            None => panic!("no rule for {v}"),
        }
    }

    fn eval_in(world: &World, rule: Value) -> Result<bool, Failure> {
        let rule = parse_ok(rule);
        rule.evaluate(&mut |p: &JsonPath| Ok(world.resolve(p.source())))
    }

    /// Evaluates `{"Variable": "$.v", op: operand}` with input `{"v": value}`.
    fn test(op: &str, operand: Value, value: Value) -> bool {
        let world = World::new(json!({ "v": value }));
        let mut rule = Map::new();
        rule.insert("Variable".into(), json!("$.v"));
        rule.insert(op.into(), operand);
        rule.insert("Next".into(), json!("N"));
        match eval_in(&world, Value::Object(rule)) {
            Ok(b) => b,
            Err(e) => panic!("{op}: unexpected failure {e}"),
        }
    }

    /// Evaluates `{"Variable": "$.a", opPath: "$.b"}` with input `{"a": a, "b": b}`.
    fn test_path(op: &str, a: Value, b: Value) -> Result<bool, Failure> {
        let world = World::new(json!({ "a": a, "b": b }));
        let mut rule = Map::new();
        rule.insert("Variable".into(), json!("$.a"));
        rule.insert(op.into(), json!("$.b"));
        rule.insert("Next".into(), json!("N"));
        eval_in(&world, Value::Object(rule))
    }

    fn diags_of(v: Value, top_level: bool) -> Vec<(&'static str, String, String)> {
        let mut diags = Diagnostics::new();
        let rule = parse_rule(&v, &loc(), top_level, &mut diags);
        assert!(rule.is_none(), "expected a rejection of {v}");
        diags
            .into_iter()
            .map(|d| {
                assert_eq!(d.code, "SCHEMA_VALIDATION_FAILED");
                (d.rule, d.message, d.location.unwrap_or_default())
            })
            .collect()
    }

    fn runtime(cause: &str) -> Failure {
        Failure::new(names::RUNTIME, cause)
    }

    const NON_STRINGS: [&str; 5] = ["null", "1", "[\"a\"]", "{\"a\":\"a\"}", "true"];

    // ----- String comparisons --------------------------------------------------------------

    #[test]
    fn string_equals() {
        assert!(test("StringEquals", json!("abc"), json!("abc")));
        assert!(!test("StringEquals", json!("abc"), json!("abd")));
        assert!(!test("StringEquals", json!("abc"), json!("ABC")));
        assert!(!test("StringEquals", json!("\t\n"), json!("\t\r\n")));
        assert!(test("StringEquals", json!(""), json!("")));
    }

    #[test]
    fn string_comparisons_are_false_on_non_strings() {
        for op in
            ["StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals"]
        {
            for v in NON_STRINGS {
                let v: Value = serde_json::from_str(v).unwrap_or(Value::Null);
                assert!(!test(op, json!("a"), v.clone()), "{op} {v}");
            }
        }
        // A number that looks like the operand is still not a string.
        assert!(!test("StringEquals", json!("1"), json!(1)));
        assert!(!test("StringEquals", json!("true"), json!(true)));
        assert!(!test("StringEquals", json!("null"), json!(null)));
    }

    #[test]
    fn string_ordering() {
        assert!(test("StringLessThan", json!("b"), json!("a")));
        assert!(!test("StringLessThan", json!("a"), json!("a")));
        assert!(!test("StringLessThan", json!("a"), json!("b")));
        assert!(test("StringGreaterThan", json!("a"), json!("b")));
        assert!(!test("StringGreaterThan", json!("A "), json!("A")));
        assert!(test("StringGreaterThan", json!("A"), json!("A ")));
        assert!(test("StringLessThanEquals", json!("a"), json!("a")));
        assert!(test("StringLessThanEquals", json!("b"), json!("a")));
        assert!(!test("StringLessThanEquals", json!("a"), json!("b")));
        assert!(test("StringGreaterThanEquals", json!(""), json!("")));
        assert!(test("StringGreaterThanEquals", json!("a"), json!("b")));
        assert!(!test("StringGreaterThanEquals", json!("b"), json!("a")));
        // Upper case sorts before lower case (code unit order, no collation).
        assert!(test("StringLessThan", json!("a"), json!("Z")));
        // A prefix is smaller.
        assert!(test("StringLessThan", json!("abc"), json!("ab")));
    }

    #[test]
    fn string_ordering_uses_utf16_code_units() {
        // U+FF61 is 0xFF61 in UTF-16; U+1F600 is the pair 0xD83D 0xDE00, so Java orders the
        // emoji first although its code point is larger.
        assert_eq!(utf16_cmp("\u{1F600}", "\u{FF61}"), Ordering::Less);
        assert!(test("StringLessThan", json!("\u{FF61}"), json!("\u{1F600}")));
        assert!(test("StringGreaterThan", json!("\u{1F600}"), json!("\u{FF61}")));
        assert_eq!(utf16_cmp("\u{e9}", "e"), Ordering::Greater);
    }

    // ----- Numeric comparisons -------------------------------------------------------------

    #[test]
    fn numeric_equals_compares_by_value() {
        assert!(test("NumericEquals", json!(0), json!(0.0)));
        assert!(test("NumericEquals", json!(0.0), json!(0)));
        assert!(test("NumericEquals", json!(1), json!(1.0)));
        assert!(!test("NumericEquals", json!(1), json!(1.1)));
        assert!(test("NumericEquals", json!(-3), json!(-3)));
        assert!(test("NumericEquals", json!(2.5), json!(2.5)));
        assert!(test("NumericEquals", json!(100), serde_json::from_str::<Value>("1e2").unwrap_or(Value::Null)));
        assert!(test("NumericEquals", json!(u64::MAX), json!(u64::MAX)));
        assert!(!test("NumericEquals", json!(-1), json!(u64::MAX)));
        assert!(!test("NumericEquals", json!(9_007_199_254_740_992_i64), json!(9_007_199_254_740_993_i64)));
    }

    #[test]
    fn numeric_ordering() {
        assert!(test("NumericLessThan", json!(1), json!(0.5)));
        assert!(!test("NumericLessThan", json!(1), json!(1.0)));
        assert!(test("NumericLessThan", json!(-1), json!(-1.5)));
        assert!(!test("NumericLessThan", json!(-2), json!(-1.5)));
        assert!(test("NumericGreaterThan", json!(1), json!(1.0000001)));
        assert!(!test("NumericGreaterThan", json!(1), json!(1)));
        assert!(test("NumericLessThanEquals", json!(1.0), json!(1)));
        assert!(!test("NumericLessThanEquals", json!(1), json!(2)));
        assert!(test("NumericGreaterThanEquals", json!(20), json!(20)));
        assert!(test("NumericGreaterThanEquals", json!(20), json!(22)));
        assert!(!test("NumericGreaterThanEquals", json!(20), json!(19.99)));
        assert!(test("NumericGreaterThan", json!(-5), json!(u64::MAX)));
        assert!(test("NumericLessThan", json!(1e300), json!(i64::MAX)));
        assert!(test("NumericGreaterThan", json!(-1e300), json!(i64::MIN)));
    }

    #[test]
    fn numeric_comparisons_are_false_on_non_numbers() {
        for op in [
            "NumericEquals",
            "NumericLessThan",
            "NumericGreaterThan",
            "NumericLessThanEquals",
            "NumericGreaterThanEquals",
        ] {
            for v in [json!("1"), json!(null), json!(true), json!([1]), json!({"a": 1}), json!("")] {
                assert!(!test(op, json!(1), v.clone()), "{op} {v}");
            }
        }
    }

    #[test]
    fn number_cmp_mixed_representations() {
        let n = |s: &str| match serde_json::from_str::<Value>(s) {
            Ok(Value::Number(n)) => n,
            _ => panic!("{s}"),
        };
        assert_eq!(number_cmp(&n("2"), &n("2.5")), Ordering::Less);
        assert_eq!(number_cmp(&n("3"), &n("2.5")), Ordering::Greater);
        assert_eq!(number_cmp(&n("-3"), &n("-2.5")), Ordering::Less);
        assert_eq!(number_cmp(&n("-2"), &n("-2.5")), Ordering::Greater);
        assert_eq!(number_cmp(&n("18446744073709551615"), &n("-1")), Ordering::Greater);
        assert_eq!(number_cmp(&n("1.5"), &n("1.25")), Ordering::Greater);
        assert_eq!(number_cmp(&n("1e25"), &n("18446744073709551615")), Ordering::Greater);
    }

    // ----- Boolean -------------------------------------------------------------------------

    #[test]
    fn boolean_equals() {
        assert!(test("BooleanEquals", json!(true), json!(true)));
        assert!(test("BooleanEquals", json!(false), json!(false)));
        assert!(!test("BooleanEquals", json!(true), json!(false)));
        assert!(!test("BooleanEquals", json!(false), json!(true)));
        for v in [json!(0), json!(1), json!(""), json!("true"), json!(null), json!([true]), json!({})] {
            assert!(!test("BooleanEquals", json!(true), v.clone()), "{v}");
            assert!(!test("BooleanEquals", json!(false), v.clone()), "{v}");
        }
    }

    // ----- Timestamps ----------------------------------------------------------------------

    #[test]
    fn timestamp_comparisons_compare_instants() {
        let t = json!("2016-08-18T17:33:00Z");
        assert!(test("TimestampEquals", t.clone(), json!("2016-08-18T17:33:00Z")));
        assert!(test("TimestampEquals", t.clone(), json!("2016-08-18T19:33:00+02:00")));
        assert!(test("TimestampEquals", t.clone(), json!("2016-08-18T17:33:00.000Z")));
        assert!(!test("TimestampEquals", t.clone(), json!("2016-08-18T17:33:00.001Z")));
        assert!(test("TimestampLessThan", t.clone(), json!("2016-08-18T17:32:59.999Z")));
        assert!(!test("TimestampLessThan", t.clone(), json!("2016-08-18T17:33:00Z")));
        assert!(test("TimestampLessThan", t.clone(), json!("2016-08-18T18:00:00+01:00")));
        assert!(test("TimestampGreaterThan", t.clone(), json!("2016-08-18T17:33:01Z")));
        assert!(!test("TimestampGreaterThan", t.clone(), json!("2016-08-18T17:33:00Z")));
        assert!(test("TimestampLessThanEquals", t.clone(), json!("2016-08-18T17:33:00Z")));
        assert!(!test("TimestampLessThanEquals", t.clone(), json!("2016-08-18T17:33:01Z")));
        assert!(test("TimestampGreaterThanEquals", t.clone(), json!("2016-08-18T17:33:00Z")));
        assert!(!test("TimestampGreaterThanEquals", t.clone(), json!("2016-08-18T17:32:00Z")));
    }

    #[test]
    fn timestamp_comparisons_are_false_on_non_timestamps() {
        let t = json!("2023-02-24T12:15:56Z");
        for v in [
            json!("2023-02-24 12:15:56.832957"),
            json!("2023-02-24"),
            json!("2023-02-24T12:15:56"),
            json!(1_677_241_000),
            json!(null),
            json!(true),
            json!(["2023-02-24T12:15:56Z"]),
        ] {
            for op in ["TimestampEquals", "TimestampLessThanEquals", "TimestampGreaterThanEquals"] {
                assert!(!test(op, t.clone(), v.clone()), "{op} {v}");
            }
        }
    }

    // ----- Path operands -------------------------------------------------------------------

    #[test]
    fn path_operands_compare_two_values() {
        assert_eq!(test_path("StringEqualsPath", json!("x"), json!("x")), Ok(true));
        assert_eq!(test_path("StringEqualsPath", json!("x"), json!("y")), Ok(false));
        assert_eq!(test_path("StringLessThanPath", json!("a"), json!("b")), Ok(true));
        assert_eq!(test_path("StringGreaterThanPath", json!("a"), json!("b")), Ok(false));
        assert_eq!(test_path("StringLessThanEqualsPath", json!("b"), json!("b")), Ok(true));
        assert_eq!(test_path("StringGreaterThanEqualsPath", json!("c"), json!("b")), Ok(true));
        assert_eq!(test_path("NumericEqualsPath", json!(1), json!(1.0)), Ok(true));
        assert_eq!(test_path("NumericLessThanPath", json!(1), json!(2)), Ok(true));
        assert_eq!(test_path("NumericGreaterThanPath", json!(1), json!(2)), Ok(false));
        assert_eq!(test_path("NumericLessThanEqualsPath", json!(2), json!(2)), Ok(true));
        assert_eq!(test_path("NumericGreaterThanEqualsPath", json!(1), json!(2)), Ok(false));
        assert_eq!(test_path("BooleanEqualsPath", json!(true), json!(true)), Ok(true));
        assert_eq!(test_path("BooleanEqualsPath", json!(true), json!(false)), Ok(false));
        let (a, b) = (json!("2020-01-01T00:00:00Z"), json!("2020-01-01T01:00:00+01:00"));
        assert_eq!(test_path("TimestampEqualsPath", a.clone(), b.clone()), Ok(true));
        assert_eq!(test_path("TimestampLessThanPath", a.clone(), json!("2020-01-01T00:00:01Z")), Ok(true));
        assert_eq!(test_path("TimestampGreaterThanPath", a.clone(), b.clone()), Ok(false));
        assert_eq!(test_path("TimestampLessThanEqualsPath", a.clone(), b.clone()), Ok(true));
        assert_eq!(test_path("TimestampGreaterThanEqualsPath", a, b), Ok(true));
    }

    #[test]
    fn path_operands_with_mismatched_types_are_false() {
        assert_eq!(test_path("StringEqualsPath", json!("1"), json!(1)), Ok(false));
        assert_eq!(test_path("NumericEqualsPath", json!(1), json!("1")), Ok(false));
        assert_eq!(test_path("NumericEqualsPath", json!("1"), json!(1)), Ok(false));
        assert_eq!(test_path("BooleanEqualsPath", json!(true), json!("true")), Ok(false));
        assert_eq!(test_path("TimestampEqualsPath", json!("2020-01-01T00:00:00Z"), json!("2020-01-01")), Ok(false));
        assert_eq!(test_path("StringEqualsPath", json!(null), json!(null)), Ok(false));
    }

    #[test]
    fn missing_path_operand_fails_with_runtime() {
        let world = World::new(json!({ "a": 8 }));
        let rule = json!({ "Variable": "$.a", "NumericEqualsPath": "$.right", "Next": "N" });
        assert_eq!(
            eval_in(&world, rule),
            Err(runtime("Invalid path '$.right': The choice state's condition path references an invalid value."))
        );
    }

    #[test]
    fn path_operands_may_use_context_and_variables() {
        let mut world = World::new(json!({ "a": "exec-1" }));
        world.context = json!({ "Execution": { "Name": "exec-1" } });
        world.vars.insert("limit".into(), json!(10));
        let rule = json!({ "Variable": "$.a", "StringEqualsPath": "$$.Execution.Name", "Next": "N" });
        assert_eq!(eval_in(&world, rule), Ok(true));
        let rule = json!({ "Variable": "$limit", "NumericGreaterThan": 5, "Next": "N" });
        assert_eq!(eval_in(&world, rule), Ok(true));
    }

    // ----- StringMatches -------------------------------------------------------------------

    fn matches(pattern: &str, s: &str) -> bool {
        Pattern::compile(pattern).matches(s)
    }

    #[test]
    fn string_matches_star() {
        assert!(matches("foo*.log", "foo23.log"));
        assert!(matches("*.log", "zebra.log"));
        assert!(matches("foo*.*", "foobar.zebra"));
        assert!(matches("log-*.txt", "log-.txt"));
        assert!(!matches("log-*.txt", "log-1.txt.gz"));
        assert!(!matches("foo*.log", "xfoo23.log"));
        assert!(matches("*", ""));
        assert!(matches("*", "anything"));
        assert!(matches("**", "x"));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
        assert!(matches("abc", "abc"));
        assert!(!matches("abc", "abcd"));
        assert!(matches("a*b*c", "aXbYc"));
        assert!(matches("a*b*c", "abbbc"));
        assert!(matches("*ab*ab", "xabyabab"));
        assert!(!matches("a*a", "a"));
        assert!(matches("a*a", "aa"));
        assert!(matches("*a*", "bab"));
        assert!(!matches("*a*", "bbb"));
        assert!(matches("é*😀", "é...😀"));
    }

    #[test]
    fn string_matches_escapes() {
        // JSON "a\\*b" is the pattern a\*b: a literal star.
        let v: Value = serde_json::from_str(r#""a\\*b""#).unwrap_or(Value::Null);
        let p = v.as_str().unwrap_or_default();
        assert_eq!(p, "a\\*b");
        assert!(matches(p, "a*b"));
        assert!(!matches(p, "axb"));
        assert!(!matches(p, "a\\xb"));
        // JSON "a\\\\b" is the pattern a\\b: one literal backslash.
        assert!(matches("a\\\\b", "a\\b"));
        assert!(!matches("a\\\\b", "a\\\\b"));
        // An escaped backslash followed by a star: literal backslash then wildcard.
        assert!(matches("a\\\\*", "a\\xyz"));
        assert!(!matches("a\\\\*", "axyz"));
        // Escaped star between wildcards.
        assert!(matches("*\\**", "x*y"));
        assert!(!matches("*\\**", "xy"));
    }

    #[test]
    fn string_matches_has_no_other_metacharacters() {
        assert!(!matches("a?c", "abc"));
        assert!(matches("a?c", "a?c"));
        assert!(!matches("[ab]", "a"));
        assert!(matches("[ab]", "[ab]"));
        assert!(!matches("a.c", "abc"));
        assert!(matches("a.c", "a.c"));
        assert!(matches("^a+$", "^a+$"));
        assert!(!matches("A*", "abc"));
    }

    #[test]
    fn string_matches_escape_edge_cases() {
        // UNSURE(aws) behaviours, pinned so a change is deliberate.
        assert!(matches("\\a", "a"));
        assert!(matches("a\\", "a\\"));
    }

    #[test]
    fn string_matches_is_fast_on_adversarial_input() {
        let text = "a".repeat(100_000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!matches(&pattern, &text));
        assert!(matches(&format!("{}*", "*a".repeat(50)), &text));
    }

    #[test]
    fn string_matches_rule() {
        assert!(test("StringMatches", json!("log-*.txt"), json!("log-2024.txt")));
        assert!(!test("StringMatches", json!("log-*.txt"), json!("log-2024.csv")));
        for v in [json!(1), json!(null), json!(true), json!(["log-1.txt"]), json!({})] {
            assert!(!test("StringMatches", json!("*"), v.clone()), "{v}");
        }
    }

    // ----- Is* -----------------------------------------------------------------------------

    #[test]
    fn is_null() {
        assert!(test("IsNull", json!(true), json!(null)));
        assert!(!test("IsNull", json!(true), json!(0)));
        assert!(!test("IsNull", json!(false), json!(null)));
        assert!(test("IsNull", json!(false), json!(0)));
        assert!(test("IsNull", json!(false), json!("null")));
        assert!(test("IsNull", json!(false), json!({})));
    }

    #[test]
    fn is_numeric() {
        assert!(test("IsNumeric", json!(true), json!(1)));
        assert!(test("IsNumeric", json!(true), json!(-1.5)));
        assert!(!test("IsNumeric", json!(true), json!("1")));
        assert!(!test("IsNumeric", json!(false), json!(0)));
        assert!(test("IsNumeric", json!(false), json!(null)));
        assert!(test("IsNumeric", json!(false), json!("1")));
    }

    #[test]
    fn is_string() {
        assert!(test("IsString", json!(true), json!("")));
        assert!(!test("IsString", json!(true), json!(1)));
        assert!(!test("IsString", json!(false), json!("x")));
        assert!(test("IsString", json!(false), json!(null)));
        assert!(test("IsString", json!(false), json!(["x"])));
    }

    #[test]
    fn is_boolean() {
        assert!(test("IsBoolean", json!(true), json!(false)));
        assert!(!test("IsBoolean", json!(true), json!("true")));
        assert!(!test("IsBoolean", json!(true), json!(0)));
        assert!(!test("IsBoolean", json!(false), json!(true)));
        assert!(test("IsBoolean", json!(false), json!(null)));
    }

    #[test]
    fn is_timestamp() {
        assert!(test("IsTimestamp", json!(true), json!("2016-08-18T17:33:00Z")));
        assert!(test("IsTimestamp", json!(true), json!("2016-08-18T17:33:00.123456+05:30")));
        assert!(!test("IsTimestamp", json!(true), json!("2016-08-18")));
        assert!(!test("IsTimestamp", json!(true), json!("2016-08-18 17:33:00Z")));
        assert!(!test("IsTimestamp", json!(true), json!(1_471_541_580)));
        assert!(!test("IsTimestamp", json!(false), json!("2016-08-18T17:33:00Z")));
        assert!(test("IsTimestamp", json!(false), json!("2016-08-18")));
        assert!(test("IsTimestamp", json!(false), json!(null)));
    }

    #[test]
    fn is_present() {
        let world = World::new(json!({ "here": null, "zero": 0 }));
        let rule = |path: &str, b: bool| json!({ "Variable": path, "IsPresent": b, "Next": "N" });
        assert_eq!(eval_in(&world, rule("$.here", true)), Ok(true));
        assert_eq!(eval_in(&world, rule("$.zero", true)), Ok(true));
        assert_eq!(eval_in(&world, rule("$.gone", true)), Ok(false));
        assert_eq!(eval_in(&world, rule("$.here", false)), Ok(false));
        assert_eq!(eval_in(&world, rule("$.gone", false)), Ok(true));
        assert_eq!(eval_in(&world, rule("$.gone.deeper", false)), Ok(true));
        assert_eq!(eval_in(&world, rule("$undefinedVar", false)), Ok(true));
    }

    // ----- Missing Variable ----------------------------------------------------------------

    #[test]
    fn missing_variable_fails_with_runtime() {
        let world = World::new(json!({}));
        let cause = "Invalid path '$.foo': The choice state's condition path references an invalid value.";
        for (op, operand) in [
            ("NumericEquals", json!(1)),
            ("StringEquals", json!("x")),
            ("BooleanEquals", json!(true)),
            ("StringMatches", json!("*")),
            ("TimestampEquals", json!("2016-08-18T17:33:00Z")),
            ("IsNull", json!(true)),
            ("IsString", json!(false)),
            ("IsTimestamp", json!(false)),
        ] {
            let mut rule = Map::new();
            rule.insert("Variable".into(), json!("$.foo"));
            rule.insert(op.into(), operand);
            rule.insert("Next".into(), json!("N"));
            assert_eq!(eval_in(&world, Value::Object(rule)), Err(runtime(cause)), "{op}");
        }
    }

    #[test]
    fn lookup_failures_propagate() {
        let rule = parse_ok(json!({ "Variable": "$.a", "IsPresent": true, "Next": "N" }));
        let failure = Failure::new("States.Runtime", "boom");
        let got = rule.evaluate(&mut |_: &JsonPath| Err(failure.clone()));
        assert_eq!(got, Err(failure));
    }

    // ----- And / Or / Not ------------------------------------------------------------------

    #[test]
    fn boolean_rules() {
        let world = World::new(json!({ "value": 22, "type": "Private" }));
        let twenties = json!({
            "And": [
                { "Variable": "$.value", "NumericGreaterThanEquals": 20 },
                { "Variable": "$.value", "NumericLessThan": 30 }
            ],
            "Next": "ValueInTwenties"
        });
        assert_eq!(eval_in(&world, twenties), Ok(true));
        let public = json!({ "Not": { "Variable": "$.type", "StringEquals": "Private" }, "Next": "Public" });
        assert_eq!(eval_in(&world, public), Ok(false));
        let either = json!({
            "Or": [
                { "Variable": "$.value", "NumericEquals": 1 },
                { "Not": { "Variable": "$.type", "StringEquals": "Public" } }
            ],
            "Next": "N"
        });
        assert_eq!(eval_in(&world, either), Ok(true));
        let neither = json!({
            "Or": [
                { "Variable": "$.value", "NumericEquals": 1 },
                { "Variable": "$.value", "NumericEquals": 2 }
            ],
            "Next": "N"
        });
        assert_eq!(eval_in(&world, neither), Ok(false));
    }

    #[test]
    fn and_or_short_circuit_before_missing_paths() {
        let world = World::new(json!({ "a": 1 }));
        let and = json!({ "And": [
            { "Variable": "$.a", "NumericEquals": 2 },
            { "Variable": "$.missing", "NumericEquals": 1 }
        ], "Next": "N" });
        assert_eq!(eval_in(&world, and), Ok(false));
        let or = json!({ "Or": [
            { "Variable": "$.a", "NumericEquals": 1 },
            { "Variable": "$.missing", "NumericEquals": 1 }
        ], "Next": "N" });
        assert_eq!(eval_in(&world, or), Ok(true));
        let and_fails = json!({ "And": [
            { "Variable": "$.a", "NumericEquals": 1 },
            { "Variable": "$.missing", "NumericEquals": 1 }
        ], "Next": "N" });
        assert_eq!(
            eval_in(&world, and_fails),
            Err(runtime("Invalid path '$.missing': The choice state's condition path references an invalid value."))
        );
    }

    #[test]
    fn paths_lists_variables_and_operand_paths_in_order() {
        let rule = parse_ok(json!({
            "And": [
                { "Variable": "$.a", "NumericEqualsPath": "$.b" },
                { "Not": { "Variable": "$$.State.Name", "StringEquals": "x" } },
                { "Or": [ { "Variable": "$v", "IsPresent": true } ] }
            ],
            "Next": "N"
        }));
        let got: Vec<&str> = rule.paths().into_iter().map(JsonPath::source).collect();
        assert_eq!(got, vec!["$.a", "$.b", "$$.State.Name", "$v"]);
    }

    // ----- Parsing -------------------------------------------------------------------------

    /// A valid operand for each operator.
    fn sample_operand(name: &str) -> Value {
        match spec_of(name) {
            Some(Spec::Compare(_, _, true)) => json!("$.other"),
            Some(Spec::Compare(Kind::String, _, false)) | Some(Spec::Matches) => json!("x"),
            Some(Spec::Compare(Kind::Numeric, _, false)) => json!(1),
            Some(Spec::Compare(Kind::Boolean, _, false)) | Some(Spec::Is(_)) => json!(true),
            Some(Spec::Compare(Kind::Timestamp, _, false)) => json!("2016-08-18T17:33:00Z"),
            None => json!(null),
        }
    }

    #[test]
    fn all_39_operators_parse_and_report_their_names() {
        assert_eq!(operator_names().count(), 39);
        for name in operator_names() {
            let mut obj = Map::new();
            obj.insert("Variable".into(), json!("$.v"));
            obj.insert(name.into(), sample_operand(name));
            obj.insert("Next".into(), json!("N"));
            match parse_ok(Value::Object(obj)) {
                Rule::Test(t) => {
                    assert_eq!(t.operator(), name);
                    assert_eq!(t.variable.source(), "$.v");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn top_level_rules_accept_next_assign_and_comment() {
        let rule = parse_ok(json!({
            "Comment": "c",
            "Variable": "$",
            "IsPresent": true,
            "Next": "N",
            "Assign": { "x": 1 }
        }));
        assert!(matches!(rule, Rule::Test(Test { op: Op::Is { test: TypeTest::Present, expected: true }, .. })));
    }

    #[test]
    fn nested_rules_accept_comment() {
        let rule = parse_ok(json!({
            "Not": { "Comment": "inner", "Variable": "$.a", "IsNull": true },
            "Next": "N"
        }));
        assert!(matches!(rule, Rule::Not(_)));
    }

    #[test]
    fn variable_may_be_context_or_workflow_variable() {
        for v in ["$", "$$.Execution.Input.x", "$myVar", "$myVar.field", "$.a[0].b"] {
            let rule = parse_ok(json!({ "Variable": v, "IsPresent": true, "Next": "N" }));
            assert_eq!(rule.paths().first().map(|p| p.source()), Some(v));
        }
    }

    #[test]
    fn more_than_one_operator_is_rejected() {
        let d = diags_of(json!({ "Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "N" }), true);
        assert_eq!(
            d,
            vec![(
                "choice-operator-count",
                "Each Choice Rule can only have one comparison operator.".to_string(),
                "/States/C/Choices[0]".to_string()
            )]
        );
        let d = diags_of(json!({ "And": [], "Or": [], "Next": "N" }), true);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, "choice-operator-count");
        let d = diags_of(json!({ "Not": {}, "Variable": "$.a", "IsNull": true, "Next": "N" }), true);
        assert_eq!(d[0].0, "choice-operator-count");
    }

    #[test]
    fn missing_operator_is_rejected() {
        let d = diags_of(json!({ "Variable": "$.a", "Next": "N" }), true);
        assert_eq!(
            d,
            vec![(
                "choice-operator-missing",
                "Each Choice Rule must have one comparison operator.".to_string(),
                "/States/C/Choices[0]".to_string()
            )]
        );
        let d = diags_of(json!({ "Next": "N" }), true);
        assert_eq!(d[0].0, "choice-operator-missing");
    }

    #[test]
    fn missing_variable_is_rejected() {
        let d = diags_of(json!({ "NumericEquals": 1, "Next": "N" }), true);
        assert_eq!(
            d,
            vec![(
                "choice-variable-missing",
                "The field 'Variable' is required but was missing".to_string(),
                "/States/C/Choices[0]".to_string()
            )]
        );
    }

    #[test]
    fn variable_on_boolean_rule_is_rejected() {
        let d = diags_of(json!({ "Variable": "$.a", "Not": { "Variable": "$.a", "IsNull": true }, "Next": "N" }), true);
        assert_eq!(
            d,
            vec![(
                "choice-unknown-field",
                "Field 'Variable' is not supported".to_string(),
                "/States/C/Choices[0]".to_string()
            )]
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let d = diags_of(
            json!({ "Variable": "$.a", "IsNull": true, "Next": "N", "Foo": 1, "Condition": "{% true %}" }),
            true,
        );
        assert_eq!(
            d,
            vec![
                (
                    "choice-unknown-field",
                    "Field 'Foo' is not supported".to_string(),
                    "/States/C/Choices[0]".to_string()
                ),
                (
                    "choice-unknown-field",
                    "Field 'Condition' is not supported".to_string(),
                    "/States/C/Choices[0]".to_string()
                ),
            ]
        );
        let d = diags_of(json!({ "Variable": "$.a", "StringMatchesPath": "$.b", "Next": "N" }), true);
        assert_eq!(
            d[0],
            (
                "choice-unknown-field",
                "Field 'StringMatchesPath' is not supported".to_string(),
                "/States/C/Choices[0]".to_string()
            )
        );
    }

    #[test]
    fn nested_next_and_assign_are_rejected() {
        let d = diags_of(
            json!({ "And": [ { "Variable": "$.a", "IsNull": true, "Next": "X" }, { "Variable": "$.a", "IsNull": false, "Assign": {} } ], "Next": "N" }),
            true,
        );
        assert_eq!(
            d,
            vec![
                (
                    "choice-nested-next",
                    "Field 'Next' is not supported".to_string(),
                    "/States/C/Choices[0]/And[0]".to_string()
                ),
                (
                    "choice-unknown-field",
                    "Field 'Assign' is not supported".to_string(),
                    "/States/C/Choices[0]/And[1]".to_string()
                ),
            ]
        );
        let d = diags_of(json!({ "Variable": "$.a", "IsNull": true, "Next": "X" }), false);
        assert_eq!(d[0].0, "choice-nested-next");
        let d = diags_of(json!({ "Not": { "Variable": "$.a", "IsNull": true, "Next": "X" }, "Next": "N" }), true);
        assert_eq!(
            d[0],
            ("choice-nested-next", "Field 'Next' is not supported".to_string(), "/States/C/Choices[0]/Not".to_string())
        );
    }

    #[test]
    fn operand_types_are_checked() {
        let cases = [
            ("StringEquals", json!(1), "The value for the field 'StringEquals' must be a string"),
            ("StringLessThan", json!(null), "The value for the field 'StringLessThan' must be a string"),
            ("StringMatches", json!(true), "The value for the field 'StringMatches' must be a string"),
            ("NumericEquals", json!("1"), "The value for the field 'NumericEquals' must be a number"),
            (
                "NumericGreaterThanEquals",
                json!([1]),
                "The value for the field 'NumericGreaterThanEquals' must be a number",
            ),
            ("BooleanEquals", json!("true"), "The value for the field 'BooleanEquals' must be a boolean"),
            ("TimestampEquals", json!(0), "The value for the field 'TimestampEquals' must be a string"),
            ("IsNull", json!("true"), "The value for the field 'IsNull' must be a boolean"),
            ("IsPresent", json!(1), "The value for the field 'IsPresent' must be a boolean"),
            ("IsTimestamp", json!(null), "The value for the field 'IsTimestamp' must be a boolean"),
        ];
        for (op, operand, message) in cases {
            let mut obj = Map::new();
            obj.insert("Variable".into(), json!("$.a"));
            obj.insert(op.into(), operand);
            obj.insert("Next".into(), json!("N"));
            let d = diags_of(Value::Object(obj), true);
            assert_eq!(d, vec![("choice-operand-type", message.to_string(), format!("/States/C/Choices[0]/{op}"))]);
        }
    }

    #[test]
    fn timestamp_literals_are_validated() {
        for bad in ["2016-08-18", "2016-08-18T17:33:00", "2016-13-18T17:33:00Z", "2016-08-18 17:33:00Z"] {
            let d = diags_of(json!({ "Variable": "$.a", "TimestampLessThan": bad, "Next": "N" }), true);
            assert_eq!(
                d,
                vec![(
                    "choice-invalid-timestamp",
                    "String does not match RFC3339 timestamp".to_string(),
                    "/States/C/Choices[0]/TimestampLessThan".to_string()
                )],
                "{bad}"
            );
        }
    }

    #[test]
    fn paths_must_be_valid() {
        let d = diags_of(json!({ "Variable": "foo", "IsNull": true, "Next": "N" }), true);
        assert_eq!(
            d,
            vec![(
                "choice-invalid-path",
                "The value for the field 'Variable' must be a valid JSONPath".to_string(),
                "/States/C/Choices[0]/Variable".to_string()
            )]
        );
        let d = diags_of(json!({ "Variable": 5, "IsNull": true, "Next": "N" }), true);
        assert_eq!(d[0].0, "choice-invalid-path");
        let d = diags_of(json!({ "Variable": "$.a", "NumericEqualsPath": 3, "Next": "N" }), true);
        assert_eq!(
            d,
            vec![(
                "choice-invalid-path",
                "The value for the field 'NumericEqualsPath' must be a valid JSONPath".to_string(),
                "/States/C/Choices[0]/NumericEqualsPath".to_string()
            )]
        );
        let d = diags_of(json!({ "Variable": "$.a", "StringEqualsPath": "not a path", "Next": "N" }), true);
        assert_eq!(d[0].0, "choice-invalid-path");
    }

    #[test]
    fn boolean_operand_shapes_are_checked() {
        let d = diags_of(json!({ "And": [], "Next": "N" }), true);
        assert_eq!(
            d,
            vec![("choice-empty-boolean", "Value cannot be empty".to_string(), "/States/C/Choices[0]/And".to_string())]
        );
        let d = diags_of(json!({ "Or": [], "Next": "N" }), true);
        assert_eq!(d[0].0, "choice-empty-boolean");
        let d = diags_of(json!({ "And": {}, "Next": "N" }), true);
        assert_eq!(
            d,
            vec![(
                "choice-operand-type",
                "The value for the field 'And' must be an array".to_string(),
                "/States/C/Choices[0]/And".to_string()
            )]
        );
        let d = diags_of(json!({ "Not": [], "Next": "N" }), true);
        assert_eq!(
            d,
            vec![(
                "choice-operand-type",
                "The value for the field 'Not' must be an object".to_string(),
                "/States/C/Choices[0]/Not".to_string()
            )]
        );
        let d = diags_of(json!({ "Or": [1], "Next": "N" }), true);
        assert_eq!(
            d,
            vec![(
                "choice-rule-type",
                "A Choice Rule must be an object".to_string(),
                "/States/C/Choices[0]/Or[0]".to_string()
            )]
        );
    }

    #[test]
    fn rule_must_be_an_object() {
        let d = diags_of(json!("x"), true);
        assert_eq!(
            d,
            vec![(
                "choice-rule-type",
                "A Choice Rule must be an object".to_string(),
                "/States/C/Choices[0]".to_string()
            )]
        );
    }

    #[test]
    fn comment_must_be_a_string() {
        let d = diags_of(json!({ "Comment": 1, "Variable": "$.a", "IsNull": true, "Next": "N" }), true);
        assert_eq!(
            d,
            vec![(
                "choice-comment-type",
                "The value for the field 'Comment' must be a string".to_string(),
                "/States/C/Choices[0]/Comment".to_string()
            )]
        );
    }

    #[test]
    fn every_problem_is_reported_in_one_pass() {
        let d = diags_of(
            json!({ "Or": [
                { "Variable": "$.a", "NumericEquals": "1" },
                { "Variable": "$.a", "TimestampEquals": "yesterday" },
                { "Variable": "$.a" }
            ], "Next": "N" }),
            true,
        );
        let rules: Vec<&str> = d.iter().map(|x| x.0).collect();
        assert_eq!(rules, vec!["choice-operand-type", "choice-invalid-timestamp", "choice-operator-missing"]);
        let locations: Vec<&str> = d.iter().map(|x| x.2.as_str()).collect();
        assert_eq!(
            locations,
            vec![
                "/States/C/Choices[0]/Or[0]/NumericEquals",
                "/States/C/Choices[0]/Or[1]/TimestampEquals",
                "/States/C/Choices[0]/Or[2]"
            ]
        );
    }

    #[test]
    fn nesting_depth_is_bounded() {
        let mut v = json!({ "Variable": "$.a", "IsNull": true });
        for _ in 0..MAX_DEPTH + 5 {
            v = json!({ "Not": v });
        }
        let mut diags = Diagnostics::new();
        assert!(parse_rule(&v, &loc(), false, &mut diags).is_none());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].rule, "choice-nesting-depth");

        let mut ok = json!({ "Variable": "$.a", "IsNull": true });
        for _ in 0..MAX_DEPTH - 1 {
            ok = json!({ "Not": ok });
        }
        let mut diags = Diagnostics::new();
        assert!(parse_rule(&ok, &loc(), false, &mut diags).is_some());
        assert_eq!(diags, vec![]);
    }
}
