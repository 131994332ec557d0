//! Prints one generated machine, its input and behaviours, and its run result:
//! `cargo run -p asl-generators --example sample -- [SEED]`.
use arbitrary::Unstructured;
use asl_generators::{generate, GenConfig};

fn main() {
    let seed: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let buf: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let Ok(g) = generate(&GenConfig::default(), &mut Unstructured::new(&buf)) else { return };
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    println!("definition: {}\ninput: {}\nbehaviours: {}", pretty(&g.definition), g.input, g.behaviours);
    let (sm, diags) = asl::check(&g.definition);
    let Some(sm) = sm else {
        println!("invalid: {diags:?}");
        return;
    };
    let behaviours = asl::Behaviours::from_json(&g.behaviours).unwrap_or_default();
    let opts = asl::RunOptions { behaviours, ..asl::RunOptions::default() };
    let r = asl::run(&sm, g.input.clone(), &opts);
    let mut j = r.to_json();
    if let Some(o) = j.as_object_mut() {
        o.remove("history");
    }
    println!("result: {}", pretty(&j));
}
