//! Honest test gating: a test that needs a tool besides Rust (python3, moto, Node, a browser)
//! is `#[ignore = "needs ..."]`, so plain `cargo test` lists it as ignored with the reason and
//! passes on a machine with only Rust; `.ci/run` installs the tools and runs every test with
//! `--include-ignored`, where a missing tool fails the test. No test may `return` early instead
//! (that reports a pass for a test that did not run).
//!
//! This reads the integration tests of every workspace crate (`<crate>/tests/*.rs`).

use std::path::{Path, PathBuf};

/// Text in a test's body that means it runs an outside tool.
const TOOL_MARKERS: [&str; 8] =
    ["python3", ".py\"", ".py'", "MotoServer", "moto()", "Command::new(\"node\")", "\"npm\"", "chromium"];

/// One `#[test]` function: its name, its attribute lines, its body.
struct TestFn {
    name: String,
    attributes: Vec<String>,
    body: String,
}

/// The `#[test]` functions of a source file (top level or in modules).
fn test_fns(source: &str) -> Vec<TestFn> {
    let lines: Vec<&str> = source.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "#[test]" {
            i += 1;
            continue;
        }
        let mut attributes = Vec::new();
        while i < lines.len() && !lines[i].contains("fn ") {
            attributes.push(lines[i].trim().to_string());
            i += 1;
        }
        let Some(header) = lines.get(i) else { break };
        let indent = header.len() - header.trim_start().len();
        let name = header.split("fn ").nth(1).unwrap_or("").split(['(', '<']).next().unwrap_or("").to_string();
        let close = format!("{}}}", " ".repeat(indent));
        let mut body = String::new();
        i += 1;
        while i < lines.len() && lines[i] != close {
            body.push_str(lines[i]);
            body.push('\n');
            i += 1;
        }
        found.push(TestFn { name, attributes, body });
    }
    found
}

/// What is wrong with the gating of the tests in `source` (empty: nothing).
fn gating_problems(file: &str, source: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for t in test_fns(source) {
        let gated = t.attributes.iter().any(|a| a.starts_with("#[ignore = \"needs "));
        if let Some(tool) = TOOL_MARKERS.iter().find(|m| t.body.contains(*m)) {
            if !gated {
                problems.push(format!(
                    "{file}: {} uses {tool} but is not #[ignore = \"needs ...\"] (plain `cargo test` must pass with only Rust)",
                    t.name
                ));
            }
        }
        if t.body.lines().any(|l| l.trim() == "return;") {
            problems.push(format!("{file}: {} returns early: a test that did not run must not pass", t.name));
        }
    }
    problems
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

#[test]
fn tests_that_need_tools_are_ignored_with_the_reason_and_none_returns_early() {
    let mut problems = Vec::new();
    let mut scanned = 0;
    for krate in std::fs::read_dir(workspace()).expect("workspace folder").flatten() {
        let Ok(files) = std::fs::read_dir(krate.path().join("tests")) else { continue };
        for file in files.flatten().map(|f| f.path()) {
            // This file's own tests hold examples of what it looks for.
            if file.extension().is_some_and(|e| e == "rs") && !file.ends_with("conformance/tests/test_gating.rs") {
                let source = std::fs::read_to_string(&file).expect("test source");
                let shown = file.strip_prefix(workspace()).unwrap_or(&file).display().to_string();
                problems.extend(gating_problems(&shown, &source));
                scanned += 1;
            }
        }
    }
    assert!(scanned >= 10, "only {scanned} test files found");
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn the_checker_finds_an_early_return_and_a_missing_gate() {
    let bad = "#[test]\nfn needs_python() {\n    if !have_python() {\n        return;\n    }\n    \
               std::process::Command::new(\"python3\");\n}\n";
    let problems = gating_problems("x.rs", bad);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("needs_python uses python3"), "{problems:?}");
    assert!(problems[1].contains("returns early"), "{problems:?}");
    let good = "#[test]\n#[ignore = \"needs python3\"]\nfn needs_python() {\n    \
                std::process::Command::new(\"python3\");\n}\n";
    assert_eq!(gating_problems("x.rs", good), Vec::<String>::new());
}
