//! Generator and differential throughput (issue: generators): machines generated per second
//! (default and swarm configurations), and generated cases judged per second by the
//! differential loop with the reference on both sides (generation + two runs + comparison),
//! the ceiling of any `xtask differential` run.

use asl_conformance::differential::{judge_generated, Verdict};
use asl_conformance::engine::Reference;
use asl_conformance::generated::{self, ConfigSource};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use proptest::strategy::ValueTree;

/// Machines per iteration: enough that per-machine variation averages out.
const BATCH: u64 = 200;

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("generators");
    g.throughput(Throughput::Elements(BATCH));
    for source in [ConfigSource::parse("default").expect("default"), ConfigSource::Swarm] {
        let strategy = source.strategy();
        g.bench_function(format!("machines/{}", source.label()), |b| {
            b.iter(|| (0..BATCH).map(|i| generated::tree(&strategy, 1, i).current().1.steps).sum::<usize>())
        });
    }
    let strategy = ConfigSource::Swarm.strategy();
    let no_skip = |_: &[String]| None;
    g.bench_function("differential/reference-vs-reference", |b| {
        b.iter(|| {
            (0..BATCH)
                .filter(|i| {
                    let (_, m) = generated::tree(&strategy, 1, *i).current();
                    matches!(judge_generated(&mut Reference, &m, &no_skip), Verdict::Agree)
                })
                .count()
        })
    });
    g.finish();
}

criterion_group!(generators, benches);
criterion_main!(generators);
