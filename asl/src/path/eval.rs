//! Evaluation, token by token, as Jayway's `PathToken.evaluate` does with default options.
//!
//! Errors are raised only while every token so far is definite ("upstream definite"); past an
//! indefinite token, missing properties and type mismatches are skipped silently.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::filter::{compare, Expr, Operand, SubPath, Val};
use super::java;
use super::parse::{token_definite, Compiled, Token};
use super::write_fragments;

/// Deepest recursion (tokens, descent levels and nested filters together).
const MAX_DEPTH: u32 = 384;
/// Most evaluation steps for one evaluation (guards against `$..*..*..*` blow-ups).
const MAX_STEPS: u64 = 4_000_000;
/// Most JSON nodes an indefinite result may hold (results share subtrees until copied out).
const MAX_RESULT_NODES: usize = 4_000_000;

/// Why an evaluation stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EvalError {
    /// Jayway's `PathNotFoundException`.
    NotFound(String),
    /// Jayway's `InvalidPathException` (e.g. a filter applied to a primitive).
    Invalid(String),
    /// A resource limit of this implementation.
    Limit(String),
}

impl EvalError {
    pub(crate) fn message(self) -> String {
        match self {
            EvalError::NotFound(m) | EvalError::Invalid(m) | EvalError::Limit(m) => m,
        }
    }
}

/// Recursion depth and step count shared by an evaluation and its nested filter paths.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    steps: u64,
    depth: u32,
}

impl Budget {
    fn enter(&mut self) -> Result<(), EvalError> {
        self.steps += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(EvalError::Limit("JSONPath evaluation nests too deeply".into()));
        }
        if self.steps > MAX_STEPS {
            return Err(EvalError::Limit("JSONPath evaluation takes too many steps".into()));
        }
        Ok(())
    }

    fn exit(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// Evaluates `c` from `start`; `root` is what `$` means inside filters. Returns every result in
/// document order.
pub(crate) fn run<'a>(
    c: &Compiled,
    start: &'a Value,
    root: &'a Value,
    require: bool,
    budget: &mut Budget,
) -> Result<Vec<Cow<'a, Value>>, EvalError> {
    let depth = budget.depth;
    let mut w = Walker { c, root, require, out: Vec::new(), budget, scan_index: Vec::new() };
    let r = if c.tokens.is_empty() {
        w.out.push(Cow::Borrowed(start));
        Ok(())
    } else {
        w.token(0, start)
    };
    // Errors skip `exit`; a caught error (in a filter) must not leak depth.
    w.budget.depth = depth;
    r.map(|()| w.out)
}

/// Checks that copying `results` out stays within [`MAX_RESULT_NODES`] (counted without
/// recursion, stopping at the cap).
pub(crate) fn check_result_size(results: &[Cow<'_, Value>]) -> Result<(), EvalError> {
    let mut count = 0usize;
    let mut stack: Vec<&Value> = results.iter().map(AsRef::as_ref).collect();
    while let Some(v) = stack.pop() {
        count += 1;
        if count > MAX_RESULT_NODES {
            return Err(EvalError::Limit("JSONPath result is too large".into()));
        }
        match v {
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(m) => stack.extend(m.values()),
            _ => {}
        }
    }
    Ok(())
}

/// The Jayway path text of the first `upto` tokens (`$['a'][0]`).
pub(crate) fn prefix(tokens: &[Token], upto: usize) -> String {
    let mut s = String::from("$");
    write_fragments(&tokens[..upto.min(tokens.len())], &mut s);
    s
}

/// Jayway's message for a property read on something that is not an object.
pub(crate) fn not_object(tokens: &[Token], i: usize, model: &Value) -> String {
    let mut frag = String::new();
    write_fragments(tokens.get(i..=i).unwrap_or_default(), &mut frag);
    format!(
        "Expected to find an object with property {frag} in path {} but found '{}'. This is not a json object according to the JsonProvider: '{}'.",
        prefix(tokens, i),
        java::class_name(model),
        java::PROVIDER_CLASS
    )
}

/// Jayway's message for an index or slice applied to a non-array (null has its own).
pub(crate) fn not_array(tokens: &[Token], i: usize, model: &Value) -> String {
    if model.is_null() {
        return format!("The path {} is null", prefix(tokens, i));
    }
    let mut rest = String::new();
    write_fragments(&tokens[i.min(tokens.len())..], &mut rest);
    format!("Filter: {rest} can only be applied to arrays. Current context is: {}", java::to_java_string(model))
}

struct Walker<'a, 'p, 'b> {
    c: &'p Compiled,
    root: &'a Value,
    require: bool,
    out: Vec<Cow<'a, Value>>,
    budget: &'b mut Budget,
    /// Jayway's `upstreamArrayIndex` per token: set when a descent hands array elements to the
    /// token after its target, and never reset during the evaluation (as in Jayway).
    scan_index: Vec<Option<usize>>,
}

impl<'a> Walker<'a, '_, '_> {
    fn upstream_definite(&self, i: usize) -> bool {
        i <= self.c.first_indefinite
    }

    fn is_leaf(&self, i: usize) -> bool {
        i + 1 == self.c.tokens.len()
    }

    /// Hands `v`, produced by token `i`, to the next token or to the results.
    fn next(&mut self, i: usize, v: &'a Value) -> Result<(), EvalError> {
        if self.is_leaf(i) {
            self.out.push(Cow::Borrowed(v));
            Ok(())
        } else {
            self.token(i + 1, v)
        }
    }

    /// Evaluates token `i` on `model`. On error the depth is not restored (see [`run`]).
    /// A property value found by token `i` (Jayway's `handleObjectProperty`). As a leaf reached
    /// through a descent over an array, Jayway keeps it only when the token before the last one
    /// prints as that element's index (so `$..[0].name` reads only element 0).
    fn property_hit(&mut self, i: usize, v: &'a Value) -> Result<(), EvalError> {
        if self.is_leaf(i) {
            if let Some(Some(ix)) = self.scan_index.get(i) {
                let tokens = &self.c.tokens;
                let mut before_last = String::new();
                write_fragments(
                    &tokens[tokens.len().saturating_sub(2)..tokens.len().saturating_sub(1)],
                    &mut before_last,
                );
                if before_last != format!("[{ix}]") {
                    return Ok(());
                }
            }
        }
        self.next(i, v)
    }

    fn set_scan_index(&mut self, i: usize, ix: usize) {
        if self.scan_index.len() < self.c.tokens.len() {
            self.scan_index.resize(self.c.tokens.len(), None);
        }
        if let Some(slot) = self.scan_index.get_mut(i) {
            *slot = Some(ix);
        }
    }

    fn token(&mut self, i: usize, model: &'a Value) -> Result<(), EvalError> {
        let c = self.c;
        let Some(token) = c.tokens.get(i) else { return Ok(()) };
        self.budget.enter()?;
        match token {
            Token::Property { names, .. } => self.property(i, names, model)?,
            Token::Index(indexes) => {
                if let Some(arr) = self.check_array(i, model)? {
                    for &ix in indexes {
                        self.index(i, arr, i64::from(ix))?;
                    }
                }
            }
            Token::Slice { from, to } => {
                if let Some(arr) = self.check_array(i, model)? {
                    self.slice(i, arr, *from, *to)?;
                }
            }
            Token::Wildcard => self.wildcard(i, model)?,
            Token::Scan => self.walk(i + 1, model)?,
            Token::Filter(expr) => self.filter(i, expr, model)?,
        }
        self.budget.exit();
        Ok(())
    }

    fn property(&mut self, i: usize, names: &[String], model: &'a Value) -> Result<(), EvalError> {
        let Some(map) = model.as_object() else {
            if self.upstream_definite(i) {
                return Err(EvalError::NotFound(not_object(&self.c.tokens, i, model)));
            }
            return Ok(());
        };
        match names {
            [name] => self.one_property(i, map, name),
            _ if self.is_leaf(i) => self.merge_properties(i, map, names),
            _ => names.iter().try_for_each(|n| self.one_property(i, map, n)),
        }
    }

    /// Jayway's `handleObjectProperty` for one name.
    fn one_property(&mut self, i: usize, map: &'a Map<String, Value>, name: &str) -> Result<(), EvalError> {
        if let Some(v) = map.get(name) {
            return self.property_hit(i, v);
        }
        let here = || format!("{}['{name}']", prefix(&self.c.tokens, i));
        if self.is_leaf(i) {
            if self.require {
                return Err(EvalError::NotFound(format!("No results for path: {}", here())));
            }
            return Ok(());
        }
        let definite_here = self.upstream_definite(i) && token_definite(&self.c.tokens, i);
        if definite_here || self.require {
            return Err(EvalError::NotFound(format!("Missing property in path {}", here())));
        }
        Ok(())
    }

    /// A multi-name leaf (`['a','b']`): one object with the names that exist.
    fn merge_properties(&mut self, i: usize, map: &Map<String, Value>, names: &[String]) -> Result<(), EvalError> {
        let mut merged = Map::new();
        for n in names {
            match map.get(n) {
                Some(v) => {
                    merged.insert(n.clone(), v.clone());
                }
                None if self.require => {
                    let list: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
                    let at = format!("{}[{}]", prefix(&self.c.tokens, i), list.join(", "));
                    return Err(EvalError::NotFound(format!("Missing property in path {at}")));
                }
                None => {}
            }
        }
        self.out.push(Cow::Owned(Value::Object(merged)));
        Ok(())
    }

    /// Jayway's `checkArrayModel`: `None` means "skip silently".
    fn check_array(&self, i: usize, model: &'a Value) -> Result<Option<&'a [Value]>, EvalError> {
        match model.as_array() {
            Some(a) => Ok(Some(a)),
            None if self.upstream_definite(i) => Err(EvalError::NotFound(not_array(&self.c.tokens, i, model))),
            None => Ok(None),
        }
    }

    /// Jayway's `handleArrayIndex`: negative indexes count from the end; out of range is no
    /// result.
    fn index(&mut self, i: usize, arr: &'a [Value], ix: i64) -> Result<(), EvalError> {
        let len = arr.len() as i64;
        let eff = if ix < 0 { len + ix } else { ix };
        match usize::try_from(eff).ok().and_then(|e| arr.get(e)) {
            Some(v) => self.next(i, v),
            None => Ok(()),
        }
    }

    /// Jayway's `ArraySliceToken` (note: in `[from:to]` a negative `from` is not adjusted, so
    /// its indexes count from the end).
    fn slice(&mut self, i: usize, arr: &'a [Value], from: Option<i32>, to: Option<i32>) -> Result<(), EvalError> {
        let len = arr.len() as i64;
        let (start, end) = match (from, to) {
            (Some(f), None) => {
                let f = i64::from(f);
                ((if f < 0 { len + f } else { f }).max(0), len)
            }
            (Some(f), Some(t)) => (i64::from(f), i64::from(t).min(len)),
            (None, Some(t)) => {
                let t = i64::from(t);
                (0, (if t < 0 { len + t } else { t }).min(len))
            }
            (None, None) => (0, 0),
        };
        if len == 0 || start >= end {
            return Ok(());
        }
        for ix in start..end {
            self.index(i, arr, ix)?;
        }
        Ok(())
    }

    fn wildcard(&mut self, i: usize, model: &'a Value) -> Result<(), EvalError> {
        match model {
            Value::Object(map) => map.values().try_for_each(|v| self.property_hit(i, v)),
            Value::Array(arr) => {
                for ix in 0..arr.len() {
                    match self.index(i, arr, ix as i64) {
                        // Jayway swallows "not found" per element unless properties are required.
                        Err(EvalError::NotFound(_)) if !self.require => {}
                        other => other?,
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn filter(&mut self, i: usize, expr: &Expr, model: &'a Value) -> Result<(), EvalError> {
        match model {
            Value::Object(_) => {
                if self.accept(expr, model)? {
                    self.next(i, model)?;
                }
                Ok(())
            }
            Value::Array(arr) => {
                for item in arr {
                    if self.accept(expr, item)? {
                        self.next(i, item)?;
                    }
                }
                Ok(())
            }
            _ if self.upstream_definite(i) => {
                let mut rest = String::new();
                write_fragments(self.c.tokens.get(i..).unwrap_or_default(), &mut rest);
                let ctx = java::to_java_string(model);
                Err(EvalError::Invalid(format!(
                    "Filter: {rest} can not be applied to primitives. Current context is: {ctx}"
                )))
            }
            _ => Ok(()),
        }
    }

    /// Recursive descent (`..`) towards token `j`: Jayway's `ScanPathToken.walk`.
    fn walk(&mut self, j: usize, model: &'a Value) -> Result<(), EvalError> {
        self.budget.enter()?;
        match model {
            Value::Object(map) => {
                if self.scan_matches(j, model)? {
                    self.token(j, model)?;
                }
                for v in map.values() {
                    self.walk(j, v)?;
                }
            }
            Value::Array(arr) => {
                if self.scan_matches(j, model)? {
                    if self.is_leaf(j) {
                        self.token(j, model)?;
                    } else {
                        // Jayway evaluates the token *after* the target on each element here.
                        for (ix, e) in arr.iter().enumerate() {
                            self.set_scan_index(j + 1, ix);
                            self.token(j + 1, e)?;
                        }
                    }
                }
                for e in arr {
                    self.walk(j, e)?;
                }
            }
            _ => {}
        }
        self.budget.exit();
        Ok(())
    }

    /// Jayway's scan predicates: which nodes the token after `..` is tried on.
    fn scan_matches(&mut self, j: usize, model: &'a Value) -> Result<bool, EvalError> {
        let c = self.c;
        let Some(target) = c.tokens.get(j) else { return Ok(false) };
        Ok(match target {
            Token::Property { names, .. } => match model.as_object() {
                None => false,
                Some(_) if self.require || !token_definite(&c.tokens, j) => true,
                Some(map) => names.iter().all(|n| map.contains_key(n)),
            },
            Token::Index(_) | Token::Slice { .. } => model.is_array(),
            Token::Wildcard => true,
            Token::Filter(expr) => self.accept(expr, model)?,
            Token::Scan => false,
        })
    }

    /// Whether `item` passes the filter.
    fn accept(&mut self, expr: &Expr, item: &'a Value) -> Result<bool, EvalError> {
        self.budget.enter()?;
        let r = self.accept_expr(expr, item);
        self.budget.exit();
        r
    }

    fn accept_expr(&mut self, expr: &Expr, item: &'a Value) -> Result<bool, EvalError> {
        match expr {
            Expr::And(ops) => {
                for op in ops {
                    if !self.accept(op, item)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Expr::Or(ops) => {
                for op in ops {
                    if self.accept(op, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Expr::Not(inner) => Ok(!self.accept(inner, item)?),
            Expr::Exists { path, expect } => Ok(self.exists(path, item)? == *expect),
            Expr::Compare { left, op, right } => {
                let l = self.operand(left, item)?;
                let r = self.operand(right, item)?;
                compare(&l, *op, &r).map_err(EvalError::Invalid)
            }
        }
    }

    fn sub_start(&self, path: &SubPath, item: &'a Value) -> &'a Value {
        if path.from_root {
            self.root
        } else {
            item
        }
    }

    /// Jayway's existence check: the path evaluated with `REQUIRE_PROPERTIES`.
    fn exists(&mut self, path: &SubPath, item: &'a Value) -> Result<bool, EvalError> {
        let start = self.sub_start(path, item);
        match run(&path.compiled, start, self.root, true, self.budget) {
            Ok(results) => Ok(!path.compiled.definite() || !results.is_empty()),
            Err(EvalError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// An operand's value; a path that finds nothing is `Undefined`.
    fn operand<'o>(&mut self, op: &'o Operand, item: &'a Value) -> Result<Val<'o>, EvalError>
    where
        'a: 'o,
    {
        let Operand::Path(path) = op else { return Ok(Val::literal(op)) };
        let start = self.sub_start(path, item);
        match run(&path.compiled, start, self.root, false, self.budget) {
            Ok(mut results) if path.compiled.definite() => Ok(results.pop().map_or(Val::Undefined, Val::from_value)),
            Ok(results) => {
                let list = results.into_iter().map(Cow::into_owned).collect();
                Ok(Val::Json(Cow::Owned(Value::Array(list))))
            }
            Err(EvalError::NotFound(_)) => Ok(Val::Undefined),
            Err(e) => Err(e),
        }
    }
}
