//! The reference engine end to end, as `cargo xtask bench` and the conformance harness call it:
//! validate the definition, run with history recording on, build the result. Per workload, in
//! state transitions per second; the gap to the `interpreter` group is the adapter's cost.

use asl_conformance::engine::{Engine, Outcome, Reference, Request};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("adapter");
    for w in asl_bench::all() {
        for expects_history in [false, true] {
            let req = Request {
                definition: &w.definition,
                input: &w.input,
                behaviours: Some(&w.behaviours),
                context: None,
                seed: 0,
                flags: &[],
                expects_history,
            };
            let Outcome::Ran { result } = Reference.run(&req) else {
                panic!("{}: the reference did not run it", w.name)
            };
            assert_eq!(result["status"], "SUCCEEDED", "{}: {result}", w.name);
            g.throughput(Throughput::Elements(result["transitions"].as_u64().unwrap_or(0)));
            let label = if expects_history { "history-returned" } else { "history-kept" };
            g.bench_function(format!("{}/{label}", w.name), |b| b.iter(|| Reference.run(&req)));
        }
    }
    g.finish();
}

criterion_group!(adapter, benches);
criterion_main!(adapter);
