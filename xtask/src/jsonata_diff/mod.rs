//! `cargo xtask jsonata-diff`: our JSONata evaluator(s) against the npm package jsonata@2.0.6,
//! the dialect AWS Step Functions runs, on a fixed set of expressions
//! (`xtask/jsonata-diff/expressions.json`) and on seeded generated ones.

mod candidate;
mod cases;
mod compare;
mod generate;
#[cfg(feature = "jsonata-core")]
mod jsonata_core;
mod known;
mod node;
mod report;

use anyhow::{bail, Result};
use clap::Args as ClapArgs;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs, Debug)]
pub struct Args {
    /// The Rust evaluator(s): jlens, jsonata-core (needs `--features jsonata-core`), or all.
    #[arg(long, default_value = "jlens")]
    candidate: String,
    /// Generated expressions evaluated after the fixed set.
    #[arg(long, default_value_t = 2000)]
    generated: usize,
    /// Seed of the generated expressions (expression `i` of seed `S` is always the same).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where report.json and summary.md go (default target/jsonata-diff).
    #[arg(long)]
    report: Option<PathBuf>,
    /// Unexpected differences printed (all are in the report).
    #[arg(long, default_value_t = 25)]
    show: usize,
    /// Evaluate only the expressions whose id or text contains this.
    #[arg(long)]
    filter: Option<String>,
    /// Run each candidate over the whole set this many times and keep the fastest pass's
    /// times (for steadier per-evaluation figures on a busy machine).
    #[arg(long, default_value_t = 1)]
    timing_repeat: usize,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let root = crate::root();
    let data = root.join("xtask/jsonata-diff");
    let node_dir = root.join("engines/jsonata-js");
    node::check_installed(&node_dir)?;

    let keys: Vec<&str> = match args.candidate.as_str() {
        "all" => candidate::names(),
        one => vec![one],
    };
    let evaluators = keys.iter().map(|k| candidate::by_name(k)).collect::<Result<Vec<_>>>()?;

    let mut fixed = cases::load_fixed(&data.join("expressions.json"))?;
    let mut generated = generate::cases(args.seed, args.generated);
    if let Some(f) = &args.filter {
        fixed.retain(|c| c.id.contains(f.as_str()) || c.expr.contains(f.as_str()));
        generated.retain(|c| c.id.contains(f.as_str()) || c.expr.contains(f.as_str()));
    }
    let known = known::load(&data.join("known-differences.toml"))?;
    let all: Vec<cases::Case> = fixed.iter().chain(&generated).cloned().collect();
    if all.is_empty() {
        bail!("no expressions to evaluate");
    }

    let node = node::evaluate_all(&node_dir, &all)?;
    let timeouts =
        node.outcomes.iter().filter(|o| matches!(o, compare::Outcome::Error { code, .. } if code == "TIMEOUT")).count();
    println!(
        "jsonata-diff: {} fixed + {} generated (seed {}) expressions on {} ({:.1} s{})",
        fixed.len(),
        generated.len(),
        args.seed,
        node.version,
        node.elapsed.as_secs_f64(),
        if timeouts > 0 {
            format!(", of which {timeouts} timed out after {} s each", node::TIMEOUT_SECONDS)
        } else {
            String::new()
        }
    );

    let repeat = args.timing_repeat.max(1);
    let mut runs = Vec::new();
    for (key, evaluator) in keys.iter().zip(evaluators) {
        // A big stack: deep expressions must end in the evaluator's own depth error.
        let cases = all.clone();
        let key = key.to_string();
        let handle = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || candidate::evaluate_all(&key, evaluator.as_ref(), &cases, repeat))?;
        runs.push(handle.join().map_err(|_| anyhow::anyhow!("a candidate's thread panicked"))?);
    }

    let judged = report::judge_expressions(&all, fixed.len(), &node, &runs, &known);
    let dir = args.report.unwrap_or_else(|| root.join("target/jsonata-diff"));
    report::print(&judged);
    report::print_unexpected(&judged, &all, args.show);
    report::write(&dir, &judged, &all, &node.outcomes, args.seed)?;
    println!("report: {}", dir.join("report.json").display());
    let unexpected: usize = judged.candidates.iter().map(|c| c.unexpected()).sum();
    if unexpected > 0 {
        println!(
            "jsonata-diff: {unexpected} difference(s) not in xtask/jsonata-diff/known-differences.toml: investigate each, then fix the evaluator or list it with its reason"
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixed_set_and_known_differences_load() {
        let data = crate::root().join("xtask/jsonata-diff");
        let fixed = super::cases::load_fixed(&data.join("expressions.json")).unwrap();
        assert!(fixed.len() >= 300, "{} fixed expressions", fixed.len());
        let known = super::known::load(&data.join("known-differences.toml")).unwrap();
        assert!(known.iter().all(|k| !k.reason.is_empty()));
    }
}
