//! Engine selection shared by the commands that run cases (`conformance`, `differential`).

use crate::root;
use anyhow::{bail, Context, Result};
use asl_conformance::engine::{Engine, Reference};
use asl_conformance::process::{split_command, ProcessEngine};
#[cfg(feature = "aws")]
use asl_sfn::{SfnConfig, SfnEngine};
use clap::ValueEnum;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Copy, ValueEnum)]
pub enum EngineKind {
    /// The `asl` reference interpreter, in process.
    Reference,
    /// A program speaking conformance/PROTOCOL.md on stdin/stdout (`--cmd`).
    Process,
    /// A Step Functions API endpoint: an emulator at `--endpoint-url`, or AWS with `--aws`.
    Sfn,
}

#[derive(clap::Args)]
pub struct EngineArgs {
    #[arg(long, value_enum, default_value = "reference")]
    pub engine: EngineKind,
    /// The engine's command line, for `--engine process`. A bare `aslcheck` (e.g.
    /// "aslcheck serve") means this workspace's binary, built in release mode when needed.
    #[arg(long)]
    pub cmd: Option<String>,
    /// Seconds a process engine may take to answer one request; for `--engine sfn`, the
    /// longest a case may run (cases that need more real time are skipped).
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// `--engine sfn`: the emulator's URL (moto, LocalStack, Step Functions Local).
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// `--engine sfn`: the AWS region (default: from the environment; us-east-1 for emulators).
    #[arg(long)]
    pub region: Option<String>,
    /// `--engine sfn`: the IAM role executions run as (required on AWS).
    #[arg(long)]
    pub role_arn: Option<String>,
    /// `--engine sfn` without `--endpoint-url`: yes, run on real AWS (it costs money). Or set
    /// ASLCHECK_AWS=1.
    #[arg(long)]
    pub aws: bool,
    /// `--engine sfn`: cases in flight at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// `--engine sfn`: the engine's name in reports and expectations (default: asked of the
    /// endpoint: moto, localstack; else sfn, or aws).
    #[arg(long)]
    pub engine_name: Option<String>,
    /// `--engine sfn`: Tasks call this scripted Lambda (ScriptedLambdaArn from `cargo xtask
    /// aws-setup`) instead of running as plain-state stand-ins.
    #[arg(long)]
    pub scripted_lambda: Option<String>,
    /// `--engine sfn` on Step Functions Local or LocalStack: Tasks answer from the mock
    /// configuration the engine was started with (`cargo xtask corpus mock-config`).
    #[arg(long)]
    pub mock_config: bool,
    /// `--engine sfn`: seconds a measured retry delay may be off (default 0.25 on an emulator,
    /// 1 on AWS; plus 2% either way).
    #[arg(long)]
    pub timing_tolerance: Option<f64>,
}

impl EngineArgs {
    /// The engine kind as the flag spells it, for a report of a run whose engine never started.
    pub fn kind_name(&self) -> &'static str {
        match self.engine {
            EngineKind::Reference => "reference",
            EngineKind::Process => "process",
            EngineKind::Sfn => "sfn",
        }
    }
}

/// The engine of a run, concrete so a process engine's declared features can skip cases.
pub enum Chosen {
    Reference(Reference),
    Process(Box<ProcessEngine>),
    #[cfg(feature = "aws")]
    Sfn(Box<SfnEngine>),
}

impl Chosen {
    pub fn start(args: &EngineArgs) -> Result<Chosen> {
        match args.engine {
            EngineKind::Reference => Ok(Chosen::Reference(Reference)),
            EngineKind::Process => {
                let Some(cmd) = args.cmd.as_deref() else { bail!("--engine process needs --cmd \"<command line>\"") };
                check_timeout(args.timeout)?;
                let cmd = resolve_aslcheck(cmd)?;
                let engine = ProcessEngine::spawn(&cmd, Duration::from_secs_f64(args.timeout))?;
                Ok(Chosen::Process(Box::new(engine)))
            }
            #[cfg(not(feature = "aws"))]
            EngineKind::Sfn => crate::aws::relaunch("--engine sfn"),
            #[cfg(feature = "aws")]
            EngineKind::Sfn => {
                check_timeout(args.timeout)?;
                let cfg = SfnConfig {
                    endpoint_url: args.endpoint_url.clone(),
                    region: args.region.clone(),
                    role_arn: args.role_arn.clone(),
                    aws_opt_in: aws_opt_in(args.aws),
                    concurrency: args.concurrency.max(1),
                    timeout: Duration::from_secs_f64(args.timeout),
                    name: args.engine_name.clone(),
                    scripted_lambda: args.scripted_lambda.clone(),
                    mock_config: args.mock_config,
                    timing_tolerance: args.timing_tolerance.filter(|t| t.is_finite() && *t >= 0.0),
                };
                Ok(Chosen::Sfn(Box::new(SfnEngine::connect(cfg).map_err(anyhow::Error::msg)?)))
            }
        }
    }

    pub fn engine(&mut self) -> &mut dyn Engine {
        match self {
            Chosen::Reference(e) => e,
            Chosen::Process(e) => e.as_mut(),
            #[cfg(feature = "aws")]
            Chosen::Sfn(e) => e.as_mut(),
        }
    }

    /// Why the engine cannot run a case with these features (it declared them unsupported); a
    /// snapshot that does not borrow the engine.
    pub fn skip_rule(&self) -> impl Fn(&[String]) -> Option<String> {
        let support = match self {
            Chosen::Reference(_) => None,
            #[cfg(feature = "aws")]
            Chosen::Sfn(_) => None,
            Chosen::Process(p) => Some(p.feature_support()),
        };
        move |features| support.as_ref().and_then(|s| s.unsupported_reason(features))
    }
}

/// The user said yes to real AWS: `--aws`, or `ASLCHECK_AWS=1` in the environment.
pub fn aws_opt_in(flag: bool) -> bool {
    flag || std::env::var("ASLCHECK_AWS").is_ok_and(|v| v == "1")
}

fn check_timeout(t: f64) -> Result<()> {
    if !(t.is_finite() && t > 0.0 && t <= 86_400.0) {
        bail!("--timeout must be a number of seconds between 0 and 86400");
    }
    Ok(())
}

/// `aslcheck ...` with no `aslcheck` on PATH runs this workspace's binary: built once in
/// release mode, so engine speed is not debug-build speed.
fn resolve_aslcheck(cmd: &str) -> Result<String> {
    let argv = split_command(cmd)?;
    if argv.first().map(String::as_str) != Some("aslcheck") || on_path("aslcheck") {
        return Ok(cmd.to_string());
    }
    // Not quiet: a first release build takes minutes, and cargo's progress says why we wait.
    eprintln!(
        "building aslcheck in release mode for `{cmd}` (cargo build --release -p asl-conformance --bin aslcheck)"
    );
    let status = crate::aws::cargo()
        .args(["build", "--release", "-p", "asl-conformance", "--bin", "aslcheck"])
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
