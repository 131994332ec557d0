//! # asl-generators
//!
//! proptest strategies for ASL. Today: arbitrary JSON values and JSON shaped like state machine
//! definitions, used to show that the parser, validator and interpreter never panic. The
//! valid-by-construction machine generators of DESIGN section 6 build on these.

pub mod json;
