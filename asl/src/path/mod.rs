//! AWS's JSONPath dialect: AWS evaluates paths with Jayway JsonPath (Java), so this module
//! follows Jayway's grammar, its token-by-token evaluation with default options and its error
//! texts (`No results for path: $['x']`, `Missing property in path $['no']`).
//!
//! A path is compiled once ([`JsonPath::parse`]) and evaluated many times. Roots: `$` (the value
//! the caller passes: state input, effective input, result...), `$$` (the context object) and
//! `$name` (a workflow variable); the caller passes the value the root stands for.
//!
//! - A *definite* path (only names and single indexes) yields one value or fails with Jayway's
//!   message.
//! - An indefinite path (wildcard, slice, filter, descent, index list) yields an array of every
//!   match in document order and never fails: no match, a missing parent or any Jayway exception
//!   gives `[]` (observed on AWS: https://github.com/localstack/localstack/issues/12318).
//! - [`set_at`] applies a ResultPath (a reference path) to the raw input.

mod eval;
mod filter;
mod java;
mod parse;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use eval::{not_array, not_object, prefix, Budget, EvalError};
use parse::{Compiled, Token};

/// Where a path starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    /// `$`: the value the caller passes (state input, effective input, result...).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

/// A compiled path.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    source: String,
    root: Root,
    compiled: Compiled,
}

/// A syntax error in a path, found when the definition is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathSyntaxError {
    pub message: String,
}

/// A path that could not be evaluated, with Jayway's message (`No results for path: $['x']`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub message: String,
}

impl fmt::Display for PathSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PathSyntaxError {}
impl std::error::Error for PathError {}

fn path_error(message: String) -> PathError {
    PathError { message }
}

/// Splits `src` into its root and the rest (`.a[0]`).
fn split_root(src: &str) -> Result<(Root, &str), String> {
    if let Some(rest) = src.strip_prefix("$$") {
        return Ok((Root::Context, rest));
    }
    let Some(rest) = src.strip_prefix('$') else {
        return Err("Path must start with '$'".into());
    };
    let starts_name = rest.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_');
    if !starts_name {
        return Ok((Root::Input, rest));
    }
    // UNSURE(aws): variable names are taken as Unicode letters, digits and `_`
    // (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html).
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    Ok((Root::Variable(rest[..end].to_string()), &rest[end..]))
}

impl JsonPath {
    /// Compiles a path (`$`, `$$` or `$name` followed by tokens).
    pub fn parse(src: &str) -> Result<JsonPath, PathSyntaxError> {
        let fail = |message: String| PathSyntaxError { message: format!("Invalid path '{src}': {message}") };
        let (root, rest) = split_root(src).map_err(fail)?;
        let compiled = parse::compile_top(rest).map_err(fail)?;
        Ok(JsonPath { source: src.to_string(), root, compiled })
    }

    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn root(&self) -> &Root {
        &self.root
    }

    /// True when the path names at most one value (Jayway's `isDefinite`: no wildcard, slice,
    /// filter, descent or index list; a multi-name `['a','b']` is definite only as the last
    /// token, where it yields one merged object).
    pub fn is_definite(&self) -> bool {
        self.compiled.definite()
    }

    /// True when the path is a *reference path*: only single child names and non-negative
    /// integer indexes.
    pub fn is_reference(&self) -> bool {
        self.compiled.tokens.iter().all(|t| match t {
            Token::Property { names, .. } => names.len() == 1,
            Token::Index(ix) => matches!(ix.as_slice(), [i] if *i >= 0),
            _ => false,
        })
    }

    /// The names the first token selects when it is a property (`.a`, `['a','b']`): what the
    /// path can reach below its root is under those keys only.
    pub fn first_names(&self) -> Option<&[String]> {
        match self.compiled.tokens.first() {
            Some(Token::Property { names, .. }) => Some(names),
            _ => None,
        }
    }

    /// True for `$`, `$$` or `$name` alone.
    pub fn is_root_only(&self) -> bool {
        self.compiled.tokens.is_empty()
    }

    /// Evaluates the path against the value its root stands for.
    pub fn evaluate(&self, root: &Value) -> Result<Value, PathError> {
        self.lookup(root).map(Cow::into_owned)
    }

    /// Like [`JsonPath::evaluate`], borrowing from `root` when the result is one of its values.
    pub fn lookup<'a>(&self, root: &'a Value) -> Result<Cow<'a, Value>, PathError> {
        if self.compiled.simple {
            return self.get(root).map(Cow::Borrowed);
        }
        let result = eval::run(&self.compiled, root, root, false, &mut Budget::default())
            .and_then(|found| eval::check_result_size(&found).map(|()| found));
        if self.is_definite() {
            return match result {
                Ok(mut found) => found.pop().ok_or_else(|| self.no_results()),
                Err(e) => Err(path_error(e.message())),
            };
        }
        match result {
            Ok(found) => Ok(Cow::Owned(Value::Array(found.into_iter().map(Cow::into_owned).collect()))),
            Err(EvalError::Limit(m)) => Err(path_error(m)),
            // AWS: indefinite paths never fail; nothing matched is `[]`.
            Err(_) => Ok(Cow::Owned(Value::Array(Vec::new()))),
        }
    }

    /// The value a definite path names, without cloning. Fails for indefinite paths and for a
    /// multi-name leaf (`$['a','b']`, which builds a new object: use [`JsonPath::lookup`]).
    pub fn get<'a>(&self, root: &'a Value) -> Result<&'a Value, PathError> {
        if !self.compiled.simple {
            return Err(path_error(format!("The path {self} does not name a single existing value")));
        }
        let tokens = &self.compiled.tokens;
        let mut cur = root;
        for (i, token) in tokens.iter().enumerate() {
            let found = match token {
                Token::Property { names, .. } => {
                    let map = cur.as_object().ok_or_else(|| path_error(not_object(tokens, i, cur)))?;
                    let found = names.first().and_then(|n| map.get(n));
                    if found.is_none() && i + 1 < tokens.len() {
                        let missing = prefix(tokens, i + 1);
                        return Err(path_error(format!("Missing property in path {missing}")));
                    }
                    found
                }
                Token::Index(ix) => {
                    let arr = cur.as_array().ok_or_else(|| path_error(not_array(tokens, i, cur)))?;
                    ix.first().and_then(|&k| element(arr, i64::from(k)))
                }
                _ => None,
            };
            cur = found.ok_or_else(|| self.no_results())?;
        }
        Ok(cur)
    }

    fn no_results(&self) -> PathError {
        path_error(format!("No results for path: {}", prefix(&self.compiled.tokens, usize::MAX)))
    }
}

/// An array element by Jayway index (negative counts from the end).
fn element(arr: &[Value], k: i64) -> Option<&Value> {
    let eff = if k < 0 { arr.len() as i64 + k } else { k };
    usize::try_from(eff).ok().and_then(|e| arr.get(e))
}

/// Writes Jayway's canonical form of tokens (`['a'][0][*]..[?]`).
pub(crate) fn write_fragments(tokens: &[Token], out: &mut String) {
    for t in tokens {
        match t {
            Token::Property { names, quote } => {
                out.push('[');
                for (i, n) in names.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push(*quote);
                    out.push_str(n);
                    out.push(*quote);
                }
                out.push(']');
            }
            Token::Index(ix) => {
                let list: Vec<String> = ix.iter().map(i32::to_string).collect();
                out.push('[');
                out.push_str(&list.join(","));
                out.push(']');
            }
            Token::Slice { from, to } => {
                let show = |v: &Option<i32>| v.map(|x| x.to_string()).unwrap_or_default();
                out.push_str(&format!("[{}:{}]", show(from), show(to)));
            }
            Token::Wildcard => out.push_str("[*]"),
            Token::Scan => out.push_str(".."),
            Token::Filter(_) => out.push_str("[?]"),
        }
    }
}

/// Jayway's canonical form with the root as written: `$['a'][0]`, `$$['Execution']`,
/// `$var['x']`.
impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::from("$");
        match &self.root {
            Root::Input => {}
            Root::Context => s.push('$'),
            Root::Variable(name) => s.push_str(name),
        }
        write_fragments(&self.compiled.tokens, &mut s);
        f.write_str(&s)
    }
}

/// Places `result` into `raw_input` at a ResultPath (a reference path rooted at `$`).
///
/// `$` replaces everything; names create missing intermediate objects and overwrite existing
/// values; indexes must address an existing array element. Anything else fails (the caller
/// raises `States.ResultPathMatchFailure`).
pub fn set_at(path: &JsonPath, raw_input: Value, result: Value) -> Result<Value, PathError> {
    if path.root != Root::Input || !path.is_reference() {
        return Err(path_error(format!("The path {} is not a valid ResultPath", path.source)));
    }
    let Some((last, init)) = path.compiled.tokens.split_last() else {
        return Ok(result);
    };
    if !fits(&raw_input, &path.compiled.tokens) {
        return Err(match_failure(path, &raw_input));
    }
    let mut doc = raw_input;
    if walk_to_parent(&mut doc, init).is_some_and(|slot| place(slot, last, result)) {
        Ok(doc)
    } else {
        Err(path_error(format!("Unable to apply ReferencePath {}", path.source)))
    }
}

/// Whether a ResultPath can be applied to `doc` (checked first so that a failure reports the
/// untouched input).
fn fits(doc: &Value, tokens: &[Token]) -> bool {
    // `None`: an object the merge will create.
    let mut cur = Some(doc);
    for t in tokens {
        cur = match (t, cur) {
            (Token::Property { .. }, None) => None,
            (Token::Property { names, .. }, Some(Value::Object(m))) => names.first().and_then(|n| m.get(n)),
            (Token::Index(ix), Some(Value::Array(a))) => {
                match ix.first().and_then(|&k| usize::try_from(k).ok()).and_then(|k| a.get(k)) {
                    Some(v) => Some(v),
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    true
}

/// Follows `tokens` in `doc`, creating missing objects for names; `None` when a step cannot be
/// taken (a name on a non-object, an index on a non-array or out of range).
fn walk_to_parent<'d>(doc: &'d mut Value, tokens: &[Token]) -> Option<&'d mut Value> {
    let mut cur = doc;
    for t in tokens {
        cur = match t {
            Token::Property { names, .. } => {
                let name = names.first()?;
                cur.as_object_mut()?.entry(name.clone()).or_insert_with(|| Value::Object(Map::new()))
            }
            Token::Index(ix) => {
                let k = usize::try_from(*ix.first()?).ok()?;
                cur.as_array_mut()?.get_mut(k)?
            }
            _ => return None,
        };
    }
    Some(cur)
}

/// Stores `result` under the last token; false when the parent does not fit it.
fn place(parent: &mut Value, last: &Token, result: Value) -> bool {
    match last {
        Token::Property { names, .. } => match (parent.as_object_mut(), names.first()) {
            (Some(map), Some(name)) => {
                map.insert(name.clone(), result);
                true
            }
            _ => false,
        },
        Token::Index(ix) => {
            let slot = ix
                .first()
                .and_then(|&k| usize::try_from(k).ok())
                .and_then(|k| parent.as_array_mut().and_then(|a| a.get_mut(k)));
            match slot {
                Some(s) => {
                    *s = result;
                    true
                }
                None => false,
            }
        }
        _ => false,
    }
}

/// The cause of `States.ResultPathMatchFailure`.
// UNSURE(aws): text from a real-AWS report (https://github.com/aws/aws-cdk/issues/29473:
// `Unable to apply ReferencePath $.partitioned to input "{...}"`); the input is assumed to be the
// compact JSON of the raw input.
fn match_failure(path: &JsonPath, input: &Value) -> PathError {
    let json = serde_json::to_string(input).unwrap_or_default();
    path_error(format!("Unable to apply ReferencePath {} to input {json}", path.source))
}
