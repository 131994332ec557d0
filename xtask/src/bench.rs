//! `cargo xtask bench --engines reference,process:<cmd>,sfn:<url>|sfn:moto,fakecloud [--quick]`:
//! the bench workloads (asl_bench::all) on each engine through its adapter. Per workload and
//! engine: the median wall time of one execution, transitions per second (transitions counted
//! by the reference), the peak RSS of the engine's process where there is one to read, and the
//! ratio to the reference measured in the same run. Writes `reports/bench/<date>/bench.md` and
//! `bench.json`.

use crate::root;
use anyhow::{bail, Context, Result};
use asl_conformance::engine::{Engine, Outcome, Reference, Request};
use asl_conformance::process::ProcessEngine;
use asl_conformance::report;
#[cfg(feature = "aws")]
use asl_sfn::moto::MotoServer;
#[cfg(feature = "aws")]
use asl_sfn::{SfnConfig, SfnEngine};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant, SystemTime};

#[derive(clap::Args)]
pub struct Args {
    /// Comma-separated engines: `reference`, `process:<command line>`, `sfn:<endpoint-url>`,
    /// `sfn:moto` (starts a moto server of its own), `fakecloud` (builds engines/fakecloud).
    #[arg(long, default_value = "reference")]
    engines: String,
    /// Fewer runs per measurement (3 instead of 10 on peers; 0.1 s instead of 1 s of reference runs).
    #[arg(long)]
    quick: bool,
    /// Seconds one engine may spend on one workload; a run longer than this is a timeout, and
    /// no more runs start once the workload has used it.
    #[arg(long, default_value_t = 60.0)]
    cap: f64,
    /// Only workloads whose name contains one of these.
    #[arg(long)]
    filter: Vec<String>,
    /// Where to write bench.md and bench.json (default reports/bench/<UTC date>).
    #[arg(long)]
    report: Option<PathBuf>,
}

enum Kind {
    Reference(Reference),
    Process(Box<ProcessEngine>),
    /// The engine, and the moto server it talks to when we started one (dropped after it).
    #[cfg(feature = "aws")]
    Sfn(Box<SfnEngine>, Option<MotoServer>),
}

struct Bench {
    label: String,
    kind: Kind,
}

impl Bench {
    fn engine(&mut self) -> &mut dyn Engine {
        match &mut self.kind {
            Kind::Reference(e) => e,
            Kind::Process(e) => e.as_mut(),
            #[cfg(feature = "aws")]
            Kind::Sfn(e, _) => e.as_mut(),
        }
    }

    /// The process whose peak RSS is the engine's: the child of a process engine, the moto
    /// server we started; for the reference, this process (xtask itself).
    fn pid(&self) -> Option<u32> {
        match &self.kind {
            Kind::Reference(_) => Some(std::process::id()),
            Kind::Process(e) => e.pid(),
            #[cfg(feature = "aws")]
            Kind::Sfn(_, moto) => moto.as_ref().map(MotoServer::pid),
        }
    }

    /// Engines whose Wait states and retry delays take real time.
    fn real_clock(&self) -> bool {
        #[cfg(feature = "aws")]
        return matches!(self.kind, Kind::Sfn(..));
        #[cfg(not(feature = "aws"))]
        false
    }
}

/// `sfn:<endpoint-url>` or `sfn:moto` (a moto server of our own).
#[cfg(feature = "aws")]
fn start_sfn(url: &str, cap: Duration) -> Result<Kind> {
    let moto = if url == "moto" { Some(MotoServer::start(&root()).map_err(anyhow::Error::msg)?) } else { None };
    let endpoint_url = moto.as_ref().map_or_else(|| url.to_string(), |m| m.url.clone());
    let cfg = SfnConfig { endpoint_url: Some(endpoint_url), concurrency: 1, timeout: cap, ..SfnConfig::default() };
    Ok(Kind::Sfn(Box::new(SfnEngine::connect(cfg).map_err(anyhow::Error::msg)?), moto))
}

#[cfg(not(feature = "aws"))]
fn start_sfn(_: &str, _: Duration) -> Result<Kind> {
    crate::aws::relaunch("an sfn: engine")
}

fn start(spec: &str, cap: Duration) -> Result<Bench> {
    let spec = spec.trim();
    let kind = if spec == "reference" {
        Kind::Reference(Reference)
    } else if spec == "fakecloud" || spec == "process:fakecloud" {
        let script = root().join("engines/fakecloud/build.sh");
        // Its build output goes to stderr as it comes: a first build takes minutes.
        eprintln!("building fakecloud ({})", script.display());
        let out = Command::new(&script)
            .stderr(std::process::Stdio::inherit())
            .output()
            .with_context(|| format!("running {}", script.display()))?;
        if !out.status.success() {
            bail!("{} failed ({}); its output is above", script.display(), out.status);
        }
        let bin = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Kind::Process(Box::new(ProcessEngine::spawn(&format!("'{bin}'"), cap)?))
    } else if let Some(cmd) = spec.strip_prefix("process:") {
        Kind::Process(Box::new(ProcessEngine::spawn(cmd, cap)?))
    } else if let Some(url) = spec.strip_prefix("sfn:") {
        start_sfn(url, cap)?
    } else {
        bail!("unknown engine {spec:?}: use reference, process:<cmd>, sfn:<endpoint-url>, sfn:moto or fakecloud");
    };
    let mut bench = Bench { label: spec.to_string(), kind };
    if !matches!(bench.kind, Kind::Reference(_)) {
        bench.label = format!("{} ({spec})", bench.engine().name());
    }
    Ok(bench)
}

/// Peak RSS (VmHWM) of a process, in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets a process's peak RSS to its current RSS (Linux: `5` > clear_refs), so each workload
/// gets its own peak; false where that is not allowed.
fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// How executions get their state machine.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Every execution brings its definition, as a conformance case does: the engine parses,
    /// validates (creates) and runs it each time.
    PerRun,
    /// The machine is created once (`Engine::create`: CreateStateMachine), and each measured
    /// execution runs it (StartExecution).
    CreatedOnce,
}

impl Mode {
    const ALL: [Mode; 2] = [Mode::PerRun, Mode::CreatedOnce];

    fn key(self) -> &'static str {
        match self {
            Mode::PerRun => "per_run",
            Mode::CreatedOnce => "created_once",
        }
    }
}

/// What one engine did with one workload in one mode.
fn measure(b: &mut Bench, req: &Request, want: &Value, needs_seconds: f64, a: &Args, mode: Mode) -> Value {
    if b.real_clock() && needs_seconds > 0.0 {
        return json!({"status": format!("skipped: needs {needs_seconds} s of real time")});
    }
    match mode {
        Mode::PerRun => timed_runs(b, want, a, &mut |e| e.run(req)),
        Mode::CreatedOnce => {
            let machine = match b.engine().create(req) {
                Ok(m) => m,
                Err(o) => return json!({"status": status_of(&o)}),
            };
            let r = timed_runs(b, want, a, &mut |e| e.run_created(&machine, req));
            b.engine().delete(machine);
            r
        }
    }
}

/// A warm-up execution, which also checks the answer, then the measured ones.
fn timed_runs(b: &mut Bench, want: &Value, a: &Args, execute: &mut dyn FnMut(&mut dyn Engine) -> Outcome) -> Value {
    let cap = Duration::from_secs_f64(a.cap);
    let reset = b.pid().is_some_and(reset_peak);
    let (min_runs, min_time) = match (&b.kind, a.quick) {
        (Kind::Reference(_), false) => (10, Duration::from_secs(1)),
        (Kind::Reference(_), true) => (3, Duration::from_millis(100)),
        (_, false) => (10, Duration::ZERO),
        (_, true) => (3, Duration::ZERO),
    };
    let t = Instant::now();
    let outcome = execute(b.engine());
    let warm = t.elapsed();
    let mut note = Value::Null;
    match &outcome {
        Outcome::Ran { result } if result["status"] == "SUCCEEDED" => {
            if result["output"] != want["output"] {
                note = json!("output differs from the reference's");
            }
        }
        Outcome::TimedOut => return json!({"status": "timeout", "seconds": warm.as_secs_f64()}),
        other => return json!({"status": status_of(other)}),
    }
    if warm > cap {
        return json!({"status": "timeout", "seconds": warm.as_secs_f64()});
    }
    let mut times = Vec::new();
    let started = Instant::now();
    while times.len() < min_runs || started.elapsed() < min_time {
        if times.len() >= 100_000 || (!times.is_empty() && started.elapsed() > cap) {
            break;
        }
        let t = Instant::now();
        let o = execute(b.engine());
        let e = t.elapsed();
        if !matches!(o, Outcome::Ran { .. }) {
            return json!({"status": format!("on a later run: {}", status_of(&o))});
        }
        times.push(e.as_secs_f64());
    }
    let runs = times.len();
    let m = median(times);
    let rss = if reset { b.pid().and_then(peak_rss_kib) } else { None };
    json!({"status": "ok", "median_seconds": m, "runs": runs, "peak_rss_kib": rss, "note": note})
}

/// The table cell for an outcome that is not a successful run.
fn status_of(outcome: &Outcome) -> String {
    let s = match outcome {
        Outcome::Ran { result } => {
            let cause: String = result["cause"].as_str().unwrap_or("").chars().take(160).collect();
            format!("failed: {} {} ({cause})", result["status"], result["error"])
        }
        Outcome::TimedOut => "timeout".to_string(),
        Outcome::Unsupported(r) => format!("unsupported: {r}"),
        other => format!("error: {other:?}"),
    };
    s.chars().take(300).collect()
}

pub fn run(a: Args) -> Result<ExitCode> {
    let load_before = load_average();
    let cap = Duration::from_secs_f64(a.cap);
    let mut benches: Vec<Bench> = vec![start("reference", cap)?];
    for spec in a.engines.split(',').map(str::trim).filter(|s| !s.is_empty() && *s != "reference") {
        eprintln!("starting {spec}");
        benches.push(start(spec, cap)?);
    }
    let workloads: Vec<_> = asl_bench::all()
        .into_iter()
        .filter(|w| a.filter.is_empty() || a.filter.iter().any(|f| w.name.contains(f.as_str())))
        .collect();
    let mut rows = Vec::new();
    for w in &workloads {
        let req = Request { behaviours: Some(&w.behaviours), ..Request::new(&w.definition, &w.input) };
        let Outcome::Ran { result: want } = Reference.run(&req) else {
            bail!("{}: the reference did not run it", w.name)
        };
        let transitions = want["transitions"].as_u64().unwrap_or(0);
        let needs = want["duration_seconds"].as_f64().unwrap_or(0.0);
        let mut results = serde_json::Map::new();
        for b in benches.iter_mut() {
            let mut modes = serde_json::Map::new();
            for mode in Mode::ALL {
                eprint!("{} on {}, {} ... ", w.name, b.label, mode.key());
                let mut r = measure(b, &req, &want, needs, &a, mode);
                if let Some(m) = r["median_seconds"].as_f64() {
                    r["transitions_per_second"] = json!(transitions as f64 / m);
                }
                eprintln!(
                    "{}",
                    r["median_seconds"]
                        .as_f64()
                        .map_or_else(|| r["status"].to_string(), |m| format!("{:.3} ms", m * 1e3))
                );
                modes.insert(mode.key().to_string(), r);
            }
            results.insert(b.label.clone(), Value::Object(modes));
        }
        for mode in Mode::ALL {
            let reference = results.get("reference").and_then(|r| r[mode.key()]["median_seconds"].as_f64());
            for r in results.values_mut() {
                if let (Some(m), Some(base)) = (r[mode.key()]["median_seconds"].as_f64(), reference) {
                    r[mode.key()]["ratio_to_reference"] = json!(m / base);
                }
            }
        }
        rows.push(
            json!({"workload": w.name, "transitions": transitions, "virtual_seconds": needs, "results": results}),
        );
    }
    let engines: Vec<Value> = benches
        .iter_mut()
        .map(|b| json!({"label": b.label.clone(), "name": b.engine().name(), "version": b.engine().version()}))
        .collect();
    drop(benches);
    let now = SystemTime::now();
    let stamp = report::rfc3339(now);
    let doc = json!({
        "date": stamp,
        "quick": a.quick,
        "cap_seconds": a.cap,
        "optimized": !cfg!(debug_assertions),
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "engines": engines,
        "workloads": rows,
    });
    let dir = a.report.clone().unwrap_or_else(|| root().join("reports/bench").join(&stamp[..10]));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join("bench.json"), serde_json::to_string_pretty(&doc)? + "\n")?;
    let md = markdown(&doc);
    std::fs::write(dir.join("bench.md"), &md)?;
    println!("{md}");
    eprintln!("wrote {}", dir.join("bench.md").display());
    Ok(ExitCode::SUCCESS)
}

fn markdown(doc: &Value) -> String {
    let labels: Vec<String> = doc["engines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["label"].as_str().map(str::to_string))
        .collect();
    let mut s = String::new();
    let _ = writeln!(s, "# cargo xtask bench, {}\n", doc["date"].as_str().unwrap_or(""));
    let _ = writeln!(
        s,
        "Median wall time of one execution through each engine's adapter, transitions per second \
         (transitions counted by the reference), and times slower than the reference in the same run and mode. \
         The reference runs in this process, records the history and returns its result without it, as for a \
         case that does not check it; a process engine answers over its pipes; an API endpoint over HTTP. \
         Cores: {}; load average before {} / after {}; {}{}; cap {} s per engine, workload and mode.\n",
        doc["cores"],
        doc["load_average_before"].as_str().unwrap_or(""),
        doc["load_average_after"].as_str().unwrap_or(""),
        if doc["optimized"] == true { "optimized build" } else { "xtask built with debug assertions" },
        if doc["quick"] == true { ", --quick" } else { "" },
        doc["cap_seconds"],
    );
    let _ = writeln!(
        s,
        "## Each execution brings its definition\n\nAs a conformance case runs: the engine parses, validates \
         (creates) and executes the machine every time.\n"
    );
    speed_table(&mut s, doc, &labels, Mode::PerRun);
    let _ = writeln!(
        s,
        "\n## Created once, then executed\n\nThe machine is created once (CreateStateMachine; a `create` request \
         of the process protocol) and each measured execution runs it (StartExecution). An engine that cannot \
         keep a machine says `unsupported`.\n"
    );
    speed_table(&mut s, doc, &labels, Mode::CreatedOnce);
    let _ =
        writeln!(s, "\n## Peak RSS (VmHWM, reset before each workload's measured executions, each definition sent)\n");
    let _ = writeln!(
        s,
        "The reference row is the xtask process itself; a process engine's is its child; `sfn:moto`'s is the \
         moto server started for the run; an external endpoint has none.\n"
    );
    let _ = write!(s, "| workload |");
    for l in &labels {
        let _ = write!(s, " {l} |");
    }
    let _ = writeln!(s, "\n|---|{}", "---:|".repeat(labels.len()));
    for row in doc["workloads"].as_array().into_iter().flatten() {
        let _ = write!(s, "| {} |", row["workload"].as_str().unwrap_or(""));
        for l in &labels {
            let kib = row["results"][l.as_str()][Mode::PerRun.key()]["peak_rss_kib"].as_u64();
            let _ = write!(s, " {} |", kib.map_or_else(|| "—".to_string(), |k| format!("{:.1} MB", k as f64 / 1024.0)));
        }
        let _ = writeln!(s);
    }
    let mut notes = Vec::new();
    for row in doc["workloads"].as_array().into_iter().flatten() {
        let w = row["workload"].as_str().unwrap_or("");
        for (l, modes) in row["results"].as_object().into_iter().flatten() {
            for mode in Mode::ALL {
                if let Some(n) = modes[mode.key()]["note"].as_str() {
                    notes.push(format!("- ⚠ {w} on {l} ({}): {n}", mode.key()));
                }
            }
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(s, "\n{}", notes.join("\n"));
    }
    let _ = writeln!(s, "\nEngines:\n");
    for e in doc["engines"].as_array().into_iter().flatten() {
        let _ = writeln!(s, "- {}: {}", e["label"].as_str().unwrap_or(""), e["version"].as_str().unwrap_or(""));
    }
    s
}

/// One row per workload: each engine's time, rate and ratio in `mode`, and the fastest peer's ratio.
fn speed_table(s: &mut String, doc: &Value, labels: &[String], mode: Mode) {
    // The reference behind `aslcheck serve` (a process engine named "reference") is not a peer.
    let peers: Vec<&str> = doc["engines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["name"] != "reference")
        .filter_map(|e| e["label"].as_str())
        .collect();
    let _ = write!(s, "| workload | transitions |");
    for l in labels {
        let _ = write!(s, " {l} |");
    }
    let _ = writeln!(s, " fastest peer ÷ reference |");
    let _ = writeln!(s, "|---|---:|{}---:|", "---|".repeat(labels.len()));
    for row in doc["workloads"].as_array().into_iter().flatten() {
        let _ = write!(s, "| {} | {} |", row["workload"].as_str().unwrap_or(""), row["transitions"]);
        let mut fastest: Option<f64> = None;
        for l in labels {
            let r = &row["results"][l.as_str()][mode.key()];
            match r["median_seconds"].as_f64() {
                Some(m) => {
                    let tps = r["transitions_per_second"].as_f64().unwrap_or(0.0);
                    let ratio = r["ratio_to_reference"].as_f64().unwrap_or(0.0);
                    let mark = if r["note"].is_null() { "" } else { " ⚠" };
                    if l != "reference" {
                        if peers.contains(&l.as_str()) {
                            fastest = Some(fastest.map_or(ratio, |f: f64| f.min(ratio)));
                        }
                        let _ = write!(s, " {} · {} t/s · {}{mark} |", ms(m), si(tps), times(ratio));
                    } else {
                        let _ = write!(s, " {} · {} t/s |", ms(m), si(tps));
                    }
                }
                None => {
                    let _ = write!(s, " {} |", r["status"].as_str().unwrap_or("—"));
                }
            }
        }
        let _ = writeln!(s, " {} |", fastest.map_or_else(|| "—".to_string(), times));
    }
}

/// A ratio, with a decimal where it is small enough to matter.
fn times(ratio: f64) -> String {
    if ratio < 10.0 {
        format!("{ratio:.1}×")
    } else {
        format!("{ratio:.0}×")
    }
}

fn ms(seconds: f64) -> String {
    if seconds < 1e-3 {
        format!("{:.1} µs", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{seconds:.2} s")
    }
}

fn si(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn the_table_shows_each_mode_with_its_own_ratios() {
        let doc = json!({
            "date": "2026-12-02T00:00:00Z", "cores": 2, "optimized": true, "quick": false, "cap_seconds": 60.0,
            "load_average_before": "0.1", "load_average_after": "0.2",
            "engines": [{"label": "reference", "name": "reference", "version": "asl"},
                {"label": "served", "name": "reference", "version": "asl"}, {"label": "peer", "name": "peer", "version": "1"}],
            "workloads": [{"workload": "w", "transitions": 100, "results": {
                "reference": {
                    "per_run": {"median_seconds": 1e-4, "transitions_per_second": 1e6, "ratio_to_reference": 1.0},
                    "created_once": {"median_seconds": 1e-5, "transitions_per_second": 1e7, "ratio_to_reference": 1.0}},
                "served": {
                    "per_run": {"median_seconds": 1.5e-4, "transitions_per_second": 6.7e5, "ratio_to_reference": 1.5},
                    "created_once": {"status": "timeout"}},
                "peer": {
                    "per_run": {"median_seconds": 2e-4, "transitions_per_second": 5e5, "ratio_to_reference": 2.0},
                    "created_once": {"status": "unsupported: peer creates its state machine for every run"}}}}]
        });
        let md = markdown(&doc);
        let tables: Vec<&str> = md.split("\n## ").collect();
        assert!(tables[1].starts_with("Each execution brings its definition"), "{md}");
        assert!(tables[1].contains("| w | 100 | 100.0 µs · 1.00M t/s | 150.0 µs · 670.0k t/s · 1.5× | 200.0 µs · 500.0k t/s · 2.0× | 2.0× |"), "{md}");
        assert!(tables[2].starts_with("Created once"), "{md}");
        assert!(
            tables[2].contains(
                "| w | 100 | 10.0 µs · 10.00M t/s | timeout | unsupported: peer creates its state machine for every run | — |"
            ),
            "{md}"
        );
    }

    #[test]
    fn own_peak_rss_can_be_read() {
        assert!(peak_rss_kib(std::process::id()).is_some_and(|k| k > 0));
    }
}
