//! Reference interpreter throughput, in state transitions per second (DESIGN section 8).
//! Every workload runs with history recording on and off.

use asl::{Behaviours, RunOptions};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn benches(c: &mut Criterion) {
    for w in asl_bench::all() {
        let (sm, diags) = asl::check(&w.definition);
        assert!(diags.is_empty(), "{}: {diags:?}", w.name);
        let sm = sm.expect("valid");
        let behaviours = Behaviours::from_json(&w.behaviours).expect("behaviours");
        let mut g = c.benchmark_group(w.name);
        for record_history in [true, false] {
            let opts = RunOptions { record_history, behaviours: behaviours.clone(), ..RunOptions::default() };
            let probe = asl::run(&sm, w.input.clone(), &opts);
            assert_eq!(probe.status, asl::Status::Succeeded, "{}: {:?} {:?}", w.name, probe.error, probe.cause);
            g.throughput(Throughput::Elements(probe.transitions));
            let label = if record_history { "history-on" } else { "history-off" };
            g.bench_function(label, |b| b.iter(|| asl::run(&sm, w.input.clone(), &opts)));
        }
        g.finish();
    }
}

criterion_group!(interpreter, benches);
criterion_main!(interpreter);
