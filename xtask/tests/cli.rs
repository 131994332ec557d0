//! `cargo xtask conformance` and friends as a user meets them: no silent waits, reports that
//! are complete whatever happens to the engine, mistakes named before anything runs. The
//! engines here are small `sh` scripts, so only a POSIX shell is needed.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aslcheck-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// `n` cases that the reference passes, under `dir/cases/pass/`.
fn corpus(dir: &Path, n: usize) -> PathBuf {
    let cases = dir.join("cases");
    std::fs::create_dir_all(cases.join("pass")).expect("corpus folder");
    for i in 0..n {
        let case = json!({
            "description": "a Pass state", "features": ["pass.result.literal"], "confidence": "documented",
            "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"i": i}, "End": true}}},
            "expect": {"status": "SUCCEEDED", "output": {"i": i}}});
        std::fs::write(cases.join(format!("pass/c{i:02}.json")), case.to_string()).expect("case file");
    }
    cases
}

/// An engine that says hello and then never answers; each start appends its pid to `pids`.
fn hanging_engine(pids: &Path) -> String {
    format!(r#"sh -c 'echo $$ >> "{}"; echo "{{\"type\":\"hello\",\"protocol\":1}}"; exec sleep 600'"#, pids.display())
}

fn xtask() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xtask"));
    c.stdin(Stdio::null()).env("ASLCHECK_PROGRESS_SECONDS", "0.5");
    c
}

fn text(out: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

fn alive(pid: &str) -> bool {
    Command::new("kill").args(["-0", pid]).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

#[test]
fn the_xtask_alias_shows_cargo_progress() {
    let config = std::fs::read_to_string(root().join(".cargo/config.toml")).expect(".cargo/config.toml");
    let alias = config.lines().find(|l| l.trim_start().starts_with("xtask")).expect("the xtask alias");
    assert!(!alias.contains("--quiet") && !alias.contains(" -q "), "{alias}");
}

#[test]
fn a_hung_engine_is_declared_hung_and_the_rest_is_classed_at_once() {
    let dir = scratch("hung");
    let cases = corpus(&dir, 20);
    let report = dir.join("report");
    let started = Instant::now();
    let out = xtask()
        .args(["conformance", "--engine", "process", "--cmd", &hanging_engine(&dir.join("pids"))])
        .args(["--timeout", "1", "--generated", "0", "--corpus"])
        .arg(&cases)
        .arg("--report")
        .arg(&report)
        .output()
        .expect("run xtask");
    let took = started.elapsed();
    // 20 cases of 1 s each before; 3 timeouts and no waiting for the rest now.
    assert!(took < Duration::from_secs(12), "took {took:?}\n{}", text(&out));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let summary = read_json(&report.join("summary.json"));
    let notes = summary["notes"].to_string();
    assert!(notes.contains("timed out 3 cases in a row and was declared hung"), "{notes}");
    assert_eq!(summary["engines"][0]["totals"]["timeout"], 20, "{summary}");
    let lines = std::fs::read_to_string(report.join("results.jsonl")).expect("results.jsonl");
    assert_eq!(lines.lines().filter(|l| l.contains("not sent: the engine timed out")).count(), 17);
    // stderr is not a terminal here: progress comes as lines.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("progress: ") && err.contains("/20 cases"), "{}", text(&out));
    // No engine process survives the run.
    let pids = std::fs::read_to_string(dir.join("pids")).unwrap_or_default();
    assert!(!pids.trim().is_empty());
    for pid in pids.split_whitespace() {
        assert!(!alive(pid), "engine process {pid} survived");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn sigterm_completes_the_report_and_kills_the_engine() {
    let dir = scratch("sigterm");
    let cases = corpus(&dir, 5);
    let report = dir.join("report");
    let pids = dir.join("pids");
    let child = xtask()
        .args(["conformance", "--engine", "process", "--cmd", &hanging_engine(&pids)])
        .args(["--timeout", "60", "--generated", "0", "--corpus"])
        .arg(&cases)
        .arg("--report")
        .arg(&report)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start xtask");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&pids).unwrap_or_default().trim().is_empty() {
        assert!(Instant::now() < deadline, "the engine did not start within 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let sent = Instant::now();
    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(kill.success());
    let out = child.wait_with_output().expect("xtask output");
    // The case in flight is abandoned: no waiting for its 60 s timeout.
    assert!(sent.elapsed() < Duration::from_secs(10), "took {:?}", sent.elapsed());
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    let summary = read_json(&report.join("summary.json"));
    assert_eq!(summary["interrupted"], true);
    assert!(report.join("junit.xml").is_file() && report.join("index.html").is_file());
    for pid in std::fs::read_to_string(&pids).unwrap_or_default().split_whitespace() {
        assert!(!alive(pid), "engine process {pid} survived");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_engine_that_never_starts_still_gets_a_report_that_says_why() {
    let dir = scratch("never-started");
    let cases = corpus(&dir, 2);
    let report = dir.join("report");
    let out = xtask()
        .args(["conformance", "--engine", "process", "--cmd", "aslcheck-no-such-program --x"])
        .args(["--generated", "0", "--corpus"])
        .arg(&cases)
        .arg("--report")
        .arg(&report)
        .output()
        .expect("run xtask");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let summary = read_json(&report.join("summary.json"));
    let notes = summary["notes"].to_string();
    assert!(notes.contains("the engine did not start") && notes.contains("aslcheck-no-such-program"), "{notes}");
    let junit = std::fs::read_to_string(report.join("junit.xml")).expect("junit.xml");
    assert!(junit.contains("<error type=\"run\" message=\"the engine did not start"), "{junit}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_missing_baseline_is_named_before_anything_runs() {
    let dir = scratch("baseline");
    let cases = corpus(&dir, 2);
    let report = dir.join("report");
    let missing = dir.join("no-such-report");
    let out = xtask()
        .args(["conformance", "--generated", "0", "--corpus"])
        .arg(&cases)
        .arg("--report")
        .arg(&report)
        .arg("--baseline")
        .arg(&missing)
        .output()
        .expect("run xtask");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&missing.join("results.jsonl").display().to_string()), "{err}");
    assert!(!report.exists(), "a run happened: {}", report.display());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_unknown_feature_id_is_named() {
    let out =
        xtask().args(["conformance", "--generated", "0", "--features", "retry,no.such.id"]).output().expect("xtask");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown feature id no.such.id"), "{err}");
    assert!(!err.contains("retry,") && !err.contains("no cases selected"), "{err}");
}

#[test]
fn an_unreachable_endpoint_is_one_clear_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let dir = scratch("unreachable");
    let cases = corpus(&dir, 1);
    let out = xtask()
        .args(["conformance", "--engine", "sfn", "--endpoint-url", &format!("http://127.0.0.1:{port}")])
        .args(["--generated", "0", "--corpus"])
        .arg(&cases)
        .arg("--report")
        .arg(dir.join("report"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run xtask");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err.lines().find(|l| l.starts_with("xtask: ")).unwrap_or_default();
    assert!(line.contains("cannot use the Step Functions API") && line.contains("Connection refused"), "{err}");
    // No Rust Debug dump of the SDK's error.
    for debug in ["DispatchFailure(", "ConnectorError {", "source: ", "Os {"] {
        assert!(!err.contains(debug), "{err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn ctrl_c_stops_a_differential_run_with_exit_130() {
    let dir = scratch("differential");
    let pids = dir.join("pids");
    let child = xtask()
        .args(["differential", "--engine", "process", "--cmd", &hanging_engine(&pids), "--timeout", "2"])
        .args(["--cases", "50", "--seed", "1", "--pending"])
        .arg(dir.join("pending"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start xtask");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&pids).unwrap_or_default().trim().is_empty() {
        assert!(Instant::now() < deadline, "the engine did not start within 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(kill.success());
    let out = child.wait_with_output().expect("xtask output");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("INTERRUPTED"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_hung_engine_stops_a_differential_run_at_once() {
    let dir = scratch("differential-hung");
    let started = Instant::now();
    let out = xtask()
        .args(["differential", "--engine", "process", "--cmd", &hanging_engine(&dir.join("pids")), "--timeout", "1"])
        .args(["--cases", "50", "--seed", "1", "--pending"])
        .arg(dir.join("pending"))
        .output()
        .expect("run xtask");
    // Before: the first timeout was shrunk with up to 2000 runs of 1 s each, then 49 more cases.
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("timed out 3 runs in a row (hung)"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(dir);
}
