//! `cargo xtask generators stats`: which feature ids of corpus/features.txt the generators
//! reach, over N machines generated exactly as `differential` generates them.

use crate::root;
use anyhow::{anyhow, Result};
use asl_conformance::features;
use asl_conformance::generated::{self, ConfigSource};
use clap::Subcommand;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

/// Which generated cases a command works on (shared by `differential` and `generators stats`).
#[derive(clap::Args)]
pub struct GenArgs {
    /// Generated cases.
    #[arg(long, default_value_t = 1000)]
    pub cases: u64,
    /// Seed: case i of seed S is always the same machine.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Generator settings: `default`, `swarm` (each case draws its own) or a GenConfig JSON file.
    #[arg(long, default_value = "default")]
    pub config: String,
}

#[derive(Subcommand)]
pub enum Command {
    /// How often each feature id occurs over N generated machines, and which are never reached.
    Stats {
        #[command(flatten)]
        gen: GenArgs,
        /// List every feature id with its count, not only the areas and what is never reached.
        #[arg(long)]
        all: bool,
    },
}

pub fn run(command: Command) -> Result<ExitCode> {
    let Command::Stats { gen: GenArgs { cases, seed, config }, all } = command;
    let source = ConfigSource::parse(&config).map_err(anyhow::Error::msg)?;
    let catalog = features::load(&root().join("corpus/features.txt")).map_err(|e| anyhow!(e.join("\n")))?;
    let strategy = source.strategy();
    let started = Instant::now();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut states = 0usize;
    for index in 0..cases {
        let (_, g) = generated::tree(&strategy, seed, index).current();
        states += asl_conformance::differential::state_count(&g.definition);
        for f in generated::features(&g) {
            *counts.entry(f).or_default() += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{cases} machines (seed {seed}, config {}), mean {:.1} states, {:.0} machines/s",
        source.label(),
        states as f64 / cases.max(1) as f64,
        cases as f64 / secs.max(1e-9)
    );
    let mut by_area: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for f in catalog.iter().filter(|f| f.tag.is_none()) {
        let slot = by_area.entry(f.area.as_str()).or_default();
        slot.1 += 1;
        slot.0 += usize::from(counts.contains_key(&f.id));
    }
    println!("\n{:<40} {:>8}", "area (JSONPath-mode features)", "reached");
    for (area, (reached, total)) in &by_area {
        println!("{area:<40} {reached:>4}/{total:<3}");
    }
    if all {
        println!();
        for (id, n) in &counts {
            println!("{n:>8} {:>5.1}%  {id}", 100.0 * *n as f64 / cases.max(1) as f64);
        }
    }
    let never: Vec<&str> =
        catalog.iter().filter(|f| f.tag.is_none() && !counts.contains_key(&f.id)).map(|f| f.id.as_str()).collect();
    println!(
        "\nnever reached: {} of {} JSONPath-mode feature ids",
        never.len(),
        by_area.values().map(|v| v.1).sum::<usize>()
    );
    for id in never {
        println!("  {id}");
    }
    Ok(ExitCode::SUCCESS)
}
