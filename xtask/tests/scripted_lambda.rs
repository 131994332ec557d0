//! The scripted Lambda's Python unit tests (engines/scripted-lambda/test_handler.py), run here
//! by `.ci/run` (`cargo test -- --include-ignored`); they need python3, so plain `cargo test`
//! lists them as ignored with that reason.

use std::process::Command;

#[test]
#[ignore = "needs python3: run by .ci/run (cargo test -- --include-ignored)"]
fn scripted_lambda_unit_tests_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../engines/scripted-lambda");
    let out = match Command::new("python3").args(["-m", "unittest"]).current_dir(&dir).output() {
        Ok(out) => out,
        Err(e) => panic!("cannot run python3 (needed by this test): {e}"),
    };
    assert!(
        out.status.success(),
        "python3 -m unittest in {} failed:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
