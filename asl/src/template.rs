//! Payload templates: `Parameters`, `ResultSelector`, Map `ItemSelector`, `Assign` and
//! `Credentials`. Keys ending in `.$` take their value from a path or an intrinsic call; every
//! other key is literal, whatever its value looks like.

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::error::Failure;
use crate::intrinsics::{self, Call};
use crate::path::JsonPath;
use crate::random::SeededRandom;
use serde_json::{Map, Value};

/// What templates, intrinsic arguments and Choice rules read paths through.
pub trait Resolve {
    /// The value a path names, `None` when a definite path matches nothing. Indefinite paths
    /// always resolve (to an array, maybe empty).
    fn lookup(&mut self, path: &JsonPath) -> Result<Option<Value>, Failure>;
    /// The `$` document, as AWS quotes it in "could not be found in the input" causes.
    fn input_text(&self) -> String;
    fn random(&mut self) -> &mut SeededRandom;
}

/// A compiled payload template.
#[derive(Debug, Clone)]
pub enum Template {
    /// A subtree without any `.$` key: copied as is.
    Literal(Value),
    Object(Vec<(String, Template)>),
    Array(Vec<Template>),
    /// `"key.$": "$.path"`; `field` is the key as written (with `.$`), used in causes.
    Path {
        field: String,
        path: JsonPath,
    },
    /// `"key.$": "States.Fn(...)"`; `source` is the expression as written (AWS quotes it).
    Call {
        field: String,
        call: Call,
        source: String,
    },
}

impl Template {
    /// Compiles a template, reporting invalid `.$` values as AWS does at create time.
    pub fn compile(v: &Value, at: &Location, diags: &mut Diagnostics) -> Template {
        if !has_dynamic_key(v, 0) {
            return Template::Literal(v.clone());
        }
        match v {
            Value::Object(map) => {
                let mut entries = Vec::with_capacity(map.len());
                for (key, value) in map {
                    let here = at.key(key);
                    match key.strip_suffix(".$") {
                        // AWS locates a bad `.$` value at the object that holds the key.
                        Some(out_key) => {
                            if let Some(t) = compile_dynamic(key, value, at, diags) {
                                entries.push((out_key.to_string(), t));
                            }
                        }
                        None => entries.push((key.clone(), Template::compile(value, &here, diags))),
                    }
                }
                Template::Object(entries)
            }
            Value::Array(items) => Template::Array(
                items.iter().enumerate().map(|(i, item)| Template::compile(item, &at.index(i), diags)).collect(),
            ),
            other => Template::Literal(other.clone()),
        }
    }

    pub fn evaluate(&self, r: &mut dyn Resolve) -> Result<Value, Failure> {
        match self {
            Template::Literal(v) => Ok(v.clone()),
            Template::Object(entries) => {
                let mut out = Map::with_capacity(entries.len());
                for (key, t) in entries {
                    out.insert(key.clone(), t.evaluate(r)?);
                }
                Ok(Value::Object(out))
            }
            Template::Array(items) => {
                items.iter().map(|t| t.evaluate(r)).collect::<Result<Vec<_>, _>>().map(Value::Array)
            }
            Template::Path { field, path } => resolve_field(r, path, field),
            Template::Call { call, source, .. } => evaluate_call(call, source, r),
        }
    }

    /// Every path the template reads, intrinsic arguments included.
    pub fn paths(&self) -> Vec<&JsonPath> {
        let mut out = Vec::new();
        self.collect_paths(&mut out);
        out
    }

    fn collect_paths<'a>(&'a self, out: &mut Vec<&'a JsonPath>) {
        match self {
            Template::Literal(_) => {}
            Template::Object(entries) => entries.iter().for_each(|(_, t)| t.collect_paths(out)),
            Template::Array(items) => items.iter().for_each(|t| t.collect_paths(out)),
            Template::Path { path, .. } => out.push(path),
            Template::Call { call, .. } => out.extend(call.paths()),
        }
    }
}

/// The value of one `.$` field: a path, a context path, a variable path or an intrinsic call.
pub(crate) fn compile_dynamic(field: &str, value: &Value, at: &Location, diags: &mut Diagnostics) -> Option<Template> {
    let invalid = || {
        Diagnostic::schema(
            "template-value",
            format!("The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call"),
            at,
        )
    };
    let Some(src) = value.as_str() else {
        diags.push(invalid());
        return None;
    };
    if intrinsics::is_call(src) {
        match intrinsics::parse(src) {
            Ok(call) => Some(Template::Call { field: field.to_string(), call, source: src.to_string() }),
            Err(e) => {
                diags.push(Diagnostic { rule: "intrinsic-syntax", ..invalid() }.with_detail(e.message));
                None
            }
        }
    } else {
        match JsonPath::parse(src) {
            Ok(path) => Some(Template::Path { field: field.to_string(), path }),
            Err(e) => {
                diags.push(Diagnostic { rule: "path-syntax", ..invalid() }.with_detail(e.message));
                None
            }
        }
    }
}

/// Resolves a `.$` path, failing as AWS does when it matches nothing.
pub(crate) fn resolve_field(r: &mut dyn Resolve, path: &JsonPath, field: &str) -> Result<Value, Failure> {
    match r.lookup(path)? {
        Some(v) => Ok(v),
        None => Err(Failure::runtime(format!(
            "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
            path.source(),
            field,
            r.input_text()
        ))),
    }
}

/// Lets intrinsic calls read their path arguments through the template's resolver.
struct CallEnv<'a, 'r> {
    r: &'a mut (dyn Resolve + 'r),
}

impl intrinsics::Env for CallEnv<'_, '_> {
    /// A path argument that matches nothing is `States.Runtime`, in AWS's words (observed:
    /// "The JsonPath argument for the field '$.x' could not be found in the input '...'").
    fn resolve(&mut self, path: &JsonPath) -> Result<Value, Failure> {
        match self.r.lookup(path)? {
            Some(v) => Ok(v),
            None => Err(Failure::runtime(format!(
                "The JsonPath argument for the field '{}' could not be found in the input '{}'",
                path.source(),
                self.r.input_text()
            ))),
        }
    }

    fn random(&mut self) -> &mut SeededRandom {
        self.r.random()
    }
}

/// Evaluates an intrinsic call. AWS wraps the cause of a failing call as
/// "The function '<expression as written>' had the following error: <detail>" (observed for
/// a missing path argument).
// UNSURE(aws): that States.IntrinsicFailure causes carry the same wrapper.
pub(crate) fn evaluate_call(call: &Call, source: &str, r: &mut dyn Resolve) -> Result<Value, Failure> {
    call.evaluate(&mut CallEnv { r }).map_err(|f| Failure {
        error: f.error,
        cause: Some(format!("The function '{source}' had the following error: {}", f.cause.unwrap_or_default())),
    })
}

const MAX_DEPTH: usize = 512;

fn has_dynamic_key(v: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match v {
        Value::Object(map) => map.iter().any(|(k, v)| k.ends_with(".$") || has_dynamic_key(v, depth + 1)),
        Value::Array(items) => items.iter().any(|v| has_dynamic_key(v, depth + 1)),
        _ => false,
    }
}
