//! The one seam between aslcheck and a JSONata evaluator.
//!
//! AWS runs the JSONata 2.0.6 dialect. Whatever crate evaluates it sits behind
//! [`Evaluator`]: compile once (when the definition is parsed), evaluate many times with
//! variables and host functions, bounded in steps and depth. The AWS layer (`$states`,
//! `$partition`, `$hash`, ...) is built on top of this trait, never inside an implementation,
//! so `cargo xtask jsonata-diff` can hold any implementation to the npm package `jsonata@2.0.6`.

use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// A JSONata error: the code JSONata gives it (`T1006`, `S0211`, `D3030`, ...) and its message.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub code: String,
    pub message: String,
    /// Character offset in the expression, where the evaluator knows it.
    pub position: Option<usize>,
}

impl Error {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Error { code: code.into(), message: message.into(), position: None }
    }
}

impl fmt::Display for Error {
    /// `T1006: Attempted to invoke a non-function`: the code kept in front, as AWS's causes do.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// A host function's body: arguments as JSONata passes them (`None` = undefined).
pub type HostFn = dyn Fn(&[Option<Value>]) -> Result<Option<Value>, Error> + Send + Sync;

/// A function bound into an evaluation (`$partition`, ...), overriding a built-in of that name.
#[derive(Clone)]
pub struct Function {
    /// JSONata signature, e.g. `<a<j>n:a<a<j>>>`.
    pub signature: &'static str,
    pub body: Arc<HostFn>,
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Function").field("signature", &self.signature).finish_non_exhaustive()
    }
}

/// Bounds on one evaluation, so no expression hangs, exhausts memory or overflows the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Nesting depth of evaluation (AWS fails near 100 nested operations).
    pub max_depth: usize,
    /// Evaluation steps, deterministic (unlike a wall-clock timeout).
    pub max_steps: u64,
    /// Items in one array (AWS refuses `[1..900000]`).
    pub max_array_length: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 100, max_steps: 5_000_000, max_array_length: 500_000 }
    }
}

/// What an evaluation sees besides its input: variables, host functions, the clock.
#[derive(Debug, Clone, Default)]
pub struct Bindings<'a> {
    /// Variables by name without the `$` (`states`, a workflow variable, ...).
    pub vars: Vec<(&'a str, &'a Value)>,
    /// Functions by name without the `$`; a name listed with `None` is removed, so calling it
    /// fails with T1006 as on AWS (`$eval`). The same table is passed to every evaluation, so
    /// an implementation may convert it once (keyed by the slice's address).
    pub functions: &'static [(&'static str, Option<Function>)],
    /// `$now()` / `$millis()`: epoch milliseconds of the evaluation (the virtual clock).
    pub now_millis: Option<i64>,
    pub limits: Limits,
}

/// A compiled expression: parsed once, evaluated many times, shared between threads.
pub trait Compiled: Send + Sync + fmt::Debug {
    /// The expression's text as written.
    fn source(&self) -> &str;
    /// `Ok(None)` is JSONata's `undefined`.
    fn evaluate(&self, input: Option<&Value>, bindings: &Bindings) -> Result<Option<Value>, Error>;
    /// Field names read from the context item at the expression's top level (`phone` in
    /// `phone & 'x'`, not `a` in `$states.input.a`). AWS evaluates without a context item and
    /// refuses such definitions; an implementation that cannot tell returns none.
    fn top_level_names(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A JSONata implementation.
pub trait Evaluator: Send + Sync {
    /// The implementation's name and version, for reports (`jlens-core 0.26.0`).
    fn name(&self) -> &'static str;
    /// Parses an expression. Syntax the 2.0.6 dialect lacks is refused as 2.0.6 refuses it.
    fn compile(&self, source: &str) -> Result<Arc<dyn Compiled>, Error>;
}
