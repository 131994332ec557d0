//! # asl-conformance
//!
//! The conformance harness: corpus cases (a language-neutral JSON format), engines that run
//! them, the comparator that judges results, and the summary a run prints. The `aslcheck`
//! binary exposes the reference interpreter on the command line.

pub mod case;
pub mod cli;
pub mod compare;
pub mod differential;
pub mod engine;
pub mod expectations;
pub mod features;
pub mod generated;
pub mod process;
pub mod report;
pub mod serve;
pub mod suite;
pub mod teststate;
