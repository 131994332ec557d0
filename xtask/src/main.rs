//! `cargo xtask <command>`: the entry points users type.

use anyhow::{bail, Result};
use asl_conformance::engine::Reference;
use asl_conformance::suite::{self, Class, Selection};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum EngineKind {
    Reference,
}

#[derive(Subcommand)]
enum Command {
    /// Run the conformance corpus on an engine and write a report.
    Conformance {
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
    },
}

fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn real_main() -> Result<ExitCode> {
    match Cli::parse().command {
        Command::Conformance { engine: EngineKind::Reference, filter, features, corpus, report } => {
            conformance(filter, features, corpus, report)
        }
    }
}

fn conformance(
    filters: Vec<String>,
    features: Vec<String>,
    corpus: Vec<PathBuf>,
    report: Option<PathBuf>,
) -> Result<ExitCode> {
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
    for r in results.iter().filter(|r| r.class == Class::Fail) {
        println!("FAIL {} ({})", r.id, r.file.display());
        for d in &r.diffs {
            println!("    {d}");
        }
    }
    print!("{}", suite::summary_table(&results));
    println!("{} cases in {:.2?}; report: {}", total, started.elapsed(), report.display());
    let failed = results.iter().filter(|r| r.class == Class::Fail).count();
    Ok(if failed == 0 && errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
