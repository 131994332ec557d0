//! `aslcheck`: run and validate state machines on the reference interpreter.

use anyhow::{Context, Result};
use asl::{Behaviours, ExecutionContext, RunOptions};
use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "aslcheck", version, about = "Amazon States Language reference interpreter and conformance tools")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one state machine on the reference interpreter and print one JSON result object.
    Run {
        /// The definition (ASL JSON file).
        definition: PathBuf,
        /// The execution input (JSON file); default `{}`.
        #[arg(long)]
        input: Option<PathBuf>,
        /// A context object (`{"Execution": {...}, "StateMachine": {...}}`) for `$$`.
        #[arg(long)]
        context: Option<PathBuf>,
        /// Scripted task behaviours (JSON file keyed by state name).
        #[arg(long)]
        behaviours: Option<PathBuf>,
        /// Seed for jitter, UUIDs and random numbers.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Leave the history out of the result.
        #[arg(long)]
        no_history: bool,
    },
    /// Validate a definition: print diagnostics, exit 0 when valid, 2 when not (as `run`).
    Validate { definition: PathBuf },
    /// Serve the reference interpreter over the engine protocol (conformance/PROTOCOL.md):
    /// JSON lines on stdin and stdout, until `bye` or end of input.
    Serve,
}

fn main() -> ExitCode {
    asl_conformance::cli::quiet_on_closed_stdout();
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("aslcheck: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn read_json(path: &Path, what: &str) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading the {what} {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("the {what} {} is not valid JSON", path.display()))
}

fn real_main() -> Result<ExitCode> {
    match Cli::parse().command {
        Command::Serve => {
            asl_conformance::serve::serve(std::io::stdin().lock(), std::io::stdout().lock())
                .context("serving the engine protocol")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { definition } => {
            let text =
                std::fs::read_to_string(&definition).with_context(|| format!("reading {}", definition.display()))?;
            let (_, diags) = asl::check_str(&text);
            let report = json!({"valid": diags.is_empty(), "diagnostics": diags});
            println!("{}", serde_json::to_string_pretty(&report)?);
            // 2, as `run` exits for a definition that does not validate.
            Ok(if diags.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) })
        }
        Command::Run { definition, input, context, behaviours, seed, no_history } => {
            let text =
                std::fs::read_to_string(&definition).with_context(|| format!("reading {}", definition.display()))?;
            let (sm, diags) = asl::check_str(&text);
            let Some(sm) = sm else {
                let report = json!({"valid": false, "file": definition.display().to_string(), "diagnostics": diags});
                eprintln!("{}", serde_json::to_string_pretty(&report)?);
                return Ok(ExitCode::from(2));
            };
            let input = match input {
                Some(p) => read_json(&p, "input")?,
                None => json!({}),
            };
            if let Some(refused) = asl_conformance::engine::refused_input(&input) {
                // As StartExecution refuses it: nothing runs.
                println!("{}", serde_json::to_string_pretty(&refused)?);
                return Ok(ExitCode::from(2));
            }
            let mut opts = RunOptions { seed, record_history: !no_history, ..RunOptions::default() };
            if let Some(p) = behaviours {
                let v = read_json(&p, "behaviours")?;
                opts.behaviours = Behaviours::from_json(&v).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            }
            if let Some(p) = context {
                let v = read_json(&p, "context")?;
                opts.context = ExecutionContext::from_json(&v).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            }
            let result = asl::run(&sm, input, &opts);
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            result.write_json(&mut out)?;
            writeln!(out)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
