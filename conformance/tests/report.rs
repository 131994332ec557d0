//! Report files: produced, parseable, known failures, baseline comparison, interrupted runs.

use asl_conformance::case::Case;
use asl_conformance::engine::Reference;
use asl_conformance::expectations::Expectations;
use asl_conformance::features::Feature;
use asl_conformance::report::{self, compare::Comparison, jsonl, EngineRun, Report, RunMeta};
use asl_conformance::suite::{self, CaseResult, Class, Run, RunConfig, Selection};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aslcheck-report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A Pass state returning `{"v": 1}`; the case expects `{"v": expect}`.
fn write_case(root: &Path, id: &str, feature: &str, expect: i64) {
    let case = json!({
        "description": format!("Pass returns a literal ({id})"),
        "features": [feature],
        "confidence": "documented",
        "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"v": 1}, "End": true}}},
        "expect": {"status": "SUCCEEDED", "output": {"v": expect}}
    });
    let file = root.join(format!("{id}.json"));
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, case.to_string()).unwrap();
}

/// Four cases: `pass/a` and `pass/b` pass, `wait/c` fails, `wait/d` passes.
fn corpus(dir: &Path) -> Vec<Case> {
    let root = dir.join("cases");
    write_case(&root, "pass/a", "pass.result.literal", 1);
    write_case(&root, "pass/b", "pass.result.literal", 1);
    write_case(&root, "wait/c", "wait.seconds", 2);
    write_case(&root, "wait/d", "wait.seconds", 1);
    let (cases, errors) = suite::load(&[root], &Selection::default());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(cases.len(), 4);
    cases
}

fn catalog() -> Vec<Feature> {
    asl_conformance::features::parse("# pass\npass.result.literal\n# wait\nwait.seconds\n").unwrap()
}

fn meta(run: &Run, selected: usize) -> RunMeta {
    RunMeta {
        run_id: "test-run".to_string(),
        started: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        finished: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_002),
        corpus_commit: Some("0123abcd".to_string()),
        corpus_dirs: vec![PathBuf::from("cases")],
        protocol_version: "1".to_string(),
        notes: Vec::new(),
        selected,
        interrupted: run.interrupted,
        load_errors: Vec::new(),
    }
}

/// Runs the cases the way `cargo xtask conformance` does and writes every report file.
fn run_and_write(dir: &Path, cases: &[Case], exp: &Expectations, stop: &AtomicBool, stop_after: usize) -> Report {
    let mut seen = 0;
    let run = report::run_streaming(&mut Reference, cases, &RunConfig::new(exp, stop), dir, |_| {
        seen += 1;
        if seen == stop_after {
            stop.store(true, Ordering::SeqCst); // what the Ctrl-C handler does
        }
    })
    .unwrap();
    let report = Report {
        meta: meta(&run, cases.len()),
        engines: vec![EngineRun { name: "reference".into(), version: "asl test".into(), results: run.results }],
        catalog: catalog(),
    };
    report.write(dir, None).unwrap();
    report
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn jsonl_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn every_report_file_is_written_and_parses() {
    let dir = scratch("files");
    let cases = corpus(&dir);
    let out = dir.join("report");
    run_and_write(&out, &cases, &Expectations::default(), &AtomicBool::new(false), usize::MAX);

    let lines = jsonl_lines(&out.join("results.jsonl"));
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2]["case"], "wait/c");
    assert_eq!(lines[2]["class"], "fail");
    assert_eq!(lines[2]["diffs"][0], json!({"pointer": "/output/v", "expected": 2, "actual": 1}));
    assert_eq!(lines[0]["class"], "pass");

    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["run_id"], "test-run");
    assert_eq!(summary["started"], "2023-11-14T22:13:20Z");
    assert_eq!(summary["corpus_commit"], "0123abcd");
    assert_eq!(summary["protocol_version"], "1");
    assert_eq!(summary["interrupted"], false);
    let engine = &summary["engines"][0];
    assert_eq!(engine["name"], "reference");
    assert_eq!(engine["version"], "asl test");
    assert_eq!(engine["totals"]["pass"], 3);
    assert_eq!(engine["totals"]["fail"], 1);
    assert_eq!(engine["totals"]["total"], 4);
    assert_eq!(engine["features"]["wait.seconds"]["pass"], 1);
    assert_eq!(engine["features"]["wait.seconds"]["fail"], 1);
    assert_eq!(engine["areas"]["pass"]["pass"], 2);

    let xml = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suites: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.iter().map(|s| s.attribute("name").unwrap()).collect::<Vec<_>>(), ["pass", "wait"]);
    assert_eq!(suites[1].attribute("failures"), Some("1"));
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("testcase")).count(), 4);
    let failure = doc.descendants().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(failure.parent().unwrap().attribute("name"), Some("wait/c"));
    assert!(failure.text().unwrap().contains("/output/v\n  expected: 2\n  actual:   1"));

    let matrix = std::fs::read_to_string(out.join("matrix.md")).unwrap();
    assert!(matrix.contains("## pass\n"), "{matrix}");
    assert!(matrix.contains("| `pass.result.literal` | 2/2 |"), "{matrix}");
    assert!(matrix.contains("| `wait.seconds` | 1/2 ✗ [wait/c](../cases/wait/c.json) |"), "{matrix}");
    assert!(matrix.contains("corpus commit 0123abcd"));

    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("id=\"report-data\"") && html.contains("id=\"matrix\"") && html.contains("id=\"cases-body\"")
    );
    assert!(!html.contains("http://") && !html.contains("https://"), "the page must not load anything");
    let start = html.find("id=\"report-data\">").unwrap() + "id=\"report-data\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&html[start..end]).unwrap();
    assert_eq!(data["cases"].as_array().unwrap().len(), 4);
    assert_eq!(data["areas"][1]["features"][0]["cells"][0]["fail"], 1);
    assert!(!out.join("compare.md").exists());
}

#[test]
fn listed_known_failures_are_their_own_class_and_stale_entries_reported() {
    let dir = scratch("expectations");
    let cases = corpus(&dir);
    let exp = Expectations::parse("[known-failures]\n\"wait/c\" = \"off by one\"\n\"pass/\" = \"stale\"\n").unwrap();
    let out = dir.join("report");
    let report = run_and_write(&out, &cases, &exp, &AtomicBool::new(false), usize::MAX);
    let results = &report.engines[0].results;
    let c = results.iter().find(|r| r.id == "wait/c").unwrap();
    assert_eq!(c.class, Class::KnownFailure);
    assert_eq!(c.reason.as_deref(), Some("known failure: off by one [was fail]"));
    assert_eq!(c.diffs.len(), 1, "diffs are kept for the reports");
    assert!(!results.iter().any(|r| r.class.is_failure()));
    let lines = jsonl_lines(&out.join("results.jsonl"));
    let line = lines.iter().find(|l| l["case"] == "wait/c").unwrap();
    assert_eq!((&line["class"], &line["expected_failure"]), (&json!("known-failure"), &json!("off by one")));
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["engines"][0]["totals"]["skipped"], 0);
    assert_eq!(summary["engines"][0]["totals"]["known-failure"], 1);
    assert_eq!(summary["engines"][0]["expected_failure_now_passes"], json!(["pass/a", "pass/b"]));
    let xml = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let skipped = doc.descendants().find(|n| n.has_tag_name("skipped")).unwrap();
    assert_eq!(skipped.attribute("type"), Some("known-failure"));
    assert_eq!(skipped.attribute("message"), Some("known failure: off by one [was fail]"));
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("failure")).count(), 0);
    let now_passing = doc.descendants().filter(|n| n.has_tag_name("system-out")).count();
    assert_eq!(now_passing, 2, "pass/a and pass/b are listed but pass");
    let matrix = std::fs::read_to_string(out.join("matrix.md")).unwrap();
    assert!(
        matrix.contains("1 known failure") && matrix.contains("listed as known failures but pass now: pass/a, pass/b")
    );
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("\"class\":\"known-failure\"") && html.contains("\"known-failure\","),
        "the page's data and classes"
    );
}

fn result(id: &str, class: Class) -> CaseResult {
    CaseResult {
        id: id.to_string(),
        file: PathBuf::from(format!("{id}.json")),
        features: vec!["pass.result.literal".to_string()],
        class,
        diffs: Vec::new(),
        reason: None,
        expected_failure: None,
        duration: Duration::from_millis(1),
    }
}

#[test]
fn compare_classifies_fixed_broken_crashes_and_still_failing() {
    let dir = scratch("compare");
    let base = dir.join("base");
    let mut w = jsonl::Writer::create(&base.join("results.jsonl")).unwrap();
    let before = [
        ("a", Class::Fail),
        ("b", Class::Pass),
        ("c", Class::Pass),
        ("d", Class::Fail),
        ("e", Class::Pass),
        ("gone", Class::Pass),
    ];
    for (id, class) in before {
        w.write("reference", &result(id, class)).unwrap();
    }
    let after =
        [("a", Class::Pass), ("b", Class::Fail), ("c", Class::Crashed), ("d", Class::Timeout), ("e", Class::Pass)];
    let mut results: Vec<CaseResult> = after.iter().map(|(id, c)| result(id, *c)).collect();
    results.push(result("new", Class::Fail));
    let run = Run { results, interrupted: false, hung: None };
    let report = Report {
        meta: meta(&run, 6),
        engines: vec![EngineRun { name: "reference".into(), version: "v".into(), results: run.results }],
        catalog: Vec::new(),
    };
    let old = jsonl::read(&base.join("results.jsonl")).unwrap();
    let cmp = Comparison::new(&old, &report);
    let ids = |v: &[report::compare::Change]| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&cmp.fixed), ["a"]);
    assert_eq!(ids(&cmp.broken), ["b", "new"]);
    assert_eq!(ids(&cmp.new_crashes), ["c", "d"]);
    assert!(cmp.still_failing.is_empty());
    assert_eq!((cmp.unchanged_passing, cmp.added, cmp.missing), (1, 1, 1));

    let out = dir.join("now");
    report.write(&out, Some(&base)).unwrap();
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(
        md.contains("| Fixed | 1 |\n| Newly broken | 2 |\n| New crashes and timeouts | 2 |\n| Still failing | 0 |"),
        "{md}"
    );
    assert!(md.contains("- `a` (reference): fail → pass"), "{md}");
    assert!(md.contains("- `new` (reference): new → fail"), "{md}");

    // A case failing in both runs is still failing, whatever its failure class.
    let again = Report {
        engines: vec![EngineRun { results: vec![result("a", Class::Crashed)], ..report.engines[0].clone() }],
        ..report
    };
    let base2 = [("reference".to_string(), result("a", Class::Crashed))];
    assert_eq!(ids(&Comparison::new(&base2, &again).still_failing), ["a"]);
}

#[test]
fn an_interrupted_run_leaves_valid_files() {
    let dir = scratch("interrupted");
    let cases = corpus(&dir);
    let out = dir.join("report");
    let stop = AtomicBool::new(false);
    let report = run_and_write(&out, &cases, &Expectations::default(), &stop, 2);
    assert!(report.meta.interrupted);
    assert_eq!(report.engines[0].results.len(), 2);
    assert_eq!(jsonl_lines(&out.join("results.jsonl")).len(), 2);
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["interrupted"], true);
    assert_eq!(summary["selected"], 4);
    assert_eq!(summary["engines"][0]["totals"]["total"], 2);
    let xml = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("testcase")).count(), 2);
    assert!(std::fs::read_to_string(out.join("matrix.md")).unwrap().contains("INTERRUPTED"));
    assert!(std::fs::read_to_string(out.join("index.html")).unwrap().contains("\"interrupted\":true"));

    // Stopping after the last case is not an interruption: every case ran.
    let full = run_and_write(&dir.join("full"), &cases, &Expectations::default(), &AtomicBool::new(false), 4);
    assert!(!full.meta.interrupted);
}

#[test]
fn a_run_whose_engine_never_started_says_why_in_every_file() {
    let dir = scratch("never-started");
    let why = "the engine did not start: `no-such-engine`: cannot start";
    let mut m = meta(&Run::default(), 4);
    m.notes = vec![why.to_string()];
    let engine = EngineRun { name: "process".into(), version: String::new(), results: Vec::new() };
    let report = Report { meta: m, engines: vec![engine], catalog: catalog() };
    report.write(&dir, None).unwrap();
    let summary = read_json(&dir.join("summary.json"));
    assert_eq!(summary["notes"], json!([why]));
    let xml = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let errors: Vec<&str> =
        doc.descendants().filter(|n| n.has_tag_name("error")).filter_map(|n| n.attribute("message")).collect();
    assert_eq!(errors, [why]);
    assert_eq!(doc.root_element().attribute("errors"), Some("1"));
    assert!(std::fs::read_to_string(dir.join("matrix.md")).unwrap().contains(why));
    assert!(std::fs::read_to_string(dir.join("index.html")).unwrap().contains("\"notes\":[\"the engine did not start"));
}

#[test]
fn engine_output_cannot_break_the_xml_or_the_page() {
    let dir = scratch("escaping");
    let mut r = result("x/evil", Class::Fail);
    r.diffs.push(asl_conformance::compare::Diff::new("/output", json!("</script><b>&\u{1}"), json!({"k": "]]>\"'"})));
    r.reason = Some("</script>".into());
    let run = Run { results: vec![r], interrupted: false, hung: None };
    let report = Report {
        meta: meta(&run, 1),
        engines: vec![EngineRun { name: "e<&>".into(), version: "\"v\"".into(), results: run.results }],
        catalog: Vec::new(),
    };
    report.write(&dir, None).unwrap();
    let xml = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failure = doc.descendants().find(|n| n.has_tag_name("failure")).unwrap();
    assert!(failure.text().unwrap().contains("\"</script><b>&\\u0001\""));
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert_eq!(html.matches("</script>").count(), 2, "only the page's own two script blocks close");
}
