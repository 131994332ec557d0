//! Reference interpreter throughput, in state transitions per second.

use asl::RunOptions;
use asl_bench::{choice_loop, pass_chain};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};

fn bench_machine(c: &mut Criterion, group: &str, def: Value) {
    let (sm, diags) = asl::check(&def);
    assert!(diags.is_empty(), "{diags:?}");
    let sm = sm.expect("valid");
    let mut g = c.benchmark_group(group);
    for record_history in [true, false] {
        let opts = RunOptions { record_history, ..RunOptions::default() };
        let transitions = asl::run(&sm, json!({}), &opts).transitions;
        g.throughput(Throughput::Elements(transitions));
        let label = if record_history { "history-on" } else { "history-off" };
        g.bench_function(label, |b| b.iter(|| asl::run(&sm, json!({}), &opts)));
    }
    g.finish();
}

fn benches(c: &mut Criterion) {
    bench_machine(c, "pass-chain-100", pass_chain(100));
    bench_machine(c, "choice-loop-1000", choice_loop(1000));
}

criterion_group!(interpreter, benches);
criterion_main!(interpreter);
