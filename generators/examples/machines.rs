//! Generates machines and reports validity, generation speed and the diagnostics of invalid
//! ones: `cargo run --release -p asl-generators --example machines -- [N] [--swarm] [--show K]`.
use arbitrary::{Arbitrary, Unstructured};
use asl_generators::{generate, GenConfig};
use std::collections::BTreeMap;
use std::time::Instant;

fn bytes(state: &mut u64, out: &mut [u8]) {
    for b in out.iter_mut() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *b = (*state >> 24) as u8;
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let swarm = args.iter().any(|a| a == "--swarm");
    let show: usize =
        args.iter().position(|a| a == "--show").and_then(|i| args.get(i + 1)).and_then(|a| a.parse().ok()).unwrap_or(0);
    let mut state = 0x1234_5678_9abc_def1u64;
    let mut buf = vec![0u8; 4096];
    let mut generated = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        bytes(&mut state, &mut buf);
        let mut u = Unstructured::new(&buf);
        let cfg = if swarm { GenConfig::arbitrary(&mut u).unwrap_or_default() } else { GenConfig::default() };
        if let Ok(g) = generate(&cfg, &mut u) {
            generated.push(g);
        }
    }
    let gen_time = start.elapsed();
    let start = Instant::now();
    let mut valid = 0;
    let mut rules: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut shown = 0;
    let mut states = 0usize;
    for g in &generated {
        states += g.definition.to_string().matches("\"Type\"").count();
        let (sm, diags) = asl::check(&g.definition);
        if sm.is_some() && diags.is_empty() {
            valid += 1;
        } else if shown < show {
            shown += 1;
            println!("{}\n{diags:?}\n", serde_json::to_string_pretty(&g.definition).unwrap_or_default());
        }
        for d in diags {
            *rules.entry(d.rule).or_default() += 1;
        }
    }
    let check_time = start.elapsed();
    let start = Instant::now();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let mut transitions = 0u64;
    for g in &generated {
        let Some(sm) = asl::check(&g.definition).0 else { continue };
        let behaviours = asl::Behaviours::from_json(&g.behaviours).unwrap_or_default();
        let opts = asl::RunOptions { behaviours, max_transitions: 20_000, ..asl::RunOptions::default() };
        let r = asl::run(&sm, g.input.clone(), &opts);
        transitions += r.transitions;
        let mut key = format!("{} {}", r.status.as_str(), r.error.clone().unwrap_or_default());
        if std::env::var("CAUSES").is_ok() && r.error.as_deref() == Some("States.Runtime") {
            let cause = r.cause.clone().unwrap_or_default();
            let cause = cause.split("). ").nth(1).unwrap_or(&cause).to_string();
            key = format!("{key} {}", cause.chars().take(90).collect::<String>());
        }
        *outcomes.entry(key).or_default() += 1;
    }
    let run_time = start.elapsed();
    println!(
        "runs: {:.0} machines/s, mean {:.1} transitions",
        n as f64 / run_time.as_secs_f64(),
        transitions as f64 / n as f64
    );
    let mut top: Vec<_> = outcomes.into_iter().collect();
    top.sort_by_key(|(_, c)| std::cmp::Reverse(*c));
    for (k, c) in top {
        println!("{c:>6} {k}");
    }
    println!("{valid}/{} valid; mean {:.1} states", generated.len(), states as f64 / generated.len().max(1) as f64);
    println!(
        "generation: {:.0} machines/s; check: {:.0} machines/s",
        n as f64 / gen_time.as_secs_f64(),
        n as f64 / check_time.as_secs_f64()
    );
    for (rule, count) in rules {
        println!("{count:>6} {rule}");
    }
}
