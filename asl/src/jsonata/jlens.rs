//! [`Evaluator`] on the `jlens-core` crate (chosen by measurement: ARCHITECTURE.md, "JSONata").

use super::engine::{Bindings, Compiled, Error, Evaluator};
use jlens_core::ast::{FallbackOp, NodeKind};
use serde_json::Value;
use std::sync::Arc;

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
    let mut e = Error::new("S0211", format!("The symbol {symbol} cannot be used as a unary operator"));
    e.position = Some(source[..op_at].chars().count() + 2);
    Err(e)
}

impl Compiled for Expression {
    fn source(&self) -> &str {
        self.0.source()
    }

    fn evaluate(&self, input: Option<&Value>, b: &Bindings) -> Result<Option<Value>, Error> {
        let mut bindings = jlens_core::Bindings::new();
        for (name, value) in &b.vars {
            bindings = bindings.var(*name, (*value).clone());
        }
        for (name, f) in &b.functions {
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

fn convert(e: jlens_core::Error) -> Error {
    Error { code: e.code().to_string(), message: e.message(), position: e.position() }
}
