//! [`Evaluator`] on the `jlens-core` crate (chosen by measurement: ARCHITECTURE.md, "JSONata").

use super::engine::{Bindings, Compiled, Error, Evaluator, Function};
use jlens_core::ast::{FallbackOp, Node, NodeKind};
use serde_json::Value;
use std::sync::{Arc, Mutex, OnceLock};

/// The `jlens-core` evaluator, restricted to the JSONata 2.0.6 dialect.
#[derive(Debug, Default, Clone, Copy)]
pub struct Jlens;

#[derive(Debug)]
struct Expression(jlens_core::Expression);

impl Evaluator for Jlens {
    fn name(&self) -> &'static str {
        "jlens-core 0.26.0"
    }

    fn compile(&self, source: &str) -> Result<Arc<dyn Compiled>, Error> {
        let expr = jlens_core::Expression::compile(source).map_err(convert)?;
        refuse_newer_syntax(&expr)?;
        Ok(Arc::new(Expression(expr)))
    }
}

/// `?:` and `??` arrived in JSONata 2.1.0. jsonata@2.0.6 reads `a ?: b` as a condition whose
/// `then` starts with `:`, and `a ?? b` as one whose `then` starts with `?`: both S0211.
fn refuse_newer_syntax(expr: &jlens_core::Expression) -> Result<(), Error> {
    let mut found = None;
    expr.ast().root.walk(&mut |node| {
        if let (NodeKind::Fallback { op, lhs, .. }, None) = (&node.kind, &found) {
            // The operator's second character is where 2.0.6 stops.
            found = Some((*op, lhs.span.end));
        }
    });
    let Some((op, after_lhs)) = found else { return Ok(()) };
    let source = expr.source();
    let op_at = source[after_lhs..].find('?').map_or(after_lhs, |i| after_lhs + i);
    let symbol = match op {
        FallbackOp::Default => ":",
        FallbackOp::Coalesce => "?",
    };
    let mut e = Error::new("S0211", format!("The symbol \"{symbol}\" cannot be used as a unary operator"));
    e.position = Some(source[..op_at].chars().count() + 2);
    Err(e)
}

impl Compiled for Expression {
    fn source(&self) -> &str {
        self.0.source()
    }

    fn top_level_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        top_names(&self.0.ast().root, true, &mut out);
        out
    }

    fn evaluate(&self, input: Option<&Value>, b: &Bindings) -> Result<Option<Value>, Error> {
        let mut bindings = function_table(b.functions)?;
        for (name, value) in &b.vars {
            bindings = bindings.var(*name, (*value).clone());
        }
        let mut options = jlens_core::Options::new()
            .max_depth(b.limits.max_depth)
            .max_steps(b.limits.max_steps)
            .max_array_length(b.limits.max_array_length);
        if let Some(now) = b.now_millis {
            options = options.now(now);
        }
        self.0.evaluate_with(input, &bindings, &options).map_err(convert)
    }
}

/// Names a node reads from the context item when `top` (it is evaluated against the
/// expression's own input): the first step of a path, operands, arguments, constructors.
/// Later path steps, filters, sort terms, lambda bodies and transforms read other contexts.
fn top_names(node: &Node, top: bool, out: &mut Vec<String>) {
    match &node.kind {
        NodeKind::Name { name } if top && !out.contains(name) => out.push(name.clone()),
        // `$` (the context) and `$$` (the root) at the top level read the absent input too.
        NodeKind::Variable { name } if top && (name.is_empty() || name == "$") => {
            let shown = format!("${name}");
            if !out.contains(&shown) {
                out.push(shown);
            }
        }
        NodeKind::Path { steps, .. } => {
            for (i, step) in steps.iter().enumerate() {
                top_names(step, top && i == 0, out);
            }
            return;
        }
        NodeKind::Lambda(_) | NodeKind::Transform(_) | NodeKind::Sort { .. } => {
            node.for_each_child(|c| top_names(c, false, out));
            return;
        }
        _ => {}
    }
    let stages = node.attrs.stages.len() + node.attrs.predicate.len();
    if stages == 0 && node.attrs.group.is_none() {
        node.for_each_child(|c| top_names(c, top, out));
        return;
    }
    // Filters and group-by terms read the items they filter: walk the node's own operands at
    // this level and the rest below it.
    let mut own = Vec::new();
    node.for_each_child(|c| own.push(c));
    let operands = own.len().saturating_sub(stages + node.attrs.group.as_ref().map_or(0, |g| g.pairs.len() * 2));
    for (i, c) in own.into_iter().enumerate() {
        top_names(c, top && i < operands, out);
    }
}

/// The host functions of a table, converted once per table (tables are `'static`, so their
/// address identifies them): parsing signatures on every evaluation cost more than most
/// expressions.
fn function_table(table: &'static [(&'static str, Option<Function>)]) -> Result<jlens_core::Bindings, Error> {
    type Cache = Mutex<Vec<(usize, jlens_core::Bindings)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = table.as_ptr() as usize;
    let cache = CACHE.get_or_init(Cache::default);
    if let Some((_, b)) = cache.lock().unwrap_or_else(|e| e.into_inner()).iter().find(|(k, _)| *k == key) {
        return Ok(b.clone());
    }
    let mut bindings = jlens_core::Bindings::new();
    for (name, f) in table {
        bindings = match f {
            Some(f) => {
                let body = f.body.clone();
                let host = jlens_core::HostFunction::with_signature(f.signature, move |args, _call| {
                    body(args).map_err(|e| jlens_core::Error::new(e.code).with("message", e.message))
                })
                .map_err(convert)?
                .without_input();
                bindings.function(*name, host)
            }
            // A variable that is not a function: calling it is T1006, as `$eval` on AWS.
            None => bindings.var(*name, Value::Null),
        };
    }
    cache.lock().unwrap_or_else(|e| e.into_inner()).push((key, bindings.clone()));
    Ok(bindings)
}

fn convert(e: jlens_core::Error) -> Error {
    Error { code: e.code().to_string(), message: e.message(), position: e.position() }
}
