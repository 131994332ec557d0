//! `cargo xtask conformance`: run the corpus on an engine with a progress bar, print failures
//! and a summary, write the report folder (DESIGN §7). `cargo xtask report-check`: render a
//! report's index.html in headless Chromium and check the tables are there.

use crate::engines::{Chosen, EngineArgs};
use crate::interrupt::INTERRUPTED;
use crate::{progress_bar, root};
use anyhow::{bail, Context, Result};
use asl_conformance::case::Case;
use asl_conformance::expectations::Expectations;
use asl_conformance::generated::{self, ConfigSource};
use asl_conformance::process::PROTOCOL_VERSION;
use asl_conformance::report::{self, compare::Comparison, jsonl, EngineRun, Report, RunMeta};
use asl_conformance::suite::{self, CaseResult, Class, RunConfig, Selection};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    engine: EngineArgs,
    /// Run only cases whose id contains this text (repeatable).
    #[arg(long)]
    filter: Vec<String>,
    /// Leave out cases whose id contains this text (repeatable).
    #[arg(long)]
    exclude: Vec<String>,
    /// Run only cases tagged with these feature ids or prefixes (comma separated).
    #[arg(long, value_delimiter = ',')]
    features: Vec<String>,
    /// Corpus folders to run (repeatable); they replace corpus/cases unless
    /// --with-default-corpus is given.
    #[arg(long)]
    corpus: Vec<PathBuf>,
    /// Run corpus/cases as well as the --corpus folders.
    #[arg(long)]
    with_default_corpus: bool,
    /// Where to write the report; default: reports/<run-id>.
    #[arg(long)]
    report: Option<PathBuf>,
    /// A previous report folder to compare with (writes compare.md).
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Generated cases to run after the corpus (expected: what the reference gives); 0: none.
    #[arg(long, default_value_t = 500)]
    generated: u64,
    /// Seed of the generated batch (the same seed gives the same cases).
    #[arg(long, default_value_t = 1)]
    generated_seed: u64,
    /// Generator settings of the batch: `default`, `swarm` or a GenConfig JSON file.
    #[arg(long, default_value = "default")]
    generated_config: String,
}

/// `cargo xtask conformance`.
pub fn run(args: Args) -> Result<ExitCode> {
    let root = root();
    let mut dirs = args.corpus.clone();
    if dirs.is_empty() || args.with_default_corpus {
        dirs.insert(0, root.join("corpus/cases"));
    }
    // Mistakes in the flags are reported before anything runs.
    let catalog = asl_conformance::features::load(&root.join("corpus/features.txt")).unwrap_or_default();
    check_features(&args.features, &catalog)?;
    if let Some(base) = &args.baseline {
        let file = base.join("results.jsonl");
        jsonl::read(&file).with_context(|| format!("--baseline: cannot read {}", file.display()))?;
    }
    let selection =
        Selection { filters: args.filter.clone(), excludes: args.exclude.clone(), features: args.features.clone() };
    let (mut cases, load_errors) = suite::load(&dirs, &selection);
    for e in &load_errors {
        eprintln!("corpus error: {e}");
    }
    let source = ConfigSource::parse(&args.generated_config).map_err(anyhow::Error::msg)?;
    // Before the engine starts, so that a signal from here on ends the run with its report and
    // no engine process left behind.
    let stop = Arc::new(AtomicBool::new(false));
    crate::interrupt::install(Arc::clone(&stop), "stopping after the current case")?;
    let started = SystemTime::now();
    let mut chosen = match Chosen::start(&args.engine) {
        Ok(chosen) => chosen,
        Err(e) => {
            // No run, but still a report that says why (CI shows junit.xml).
            let name = args.engine.kind_name();
            let dir = args
                .report
                .clone()
                .unwrap_or_else(|| root.join("reports").join(run_id(started, name, &root.join("reports"))));
            let why = format!("the engine did not start: {e:#}");
            let meta = RunMeta {
                run_id: dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                started,
                finished: SystemTime::now(),
                corpus_commit: report::corpus_commit(&dirs[0]),
                corpus_dirs: dirs,
                protocol_version: PROTOCOL_VERSION.to_string(),
                selected: cases.len() + args.generated as usize,
                interrupted: false,
                load_errors,
                notes: vec![why.clone()],
            };
            let engine = EngineRun { name: name.to_string(), version: String::new(), results: Vec::new() };
            let report = Report { meta, engines: vec![engine], catalog };
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            std::fs::write(dir.join("results.jsonl"), "")?;
            report.write(&dir, None).with_context(|| format!("writing the report in {}", dir.display()))?;
            eprintln!("xtask: {why}");
            eprintln!("report: {}", dir.join("index.html").display());
            return Ok(ExitCode::from(2));
        }
    };
    let name = chosen.engine().name().to_string();
    let version = chosen.engine().version();
    let exp_path = Expectations::path_for(&root.join("corpus/expectations"), &name);
    let expectations = Expectations::load(&exp_path).map_err(|e| anyhow::anyhow!(e.join("\n")))?;
    let run_id = run_id(started, &name, &root.join("reports"));
    let dir = args.report.clone().unwrap_or_else(|| root.join("reports").join(&run_id));
    // Generated before the run (each needs the reference's result). Ctrl-C here stops
    // generating; the cases there are still run (a second Ctrl-C stops those too), and the
    // report says the run was interrupted.
    let strategy = source.strategy();
    let mut not_generated = 0;
    for index in 0..args.generated {
        if index == 0 && stop.load(Ordering::SeqCst) {
            // Stopped while the engine started: nothing is generated, and nothing runs.
            not_generated = args.generated;
            break;
        }
        if stop.swap(false, Ordering::SeqCst) {
            not_generated = args.generated - index;
            break;
        }
        let case = generated::case_at(&strategy, &source, args.generated_seed, index, &dir.join("generated"))
            .map_err(anyhow::Error::msg)?;
        if selection.selects(&case) {
            cases.push(case);
        }
    }
    if cases.is_empty() {
        bail!("no cases selected");
    }

    let skip = chosen.skip_rule();
    let gate = |c: &Case| skip(&c.features);
    let config = RunConfig { expectations: &expectations, stop: &stop, unsupported: Some(&gate) };
    let bar = progress_bar(cases.len() as u64, "{elapsed_precise}");
    let clock = Instant::now();
    let mut failing = 0usize;
    let run = report::run_streaming(chosen.engine(), &cases, &config, &dir, |r| {
        failing += usize::from(r.class.is_failure());
        bar.set_message(if failing > 0 { format!("{failing} failing") } else { String::new() });
        bar.inc(1);
    })
    .with_context(|| format!("writing {}", dir.join("results.jsonl").display()))?;
    bar.finish_and_clear();
    write_failing_generated(&cases, &run.results)?;

    let meta = RunMeta {
        run_id,
        started,
        finished: SystemTime::now(),
        corpus_commit: report::corpus_commit(&dirs[0]),
        corpus_dirs: dirs,
        protocol_version: PROTOCOL_VERSION.to_string(),
        selected: cases.len() + not_generated as usize,
        interrupted: run.interrupted || not_generated > 0,
        load_errors: load_errors.clone(),
        notes: run.hung.iter().map(|why| format!("{why}: the cases after that were not sent")).collect(),
    };
    let report = Report { meta, engines: vec![EngineRun { name, version, results: run.results }], catalog };
    report.write(&dir, args.baseline.as_deref()).with_context(|| format!("writing the report in {}", dir.display()))?;

    print_outcome(&report, &dir, args.baseline.as_deref(), clock.elapsed());
    let results = &report.engines[0].results;
    let failed = results.iter().any(|r| r.class.is_failure());
    Ok(if report.meta.interrupted {
        ExitCode::from(INTERRUPTED)
    } else if failed || !load_errors.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Every `--features` entry must be a feature id of features.txt or a prefix of some (`retry`
/// covers `retry.backoff`): a typo would otherwise select nothing and say only that.
fn check_features(given: &[String], catalog: &[asl_conformance::features::Feature]) -> Result<()> {
    if catalog.is_empty() {
        return Ok(());
    }
    let known = |f: &str| catalog.iter().any(|c| c.id == f || c.id.strip_prefix(f).is_some_and(|r| r.starts_with('.')));
    let unknown: Vec<&str> = given.iter().map(String::as_str).filter(|f| !known(f)).collect();
    if !unknown.is_empty() {
        bail!(
            "--features: unknown feature id {} (not in corpus/features.txt, nor a prefix of one)",
            unknown.join(", ")
        );
    }
    Ok(())
}

/// A generated case that did not pass is written to the file its result names, so it can be
/// replayed (`--corpus`) or saved as a pending case.
fn write_failing_generated(cases: &[Case], results: &[CaseResult]) -> Result<()> {
    for r in results.iter().filter(|r| r.area() == "generated" && r.class != Class::Pass) {
        let Some(case) = cases.iter().find(|c| c.id == r.id) else { continue };
        if let Some(parent) = case.file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let text = serde_json::to_string_pretty(&generated::case_file_json(case))?;
        std::fs::write(&case.file, text + "\n").with_context(|| format!("writing {}", case.file.display()))?;
    }
    Ok(())
}

/// `<UTC time>-<engine>`, made unique among the folders already in `reports`.
fn run_id(started: SystemTime, engine: &str, reports: &Path) -> String {
    let safe: String = engine.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let base = format!("{}-{safe}", report::compact_time(started));
    (1..1000)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
        .find(|id| !reports.join(id).exists())
        .unwrap_or(base)
}

/// Failures with their diffs, known failures that now pass, the per-area table, where the
/// report is.
fn print_outcome(report: &Report, dir: &Path, baseline: Option<&Path>, took: Duration) {
    let results: &[CaseResult] = &report.engines[0].results;
    for r in results.iter().filter(|r| r.class.is_failure()) {
        println!("{} {} ({})", r.class.as_str().to_uppercase(), r.id, r.file.display());
        if let Some(reason) = &r.reason {
            println!("    {}", report::clip(reason, 300));
        }
        for d in &r.diffs {
            println!("    {}", d.pointer);
            println!("      expected: {}", report::clip(&d.expected_text(), 300));
            println!("      actual:   {}", report::clip(&d.actual_text(), 300));
        }
    }
    for r in results.iter().filter(|r| r.now_passes()) {
        println!("expected failure now passes: {} (listed: {})", r.id, r.expected_failure.as_deref().unwrap_or(""));
    }
    print!("{}", suite::summary_table(results));
    if let Some(base) = baseline {
        if let Ok(old) = jsonl::read(&base.join("results.jsonl")) {
            let c = Comparison::new(&old, report);
            println!(
                "against {}: {} fixed, {} newly broken, {} new crashes/timeouts, {} still failing",
                base.display(),
                c.fixed.len(),
                c.broken.len(),
                c.new_crashes.len(),
                c.still_failing.len()
            );
        }
    }
    let skipped = results.iter().filter(|r| r.class == Class::Skipped).count();
    let known = results.iter().filter(|r| r.class == Class::KnownFailure).count();
    if report.meta.interrupted {
        println!("INTERRUPTED after {} of {} cases", results.len(), report.meta.selected);
    }
    for note in &report.meta.notes {
        println!("NOTE: {note}");
    }
    println!(
        "{} cases in {took:.2?} ({skipped} skipped, {known} known failures); report: {}",
        results.len(),
        dir.join("index.html").display()
    );
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// A report folder; default: the newest one under reports/.
    dir: Option<PathBuf>,
    /// Also save a screenshot of the page (PNG) here.
    #[arg(long)]
    screenshot: Option<PathBuf>,
}

/// Where Chromium is looked for (Debian's package installs the first).
const CHROMIUM: [&str; 3] = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/// `cargo xtask report-check`: renders index.html in headless Chromium and checks that the
/// script drew the matrix and one case row per result.
pub fn report_check(args: CheckArgs) -> Result<ExitCode> {
    let dir = match args.dir {
        Some(d) => d,
        None => newest_report(&root().join("reports"))?,
    };
    let page =
        std::fs::canonicalize(dir.join("index.html")).with_context(|| format!("{}: no index.html", dir.display()))?;
    let Some(chromium) = CHROMIUM.iter().map(Path::new).find(|p| p.is_file()) else {
        eprintln!("report-check needs Chromium ({}); install it with: apt-get install -y chromium", CHROMIUM[0]);
        return Ok(ExitCode::FAILURE);
    };
    let expected = jsonl::read(&dir.join("results.jsonl"))?.len();
    let dom = headless(chromium, &["--dump-dom".to_string(), file_url(&page)])?;
    let problems = dom_problems(&dom, expected);
    if let Some(shot) = &args.screenshot {
        let shot = std::path::absolute(shot)?;
        headless(
            chromium,
            &[format!("--screenshot={}", shot.display()), "--window-size=1400,1000".into(), file_url(&page)],
        )?;
        println!("screenshot: {}", shot.display());
    }
    if problems.is_empty() {
        println!("report-check: {} renders (matrix and {expected} case rows)", page.display());
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &problems {
            eprintln!("report-check: {}: {p}", page.display());
        }
        Ok(ExitCode::FAILURE)
    }
}

/// What is missing from the rendered DOM (empty: all there).
fn dom_problems(dom: &str, expected_rows: usize) -> Vec<String> {
    let mut problems = Vec::new();
    if !dom.contains("data-rendered=\"ok\"") {
        problems.push("the page script did not finish (no data-rendered=\"ok\" on <body>)".to_string());
    }
    let has_rows = expected_rows == 0 || dom.contains("data-feature=\"");
    if !dom.contains("id=\"matrix-grid\"") || !has_rows {
        problems.push("no feature matrix (#matrix-grid with feature rows) in the rendered page".to_string());
    }
    let rows = dom.matches("data-case=\"").count();
    if rows != expected_rows {
        problems.push(format!("{rows} case rows in the rendered page, {expected_rows} results in results.jsonl"));
    }
    problems
}

fn file_url(p: &Path) -> String {
    let text = p.to_string_lossy();
    let encoded: String = text
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            '%' => "%25".to_string(),
            c => c.to_string(),
        })
        .collect();
    format!("file://{encoded}")
}

/// Runs headless Chromium with a fresh profile; its stdout (the DOM for --dump-dom).
fn headless(chromium: &Path, extra: &[String]) -> Result<String> {
    let nonce = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let profile = std::env::temp_dir().join(format!("aslcheck-chromium-{}-{nonce}", std::process::id()));
    std::fs::create_dir_all(&profile)?;
    let out_path = profile.join("stdout.html");
    let out = std::fs::File::create(&out_path)?;
    let mut child = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", chromium.display()))?;
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = std::fs::read_to_string(&out_path).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&profile);
    match status {
        None => bail!("{} did not finish within 90 s", chromium.display()),
        Some(s) if !s.success() => bail!("{} failed: {s}", chromium.display()),
        Some(_) => Ok(text),
    }
}

/// The report folder under `reports` whose index.html was written last.
fn newest_report(reports: &Path) -> Result<PathBuf> {
    let entries = std::fs::read_dir(reports).with_context(|| format!("reading {}", reports.display()))?;
    entries
        .flatten()
        .filter_map(|e| {
            let modified = e.path().join("index.html").metadata().and_then(|m| m.modified()).ok()?;
            Some((modified, e.path()))
        })
        .max()
        .map(|(_, p)| p)
        .with_context(|| format!("no report with an index.html under {}", reports.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dom_checks_name_what_is_missing() {
        let good = r#"<body data-rendered="ok"><div id="matrix-grid"><tr data-feature="x"></tr></div><tr data-case="a"><tr data-case="b">"#;
        assert!(dom_problems(good, 2).is_empty());
        let p = dom_problems("<body><div id=\"matrix\"></div>", 1);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[2].starts_with("0 case rows"));
    }

    #[test]
    fn run_ids_are_unique_and_file_safe() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_709_251_199);
        assert_eq!(run_id(t, "node shim", Path::new("/nonexistent")), "20240229T235959Z-node_shim");
    }

    #[test]
    fn file_urls_escape_spaces() {
        assert_eq!(file_url(Path::new("/a b/#x.html")), "file:///a%20b/%23x.html");
    }
}
