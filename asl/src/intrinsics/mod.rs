//! AWS Step Functions intrinsic functions (`States.Format(...)` and friends) for JSONPath states.
//!
//! A call is parsed once, when the definition is loaded ([`parse`]: syntax, unknown function,
//! fixed arity, nesting depth, illegal escapes), and evaluated many times ([`Call::evaluate`]).
//! Run-time argument errors become `States.IntrinsicFailure`; path arguments are resolved by the
//! caller's [`Env`], which decides what a path that does not resolve raises (AWS: `States.Runtime`).
//!
//! AWS implements intrinsics in Java, and Java semantics leak through: `Math.round` rounding,
//! `Double.toString` number rendering, `Map.toString` in `States.Format`, Jackson's JSON writer.
//! Those live in [`java`].
//!
//! Reference: <https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html>

mod eval;
pub mod java;
mod parse;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use serde_json::Value;

use crate::error::Failure;
use crate::path::JsonPath;
use crate::random::SeededRandom;

pub use eval::hex_digest;
pub use parse::MAX_NESTING;

/// The intrinsic functions AWS offers in JSONPath mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

impl Func {
    pub const ALL: [Func; 18] = [
        Func::Format,
        Func::StringToJson,
        Func::JsonToString,
        Func::Array,
        Func::ArrayPartition,
        Func::ArrayContains,
        Func::ArrayRange,
        Func::ArrayGetItem,
        Func::ArrayLength,
        Func::ArrayUnique,
        Func::Base64Encode,
        Func::Base64Decode,
        Func::Hash,
        Func::JsonMerge,
        Func::MathRandom,
        Func::MathAdd,
        Func::StringSplit,
        Func::Uuid,
    ];

    /// The full names of [`Func::ALL`], in the same order.
    pub const NAMES: [&'static str; 18] = {
        let mut names = [""; 18];
        let mut i = 0;
        while i < names.len() {
            names[i] = Func::ALL[i].name();
            i += 1;
        }
        names
    };

    /// The full name, e.g. `States.Format`.
    pub const fn name(self) -> &'static str {
        match self {
            Func::Format => "States.Format",
            Func::StringToJson => "States.StringToJson",
            Func::JsonToString => "States.JsonToString",
            Func::Array => "States.Array",
            Func::ArrayPartition => "States.ArrayPartition",
            Func::ArrayContains => "States.ArrayContains",
            Func::ArrayRange => "States.ArrayRange",
            Func::ArrayGetItem => "States.ArrayGetItem",
            Func::ArrayLength => "States.ArrayLength",
            Func::ArrayUnique => "States.ArrayUnique",
            Func::Base64Encode => "States.Base64Encode",
            Func::Base64Decode => "States.Base64Decode",
            Func::Hash => "States.Hash",
            Func::JsonMerge => "States.JsonMerge",
            Func::MathRandom => "States.MathRandom",
            Func::MathAdd => "States.MathAdd",
            Func::StringSplit => "States.StringSplit",
            Func::Uuid => "States.UUID",
        }
    }

    /// Looks a function up by its full name (case-sensitive, as AWS is).
    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Minimum and maximum number of arguments (`None`: unbounded).
    pub fn arity(self) -> (usize, Option<usize>) {
        match self {
            Func::Format => (1, None),
            Func::Array => (0, None),
            Func::Uuid => (0, Some(0)),
            Func::StringToJson
            | Func::JsonToString
            | Func::ArrayLength
            | Func::ArrayUnique
            | Func::Base64Encode
            | Func::Base64Decode => (1, Some(1)),
            Func::ArrayPartition
            | Func::ArrayContains
            | Func::ArrayGetItem
            | Func::Hash
            | Func::MathAdd
            | Func::StringSplit => (2, Some(2)),
            Func::MathRandom => (2, Some(3)),
            Func::ArrayRange | Func::JsonMerge => (3, Some(3)),
        }
    }
}

/// One argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// `'text'` (escapes decoded), a number, `true`, `false` or `null`.
    Literal(Value),
    /// `$...`, `$$...` or `$var...`.
    Path(JsonPath),
    /// A nested intrinsic call.
    Call(Box<Call>),
}

/// A parsed intrinsic call: function plus arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    func: Func,
    args: Vec<Arg>,
    /// `States.Format` with a literal template: the template compiled from its raw text (escapes
    /// intact, so `\{` stays a literal brace), or the error AWS raises when the call runs.
    template: Option<Result<eval::Template, String>>,
}

/// A definition-time error in an intrinsic call (AWS rejects the definition with
/// `SCHEMA_VALIDATION_FAILED`; the caller words the diagnostic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// What a call needs from the interpreter while it runs.
pub trait Env {
    /// Resolve a path argument (`$...`, `$$...`, `$var...`). Returns the Failure the caller wants
    /// raised when it does not resolve.
    fn resolve(&mut self, path: &JsonPath) -> Result<Value, Failure>;
    /// The execution's seeded random source (`States.UUID`, unseeded `States.MathRandom`).
    fn random(&mut self) -> &mut SeededRandom;
}

/// Does this `.$` value look like an intrinsic call (rather than a path)?
pub fn is_call(src: &str) -> bool {
    src.starts_with("States.")
}

/// Parses an intrinsic call, with the checks AWS makes when a definition is created.
pub fn parse(src: &str) -> Result<Call, SyntaxError> {
    parse::parse(src)
}

impl Call {
    /// Runs the call. Path arguments are resolved through `env`; argument errors raise
    /// `States.IntrinsicFailure`.
    pub fn evaluate(&self, env: &mut dyn Env) -> Result<Value, Failure> {
        let mut args: Vec<Cow<'_, Value>> = Vec::with_capacity(self.args.len());
        for arg in &self.args {
            args.push(match arg {
                Arg::Literal(v) => Cow::Borrowed(v),
                Arg::Path(p) => Cow::Owned(env.resolve(p)?),
                Arg::Call(c) => Cow::Owned(c.evaluate(env)?),
            });
        }
        eval::apply(self, args, env)
    }

    /// The function's full name, e.g. `States.Format`.
    pub fn name(&self) -> &str {
        self.func.name()
    }

    pub fn func(&self) -> Func {
        self.func
    }

    pub fn args(&self) -> &[Arg] {
        &self.args
    }

    /// Every path argument, nested calls included, in source order.
    pub fn paths(&self) -> Vec<&JsonPath> {
        let mut out = Vec::new();
        self.collect_paths(&mut out);
        out
    }

    fn collect_paths<'a>(&'a self, out: &mut Vec<&'a JsonPath>) {
        for arg in &self.args {
            match arg {
                Arg::Path(p) => out.push(p),
                Arg::Call(c) => c.collect_paths(out),
                Arg::Literal(_) => {}
            }
        }
    }
}
