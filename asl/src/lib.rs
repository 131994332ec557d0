//! # asl
//!
//! The Amazon States Language: a model of state machine definitions, a validator that rejects
//! what CreateStateMachine rejects, and a reference interpreter that is exact about AWS Step
//! Functions semantics (JSONPath mode).
//!
//! The crate does no I/O and nothing async. Time comes only from the virtual clock an execution
//! is given and randomness only from a seeded source, so every run is reproducible.

pub mod behaviour;
pub mod choice;
pub mod context;
pub mod diagnostic;
pub mod error;
mod fields;
pub mod history;
pub mod interp;
pub mod intrinsics;
pub mod jsonata;
pub mod model;
pub mod path;
pub mod random;
pub mod retry;
pub mod template;
pub mod timestamp;
pub mod validate;

pub use behaviour::Behaviours;
pub use context::ExecutionContext;
pub use diagnostic::{Diagnostic, Location};
pub use error::Failure;
pub use interp::{run, RunOptions, RunResult, Status};
pub use model::StateMachine;
pub use validate::{check, check_str};
