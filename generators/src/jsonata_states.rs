//! JSONata-mode states: what a construction step adds when its state is JSONata (drawn from
//! bytes, byte 0 = the simplest choice), and the state's fields as JSON. States keep the
//! record's shape as the JSONPath ones do: results go into a fresh field of the input
//! (`$merge([$states.input, {'t': $states.result}])`), so later reads still find their fields.

use crate::config::{PathFeature, QueryLanguageMix, StateKind};
use crate::jsonata::{self, merged, JExpr, JVal, Src};
use crate::steps::{self, Retrier, Rng, Script, Terminal};
use crate::vocab::Ty;
use arbitrary::Result;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct JCatcher {
    pub errors: Vec<&'static str>,
    /// Forward target selector.
    pub target: u8,
    pub output: Option<JVal>,
    pub assign: Vec<JVal>,
}

/// The fields every JSONata state but Fail may have.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JIo {
    pub output: Option<JVal>,
    pub assign: Vec<JVal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JTask {
    pub resource: &'static str,
    pub arguments: Option<JVal>,
    pub timeout: Option<JVal>,
    pub io: JIo,
    pub retry: Vec<Retrier>,
    pub catch: Vec<JCatcher>,
    pub script: Script,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JRule {
    pub condition: JExpr,
    pub target: u8,
    pub assign: Vec<JVal>,
    pub output: Option<JVal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JChoice {
    pub rules: Vec<JRule>,
    pub default: bool,
    pub output: Option<JVal>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JWaitFor {
    Seconds(u32),
    SecondsExpr(JExpr),
    TimestampExpr(JExpr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct JParallel {
    pub branches: Vec<Terminal>,
    pub arguments: Option<JVal>,
    pub io: JIo,
    pub retry: Vec<Retrier>,
    pub catch: Vec<JCatcher>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JMap {
    pub items: JExpr,
    /// A distributed Map (its iterations are child executions: no outer variables).
    pub distributed: bool,
    /// `ToleratedFailureCount` of a distributed Map, a number or an expression.
    pub tolerated: Option<JVal>,
    pub selector: Option<JVal>,
    pub max_concurrency: Option<JVal>,
    pub terminal: Terminal,
    pub io: JIo,
    pub retry: Vec<Retrier>,
    pub catch: Vec<JCatcher>,
}

/// A JSONata state a step adds.
#[derive(Debug, Clone, PartialEq)]
pub enum JStep {
    Pass(JIo),
    Task(Box<JTask>),
    Choice(JChoice),
    Wait(JWaitFor, JIo),
    Parallel(Box<JParallel>),
    Map(Box<JMap>),
}

impl JStep {
    /// The terminals of the nested machines a Parallel or Map starts.
    pub fn nested(&self) -> Option<Vec<&Terminal>> {
        match self {
            JStep::Parallel(p) => Some(p.branches.iter().collect()),
            JStep::Map(m) => Some(vec![&m.terminal]),
            _ => None,
        }
    }

    pub fn state_type(&self) -> &'static str {
        match self {
            JStep::Pass(_) => "Pass",
            JStep::Task(_) => "Task",
            JStep::Choice(_) => "Choice",
            JStep::Wait(..) => "Wait",
            JStep::Parallel(_) => "Parallel",
            JStep::Map(_) => "Map",
        }
    }
}

/// Is this step's state JSONata? No draw unless the config mixes languages (byte 0: JSONPath).
pub(crate) fn chosen(r: &mut Rng) -> Result<bool> {
    Ok(match r.cfg.query_language {
        QueryLanguageMix::JsonPath => false,
        QueryLanguageMix::Jsonata => true,
        QueryLanguageMix::Mixed => r.chance(50)?,
    })
}

pub(crate) fn generate(r: &mut Rng, kind: StateKind) -> Result<JStep> {
    Ok(match kind {
        StateKind::Task => JStep::Task(Box::new(task(r)?)),
        StateKind::Choice => JStep::Choice(choice(r)?),
        StateKind::Wait => wait(r)?,
        StateKind::Parallel => JStep::Parallel(Box::new(parallel(r)?)),
        StateKind::Map => JStep::Map(Box::new(map(r)?)),
        StateKind::Pass | StateKind::Loop => {
            JStep::Pass(JIo { output: plain_output(r, "p")?, assign: assign(r, Src::default())? })
        }
    })
}

fn depth(r: &Rng) -> u8 {
    r.cfg.max_expr_depth
}

fn assign(r: &mut Rng, src: Src) -> Result<Vec<JVal>> {
    if !r.cfg.has(PathFeature::Variables) || !r.chance(20)? {
        return Ok(Vec::new());
    }
    let n = r.range(1, 2)?;
    (0..n).map(|_| jsonata::value(r, src)).collect()
}

/// Output of a state without a result: none (the input), the input plus a field, the input
/// itself, or (at the shape-break rate) a new object.
fn plain_output(r: &mut Rng, key: &str) -> Result<Option<JVal>> {
    Ok(match r.below(4)? {
        0 | 1 => None,
        2 => Some(JVal::Expr(merged(key, jsonata::expr(r, Ty::Any, depth(r), Src::default())?))),
        _ if r.chance(r.cfg.shape_break_rate)? => Some(JVal::Obj(jsonata::object(r, Src::default(), true)?)),
        _ => Some(JVal::Expr(JExpr::Input(""))),
    })
}

/// Output of a state with a result of type `ty`: the input with the result (or an expression
/// over it) in a fresh field; at the shape-break rate none (the result replaces the data).
fn result_output(r: &mut Rng, key: &str, ty: Ty) -> Result<Option<JVal>> {
    if r.chance(r.cfg.shape_break_rate)? {
        return Ok(None);
    }
    let src = Src { result: Some(ty), ..Src::default() };
    Ok(Some(JVal::Expr(match r.below(3)? {
        0 | 1 => merged(key, JExpr::States("$states.result")),
        _ => merged(key, jsonata::expr(r, Ty::Any, depth(r), src)?),
    })))
}

fn result_io(r: &mut Rng, key: &str, ty: Ty) -> Result<JIo> {
    Ok(JIo { output: result_output(r, key, ty)?, assign: assign(r, Src { result: Some(ty), ..Src::default() })? })
}

fn catchers(r: &mut Rng, key: &str) -> Result<Vec<JCatcher>> {
    let max = u32::from(r.cfg.max_catchers);
    if max == 0 || !r.chance(40)? {
        return Ok(Vec::new());
    }
    let n = r.range(1, max)?;
    let src = Src { error: true, ..Src::default() };
    let mut out = Vec::new();
    for i in 0..n {
        let all = i + 1 == n && r.cfg.states_all && r.chance(40)?;
        let errors = if all { vec!["States.ALL"] } else { jsonata_errors(steps::error_list(r)?) };
        let target = r.byte()?;
        let output = match r.below(3)? {
            0 => None,
            1 => Some(JVal::Expr(merged(&format!("{key}_err"), JExpr::States("$states.errorOutput")))),
            _ => Some(JVal::Expr(merged(&format!("{key}_err"), jsonata::expr(r, Ty::Str, depth(r), src)?))),
        };
        let assign = if r.chance(25)? { vec![JVal::Expr(jsonata::expr(r, Ty::Str, 1, src)?)] } else { Vec::new() };
        out.push(JCatcher { errors, target, output, assign });
    }
    Ok(out)
}

/// Error names for a JSONata state's Retry/Catch: JSONata's evaluation failures are
/// `States.QueryEvaluationError` where JSONPath's data errors are `States.Runtime`.
fn jsonata_errors(errors: Vec<&'static str>) -> Vec<&'static str> {
    errors.into_iter().map(|e| if e == "States.Runtime" { "States.QueryEvaluationError" } else { e }).collect()
}

fn retriers(r: &mut Rng) -> Result<Vec<Retrier>> {
    let mut out = steps::retriers(r)?;
    for x in &mut out {
        x.errors = jsonata_errors(std::mem::take(&mut x.errors));
    }
    Ok(out)
}

fn caught(catch: &[JCatcher]) -> Vec<&'static str> {
    catch.iter().flat_map(|c| c.errors.iter()).copied().collect()
}

fn task(r: &mut Rng) -> Result<JTask> {
    let resource = r.pick(
        &["arn:aws:states:::lambda:invoke", "arn:aws:lambda:us-east-1:123456789012:function:fn"],
        "arn:aws:states:::lambda:invoke",
    )?;
    let arguments = match r.below(4)? {
        0 | 1 => None,
        2 => Some(JVal::Obj(jsonata::object(r, Src::default(), true)?)),
        _ => Some(JVal::Expr(jsonata::expr(r, Ty::Any, depth(r), Src::default())?)),
    };
    let timeout = match r.below(8)? {
        0 | 1 => Some(JVal::Lit(json!(r.range(1, 5)?))),
        2 => Some(JVal::Expr(JExpr::Input(if r.chance(r.cfg.undefined_rate)? { ".nokey" } else { ".pos" }))),
        _ => None,
    };
    let io = result_io(r, "t", Ty::Any)?;
    let retry = retriers(r)?;
    let catch = catchers(r, "t")?;
    let script = steps::script_naming(r, &retry, &caught(&catch))?;
    Ok(JTask { resource, arguments, timeout, io, retry, catch, script })
}

fn choice(r: &mut Rng) -> Result<JChoice> {
    let n = r.range(1, 3)?;
    let mut rules = Vec::new();
    for _ in 0..n {
        let d = r.cfg.choice_nesting.max(1);
        let condition = jsonata::expr(r, Ty::Bool, d, Src::default())?;
        let target = r.byte()?;
        let assign = if r.chance(30)? { assign(r, Src::default())? } else { Vec::new() };
        let output = if r.chance(20)? { plain_output(r, "c")? } else { None };
        rules.push(JRule { condition, target, assign, output });
    }
    let default = !r.chance(20)?;
    let output = if r.chance(20)? { plain_output(r, "c")? } else { None };
    Ok(JChoice { rules, default, output })
}

fn wait(r: &mut Rng) -> Result<JStep> {
    let undefined = r.cfg.undefined_rate;
    let w = match r.below(4)? {
        0 => JWaitFor::Seconds(r.range(0, 3)?),
        1 => JWaitFor::SecondsExpr(JExpr::Call("$count", vec![JExpr::Input(".strs")])),
        2 => JWaitFor::SecondsExpr(JExpr::Input(if r.chance(undefined)? { ".nokey" } else { ".pos" })),
        _ => JWaitFor::TimestampExpr(JExpr::Input(if r.chance(undefined)? { ".obj.nokey" } else { ".ts" })),
    };
    Ok(JStep::Wait(w, JIo { output: plain_output(r, "w")?, assign: assign(r, Src::default())? }))
}

fn parallel(r: &mut Rng) -> Result<JParallel> {
    let n = r.range(1, u32::from(r.cfg.max_branches.max(1)))?;
    let branches = (0..n).map(|_| steps::terminal(r)).collect::<Result<Vec<_>>>()?;
    let arguments = if r.chance(30)? {
        Some(JVal::Expr(merged("extra", jsonata::expr(r, Ty::Any, depth(r), Src::default())?)))
    } else {
        None
    };
    Ok(JParallel {
        branches,
        arguments,
        io: result_io(r, "par", Ty::Arr)?,
        retry: retriers(r)?,
        catch: catchers(r, "par")?,
    })
}

/// The item in a copy of the Map's input without its `items` (copies of copies would grow
/// with every nested Map): processors read the record's fields as elsewhere.
fn record_selector() -> JVal {
    JVal::Expr(JExpr::Call(
        "$merge",
        vec![JExpr::Array(vec![
            JExpr::Input(""),
            JExpr::Object(vec![
                ("item".into(), JExpr::States("$states.context.Map.Item.Value")),
                ("idx".into(), JExpr::States("$states.context.Map.Item.Index")),
                ("items".into(), JExpr::Array(Vec::new())),
            ]),
        ])],
    ))
}

fn map(r: &mut Rng) -> Result<JMap> {
    let items = match r.below(5)? {
        3 => ".arr",
        4 => ".strs",
        _ if r.chance(r.cfg.undefined_rate)? => ".nokey",
        _ => ".items",
    };
    let records = items == ".items";
    let selector = match r.below(4)? {
        0..=2 if records => None,
        3 if r.chance(r.cfg.shape_break_rate)? => {
            Some(JVal::Obj(jsonata::object(r, Src { item: true, ..Src::default() }, false)?))
        }
        _ => Some(record_selector()),
    };
    let max_concurrency = match r.below(4)? {
        0 | 1 => None,
        2 => Some(JVal::Lit(json!(r.range(0, 3)?))),
        _ => Some(JVal::Expr(JExpr::Input(".pos"))),
    };
    let distributed = r.cfg.distributed_map && r.chance(20)?;
    let tolerated = match r.below(3)? {
        1 if distributed => Some(JVal::Lit(json!(r.range(0, 2)?))),
        2 if distributed => Some(JVal::Expr(JExpr::Input(".pos"))),
        _ => None,
    };
    Ok(JMap {
        items: JExpr::Input(items),
        distributed,
        tolerated,
        selector,
        max_concurrency,
        terminal: steps::terminal(r)?,
        io: result_io(r, "map", Ty::Arr)?,
        retry: retriers(r)?,
        catch: catchers(r, "map")?,
    })
}

/// The terminal of a machine whose top level is JSONata.
pub(crate) fn terminal(r: &mut Rng) -> Result<Terminal> {
    let text = |r: &mut Rng, lit: &str| -> Result<Option<JVal>> {
        Ok(match r.below(3)? {
            0 => None,
            1 => Some(JVal::Lit(json!(lit))),
            _ => Some(JVal::Expr(jsonata::expr(r, Ty::Str, 1, Src::default())?)),
        })
    };
    Ok(match r.below(4)? {
        0 | 1 => Terminal::End,
        2 => Terminal::JsonataSucceed { output: plain_output(r, "end")? },
        _ => Terminal::JsonataFail { error: text(r, "Failed")?, cause: text(r, "it failed")? },
    })
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// What rendering a JSONata state needs from the builder.
pub(crate) struct Ctx<'a> {
    /// Variables visible where the state runs.
    pub vis: &'a [(String, Ty)],
    /// Variables the state assigns (names and types), for the states after it.
    pub new_vars: &'a mut Vec<(String, Ty)>,
    /// The definition-wide variable counter (names `v1`, `v2`...).
    pub counter: &'a mut usize,
    /// A forward target for a selector (None: no state ahead).
    pub pick: &'a dyn Fn(u8) -> Option<String>,
    /// The state after this one.
    pub next: Option<String>,
}

impl Ctx<'_> {
    fn val(&self, v: &JVal) -> Value {
        jsonata::render_val(v, self.vis)
    }

    fn assign(&mut self, vals: &[JVal]) -> Option<Value> {
        if vals.is_empty() {
            return None;
        }
        let mut m = Map::new();
        for v in vals {
            *self.counter += 1;
            let name = format!("v{}", self.counter);
            self.new_vars.push((name.clone(), jsonata::val_ty(v)));
            m.insert(name, jsonata::render_val(v, self.vis));
        }
        Some(Value::Object(m))
    }
}

fn opt(s: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        s.insert(key.into(), v);
    }
}

/// The state's fields except nested machines (Branches, ItemProcessor) and Next/End.
pub(crate) fn render(s: &mut Map<String, Value>, j: &JStep, cx: &mut Ctx) {
    s.insert("Type".into(), json!(j.state_type()));
    match j {
        JStep::Pass(io) => io_fields(s, io, cx),
        JStep::Task(t) => {
            s.insert("Resource".into(), json!(t.resource));
            opt(s, "Arguments", t.arguments.as_ref().map(|a| cx.val(a)));
            opt(s, "TimeoutSeconds", t.timeout.as_ref().map(|a| cx.val(a)));
            io_fields(s, &t.io, cx);
            errors(s, &t.retry, &t.catch, cx);
        }
        JStep::Choice(c) => choice_fields(s, c, cx),
        JStep::Wait(w, io) => {
            match w {
                JWaitFor::Seconds(n) => s.insert("Seconds".into(), json!(n)),
                JWaitFor::SecondsExpr(e) => s.insert("Seconds".into(), cx.val(&JVal::Expr(e.clone()))),
                JWaitFor::TimestampExpr(e) => s.insert("Timestamp".into(), cx.val(&JVal::Expr(e.clone()))),
            };
            io_fields(s, io, cx);
        }
        JStep::Parallel(p) => {
            opt(s, "Arguments", p.arguments.as_ref().map(|a| cx.val(a)));
            io_fields(s, &p.io, cx);
            errors(s, &p.retry, &p.catch, cx);
        }
        JStep::Map(m) => {
            s.insert("Items".into(), cx.val(&JVal::Expr(m.items.clone())));
            opt(s, "ItemSelector", m.selector.as_ref().map(|v| cx.val(v)));
            opt(s, "MaxConcurrency", m.max_concurrency.as_ref().map(|v| cx.val(v)));
            opt(s, "ToleratedFailureCount", m.tolerated.as_ref().map(|v| cx.val(v)));
            io_fields(s, &m.io, cx);
            errors(s, &m.retry, &m.catch, cx);
        }
    }
}

fn io_fields(s: &mut Map<String, Value>, io: &JIo, cx: &mut Ctx) {
    opt(s, "Output", io.output.as_ref().map(|o| cx.val(o)));
    let a = cx.assign(&io.assign);
    opt(s, "Assign", a);
}

fn errors(s: &mut Map<String, Value>, retry: &[Retrier], catch: &[JCatcher], cx: &mut Ctx) {
    if !retry.is_empty() {
        s.insert("Retry".into(), Value::Array(retry.iter().map(crate::build::retrier).collect()));
    }
    let mut out = Vec::new();
    for c in catch {
        let Some(next) = (cx.pick)(c.target) else { continue };
        let mut m = Map::new();
        m.insert("ErrorEquals".into(), json!(c.errors));
        m.insert("Next".into(), json!(next));
        opt(&mut m, "Output", c.output.as_ref().map(|o| cx.val(o)));
        // Variables a catcher assigns exist only on its route: later states do not read them.
        let mut scratch = Vec::new();
        let mut inner = Ctx { vis: cx.vis, new_vars: &mut scratch, counter: cx.counter, pick: cx.pick, next: None };
        opt(&mut m, "Assign", inner.assign(&c.assign));
        out.push(Value::Object(m));
    }
    if !out.is_empty() {
        s.insert("Catch".into(), Value::Array(out));
    }
}

fn choice_fields(s: &mut Map<String, Value>, c: &JChoice, cx: &mut Ctx) {
    let next = cx.next.clone().unwrap_or_default();
    let mut rules = Vec::new();
    for (i, rule) in c.rules.iter().enumerate() {
        let target =
            if i == 0 && !c.default { next.clone() } else { (cx.pick)(rule.target).unwrap_or_else(|| next.clone()) };
        let mut m = Map::new();
        m.insert("Condition".into(), cx.val(&JVal::Expr(rule.condition.clone())));
        m.insert("Next".into(), json!(target));
        opt(&mut m, "Output", rule.output.as_ref().map(|o| cx.val(o)));
        let a = cx.assign(&rule.assign);
        opt(&mut m, "Assign", a);
        rules.push(Value::Object(m));
    }
    s.insert("Choices".into(), Value::Array(rules));
    if c.default {
        s.insert("Default".into(), json!(next));
    }
    opt(s, "Output", c.output.as_ref().map(|o| cx.val(o)));
}

/// A JSONata Succeed or Fail terminal state.
pub(crate) fn terminal_state(t: &Terminal, vis: &[(String, Ty)]) -> Option<Value> {
    let mut s = Map::new();
    match t {
        Terminal::JsonataSucceed { output } => {
            s.insert("Type".into(), json!("Succeed"));
            opt(&mut s, "Output", output.as_ref().map(|o| jsonata::render_val(o, vis)));
        }
        Terminal::JsonataFail { error, cause } => {
            s.insert("Type".into(), json!("Fail"));
            opt(&mut s, "Error", error.as_ref().map(|o| jsonata::render_val(o, vis)));
            opt(&mut s, "Cause", cause.as_ref().map(|o| jsonata::render_val(o, vis)));
        }
        _ => return None,
    }
    Some(Value::Object(s))
}
