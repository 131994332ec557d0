//! `cargo xtask <command>`: the entry points users type.

mod aws;
#[cfg(feature = "aws")]
mod aws_setup;
mod bench;
mod conformance;
mod corpus;
mod differential;
mod engines;
mod expectations;
mod generators;
mod interrupt;
mod jsonata_diff;
mod teststate;

use anyhow::Result;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
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
    /// Generated machines on the reference and on an engine; disagreements are shrunk and
    /// written under corpus/pending/.
    Differential(differential::Args),
    /// What the machine generators reach (`generators stats`).
    Generators {
        #[command(subcommand)]
        command: generators::Command,
    },
    /// Known-failure files: `expectations draft --report DIR` writes one from a report.
    Expectations {
        #[command(subcommand)]
        command: expectations::Command,
    },
    /// Work with the corpus: check, build, stats, promote.
    Corpus {
        #[command(subcommand)]
        command: corpus::Command,
    },
    /// The bench workloads on several engines side by side (reports/bench/<date>/).
    Bench(bench::Args),
    /// Deploy (or --delete) the CloudFormation stack with the scripted Lambda for the sfn engine.
    #[cfg(feature = "aws")]
    AwsSetup(aws_setup::Args),
    /// Deploy the scripted Lambda stack (needs the AWS SDK: xtask runs again with it).
    #[cfg(not(feature = "aws"))]
    #[command(disable_help_flag = true)]
    AwsSetup {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// JSONata expressions on our evaluator(s) and on the npm package jsonata@2.0.6 (AWS's dialect).
    JsonataDiff(jsonata_diff::Args),
}

/// The workspace root (xtask sits one level below it).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

fn main() -> ExitCode {
    asl_conformance::cli::quiet_on_closed_stdout();
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
        Command::Differential(args) => differential::run(args),
        Command::ReportCheck(args) => conformance::report_check(args),
        Command::Corpus { command } => corpus::run(command),
        Command::Expectations { command } => expectations::run(command),
        Command::Generators { command } => generators::run(command),
        #[cfg(feature = "aws")]
        Command::AwsSetup(args) => aws_setup::run(args),
        #[cfg(not(feature = "aws"))]
        Command::AwsSetup { .. } => aws::relaunch("aws-setup"),
        Command::Bench(args) => bench::run(args),
        Command::JsonataDiff(args) => jsonata_diff::run(args),
    }
}

pub fn unix_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A progress bar on stderr when it is a terminal; otherwise (CI, a log file) a plain line on
/// stderr every few seconds (`ASLCHECK_PROGRESS_SECONDS`, default 5) until the bar is finished,
/// so a long batch is never silent. `rate` is the template field shown after the counts.
pub fn progress_bar(len: u64, rate: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        let every = std::env::var("ASLCHECK_PROGRESS_SECONDS").ok().and_then(|s| s.parse::<f64>().ok());
        let every = std::time::Duration::try_from_secs_f64(every.unwrap_or(5.0)).unwrap_or_default();
        let weak = bar.downgrade();
        std::thread::spawn(move || loop {
            std::thread::sleep(every.max(std::time::Duration::from_millis(100)));
            let Some(bar) = weak.upgrade() else { return };
            if bar.is_finished() {
                return;
            }
            let msg = bar.message();
            let extra = if msg.is_empty() { String::new() } else { format!(", {msg}") };
            eprintln!("progress: {}/{len} cases, {:.0?} elapsed{extra}", bar.position(), bar.elapsed());
        });
        return bar;
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let template = format!("{{bar:40.cyan/blue}} {{pos}}/{{len}} cases {rate} (eta {{eta}}) {{msg}}");
    let style = ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("█▉▊▋▌▍▎▏ "));
    bar
}
