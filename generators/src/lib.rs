//! # asl-generators
//!
//! Generators of ASL state machines for property tests and fuzzing (DESIGN section 6).
//!
//! - [`json`]: arbitrary JSON and definition-shaped JSON (never-panics properties).
//! - [`generate`] / [`strategy`]: state machines that are valid by construction, with inputs
//!   shaped to the paths they read and scripted task behaviours. One core serves both: a machine
//!   is built from a header and a list of construction [`steps`], each drawn from bytes, so
//!   proptest shrinks by deleting steps and zeroing their bytes, and cargo-fuzz feeds bytes.
//! - [`jsonata`] / [`jsonata_states`]: JSONata-mode states and their `{% %}` expressions, for
//!   `GenConfig::query_language` JSONata (top-level) or mixed (per-state `QueryLanguage`).
//! - [`laws`]: transformations for metamorphic properties, among them the mechanical JSONata
//!   translation of a JSONPath machine.
//! - [`coverage`]: the feature ids (corpus/features.txt) a definition exercises.

mod build;
pub mod config;
pub mod coverage;
mod input;
pub mod json;
pub mod jsonata;
pub mod jsonata_states;
pub mod laws;
pub mod steps;
pub mod vocab;

use arbitrary::Unstructured;
use proptest::prelude::*;
use serde_json::Value;
use std::sync::Arc;

pub use config::{GenConfig, PathFeature, QueryLanguageMix, StateKind};
pub use coverage::features_of;

/// A generated machine, its input and its Task behaviours (the `behaviours` JSON that
/// `asl::Behaviours::from_json` and `aslcheck run --behaviours` read).
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub definition: Value,
    pub input: Value,
    pub behaviours: Value,
    /// Construction steps the machine was built from.
    pub steps: usize,
}

/// Builds a machine from bytes (the `arbitrary` / cargo-fuzz entry point).
pub fn generate(config: &GenConfig, u: &mut Unstructured) -> arbitrary::Result<Generated> {
    let mut r = steps::Rng { cfg: config, u };
    let header = steps::Header::generate(&mut r)?;
    let n = r.range(0, u32::try_from(config.max_steps).unwrap_or(u32::MAX))? as usize;
    let mut list = Vec::with_capacity(n);
    for _ in 0..n {
        list.push(steps::BuildStep::generate(&mut r)?);
    }
    let input = input::record(&mut r, config.max_depth)?;
    Ok(assemble(config, &header, &list, input))
}

fn assemble(config: &GenConfig, header: &steps::Header, list: &[steps::BuildStep], input: Value) -> Generated {
    let built = build::build(config, header, list);
    Generated { definition: built.definition, input, behaviours: built.behaviours, steps: list.len() }
}

/// Builds a machine from a header's bytes, one byte string per step, and the input's bytes.
/// Exhausted bytes read as zeros, so any byte strings give a machine.
pub fn from_parts(config: &GenConfig, header: &[u8], steps: &[Vec<u8>], input: &[u8]) -> Generated {
    let mut u = Unstructured::new(header);
    let header = steps::Header::generate(&mut steps::Rng { cfg: config, u: &mut u }).unwrap_or(steps::Header {
        terminal: steps::Terminal::End,
        timeout_seconds: None,
        comment: false,
    });
    let list: Vec<steps::BuildStep> = steps
        .iter()
        .take(config.max_steps)
        .filter_map(|bytes| {
            steps::BuildStep::generate(&mut steps::Rng { cfg: config, u: &mut Unstructured::new(bytes) }).ok()
        })
        .collect();
    let mut u = Unstructured::new(input);
    let input = input::record(&mut steps::Rng { cfg: config, u: &mut u }, config.max_depth)
        .unwrap_or_else(|_| Value::Object(Default::default()));
    assemble(config, &header, &list, input)
}

/// A proptest strategy over generated machines. Shrinking removes steps, then simplifies what
/// is left (bytes toward zero = the simplest choice at every draw).
pub fn strategy(config: GenConfig) -> impl Strategy<Value = Generated> {
    let cfg = Arc::new(config);
    let max = cfg.max_steps;
    (
        prop::collection::vec(any::<u8>(), 12),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..=max),
        prop::collection::vec(any::<u8>(), 0..128),
    )
        .prop_map(move |(h, s, i)| from_parts(&cfg, &h, &s, &i))
}

/// A strategy over configurations (swarm testing) from `GenConfig`'s `Arbitrary`. The bytes
/// cover every draw (the feature subsets alone take some 75), so no field is stuck at the
/// exhausted-input minimum.
pub fn config_strategy() -> impl Strategy<Value = GenConfig> {
    prop::collection::vec(any::<u8>(), 192)
        .prop_map(|bytes| arbitrary::Arbitrary::arbitrary(&mut Unstructured::new(&bytes)).unwrap_or_default())
}

/// Machines under random configurations: a swarm config, then a machine under it.
pub fn swarm_strategy() -> impl Strategy<Value = (GenConfig, Generated)> {
    config_strategy().prop_flat_map(|cfg| (Just(cfg.clone()), strategy(cfg)))
}
