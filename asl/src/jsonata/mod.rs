//! JSONata mode: the evaluator seam ([`engine`]), the evaluator the reference uses, AWS's own
//! functions ([`functions`]), and field values with `{% %}` expressions ([`field`]).
//!
//! AWS runs the JSONata 2.0.6 dialect
//! (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).

pub mod engine;
pub mod field;
pub mod functions;
mod jlens;

pub use engine::{Bindings, Compiled, Error, Evaluator, Function, Limits};
pub use field::{Expected, Field, Scope};
pub use jlens::Jlens;

/// The evaluator the reference interpreter uses (chosen by measurement: ARCHITECTURE.md).
pub fn evaluator() -> &'static dyn Evaluator {
    &Jlens
}
