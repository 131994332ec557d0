//! `cargo xtask <command>`: the entry points users type.

mod conformance;
mod corpus;
mod engines;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the conformance corpus on an engine and write a report.
    Conformance(conformance::Args),
    /// Render a report's index.html in headless Chromium and check its tables are drawn.
    ReportCheck(conformance::CheckArgs),
    /// Work with the corpus: check, build, stats.
    Corpus {
        #[command(subcommand)]
        command: corpus::Command,
    },
}

/// The workspace root (xtask sits one level below it).
pub fn root() -> PathBuf {
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
        Command::Conformance(args) => conformance::run(args),
        Command::ReportCheck(args) => conformance::report_check(args),
        Command::Corpus { command } => corpus::run(command),
    }
}

pub fn unix_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
