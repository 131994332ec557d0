//! The scripted Lambda's Python unit tests (engines/scripted-lambda/test_handler.py), run here
//! so that `cargo test` covers them; they need only python3.

use std::process::Command;

#[test]
fn scripted_lambda_unit_tests_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../engines/scripted-lambda");
    let out = match Command::new("python3").args(["-m", "unittest"]).current_dir(&dir).output() {
        Ok(out) => out,
        Err(e) => {
            eprintln!("scripted Lambda tests skipped: cannot run python3: {e}");
            return;
        }
    };
    assert!(
        out.status.success(),
        "python3 -m unittest in {} failed:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
