//! `cargo xtask conformance`: run the corpus on an engine, print a summary, write a report.

use crate::{root, unix_seconds};
use anyhow::{bail, Result};
use asl_conformance::engine::Reference;
use asl_conformance::suite::{self, Selection};
use clap::ValueEnum;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Clone, Copy, ValueEnum)]
pub enum EngineKind {
    Reference,
}

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value = "reference")]
    engine: EngineKind,
    /// Run only cases whose id contains this text (repeatable).
    #[arg(long)]
    filter: Vec<String>,
    /// Run only cases tagged with these feature ids or prefixes (comma separated).
    #[arg(long, value_delimiter = ',')]
    features: Vec<String>,
    /// Corpus folders to run (repeatable); default: corpus/cases.
    #[arg(long)]
    corpus: Vec<PathBuf>,
    /// Where to write the report; default: reports/<run-id>.
    #[arg(long)]
    report: Option<PathBuf>,
}

/// `cargo xtask conformance`.
pub fn run(args: Args) -> Result<ExitCode> {
    let Args { engine: EngineKind::Reference, filter: filters, features, corpus, report } = args;
    let root = root();
    let dirs = if corpus.is_empty() { vec![root.join("corpus/cases")] } else { corpus };
    let (cases, errors) = suite::load(&dirs, &Selection { filters, features });
    for e in &errors {
        eprintln!("corpus error: {e}");
    }
    if cases.is_empty() {
        bail!("no cases selected");
    }
    let run_id = format!("{}-reference", unix_seconds());
    let report = report.unwrap_or_else(|| root.join("reports").join(run_id));
    let mut engine = Reference;
    let started = Instant::now();
    let total = cases.len();
    let mut done = 0usize;
    let results = suite::run_all(&mut engine, &cases, Some(&report), |_| {
        done += 1;
        if done % 50 == 0 || done == total {
            eprint!("\r{done}/{total} cases");
        }
    })?;
    eprintln!();
    suite::write_summary(&report, "reference", &results)?;
    for r in results.iter().filter(|r| r.class.is_failure()) {
        println!("FAIL {} ({})", r.id, r.file.display());
        for d in &r.diffs {
            println!("    {d}");
        }
    }
    print!("{}", suite::summary_table(&results));
    println!("{} cases in {:.2?}; report: {}", total, started.elapsed(), report.display());
    let failed = results.iter().filter(|r| r.class.is_failure()).count();
    Ok(if failed == 0 && errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
