//! Engine selection shared by the commands that run cases (`conformance`, `differential`).

use crate::root;
use anyhow::{bail, Context, Result};
use asl_conformance::engine::{Engine, Reference};
use asl_conformance::process::{split_command, ProcessEngine};
use clap::ValueEnum;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

#[derive(Clone, Copy, ValueEnum)]
pub enum EngineKind {
    /// The `asl` reference interpreter, in process.
    Reference,
    /// A program speaking conformance/PROTOCOL.md on stdin/stdout (`--cmd`).
    Process,
}

#[derive(clap::Args)]
pub struct EngineArgs {
    #[arg(long, value_enum, default_value = "reference")]
    pub engine: EngineKind,
    /// The engine's command line, for `--engine process`. A bare `aslcheck` (e.g.
    /// "aslcheck serve") means this workspace's binary, built in release mode when needed.
    #[arg(long)]
    pub cmd: Option<String>,
    /// Seconds a process engine may take to answer one request.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
}

/// The engine of a run, concrete so a process engine's declared features can skip cases.
pub enum Chosen {
    Reference(Reference),
    Process(Box<ProcessEngine>),
}

impl Chosen {
    pub fn start(args: &EngineArgs) -> Result<Chosen> {
        match args.engine {
            EngineKind::Reference => Ok(Chosen::Reference(Reference)),
            EngineKind::Process => {
                let Some(cmd) = args.cmd.as_deref() else { bail!("--engine process needs --cmd \"<command line>\"") };
                if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 86_400.0) {
                    bail!("--timeout must be a number of seconds between 0 and 86400");
                }
                let cmd = resolve_aslcheck(cmd)?;
                let engine = ProcessEngine::spawn(&cmd, Duration::from_secs_f64(args.timeout))?;
                Ok(Chosen::Process(Box::new(engine)))
            }
        }
    }

    pub fn engine(&mut self) -> &mut dyn Engine {
        match self {
            Chosen::Reference(e) => e,
            Chosen::Process(e) => e.as_mut(),
        }
    }

    /// Why the engine cannot run a case with these features (it declared them unsupported); a
    /// snapshot that does not borrow the engine.
    pub fn skip_rule(&self) -> impl Fn(&[String]) -> Option<String> {
        let support = match self {
            Chosen::Reference(_) => None,
            Chosen::Process(p) => Some(p.feature_support()),
        };
        move |features| support.as_ref().and_then(|s| s.unsupported_reason(features))
    }
}

/// `aslcheck ...` with no `aslcheck` on PATH runs this workspace's binary: built once in
/// release mode, so engine speed is not debug-build speed.
fn resolve_aslcheck(cmd: &str) -> Result<String> {
    let argv = split_command(cmd)?;
    if argv.first().map(String::as_str) != Some("aslcheck") || on_path("aslcheck") {
        return Ok(cmd.to_string());
    }
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--quiet", "--release", "-p", "asl-conformance", "--bin", "aslcheck"])
        .current_dir(root())
        .status()
        .context("building aslcheck")?;
    if !status.success() {
        bail!("building aslcheck failed ({status})");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let bin = target.join("release/aslcheck");
    let quoted = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let rest: Vec<String> = argv[1..].iter().map(|a| quoted(a)).collect();
    Ok(format!("{} {}", quoted(&bin.to_string_lossy()), rest.join(" ")))
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d: PathBuf| d.join(program).is_file()))
        .unwrap_or(false)
}
