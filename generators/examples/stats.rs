//! How often each feature id of corpus/features.txt occurs over N generated machines, and the
//! untagged ids never reached (`cargo xtask generators stats` runs this):
//! `cargo run --release -p asl-generators --example stats -- [N] [SEED]`.
use asl_generators::{coverage, feature_stats, GenConfig};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let counts = feature_stats(&GenConfig::default(), n, seed);
    let features = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/features.txt");
    let known = std::fs::read_to_string(features).map(|t| coverage::untagged_ids(&t)).unwrap_or_default();
    println!("{n} machines");
    for (id, c) in &counts {
        println!("{c:>7} {:>5.1}%  {id}", 100.0 * *c as f64 / n.max(1) as f64);
    }
    let never: Vec<&String> = known.iter().filter(|id| !counts.contains_key(*id)).collect();
    println!("\nnever reached ({} of {} untagged ids):", never.len(), known.len());
    for id in never {
        println!("  {id}");
    }
}
