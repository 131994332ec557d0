//! `cargo xtask differential`: generated machines on the reference and on an engine, every
//! disagreement shrunk and written as a pending corpus case, a final table.

use crate::engines::{aws_opt_in, Chosen, EngineArgs, EngineKind};
use crate::generators::GenArgs;
use crate::teststate::{self, Answerer};
use crate::{progress_bar, root};
use anyhow::{bail, Result};
use asl_conformance::differential::{judge_generated, shrink, Pending, Verdict};
use asl_conformance::engine::{Engine, Outcome, Request};
use asl_conformance::generated::{self, ConfigSource};
use asl_conformance::suite::HUNG_AFTER;
use proptest::strategy::ValueTree;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    gen: GenArgs,
    /// Where pending cases are written (default corpus/pending).
    #[arg(long)]
    pending: Option<PathBuf>,
    /// Disagreements shrunk and saved per kind (the set of result fields that differ); the
    /// rest are counted. Usually one bug shows as many disagreements of one kind.
    #[arg(long, default_value_t = 3)]
    save_per_kind: usize,
    /// Candidate runs one shrink may spend.
    #[arg(long, default_value_t = 2000)]
    shrink_budget: usize,
    /// Check single states with the TestState API instead of whole executions (`--engine
    /// sfn`; `--engine reference` answers with the reference itself, a check of the loop).
    #[arg(long)]
    teststate: bool,
    /// With --teststate: answer from saved request/response pairs in this folder.
    #[arg(long)]
    teststate_saved: Option<PathBuf>,
}

/// What the run saw.
#[derive(Default)]
struct Tally {
    ran: u64,
    agreed: u64,
    no_verdict: u64,
    disagreed: u64,
    by_kind: BTreeMap<String, u64>,
    by_feature: BTreeMap<String, u64>,
    saved: Vec<(PathBuf, usize, usize)>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let source = ConfigSource::parse(&args.gen.config).map_err(anyhow::Error::msg)?;
    if args.gen.cases == 0 {
        bail!("--cases must be at least 1");
    }
    let dir = args.pending.clone().unwrap_or_else(|| root().join("corpus/pending"));
    if args.teststate || args.teststate_saved.is_some() {
        let e = &args.engine;
        let answerer = match (&args.teststate_saved, e.engine) {
            (Some(saved), _) => Answerer::Saved(saved.clone()),
            (None, EngineKind::Reference) => Answerer::Reference,
            (None, EngineKind::Sfn) => {
                if e.endpoint_url.is_none() && !aws_opt_in(e.aws) {
                    bail!("--teststate on real AWS costs money: pass --aws (or set ASLCHECK_AWS=1), or give --endpoint-url");
                }
                Answerer::Api {
                    endpoint: e.endpoint_url.clone(),
                    region: e.region.clone(),
                    role_arn: e.role_arn.clone(),
                }
            }
            (None, EngineKind::Process) => bail!("--teststate needs --engine sfn (or reference)"),
        };
        return teststate::run(answerer, args.gen.seed, args.gen.cases as usize, &dir);
    }
    // Before the engine starts, so that a signal from here on stops the run cleanly.
    let stop = Arc::new(AtomicBool::new(false));
    crate::interrupt::install(Arc::clone(&stop), "stopping after the current case")?;
    let mut chosen = Chosen::start(&args.engine)?;
    let name = chosen.engine().name().to_string();
    let skip = chosen.skip_rule();
    let pending = Pending { dir: &dir, engine: &name, seed: args.gen.seed, source: &source };
    let strategy = source.strategy();

    let bar = progress_bar(args.gen.cases, "{per_sec}");
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut engine = Guarded { inner: chosen.engine(), stop: &stop, timeouts: 0 };
    for index in 0..args.gen.cases {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        if engine.hung() {
            bar.suspend(|| {
                eprintln!("the engine timed out {HUNG_AFTER} runs in a row and was declared hung: stopping")
            });
            break;
        }
        let tree = generated::tree(&strategy, args.gen.seed, index);
        let (_, machine) = tree.current();
        tally.ran += 1;
        match judge_generated(&mut engine, &machine, &skip) {
            Verdict::Agree => tally.agreed += 1,
            Verdict::NoVerdict(_) => tally.no_verdict += 1,
            Verdict::Disagree(evidence) => {
                tally.disagreed += 1;
                let kind = kind(&evidence.fields());
                let seen = tally.by_kind.entry(kind.clone()).or_default();
                *seen += 1;
                if (*seen as usize) <= args.save_per_kind {
                    bar.suspend(|| eprintln!("case {index}: disagreement on {kind}; shrinking"));
                    let s = shrink(&mut engine, tree, *evidence, &skip, args.shrink_budget);
                    for f in generated::features(&s.machine) {
                        *tally.by_feature.entry(f).or_default() += 1;
                    }
                    let file = pending.write(index, &s)?;
                    bar.suspend(|| {
                        eprintln!(
                            "  {} → {} states ({} runs): {}",
                            s.states_before,
                            s.states_after,
                            s.runs,
                            file.display()
                        )
                    });
                    tally.saved.push((file, s.states_before, s.states_after));
                }
            }
        }
        bar.inc(1);
        if tally.disagreed > 0 {
            bar.set_message(format!("{} disagreements", tally.disagreed));
        }
    }
    bar.finish_and_clear();
    let hung = engine.hung();
    print_table(&name, &args, &source, &tally, started.elapsed().as_secs_f64(), hung);
    Ok(if tally.ran < args.gen.cases && !hung {
        // Stopped by Ctrl-C or SIGTERM: the same exit code as `conformance`.
        ExitCode::from(crate::interrupt::INTERRUPTED)
    } else if tally.disagreed == 0 && !hung {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The engine as a differential run uses it: once the run is stopped (Ctrl-C, SIGTERM), or the
/// engine has timed out [`HUNG_AFTER`] runs in a row, it is not asked again and every run
/// answers at once with no verdict, so neither shrinking nor the loop waits on it.
struct Guarded<'a> {
    inner: &'a mut dyn Engine,
    stop: &'a AtomicBool,
    timeouts: u32,
}

impl Guarded<'_> {
    fn hung(&self) -> bool {
        self.timeouts >= HUNG_AFTER
    }
}

impl Engine for Guarded<'_> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn version(&self) -> String {
        self.inner.version()
    }

    fn timing_tolerance(&self) -> f64 {
        self.inner.timing_tolerance()
    }

    fn run(&mut self, req: &Request) -> Outcome {
        if self.stop.load(Ordering::SeqCst) {
            return Outcome::Unsupported("not sent: the run was interrupted".into());
        }
        if self.hung() {
            return Outcome::Unsupported(format!("not sent: the engine timed out {HUNG_AFTER} runs in a row"));
        }
        let outcome = self.inner.run(req);
        self.timeouts = if outcome == Outcome::TimedOut { self.timeouts + 1 } else { 0 };
        outcome
    }
}

fn kind(fields: &BTreeSet<String>) -> String {
    fields.iter().cloned().collect::<Vec<_>>().join("+")
}

fn print_table(engine: &str, args: &Args, source: &ConfigSource, t: &Tally, secs: f64, hung: bool) {
    println!("differential: reference vs {engine}, seed {}, config {}", args.gen.seed, source.label());
    println!("{:<28} {:>10}", "cases run", t.ran);
    println!("{:<28} {:>10}", "agreed", t.agreed);
    println!("{:<28} {:>10}", "no verdict (unsupported)", t.no_verdict);
    println!("{:<28} {:>10}", "disagreed", t.disagreed);
    println!("{:<28} {:>10.0}", "cases per second", t.ran as f64 / secs.max(1e-9));
    if !t.by_kind.is_empty() {
        println!("\ndisagreements by differing result fields:");
        for (k, n) in &t.by_kind {
            println!("  {k:<40} {n:>8}");
        }
        println!("\nfeatures of the shrunk cases ({} saved):", t.saved.len());
        let mut features: Vec<(&String, &u64)> = t.by_feature.iter().collect();
        features.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (f, n) in features.iter().take(25) {
            println!("  {f:<40} {n:>8}");
        }
        println!("\npending cases (states before → after shrinking):");
        for (file, before, after) in &t.saved {
            println!("  {before:>3} → {after:<3} {}", file.display());
        }
    }
    if hung {
        println!(
            "STOPPED after {} of {} cases: the engine timed out {HUNG_AFTER} runs in a row (hung)",
            t.ran, args.gen.cases
        );
    } else if t.ran < args.gen.cases {
        println!("INTERRUPTED after {} of {} cases", t.ran, args.gen.cases);
    }
}
