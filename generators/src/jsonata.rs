//! JSONata expressions for JSONata-mode states: a small typed AST drawn from bytes (byte 0 = a
//! plain read of the input) and its rendering as `{% %}` text. Expressions read the record the
//! input shaper makes (`$states.input.<field>`), variables assigned earlier, `$states.result`,
//! `$states.errorOutput` and `$states.context`, and combine them with arithmetic, `&`,
//! comparisons, conditionals, JSONata's `$count`/`$sum`/`$string`/`$map` and AWS's functions
//! (`$partition`, `$range`, `$hash`, `$parse`). At `GenConfig::undefined_rate` a read names a
//! field the input lacks, which reaches `States.QueryEvaluationError`.

use crate::config::PathFeature;
use crate::steps::Rng;
use crate::vocab::Ty;
use arbitrary::Result;
use serde_json::{json, Map, Value};

/// Where an expression reads besides the input and variables.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Src {
    /// `$states.result` (Output/Assign of Task, Parallel, Map) and its type.
    pub result: Option<Ty>,
    /// `$states.errorOutput` (Catcher Output/Assign).
    pub error: bool,
    /// `$states.context.Map.Item` (a Map's ItemSelector).
    pub item: bool,
}

/// A JSONata expression.
#[derive(Debug, Clone, PartialEq)]
pub enum JExpr {
    Lit(Value),
    /// `$states.input` followed by this suffix (`.num`, `.arr[0]`, or empty).
    Input(&'static str),
    /// A variable of type `ty` among those visible (`sel` modulo their number), else the input
    /// read `fallback`.
    Var {
        sel: u8,
        ty: Ty,
        fallback: &'static str,
    },
    /// `$states.context`, `$states.result` or `$states.errorOutput` with a suffix.
    States(&'static str),
    /// `(a op b)`.
    Bin(&'static str, Box<JExpr>, Box<JExpr>),
    /// `(c ? a : b)`.
    Cond(Box<JExpr>, Box<JExpr>, Box<JExpr>),
    /// `$name(args)`.
    Call(&'static str, Vec<JExpr>),
    /// `$map(array, function($e) { $e op k })`.
    MapFn(Box<JExpr>, &'static str, i64),
    /// `[a, b]`.
    Array(Vec<JExpr>),
    /// `{'k': v}`.
    Object(Vec<(String, JExpr)>),
}

/// A field value in a JSONata state: JSON whose strings `{% %}` are expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum JVal {
    Lit(Value),
    Expr(JExpr),
    Obj(Vec<(String, JVal)>),
}

/// Record fields by type, as `$states.input` suffixes (the paths of [`crate::vocab::DATA`]).
const INPUT: &[(&str, Ty)] = &[
    (".num", Ty::Int),
    (".pos", Ty::Int),
    (".neg", Ty::Int),
    (".obj.n", Ty::Int),
    (".arr[0]", Ty::Int),
    (".flt", Ty::Num),
    (".str", Ty::Str),
    (".obj.k", Ty::Str),
    (".csv", Ty::Str),
    (".strs[1]", Ty::Str),
    (".flag", Ty::Bool),
    (".nul", Ty::Null),
    (".ts", Ty::Ts),
    (".arr", Ty::Arr),
    (".strs", Ty::Arr),
    (".items", Ty::Arr),
    (".obj", Ty::Obj),
    (".obj.deep", Ty::Obj),
    (".json", Ty::Json),
    (".b64", Ty::B64),
];

/// Reads that give undefined on a record.
const MISSING: &[&str] = &[".nokey", ".obj.nokey", ".arr[9].x", ".nul.x"];

/// `$states.context` reads valid in any state, by type.
const CONTEXT: &[(&str, Ty)] = &[
    ("$states.context.Execution.Name", Ty::Str),
    ("$states.context.State.Name", Ty::Str),
    ("$states.context.StateMachine.Name", Ty::Str),
    ("$states.context.Execution.Input.num", Ty::Int),
    ("$states.context.Execution.Input", Ty::Obj),
    ("$states.context.Execution.StartTime", Ty::Ts),
    ("$states.context.State.EnteredTime", Ty::Ts),
];

/// A read of the input of type `want` (a missing one at the undefined rate).
pub(crate) fn input(r: &mut Rng, want: Ty) -> Result<&'static str> {
    if r.chance(r.cfg.undefined_rate)? {
        return r.pick(MISSING, ".nokey");
    }
    let fitting: Vec<&'static str> = INPUT.iter().filter(|(_, t)| t.fits(want)).map(|(p, _)| *p).collect();
    if fitting.is_empty() {
        return Ok(".nokey");
    }
    r.pick(&fitting, ".num")
}

/// The type of an input read, for variables assigned from it.
fn input_ty(suffix: &str) -> Ty {
    INPUT.iter().find(|(p, _)| *p == suffix).map(|(_, t)| *t).unwrap_or(Ty::Any)
}

/// A leaf of type `want`: input, variable, context, result or error output.
fn leaf(r: &mut Rng, want: Ty, src: Src) -> Result<JExpr> {
    if let Some(ty) = src.result {
        if ty.fits(want) && r.chance(40)? {
            return Ok(JExpr::States("$states.result"));
        }
    }
    if src.error && r.chance(40)? {
        if want.fits(Ty::Str) || want == Ty::Any {
            return Ok(JExpr::States(r.pick(&["$states.errorOutput.Error", "$states.errorOutput.Cause"], "")?));
        }
        if want == Ty::Obj {
            return Ok(JExpr::States("$states.errorOutput"));
        }
    }
    if src.item && r.chance(40)? {
        if Ty::Int.fits(want) {
            return Ok(JExpr::States("$states.context.Map.Item.Index"));
        }
        if want == Ty::Any {
            return Ok(JExpr::States("$states.context.Map.Item.Value"));
        }
    }
    if r.cfg.has(PathFeature::Variables) && r.chance(12)? {
        let fallback = input(r, want)?;
        return Ok(JExpr::Var { sel: r.byte()?, ty: want, fallback });
    }
    if r.cfg.has(PathFeature::Context) && r.chance(10)? {
        let fitting: Vec<&'static str> = CONTEXT.iter().filter(|(_, t)| t.fits(want)).map(|(p, _)| *p).collect();
        if !fitting.is_empty() {
            return Ok(JExpr::States(r.pick(&fitting, "$states.context.State.Name")?));
        }
    }
    Ok(JExpr::Input(input(r, want)?))
}

fn literal(r: &mut Rng, want: Ty) -> Result<Option<Value>> {
    Ok(Some(match want {
        Ty::Int | Ty::Num => json!(r.range(0, 12)? as i64 - 3),
        Ty::Str | Ty::Any => {
            r.pick(&[json!("a"), json!("hello"), json!("x,y"), json!(""), json!("$.lit")], json!("a"))?
        }
        Ty::Bool => json!(r.chance(50)?),
        Ty::Null => Value::Null,
        _ => return Ok(None),
    }))
}

fn bin(op: &'static str, a: JExpr, b: JExpr) -> JExpr {
    JExpr::Bin(op, Box::new(a), Box::new(b))
}

/// An array of numbers with at least two elements (so `$map` keeps it an array).
fn numbers(r: &mut Rng, d: u8, src: Src) -> Result<JExpr> {
    Ok(match r.below(3)? {
        0 => JExpr::Input(if r.chance(r.cfg.undefined_rate)? { ".nokey" } else { ".arr" }),
        1 => {
            let a = r.range(0, 3)?;
            let b = a + r.range(1, 6)?;
            JExpr::Call("$range", vec![JExpr::Lit(json!(a)), JExpr::Lit(json!(b)), JExpr::Lit(json!(r.range(1, 2)?))])
        }
        _ => JExpr::Array(vec![expr(r, Ty::Int, d, src)?, expr(r, Ty::Int, d, src)?]),
    })
}

/// An expression of type `want`, nested at most `depth` deep.
pub(crate) fn expr(r: &mut Rng, want: Ty, depth: u8, src: Src) -> Result<JExpr> {
    if depth > 0 && r.chance(40)? {
        if let Some(e) = compound(r, want, depth - 1, src)? {
            return Ok(e);
        }
    }
    if r.chance(25)? {
        if let Some(v) = literal(r, want)? {
            return Ok(JExpr::Lit(v));
        }
    }
    leaf(r, want, src)
}

/// An operator or function call giving `want` (None: none fits).
fn compound(r: &mut Rng, want: Ty, d: u8, src: Src) -> Result<Option<JExpr>> {
    let want = if want == Ty::Any { r.pick(&[Ty::Int, Ty::Str, Ty::Bool, Ty::Arr, Ty::Obj], Ty::Int)? } else { want };
    Ok(Some(match want {
        Ty::Int | Ty::Num => match r.below(6)? {
            0 => {
                let op = r.pick(&["+", "-", "*"], "+")?;
                bin(op, expr(r, Ty::Int, d, src)?, expr(r, Ty::Int, d, src)?)
            }
            1 => JExpr::Call("$count", vec![expr(r, Ty::Arr, d, src)?]),
            2 => JExpr::Call("$sum", vec![numbers(r, d, src)?]),
            3 => JExpr::Cond(
                Box::new(expr(r, Ty::Bool, d, src)?),
                Box::new(expr(r, Ty::Int, d, src)?),
                Box::new(expr(r, Ty::Int, d, src)?),
            ),
            4 => JExpr::Call("$length", vec![expr(r, Ty::Str, d, src)?]),
            // AWS's seeded `$random(seed)`: the same number for the same seed.
            _ => {
                let random = JExpr::Call("$random", vec![JExpr::Lit(json!(r.range(0, 99)?))]);
                JExpr::Call("$floor", vec![bin("*", random, JExpr::Lit(json!(10)))])
            }
        },
        Ty::Str => match r.below(5)? {
            0 => bin("&", expr(r, Ty::Any, d, src)?, expr(r, Ty::Any, d, src)?),
            1 => JExpr::Call("$string", vec![expr(r, Ty::Any, d, src)?]),
            2 => {
                let alg = r.pick(&["SHA-256", "MD5", "SHA-1", "SHA-384", "SHA-512"], "MD5")?;
                JExpr::Call("$hash", vec![expr(r, Ty::Str, d, src)?, JExpr::Lit(json!(alg))])
            }
            3 => JExpr::Cond(
                Box::new(expr(r, Ty::Bool, d, src)?),
                Box::new(expr(r, Ty::Str, d, src)?),
                Box::new(expr(r, Ty::Str, d, src)?),
            ),
            _ => JExpr::Call("$uppercase", vec![expr(r, Ty::Str, d, src)?]),
        },
        Ty::Bool => match r.below(5)? {
            0 => {
                let op = r.pick(&["<", "<=", ">", ">=", "=", "!="], "<")?;
                bin(op, expr(r, Ty::Int, d, src)?, expr(r, Ty::Int, d, src)?)
            }
            1 => bin(r.pick(&["=", "!="], "=")?, expr(r, Ty::Str, d, src)?, expr(r, Ty::Str, d, src)?),
            2 => JExpr::Call("$exists", vec![expr(r, Ty::Any, d, src)?]),
            3 => bin(r.pick(&["and", "or"], "and")?, expr(r, Ty::Bool, d, src)?, expr(r, Ty::Bool, d, src)?),
            _ => JExpr::Call("$not", vec![expr(r, Ty::Bool, d, src)?]),
        },
        Ty::Arr => match r.below(5)? {
            0 => JExpr::Call("$partition", vec![expr(r, Ty::Arr, d, src)?, JExpr::Lit(json!(r.range(1, 3)?))]),
            1 => numbers(r, d, src)?,
            2 => JExpr::MapFn(Box::new(numbers(r, d, src)?), r.pick(&["*", "+"], "*")?, i64::from(r.range(1, 3)?)),
            3 => JExpr::Array(vec![expr(r, Ty::Str, d, src)?, expr(r, Ty::Int, d, src)?]),
            _ => JExpr::Call("$append", vec![expr(r, Ty::Arr, d, src)?, expr(r, Ty::Arr, d, src)?]),
        },
        Ty::Obj => match r.below(3)? {
            0 => JExpr::Object(vec![("k".into(), expr(r, Ty::Any, d, src)?), ("n".into(), expr(r, Ty::Int, d, src)?)]),
            1 => JExpr::Call(
                "$merge",
                vec![JExpr::Array(vec![
                    expr(r, Ty::Obj, d, src)?,
                    JExpr::Object(vec![("m".into(), expr(r, Ty::Any, d, src)?)]),
                ])],
            ),
            _ => JExpr::Call("$parse", vec![JExpr::Call("$string", vec![expr(r, Ty::Obj, d, src)?])]),
        },
        Ty::Json => JExpr::Call("$string", vec![expr(r, Ty::Obj, d, src)?]),
        _ => return Ok(None),
    }))
}

/// The type an expression gives (what a variable assigned from it holds).
pub(crate) fn ty(e: &JExpr) -> Ty {
    match e {
        JExpr::Lit(v) => crate::build::ty_of(v),
        JExpr::Input(p) => input_ty(p),
        JExpr::Var { ty, .. } => *ty,
        JExpr::States(p) => match *p {
            "$states.context.Map.Item.Index" | "$states.context.Execution.Input.num" => Ty::Int,
            "$states.errorOutput" | "$states.context.Execution.Input" => Ty::Obj,
            p if p.starts_with("$states.errorOutput.") || p.ends_with(".Name") => Ty::Str,
            p if p.ends_with("Time") => Ty::Ts,
            _ => Ty::Any,
        },
        JExpr::Bin(op, ..) => match *op {
            "+" | "-" | "*" => Ty::Int,
            "&" => Ty::Str,
            _ => Ty::Bool,
        },
        JExpr::Cond(_, a, _) => ty(a),
        JExpr::Call(name, _) => match *name {
            "$count" | "$sum" | "$length" | "$floor" => Ty::Int,
            "$string" | "$hash" | "$uppercase" => Ty::Str,
            "$exists" | "$not" => Ty::Bool,
            "$partition" | "$range" | "$append" => Ty::Arr,
            "$merge" | "$parse" => Ty::Obj,
            _ => Ty::Any,
        },
        JExpr::MapFn(..) | JExpr::Array(_) => Ty::Arr,
        JExpr::Object(_) => Ty::Obj,
    }
}

/// A JSONata string literal: JSON's double-quoted form (JSONata reads JSON's escapes, and no
/// `\'`).
pub fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// The expression's text; `vars` are the variables visible where it is evaluated.
pub(crate) fn render(e: &JExpr, vars: &[(String, Ty)]) -> String {
    let list = |xs: &[JExpr]| xs.iter().map(|x| render(x, vars)).collect::<Vec<_>>().join(", ");
    match e {
        JExpr::Lit(Value::String(s)) => quote(s),
        JExpr::Lit(v) => v.to_string(),
        JExpr::Input(p) => format!("$states.input{p}"),
        JExpr::Var { sel, ty, fallback } => {
            let fit: Vec<&String> = vars.iter().filter(|(_, t)| t.fits(*ty)).map(|(n, _)| n).collect();
            match fit.get(usize::from(*sel) % fit.len().max(1)) {
                Some(name) => format!("${name}"),
                None => format!("$states.input{fallback}"),
            }
        }
        JExpr::States(p) => p.to_string(),
        JExpr::Bin(op, a, b) => format!("({} {op} {})", render(a, vars), render(b, vars)),
        JExpr::Cond(c, a, b) => format!("({} ? {} : {})", render(c, vars), render(a, vars), render(b, vars)),
        JExpr::Call(name, args) => format!("{name}({})", list(args)),
        JExpr::MapFn(a, op, k) => format!("$map({}, function($e) {{ $e {op} {k} }})", render(a, vars)),
        JExpr::Array(xs) => format!("[{}]", list(xs)),
        JExpr::Object(kv) => {
            let entries: Vec<String> = kv.iter().map(|(k, v)| format!("{}: {}", quote(k), render(v, vars))).collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

/// `{% text %}`.
pub fn wrap(text: &str) -> Value {
    json!(format!("{{% {text} %}}"))
}

/// A field value as JSON.
pub(crate) fn render_val(v: &JVal, vars: &[(String, Ty)]) -> Value {
    match v {
        JVal::Lit(v) => v.clone(),
        JVal::Expr(e) => wrap(&render(e, vars)),
        JVal::Obj(kv) => Value::Object(kv.iter().map(|(k, v)| (k.clone(), render_val(v, vars))).collect::<Map<_, _>>()),
    }
}

/// The type a field value gives.
pub(crate) fn val_ty(v: &JVal) -> Ty {
    match v {
        JVal::Lit(v) => crate::build::ty_of(v),
        JVal::Expr(e) => ty(e),
        JVal::Obj(_) => Ty::Obj,
    }
}

/// An object of 1..=max entries (`f0`, `f1`...), literals or expressions, maybe nested once.
pub(crate) fn object(r: &mut Rng, src: Src, nested: bool) -> Result<Vec<(String, JVal)>> {
    let n = r.range(1, u32::from(r.cfg.max_template_entries.max(1)))?;
    let mut out = Vec::new();
    for i in 0..n {
        let v = match r.below(5)? {
            0 => JVal::Lit(literal(r, Ty::Any)?.unwrap_or(Value::Null)),
            1 if nested => JVal::Obj(object(r, src, false)?),
            2 => JVal::Lit(r.pick(&[json!("$.literal"), json!([1, "{x}"]), json!({"a": 1}), json!(7)], json!(1))?),
            _ => value(r, src)?,
        };
        out.push((format!("f{i}"), v));
    }
    Ok(out)
}

/// An expression value of a random type (literals stay JSON).
pub(crate) fn value(r: &mut Rng, src: Src) -> Result<JVal> {
    let ty = r.pick(&[Ty::Int, Ty::Str, Ty::Obj, Ty::Arr, Ty::Bool, Ty::Any], Ty::Int)?;
    let depth = r.cfg.max_expr_depth;
    Ok(match expr(r, ty, depth, src)? {
        JExpr::Lit(v) => JVal::Lit(v),
        e => JVal::Expr(e),
    })
}

/// `$merge([$states.input, {key: e}])`: the record with one more field, so later reads of the
/// record still find theirs.
pub(crate) fn merged(key: &str, e: JExpr) -> JExpr {
    JExpr::Call("$merge", vec![JExpr::Array(vec![JExpr::Input(""), JExpr::Object(vec![(key.to_string(), e)])])])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_operators_calls_and_lambdas() {
        let e = JExpr::Cond(
            Box::new(bin("<", JExpr::Input(".num"), JExpr::Lit(json!(3)))),
            Box::new(JExpr::Call("$sum", vec![JExpr::MapFn(Box::new(JExpr::Input(".arr")), "*", 2)])),
            Box::new(JExpr::Var { sel: 1, ty: Ty::Int, fallback: ".pos" }),
        );
        let vars = vec![("v1".to_string(), Ty::Int), ("v2".to_string(), Ty::Str), ("v3".to_string(), Ty::Int)];
        assert_eq!(
            render(&e, &vars),
            "(($states.input.num < 3) ? $sum($map($states.input.arr, function($e) { $e * 2 })) : $v3)"
        );
        assert_eq!(render(&merged("p", JExpr::Lit(json!("it's"))), &[]), "$merge([$states.input, {\"p\": \"it's\"}])");
    }
}
