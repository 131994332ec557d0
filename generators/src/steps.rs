//! Construction steps. Each step is drawn on its own from bytes and describes one addition to a
//! machine (a state, a loop, a fan-out with nested machines). Nothing in a step names another
//! state or variable directly: transition targets and variable reads are selectors that
//! [`crate::build`] resolves against whatever the other steps built, so any subset of steps
//! still builds a valid machine. That is what makes shrinking (deleting steps, zeroing bytes)
//! yield smaller valid machines.
//!
//! Every draw maps the byte 0 (also what exhausted input reads as) to the simplest choice.

use crate::config::{GenConfig, PathFeature, StateKind};
use crate::jsonata::JVal;
pub use crate::jsonata_states::JStep;
use crate::vocab::{self, Ty};
use arbitrary::{Result, Unstructured};
use serde_json::{json, Value};

/// The random source plus the config: small helpers so generation code reads as choices.
pub(crate) struct Rng<'c, 'u, 'a> {
    pub cfg: &'c GenConfig,
    pub u: &'u mut Unstructured<'a>,
}

impl Rng<'_, '_, '_> {
    pub fn byte(&mut self) -> Result<u8> {
        self.u.arbitrary::<u8>()
    }

    /// True with probability `pct`%; a zero byte is always false.
    pub fn chance(&mut self, pct: u8) -> Result<bool> {
        let b = u32::from(self.byte()?);
        Ok(pct > 0 && b * 100 / 256 >= 100 - u32::from(pct.min(100)))
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> Result<usize> {
        if n <= 1 {
            return Ok(0);
        }
        self.u.choose_index(n)
    }

    /// `lo..=hi` (lo when hi < lo).
    pub fn range(&mut self, lo: u32, hi: u32) -> Result<u32> {
        if hi <= lo {
            return Ok(lo);
        }
        self.u.int_in_range(lo..=hi)
    }

    pub fn pick<T: Clone>(&mut self, xs: &[T], fallback: T) -> Result<T> {
        let i = self.below(xs.len())?;
        Ok(xs.get(i).cloned().unwrap_or(fallback))
    }

    fn has(&self, f: PathFeature) -> bool {
        self.cfg.has(f)
    }
}

/// A path a state reads.
#[derive(Debug, Clone, PartialEq)]
pub enum PathRef {
    /// A JSONPath text fixed at generation (data, missing, indefinite or context path).
    Fixed(&'static str),
    /// A variable of type `ty` chosen among those visible where the state is built
    /// (`sel` modulo their number), or `fallback` when none is visible.
    Var { sel: u8, ty: Ty, fallback: &'static str },
}

/// An intrinsic argument or a `.$` value.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(Value),
    Path(PathRef),
    Call(&'static str, Vec<Expr>),
    /// `States.Format` with its template text already escaped.
    Format(String, Vec<Expr>),
}

/// A payload template value.
#[derive(Debug, Clone, PartialEq)]
pub enum TVal {
    Lit(Value),
    Dyn(Expr),
    Obj(Vec<(String, TVal)>),
}

pub type Template = Vec<(String, TVal)>;

/// A Choice rule (top-level rules get a target in [`ChoiceSpec`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Leaf { var: PathRef, op: &'static str, operand: Operand },
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Lit(Value),
    Path(PathRef),
}

/// The I/O fields a state uses (absent: AWS's defaults).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Io {
    pub input_path: Option<Value>,
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    pub result_path: Option<Value>,
    pub output_path: Option<Value>,
    /// Variable values; names are given at build time.
    pub assign: Vec<TVal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    pub errors: Vec<&'static str>,
    pub interval: Option<u32>,
    pub max_attempts: Option<u32>,
    pub backoff: Option<f64>,
    pub max_delay: Option<u32>,
    pub jitter: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Catcher {
    pub errors: Vec<&'static str>,
    /// Forward target selector.
    pub target: u8,
    pub result_path: Option<Value>,
}

/// What one scripted task attempt does.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Echo,
    Return(Value),
    Throw(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScriptStep {
    pub outcome: Outcome,
    pub sleep: u32,
    pub times: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    pub steps: Vec<ScriptStep>,
    /// Per Map item index (used when the task runs inside a Map).
    pub items: Vec<(u32, Vec<ScriptStep>)>,
}

/// How a (nested) machine ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Terminal {
    /// The last state gets `End: true` (a Succeed is added when the last state cannot end).
    End,
    Succeed {
        input_path: Option<Value>,
        output_path: Option<Value>,
    },
    Fail {
        error: Option<FailText>,
        cause: Option<FailText>,
    },
    /// A JSONata Succeed (machines whose top level is JSONata).
    JsonataSucceed {
        output: Option<JVal>,
    },
    /// A JSONata Fail: Error and Cause literal or string expressions.
    JsonataFail {
        error: Option<JVal>,
        cause: Option<JVal>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum FailText {
    Lit(String),
    /// `ErrorPath`/`CausePath`: a path or a string-returning intrinsic.
    Path(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum WaitFor {
    Seconds(u32),
    SecondsPath(&'static str),
    Timestamp(&'static str),
    TimestampPath(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PassSpec {
    pub result: Option<Value>,
    pub io: Io,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Timeout {
    Seconds(u32),
    Path(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskSpec {
    pub resource: &'static str,
    pub io: Io,
    pub timeout: Option<Timeout>,
    pub heartbeat: Option<u32>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub script: Script,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceSpec {
    /// Rules with their forward-target selectors and optional per-rule Assign.
    pub rules: Vec<(Rule, u8, Vec<TVal>)>,
    pub default: bool,
    pub input_path: Option<Value>,
    pub output_path: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaitSpec {
    pub wait: WaitFor,
    pub input_path: Option<Value>,
    pub output_path: Option<Value>,
    pub assign: Vec<TVal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParallelSpec {
    pub branches: Vec<Terminal>,
    pub io: Io,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemSelector {
    None,
    /// Rebuild a record from `$$.Map.Item.Value`, plus index and a field of the Map's input.
    Record,
    Template(Template),
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapSpec {
    pub items_path: &'static str,
    pub selector: ItemSelector,
    pub max_concurrency: Option<u32>,
    /// `Iterator` + `Parameters` instead of `ItemProcessor` + `ItemSelector`.
    pub legacy: bool,
    pub distributed: bool,
    pub label: bool,
    pub tolerated_count: Option<u32>,
    pub tolerated_percentage: Option<u32>,
    pub terminal: Terminal,
    pub io: Io,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    Pass(PassSpec),
    Task(Box<TaskSpec>),
    Choice(ChoiceSpec),
    Wait(WaitSpec),
    Parallel(Box<ParallelSpec>),
    Map(Box<MapSpec>),
    /// A bounded loop: `iterations` runs of a body that later steps fill.
    Loop {
        iterations: u32,
    },
    /// A state in JSONata mode (any kind but Loop).
    Jsonata(Box<JStep>),
}

/// One construction step: which container (machine body or loop body) it extends, and what it
/// adds. `scope` is taken modulo the number of containers that exist when the step is applied.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildStep {
    pub scope: u8,
    pub kind: StepKind,
}

/// The part of a generated machine that is not a step: the top-level terminal and timeout.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub terminal: Terminal,
    pub timeout_seconds: Option<u32>,
    pub comment: bool,
}

impl Header {
    pub(crate) fn generate(r: &mut Rng) -> Result<Header> {
        let terminal = terminal(r)?;
        let timeout_seconds = if r.chance(r.cfg.execution_timeout_rate)? { Some(r.range(1, 20)?) } else { None };
        Ok(Header { terminal, timeout_seconds, comment: r.chance(10)? })
    }
}

impl BuildStep {
    pub(crate) fn generate(r: &mut Rng) -> Result<BuildStep> {
        let scope = r.byte()?;
        let kinds = &r.cfg.state_kinds;
        let chosen = kinds.get(r.below(kinds.len())?).copied().unwrap_or(StateKind::Pass);
        if chosen != StateKind::Loop && crate::jsonata_states::chosen(r)? {
            let j = crate::jsonata_states::generate(r, chosen)?;
            return Ok(BuildStep { scope, kind: StepKind::Jsonata(Box::new(j)) });
        }
        let kind = match chosen {
            StateKind::Pass => StepKind::Pass(pass(r)?),
            StateKind::Task => StepKind::Task(Box::new(task(r)?)),
            StateKind::Choice => StepKind::Choice(choice(r)?),
            StateKind::Wait => StepKind::Wait(wait(r)?),
            StateKind::Parallel => StepKind::Parallel(Box::new(parallel(r)?)),
            StateKind::Map => StepKind::Map(Box::new(map(r)?)),
            StateKind::Loop => StepKind::Loop { iterations: r.range(1, u32::from(r.cfg.max_loop_iterations.max(1)))? },
        };
        Ok(BuildStep { scope, kind })
    }
}

// ---------------------------------------------------------------------------------------------
// Paths and expressions

/// A definite data path of type `want` (or a missing one at the miss rate).
pub(crate) fn data_path(r: &mut Rng, want: Ty) -> Result<&'static str> {
    if r.chance(r.cfg.miss_rate)? {
        return r.pick(vocab::MISSING, "$.nokey");
    }
    let fitting: Vec<&'static str> = vocab::DATA.iter().filter(|(_, t)| t.fits(want)).map(|(p, _)| *p).collect();
    if fitting.is_empty() {
        return Ok("$.nokey");
    }
    r.pick(&fitting, "$")
}

/// A path of type `want`: data, context or variable.
fn path(r: &mut Rng, want: Ty, retry_count: bool) -> Result<PathRef> {
    if r.has(PathFeature::Variables) && r.chance(12)? {
        let fallback = data_path(r, want)?;
        return Ok(PathRef::Var { sel: r.byte()?, ty: want, fallback });
    }
    if r.has(PathFeature::Context) && r.chance(12)? {
        if retry_count && want.fits(Ty::Int) && r.chance(40)? {
            return Ok(PathRef::Fixed("$$.State.RetryCount"));
        }
        let fitting: Vec<&'static str> = vocab::CONTEXT.iter().filter(|(_, t)| t.fits(want)).map(|(p, _)| *p).collect();
        if !fitting.is_empty() {
            return Ok(PathRef::Fixed(r.pick(&fitting, "$$.Execution.Input")?));
        }
    }
    Ok(PathRef::Fixed(data_path(r, want)?))
}

fn literal(r: &mut Rng, want: Ty) -> Result<Option<Value>> {
    Ok(Some(match want {
        Ty::Int => json!(r.range(0, 12)? as i64 - 3),
        Ty::Num => r.pick(&[json!(1.5), json!(2), json!(-0.5), json!(2.5)], json!(1))?,
        Ty::Str | Ty::Any => r.pick(&[json!("a"), json!("hello"), json!("x,y"), json!(""), json!("b")], json!("a"))?,
        Ty::Bool => json!(r.chance(50)?),
        Ty::Null => Value::Null,
        Ty::Ts => r.pick(&[json!("2024-01-01T00:00:00Z"), json!("2016-03-14T01:59:00.123Z")], json!(""))?,
        Ty::Arr | Ty::Obj | Ty::Json | Ty::B64 => return Ok(None),
    }))
}

/// Intrinsics that return a value of type `want`.
fn calls_returning(want: Ty) -> &'static [&'static str] {
    match want {
        Ty::Int | Ty::Num => &["States.ArrayLength", "States.MathRandom", "States.MathAdd"],
        Ty::Str => &[
            "States.Format",
            "States.JsonToString",
            "States.Base64Encode",
            "States.Base64Decode",
            "States.Hash",
            "States.UUID",
        ],
        Ty::Json => &["States.JsonToString"],
        Ty::B64 => &["States.Base64Encode"],
        Ty::Arr => {
            &["States.Array", "States.ArrayPartition", "States.ArrayRange", "States.ArrayUnique", "States.StringSplit"]
        }
        Ty::Obj => &["States.JsonMerge", "States.StringToJson"],
        Ty::Bool => &["States.ArrayContains"],
        Ty::Any => &crate::config::INTRINSICS,
        Ty::Null | Ty::Ts => &[],
    }
}

/// A wrong type for an argument that wants `want` (to reach `States.IntrinsicFailure`).
fn wrong_type(want: Ty) -> Ty {
    match want {
        Ty::Int | Ty::Num => Ty::Str,
        Ty::Arr | Ty::Obj => Ty::Int,
        _ => Ty::Arr,
    }
}

/// An expression of type `want`: a literal, a path or an intrinsic call nested `depth` deep.
pub(crate) fn expr(r: &mut Rng, want: Ty, depth: u8, retry_count: bool) -> Result<Expr> {
    if depth > 0 && r.chance(35)? {
        let names: Vec<&'static str> =
            calls_returning(want).iter().copied().filter(|n| r.cfg.intrinsic_allowed(n)).collect();
        if !names.is_empty() {
            let name = r.pick(&names, "States.UUID")?;
            return call(r, name, depth - 1, retry_count);
        }
    }
    if r.chance(40)? {
        if let Some(v) = literal(r, want)? {
            return Ok(Expr::Lit(v));
        }
    }
    Ok(Expr::Path(path(r, want, retry_count)?))
}

/// An argument of type `want`, of a rejected type at the bad-argument rate.
fn arg(r: &mut Rng, want: Ty, depth: u8, rc: bool) -> Result<Expr> {
    let ty = if r.chance(r.cfg.bad_arg_rate)? { wrong_type(want) } else { want };
    expr(r, ty, depth, rc)
}

fn int_lit(r: &mut Rng, lo: u32, hi: u32) -> Result<Expr> {
    Ok(Expr::Lit(json!(r.range(lo, hi)?)))
}

fn call(r: &mut Rng, name: &'static str, d: u8, rc: bool) -> Result<Expr> {
    let bad = r.cfg.bad_arg_rate;
    let args = match name {
        "States.Format" => return format_call(r, d, rc),
        "States.StringToJson" => vec![arg(r, Ty::Json, d, rc)?],
        "States.JsonToString" | "States.ArrayLength" | "States.ArrayUnique" => {
            let want = if name == "States.JsonToString" { Ty::Any } else { Ty::Arr };
            vec![arg(r, want, d, rc)?]
        }
        "States.Array" => {
            let n = r.range(0, 3)?;
            (0..n).map(|_| expr(r, Ty::Any, d, rc)).collect::<Result<_>>()?
        }
        "States.ArrayPartition" => {
            let size = if r.chance(bad)? { int_lit(r, 0, 0)? } else { int_lit(r, 1, 3)? };
            vec![arg(r, Ty::Arr, d, rc)?, size]
        }
        "States.ArrayContains" => vec![arg(r, Ty::Arr, d, rc)?, expr(r, Ty::Any, d, rc)?],
        "States.ArrayRange" => {
            let (a, b) = (r.range(0, 5)?, r.range(0, 12)?);
            let step = if r.chance(bad)? { 0 } else { r.range(1, 3)? };
            let end = if r.chance(bad)? { 5000 } else { b };
            let step = if a > end { -(step as i64) } else { step as i64 };
            vec![Expr::Lit(json!(a)), Expr::Lit(json!(end)), Expr::Lit(json!(step))]
        }
        "States.ArrayGetItem" => {
            let idx = if r.chance(50)? { int_lit(r, 0, 2)? } else { arg(r, Ty::Int, 0, rc)? };
            vec![arg(r, Ty::Arr, d, rc)?, idx]
        }
        "States.Base64Encode" => vec![arg(r, Ty::Str, d, rc)?],
        "States.Base64Decode" => {
            let want = if r.chance(bad)? { Ty::Str } else { Ty::B64 };
            vec![arg(r, want, d, rc)?]
        }
        "States.Hash" => {
            let alg = r.pick(&["SHA-256", "MD5", "SHA-1", "SHA-384", "SHA-512"], "MD5")?;
            let alg = if r.chance(bad)? { "SHA-3" } else { alg };
            vec![arg(r, Ty::Str, d, rc)?, Expr::Lit(json!(alg))]
        }
        "States.JsonMerge" => {
            let deep = r.chance(bad)?;
            vec![arg(r, Ty::Obj, d, rc)?, arg(r, Ty::Obj, d, rc)?, Expr::Lit(json!(deep))]
        }
        "States.MathRandom" => {
            let lo = r.range(0, 5)?;
            let hi = lo + r.range(1, 10)?;
            let mut a = vec![Expr::Lit(json!(lo)), Expr::Lit(json!(hi))];
            if r.chance(50)? {
                a.push(int_lit(r, 0, 100)?);
            }
            a
        }
        "States.MathAdd" => vec![arg(r, Ty::Num, d, rc)?, arg(r, Ty::Num, d, rc)?],
        "States.StringSplit" => vec![arg(r, Ty::Str, d, rc)?, Expr::Lit(json!(r.pick(&[",", " ", "l"], ",")?))],
        _ => Vec::new(),
    };
    Ok(Expr::Call(name, args))
}

fn format_call(r: &mut Rng, d: u8, rc: bool) -> Result<Expr> {
    let n = r.range(0, 3)? as usize;
    let mut text = String::from("v");
    for i in 0..n {
        text.push_str(if i % 2 == 0 { " {}" } else { ", {}" });
    }
    if r.chance(15)? {
        text.push_str(" \\{x\\} it\\'s");
    }
    let count = if r.chance(r.cfg.bad_arg_rate)? { n + 1 } else { n };
    let mut args = Vec::with_capacity(count);
    for _ in 0..count {
        let ty = r.pick(&[Ty::Str, Ty::Int, Ty::Bool, Ty::Null, Ty::Num, Ty::Obj, Ty::Arr], Ty::Str)?;
        args.push(expr(r, ty, d, rc)?);
    }
    Ok(Expr::Format(text, args))
}

// ---------------------------------------------------------------------------------------------
// Templates

/// A payload template with 1..=max entries. `rc`: `$$.State.RetryCount` may be read.
pub(crate) fn template(r: &mut Rng, rc: bool, nested: bool) -> Result<Template> {
    let n = r.range(1, u32::from(r.cfg.max_template_entries.max(1)))?;
    let mut out = Vec::new();
    for i in 0..n {
        out.push((format!("f{i}"), tval(r, rc, nested)?));
    }
    Ok(out)
}

fn tval(r: &mut Rng, rc: bool, nested: bool) -> Result<TVal> {
    let depth = r.cfg.max_expr_depth;
    Ok(match r.below(6)? {
        0 => TVal::Lit(literal(r, Ty::Any)?.unwrap_or(Value::Null)),
        1 if nested => TVal::Obj(template(r, rc, false)?),
        2 if r.has(PathFeature::Indefinite) => TVal::Dyn(Expr::Path(PathRef::Fixed(r.pick(vocab::INDEFINITE, "$")?))),
        3 => TVal::Lit(r.pick(&[json!("$.literal"), json!([1, "$"]), json!({"a": 1}), json!(7)], json!(1))?),
        _ => {
            let ty = r.pick(&[Ty::Any, Ty::Int, Ty::Str, Ty::Arr, Ty::Obj, Ty::Bool], Ty::Any)?;
            match expr(r, ty, depth, rc)? {
                Expr::Lit(v) => TVal::Lit(v),
                e => TVal::Dyn(e),
            }
        }
    })
}

/// Values for `Assign` (names come at build time).
fn assign(r: &mut Rng) -> Result<Vec<TVal>> {
    if !r.has(PathFeature::Variables) || !r.chance(20)? {
        return Ok(Vec::new());
    }
    let n = r.range(1, 2)?;
    (0..n)
        .map(|_| {
            let ty = r.pick(&[Ty::Int, Ty::Str, Ty::Obj, Ty::Arr, Ty::Bool], Ty::Int)?;
            let depth = r.cfg.max_expr_depth;
            Ok(match expr(r, ty, depth, false)? {
                Expr::Lit(v) => TVal::Lit(v),
                e => TVal::Dyn(e),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// I/O fields

fn input_path(r: &mut Rng) -> Result<Option<Value>> {
    if !r.has(PathFeature::InputPath) || !r.chance(15)? {
        return Ok(None);
    }
    if r.chance(r.cfg.shape_break_rate)? {
        return Ok(Some(r.pick(&[json!("$.obj"), Value::Null, json!("$.items[0]")], Value::Null)?));
    }
    if r.chance(r.cfg.miss_rate)? {
        return Ok(Some(json!("$.nokey")));
    }
    Ok(Some(r.pick(&[json!("$"), json!("$$.Execution.Input")], json!("$"))?))
}

fn output_path(r: &mut Rng) -> Result<Option<Value>> {
    if !r.has(PathFeature::OutputPath) || !r.chance(15)? {
        return Ok(None);
    }
    if r.chance(r.cfg.shape_break_rate)? {
        return Ok(Some(r.pick(&[json!("$.obj"), Value::Null, json!("$.arr")], Value::Null)?));
    }
    if r.chance(r.cfg.miss_rate)? {
        return Ok(Some(json!("$.nokey")));
    }
    Ok(Some(json!("$")))
}

/// ResultPath for a state that produces a new result: a fresh field mostly, so later paths
/// still find the record's fields.
fn result_path(r: &mut Rng, fresh: &str) -> Result<Option<Value>> {
    if !r.has(PathFeature::ResultPath) {
        return Ok(None);
    }
    if r.chance(r.cfg.shape_break_rate)? {
        return Ok(Some(r.pick(&[json!("$"), json!("$.str.x")], json!("$"))?));
    }
    Ok(Some(match r.below(6)? {
        0..=2 => json!(format!("$.{fresh}")),
        3 => Value::Null,
        4 => json!(format!("$.made.{fresh}")),
        _ => json!(format!("$.obj.{fresh}")),
    }))
}

fn io(r: &mut Rng, params: bool, selector: bool, rc: bool, fresh: &str) -> Result<Io> {
    let mut io = Io { input_path: input_path(r)?, ..Io::default() };
    if params && r.has(PathFeature::Parameters) && r.chance(35)? {
        io.parameters = Some(template(r, rc, true)?);
    }
    if selector && r.has(PathFeature::ResultSelector) && r.chance(25)? {
        io.result_selector = Some(template(r, false, true)?);
    }
    io.result_path = result_path(r, fresh)?;
    io.output_path = output_path(r)?;
    io.assign = assign(r)?;
    Ok(io)
}

// ---------------------------------------------------------------------------------------------
// Error handling

pub(crate) fn error_list(r: &mut Rng) -> Result<Vec<&'static str>> {
    let n = r.range(1, 3)?;
    let mut out = Vec::new();
    for _ in 0..n {
        let e = if r.chance(30)? {
            r.pick(vocab::STATES_ERRORS, "States.TaskFailed")?
        } else {
            r.pick(vocab::ERRORS, "E0")?
        };
        if !out.contains(&e) {
            out.push(e);
        }
    }
    Ok(out)
}

/// Retriers in a valid order: `States.ALL` only alone, in the last retrier.
pub(crate) fn retriers(r: &mut Rng) -> Result<Vec<Retrier>> {
    let max = u32::from(r.cfg.max_retriers);
    if max == 0 || !r.chance(45)? {
        return Ok(Vec::new());
    }
    let n = r.range(1, max)?;
    let mut out = Vec::new();
    for i in 0..n {
        let all = i + 1 == n && r.cfg.states_all && r.chance(30)?;
        let timing = r.cfg.retry_timing;
        out.push(Retrier {
            errors: if all { vec!["States.ALL"] } else { error_list(r)? },
            interval: if r.chance(60)? { Some(r.range(1, 3)?) } else { None },
            max_attempts: if r.chance(80)? { Some(r.range(0, 3)?) } else { None },
            backoff: if r.chance(50)? { Some(r.pick(&[1.0, 1.5, 2.0, 2.5], 1.0)?) } else { None },
            max_delay: if timing && r.chance(20)? { Some(r.range(1, 4)?) } else { None },
            jitter: if timing && r.chance(20)? { Some(r.pick(&["FULL", "NONE"], "NONE")?) } else { None },
        });
    }
    Ok(out)
}

fn catchers(r: &mut Rng, fresh: &str) -> Result<Vec<Catcher>> {
    let max = u32::from(r.cfg.max_catchers);
    if max == 0 || !r.chance(40)? {
        return Ok(Vec::new());
    }
    let n = r.range(1, max)?;
    let mut out = Vec::new();
    for i in 0..n {
        let all = i + 1 == n && r.cfg.states_all && r.chance(40)?;
        let result_path = match r.below(5)? {
            0 => None,
            1 => Some(Value::Null),
            2 if r.chance(r.cfg.shape_break_rate)? => Some(json!("$")),
            _ => Some(json!(format!("$.{fresh}_err"))),
        };
        out.push(Catcher {
            errors: if all { vec!["States.ALL"] } else { error_list(r)? },
            target: r.byte()?,
            result_path,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Task behaviours

fn script_steps(r: &mut Rng, named: &[&'static str]) -> Result<Vec<ScriptStep>> {
    let n = r.range(1, 3)?;
    let mut out = Vec::new();
    for _ in 0..n {
        let outcome = if r.chance(r.cfg.throw_rate)? {
            let matched: Vec<&'static str> = named.iter().copied().filter(|e| !e.starts_with("States.")).collect();
            let e = if !matched.is_empty() && r.chance(r.cfg.matched_throw_rate)? {
                r.pick(&matched, "E0")?
            } else if r.chance(r.cfg.matched_throw_rate)? {
                r.pick(vocab::ERRORS, "E0")?
            } else {
                "Unlisted"
            };
            Outcome::Throw(e.to_string())
        } else if r.chance(20)? {
            Outcome::Return(crate::input::small_value(r)?)
        } else {
            Outcome::Echo
        };
        let sleep = if r.chance(20)? { r.range(1, 6)? } else { 0 };
        let times = r.range(1, 3)?;
        out.push(ScriptStep { outcome, sleep, times });
    }
    Ok(out)
}

fn script(r: &mut Rng, retry: &[Retrier], catch: &[Catcher]) -> Result<Script> {
    let caught: Vec<&'static str> = catch.iter().flat_map(|c| c.errors.iter()).copied().collect();
    script_naming(r, retry, &caught)
}

/// A task script whose thrown errors are mostly among those the retriers and `caught` name.
pub(crate) fn script_naming(r: &mut Rng, retry: &[Retrier], caught: &[&'static str]) -> Result<Script> {
    let named: Vec<&'static str> = retry.iter().flat_map(|x| x.errors.iter()).chain(caught.iter()).copied().collect();
    let steps = script_steps(r, &named)?;
    let mut items = Vec::new();
    if r.chance(20)? {
        let i = r.range(0, 2)?;
        items.push((i, script_steps(r, &named)?));
    }
    Ok(Script { steps, items })
}

// ---------------------------------------------------------------------------------------------
// States

pub(crate) fn terminal(r: &mut Rng) -> Result<Terminal> {
    if r.cfg.jsonata_top() {
        return crate::jsonata_states::terminal(r);
    }
    Ok(match r.below(4)? {
        0 | 1 => Terminal::End,
        2 => Terminal::Succeed { input_path: input_path(r)?, output_path: output_path(r)? },
        _ => {
            let text = |r: &mut Rng, lit: &str| -> Result<Option<FailText>> {
                Ok(match r.below(3)? {
                    0 => None,
                    1 => Some(FailText::Lit(lit.to_string())),
                    _ => Some(FailText::Path(expr(r, Ty::Str, 1, false)?)),
                })
            };
            let error = text(r, "Failed")?;
            let cause = text(r, "it failed")?;
            Terminal::Fail { error, cause }
        }
    })
}

fn pass(r: &mut Rng) -> Result<PassSpec> {
    let result = if r.chance(25)? {
        Some(r.pick(&[json!({"x": 1}), json!("done"), json!([1, 2]), json!({"k.$": "$.str"}), json!(null)], json!(1))?)
    } else {
        None
    };
    let mut io = io(r, result.is_none(), false, false, "p")?;
    if result.is_none() && io.parameters.is_none() && io.result_path.as_ref().is_some_and(|v| v == "$") {
        io.result_path = None;
    }
    Ok(PassSpec { result, io })
}

fn task(r: &mut Rng) -> Result<TaskSpec> {
    let resource = r.pick(
        &[
            "arn:aws:states:::lambda:invoke",
            "arn:aws:lambda:us-east-1:123456789012:function:fn",
            "arn:aws:states:::dynamodb:getItem",
        ],
        "arn:aws:states:::lambda:invoke",
    )?;
    let io = io(r, true, true, true, "t")?;
    let timeout = match r.below(8)? {
        0 | 1 => Some(Timeout::Seconds(r.range(1, 5)?)),
        2 => Some(Timeout::Path(if r.chance(r.cfg.miss_rate)? { "$.num" } else { "$.pos" })),
        _ => None,
    };
    let heartbeat = match &timeout {
        Some(Timeout::Seconds(t)) if *t > 1 && r.chance(30)? => Some(r.range(1, t - 1)?),
        _ => None,
    };
    let retry = retriers(r)?;
    let catch = catchers(r, "t")?;
    let script = script(r, &retry, &catch)?;
    Ok(TaskSpec { resource, io, timeout, heartbeat, retry, catch, script })
}

/// A leaf Choice rule for an allowed operator.
fn leaf(r: &mut Rng) -> Result<Rule> {
    let ops: Vec<&'static str> =
        crate::config::CHOICE_OPERATORS.iter().copied().filter(|o| r.cfg.operator_allowed(o)).collect();
    let op = r.pick(&ops, "IsPresent")?;
    let base = op.trim_end_matches("Path");
    let ty = if base.starts_with("String") {
        Ty::Str
    } else if base.starts_with("Numeric") {
        Ty::Num
    } else if base.starts_with("Boolean") {
        Ty::Bool
    } else if base.starts_with("Timestamp") {
        Ty::Ts
    } else {
        Ty::Any
    };
    let var = path(r, ty, false)?;
    let operand = if op.ends_with("Path") {
        Operand::Path(path(r, ty, false)?)
    } else {
        Operand::Lit(match op {
            "StringMatches" => r.pick(&[json!("*l*"), json!("h*"), json!("a\\*b"), json!("*")], json!("*"))?,
            "IsNull" | "IsPresent" | "IsNumeric" | "IsString" | "IsBoolean" | "IsTimestamp" => json!(r.chance(70)?),
            _ => literal(r, ty)?.unwrap_or(Value::Null),
        })
    };
    Ok(Rule::Leaf { var, op, operand })
}

fn rule(r: &mut Rng, depth: u8) -> Result<Rule> {
    if depth == 0 || !r.chance(25)? {
        return leaf(r);
    }
    Ok(match r.below(3)? {
        0 => Rule::Not(Box::new(rule(r, depth - 1)?)),
        1 => Rule::And(vec![rule(r, depth - 1)?, rule(r, depth - 1)?]),
        _ => Rule::Or(vec![rule(r, depth - 1)?, rule(r, depth - 1)?]),
    })
}

fn choice(r: &mut Rng) -> Result<ChoiceSpec> {
    let n = r.range(1, 3)?;
    let mut rules = Vec::new();
    for _ in 0..n {
        let nesting = r.cfg.choice_nesting;
        let rl = rule(r, nesting)?;
        let target = r.byte()?;
        let assign = if r.chance(30)? { assign(r)? } else { Vec::new() };
        rules.push((rl, target, assign));
    }
    Ok(ChoiceSpec { rules, default: !r.chance(20)?, input_path: input_path(r)?, output_path: output_path(r)? })
}

fn wait(r: &mut Rng) -> Result<WaitSpec> {
    let wait = match r.below(4)? {
        0 => WaitFor::Seconds(r.range(0, 3)?),
        1 => WaitFor::SecondsPath(if r.chance(r.cfg.miss_rate)? { "$.neg" } else { "$.num" }),
        2 => {
            WaitFor::Timestamp(r.pick(&["2016-03-14T01:59:00Z", "2030-01-01T00:00:00Z", "2016-03-14T01:59:00.5Z"], "")?)
        }
        _ => WaitFor::TimestampPath(if r.chance(r.cfg.miss_rate)? { "$.str" } else { "$.ts" }),
    };
    Ok(WaitSpec { wait, input_path: input_path(r)?, output_path: output_path(r)?, assign: assign(r)? })
}

fn parallel(r: &mut Rng) -> Result<ParallelSpec> {
    let n = r.range(1, u32::from(r.cfg.max_branches.max(1)))?;
    let branches = (0..n).map(|_| terminal(r)).collect::<Result<Vec<_>>>()?;
    let mut io = io(r, true, true, false, "par")?;
    if io.parameters.is_some() && !r.chance(30)? {
        io.parameters = None;
    }
    Ok(ParallelSpec { branches, io, retry: retriers(r)?, catch: catchers(r, "par")? })
}

fn map(r: &mut Rng) -> Result<MapSpec> {
    let items_path = match r.below(6)? {
        4 => "$.arr",
        5 => "$.strs",
        _ if r.chance(r.cfg.miss_rate)? => r.pick(&["$.obj", "$.nokey"], "$.obj")?,
        _ => "$.items",
    };
    let selector = match r.below(4)? {
        0 | 1 => ItemSelector::None,
        2 if items_path == "$.items" => ItemSelector::Record,
        2 => ItemSelector::None,
        _ => ItemSelector::Template(template(r, false, true)?),
    };
    let distributed = r.cfg.distributed_map && r.chance(20)?;
    let mut io = io(r, false, true, false, "map")?;
    io.parameters = None;
    Ok(MapSpec {
        items_path,
        selector,
        max_concurrency: if r.chance(50)? { Some(r.range(0, 3)?) } else { None },
        legacy: !distributed && r.chance(10)?,
        distributed,
        label: distributed && r.chance(30)?,
        tolerated_count: if distributed && r.chance(20)? { Some(r.range(0, 2)?) } else { None },
        tolerated_percentage: if distributed && r.chance(15)? { Some(r.range(0, 60)?) } else { None },
        terminal: terminal(r)?,
        io,
        retry: retriers(r)?,
        catch: catchers(r, "map")?,
    })
}
