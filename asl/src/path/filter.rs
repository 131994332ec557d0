//! Filter expressions (`[?(...)]`): their syntax tree and Jayway's comparison rules
//! (`EvaluatorFactory`, `ValueNode`).

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::parse::Compiled;

/// A filter expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// `@.a` (expect true) or `!@.a` (expect false).
    Exists {
        path: SubPath,
        expect: bool,
    },
    Compare {
        left: Operand,
        op: Op,
        right: Operand,
    },
}

/// A path inside a filter: relative to the current item (`@`) or to the document root (`$`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SubPath {
    pub(crate) from_root: bool,
    pub(crate) compiled: Compiled,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Path(SubPath),
    Str(String),
    Num(NumLit),
    Bool(bool),
    Null,
    Json(Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    TsEq,
    TsNe,
    In,
    Nin,
    Contains,
    Size,
    Empty,
    SubsetOf,
    AnyOf,
    NoneOf,
}

/// A number: Jayway compares numbers as `BigDecimal`s; integers are kept exact here and other
/// numbers compared as `f64`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i128),
    Float(f64),
}

/// A number literal written in a filter, with its text (used when compared to a string).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NumLit {
    pub(crate) text: String,
    pub(crate) value: Num,
}

impl NumLit {
    /// Parses `BigDecimal` syntax: optional sign, digits with an optional fraction, optional
    /// exponent.
    pub(crate) fn parse(text: &str) -> Option<NumLit> {
        parse_decimal(text).map(|value| NumLit { text: text.to_string(), value })
    }
}

fn parse_decimal(text: &str) -> Option<Num> {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.len() + frac.len() == 0 || !digits_ok(int) || !digits_ok(frac) {
        return None;
    }
    if let Some(e) = exp {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || !digits_ok(e) {
            return None;
        }
    }
    if exp.is_none() && !mantissa.contains('.') {
        if let Ok(i) = text.parse::<i128>() {
            return Some(Num::Int(i));
        }
    }
    text.parse::<f64>().ok().filter(|f| f.is_finite()).map(Num::Float)
}

impl Num {
    fn of(n: &serde_json::Number) -> Num {
        if let Some(i) = n.as_i64() {
            Num::Int(i128::from(i))
        } else if let Some(u) = n.as_u64() {
            Num::Int(i128::from(u))
        } else {
            Num::Float(n.as_f64().unwrap_or(f64::NAN))
        }
    }

    fn cmp(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }

    #[allow(clippy::cast_precision_loss)]
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// A resolved operand (Jayway's `ValueNode` after evaluation).
#[derive(Debug, Clone)]
pub(crate) enum Val<'a> {
    Undefined,
    Null,
    Bool(bool),
    /// The number and where its text comes from (`BigDecimal.toString()` in Jayway).
    Num(Num, NumText<'a>),
    Str(Cow<'a, str>),
    /// An array or object.
    Json(Cow<'a, Value>),
}

impl<'a> Val<'a> {
    pub(crate) fn from_value(v: Cow<'a, Value>) -> Val<'a> {
        match v {
            Cow::Borrowed(b) => Val::from_ref(b),
            Cow::Owned(o) => Val::from_owned(o),
        }
    }

    fn from_ref(v: &'a Value) -> Val<'a> {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(Num::of(n), NumText::Json(n.clone())),
            Value::String(s) => Val::Str(Cow::Borrowed(s)),
            _ => Val::Json(Cow::Borrowed(v)),
        }
    }

    fn from_owned(v: Value) -> Val<'a> {
        match v {
            Value::String(s) => Val::Str(Cow::Owned(s)),
            Value::Array(_) | Value::Object(_) => Val::Json(Cow::Owned(v)),
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(b),
            Value::Number(n) => Val::Num(Num::of(&n), NumText::Json(n)),
        }
    }

    pub(crate) fn literal(op: &'a Operand) -> Val<'a> {
        match op {
            Operand::Str(s) => Val::Str(Cow::Borrowed(s)),
            Operand::Num(n) => Val::Num(n.value, NumText::Literal(&n.text)),
            Operand::Bool(b) => Val::Bool(*b),
            Operand::Null => Val::Null,
            Operand::Json(v) => Val::Json(Cow::Borrowed(v)),
            Operand::Path(_) => Val::Undefined,
        }
    }

    fn kind(&self) -> u8 {
        match self {
            Val::Undefined => 0,
            Val::Null => 1,
            Val::Bool(_) => 2,
            Val::Num(..) => 3,
            Val::Str(_) => 4,
            Val::Json(_) => 5,
        }
    }
}

/// A number's text, computed only when a string is compared to it.
#[derive(Debug, Clone)]
pub(crate) enum NumText<'a> {
    Literal(&'a str),
    Json(serde_json::Number),
}

impl NumText<'_> {
    fn matches(&self, s: &str) -> bool {
        match self {
            NumText::Literal(t) => *t == s,
            NumText::Json(n) => super::java::number_string(n) == s,
        }
    }
}

/// Applies a relational operator. `Err` carries Jayway's `InvalidPathException` text (it aborts
/// the whole evaluation).
pub(crate) fn compare(left: &Val<'_>, op: Op, right: &Val<'_>) -> Result<bool, String> {
    Ok(match op {
        Op::Eq => equals(left, right),
        Op::Ne => !equals(left, right),
        Op::TsEq => left.kind() == right.kind() && equals(left, right),
        Op::TsNe => !(left.kind() == right.kind() && equals(left, right)),
        Op::Lt => order(left, right) == Some(Ordering::Less),
        Op::Le => matches!(order(left, right), Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => order(left, right) == Some(Ordering::Greater),
        Op::Ge => matches!(order(left, right), Some(Ordering::Greater | Ordering::Equal)),
        Op::In => value_list(right)?.is_some_and(|l| list_contains(&l, left)),
        Op::Nin => !value_list(right)?.is_some_and(|l| list_contains(&l, left)),
        Op::Contains => contains(left, right),
        Op::Size => size(left, right),
        Op::Empty => empty(left, right)?,
        Op::SubsetOf | Op::AnyOf | Op::NoneOf => set_op(left, op, right)?,
    })
}

/// `ValueNode.equals` (numbers and strings compare across types, as Jayway does).
fn equals(l: &Val<'_>, r: &Val<'_>) -> bool {
    match (l, r) {
        (Val::Json(a), Val::Json(b)) => a == b,
        (Val::Num(a, _), Val::Num(b, _)) => a.cmp(*b) == Some(Ordering::Equal),
        (Val::Num(a, _), Val::Str(s)) => parse_decimal(s).is_some_and(|b| a.cmp(b) == Some(Ordering::Equal)),
        (Val::Str(a), Val::Str(b)) => a == b,
        (Val::Str(a), Val::Num(_, text)) => text.matches(a),
        (Val::Bool(a), Val::Bool(b)) => a == b,
        (Val::Null, Val::Null) => true,
        _ => false,
    }
}

/// `<`-family: only number/number and string/string compare (Java `String.compareTo` orders by
/// UTF-16 code units).
fn order(l: &Val<'_>, r: &Val<'_>) -> Option<Ordering> {
    match (l, r) {
        (Val::Num(a, _), Val::Num(b, _)) => a.cmp(*b),
        (Val::Str(a), Val::Str(b)) => Some(a.encode_utf16().cmp(b.encode_utf16())),
        _ => None,
    }
}

/// The elements of an array operand; `None` when a JSON operand is not an array.
fn value_list<'v>(v: &'v Val<'_>) -> Result<Option<Vec<Val<'v>>>, String> {
    match v {
        Val::Json(j) => Ok(j.as_array().map(|a| a.iter().map(Val::from_ref).collect())),
        _ => Err("Expected value list node".into()),
    }
}

fn list_contains(list: &[Val<'_>], v: &Val<'_>) -> bool {
    list.iter().any(|e| equals(e, v))
}

fn contains(l: &Val<'_>, r: &Val<'_>) -> bool {
    match (l, r) {
        (Val::Str(a), Val::Str(b)) => a.contains(b.as_ref()),
        (Val::Json(j), _) => j.as_array().is_some_and(|a| a.iter().any(|e| equals(&Val::from_ref(e), r))),
        _ => false,
    }
}

fn size(l: &Val<'_>, r: &Val<'_>) -> bool {
    let Val::Num(n, _) = r else { return false };
    #[allow(clippy::cast_possible_truncation)]
    let expected = match *n {
        Num::Int(i) => i as i64,
        Num::Float(f) => f as i64,
    };
    let actual = match l {
        Val::Str(s) => s.encode_utf16().count() as i64,
        Val::Json(j) => j.as_array().map_or(-1, |a| a.len() as i64),
        _ => return false,
    };
    actual == expected
}

fn empty(l: &Val<'_>, r: &Val<'_>) -> Result<bool, String> {
    let want = match r {
        Val::Bool(b) => *b,
        _ => return Err("Expected boolean node".into()),
    };
    Ok(match l {
        Val::Str(s) => s.is_empty() == want,
        Val::Json(j) => match j.as_ref() {
            Value::Array(a) => a.is_empty() == want,
            Value::Object(o) => o.is_empty() == want,
            _ => false,
        },
        _ => false,
    })
}

fn set_op(l: &Val<'_>, op: Op, r: &Val<'_>) -> Result<bool, String> {
    let (Some(left), Some(right)) = (value_list(l)?, value_list(r)?) else {
        return Ok(false);
    };
    Ok(match op {
        Op::SubsetOf => left.iter().all(|e| list_contains(&right, e)),
        Op::AnyOf => left.iter().any(|e| list_contains(&right, e)),
        _ => !left.iter().any(|e| list_contains(&right, e)),
    })
}
