//! The reference engine end to end, as `cargo xtask bench` and the conformance harness call it.
//! Per workload, in state transitions per second, three ways:
//! - `history-kept`: validate the definition, run recording the history, build the result
//!   without it (a case that does not read the history);
//! - `history-returned`: the same with the history in the result;
//! - `created-once`: the machine is validated once ([`Engine::create`]), and each iteration is
//!   one execution of it, history kept (CreateStateMachine once, then StartExecution).
//!
//! The gap to the `interpreter` group is the adapter's cost.

use asl_conformance::engine::{Engine, Outcome, Reference, Request};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("adapter");
    for w in asl_bench::all() {
        let req = Request { behaviours: Some(&w.behaviours), ..Request::new(&w.definition, &w.input) };
        let Outcome::Ran { result } = Reference.run(&req) else { panic!("{}: the reference did not run it", w.name) };
        assert_eq!(result["status"], "SUCCEEDED", "{}: {result}", w.name);
        g.throughput(Throughput::Elements(result["transitions"].as_u64().unwrap_or(0)));
        g.bench_function(format!("{}/history-kept", w.name), |b| b.iter(|| Reference.run(&req)));
        let returned = Request { expects_history: true, ..req.clone() };
        g.bench_function(format!("{}/history-returned", w.name), |b| b.iter(|| Reference.run(&returned)));
        let machine = match Reference.create(&req) {
            Ok(m) => m,
            Err(o) => panic!("{}: {o:?}", w.name),
        };
        g.bench_function(format!("{}/created-once", w.name), |b| b.iter(|| Reference.run_created(&machine, &req)));
    }
    g.finish();
}

criterion_group!(adapter, benches);
criterion_main!(adapter);
