//! Ctrl-C during `cargo xtask conformance --engine sfn` against moto: the run stops with
//! exit code 130, leaves a valid report, and deletes every state machine it created,
//! including those of executions still running. Needs moto: ignored unless
//! `--include-ignored` (as `.ci/run` runs it).

use asl_sfn::moto::MotoServer;
use asl_sfn::{SfnConfig, SfnEngine};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
#[ignore = "needs python3 and moto (engines/moto/install.sh, network): run by .ci/run (cargo test -- --include-ignored)"]
fn ctrl_c_stops_the_run_and_deletes_every_machine() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let moto = MotoServer::start(root).expect("moto's server");
    let dir = std::env::temp_dir().join(format!("aslcheck-sfn-interrupt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let corpus = dir.join("cases/wait");
    std::fs::create_dir_all(&corpus).unwrap();
    // Each case really waits 4 s on moto: some are in flight when Ctrl-C comes.
    for i in 0..12 {
        let case = json!({
            "description": "waits", "features": ["wait.seconds"], "confidence": "reasoned",
            "definition": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 4, "End": true}}},
            "input": {"i": i}, "expect": {"status": "SUCCEEDED", "output": {"i": i}}});
        std::fs::write(corpus.join(format!("w{i:02}.json")), case.to_string()).unwrap();
    }
    let report = dir.join("report");
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["conformance", "--engine", "sfn", "--endpoint-url", &moto.url, "--generated", "0"])
        .args(["--timeout", "30", "--concurrency", "4", "--corpus"])
        .arg(dir.join("cases"))
        .arg("--report")
        .arg(&report)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start xtask");

    let watcher = SfnEngine::connect(SfnConfig { endpoint_url: Some(moto.url.clone()), ..SfnConfig::default() })
        .expect("connect to moto");
    let deadline = Instant::now() + Duration::from_secs(60);
    while watcher.leftover_machines().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the run created no state machine within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());

    let stopped = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(stopped.elapsed() < Duration::from_secs(30), "the run did not stop within 30 s of Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert_eq!(watcher.leftover_machines().unwrap(), Vec::<String>::new(), "machines left behind");

    let summary: Value = serde_json::from_str(&std::fs::read_to_string(report.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["interrupted"], true, "{summary}");
    let lines = std::fs::read_to_string(report.join("results.jsonl")).unwrap();
    for line in lines.lines() {
        let v: Value = serde_json::from_str(line).expect("each results line is JSON");
        assert_eq!(v["class"], "pass", "{line}");
    }
    assert!(lines.lines().count() < 12, "the run was not cut short");
    let _ = std::fs::remove_dir_all(&dir);
}
