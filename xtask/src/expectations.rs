//! `cargo xtask expectations draft --report DIR`: a first `corpus/expectations/<engine>.toml`
//! from a report, one line per case the engine did not pass, each saying what the engine did
//! where AWS does otherwise (from the case's first diffs). Meant to be read and edited: group
//! cases that fail for one reason, and say why where the diff does not.

use anyhow::{Context, Result};
use asl_conformance::report::jsonl;
use asl_conformance::suite::{CaseResult, Class};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct DraftArgs {
    /// A report folder (its results.jsonl is read).
    #[arg(long)]
    report: PathBuf,
    /// Header line naming the engine and its version.
    #[arg(long, default_value = "")]
    about: String,
}

#[derive(clap::Subcommand)]
pub enum Command {
    /// Print a known-failures file for the cases a report's engine did not pass.
    Draft(DraftArgs),
}

pub fn run(cmd: Command) -> Result<std::process::ExitCode> {
    let Command::Draft(args) = cmd;
    let path = args.report.join("results.jsonl");
    let results = jsonl::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut entries = BTreeMap::new();
    let mut engine = String::new();
    for (name, r) in results {
        engine = name;
        if let Some(reason) = reason(&r) {
            entries.insert(r.id.clone(), reason);
        }
    }
    println!("# Known failures of the engine \"{engine}\"{}. Each reason says what the", about(&args.about));
    println!("# engine does where AWS does otherwise. Format: README.md in this folder.");
    println!("[known-failures]");
    for (id, reason) in entries {
        println!("{} = {}", toml::Value::String(id), toml::Value::String(reason));
    }
    Ok(std::process::ExitCode::SUCCESS)
}

fn about(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(" ({text})")
    }
}

/// Why a result is a known failure, or `None` when it passed or was not run.
fn reason(r: &CaseResult) -> Option<String> {
    // A case already listed keeps its reason.
    if let Some(listed) = r.reason.as_deref().and_then(|t| t.strip_prefix("known failure: ")) {
        let reason = listed.rsplit_once(" [was ").map(|(a, _)| a).unwrap_or(listed);
        return Some(reason.to_string());
    }
    match r.class {
        // A listed known failure keeps its reason above; this is for an entry without one.
        Class::KnownFailure => r.reason.clone(),
        Class::Pass | Class::Skipped | Class::Poisoned => None,
        Class::Crashed => Some(format!("crashes: {}", one_line(r.reason.as_deref().unwrap_or("")))),
        Class::Timeout => Some("does not finish within the harness timeout (AWS ends it)".into()),
        Class::Fail => Some(from_diffs(r)),
    }
}

fn from_diffs(r: &CaseResult) -> String {
    let at = |p: &str| r.diffs.iter().find(|d| d.pointer == p || d.pointer.starts_with(&format!("{p}/")));
    if let Some(d) = at("/negative") {
        if d.pointer == "/negative/code" {
            return format!(
                "rejects the definition with {} where AWS gives {}",
                one_line(&d.actual_text()),
                one_line(&d.expected_text())
            );
        }
        return format!("accepts the invalid definition (ends {}) where AWS rejects it", one_line(&d.actual_text()));
    }
    if let Some(d) = r.diffs.iter().find(|d| d.pointer == "/") {
        return format!("gives {} where AWS gives {}", one_line(&d.actual_text()), one_line(&d.expected_text()));
    }
    let mut parts = Vec::new();
    if let Some(d) = at("/status") {
        parts.push(format!("ends {} where AWS ends {}", one_line(&d.actual_text()), one_line(&d.expected_text())));
    }
    if let Some(d) = at("/error") {
        if d.expected.is_null() {
            parts.push(format!("with error {}", one_line(&d.actual_text())));
            if let Some(c) = at("/cause") {
                parts.push(format!("cause {}", one_line(&c.actual_text())));
            }
        } else {
            parts.push(format!(
                "error {} where AWS gives {}",
                one_line(&d.actual_text()),
                one_line(&d.expected_text())
            ));
        }
    }
    if parts.is_empty() {
        for (p, what) in [
            ("/cause", "cause"),
            ("/output", "output"),
            ("/outputs", "output"),
            ("/states", "route"),
            ("/retries", "retry delays"),
            ("/history", "history"),
        ] {
            if let Some(d) = at(p) {
                let place =
                    d.pointer.strip_prefix(p).filter(|s| !s.is_empty()).map(|s| format!(" at {s}")).unwrap_or_default();
                parts.push(format!(
                    "{what}{place} {} where AWS gives {}",
                    one_line(&d.actual_text()),
                    one_line(&d.expected_text())
                ));
                break;
            }
        }
    }
    if parts.is_empty() {
        parts.push("differs from AWS".into());
    }
    parts.join("; ")
}

/// One line of at most 120 characters (a reason in a known-failures file).
fn one_line(s: &str) -> String {
    let one: String = s.replace(['\n', '\r'], " ");
    if one.chars().count() <= 120 {
        return one;
    }
    one.chars().take(117).collect::<String>() + "..."
}
