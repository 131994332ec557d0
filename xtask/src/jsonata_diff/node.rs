//! The reference side: `node engines/jsonata-js/eval.mjs`, one child process fed every request
//! as a JSON line.

use super::cases::Case;
use super::compare::Outcome;
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// eval.mjs gives up on an expression after this long (TIMEOUT_MILLIS there).
pub const TIMEOUT_SECONDS: u64 = 3;

const HOW_TO_INSTALL: &str = "install Node.js 20 or later with npm, then run engines/jsonata-js/install.sh";

/// The answers of jsonata-js, in the order of `cases`, the version it reported, and the wall
/// time it took.
pub struct NodeRun {
    pub version: String,
    pub outcomes: Vec<Outcome>,
    pub elapsed: Duration,
}

/// Fails with how to install when Node or the npm package is missing.
pub fn check_installed(dir: &Path) -> Result<()> {
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        _ => bail!("jsonata-diff needs `node` on PATH and it was not found: {HOW_TO_INSTALL}"),
    }
    if !dir.join("node_modules/jsonata/package.json").is_file() {
        bail!("the npm package jsonata is not installed in {}: run engines/jsonata-js/install.sh", dir.display());
    }
    Ok(())
}

pub fn evaluate_all(dir: &Path, cases: &[Case]) -> Result<NodeRun> {
    check_installed(dir)?;
    let start = Instant::now();
    let mut child = Command::new("node")
        .arg("eval.mjs")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting node eval.mjs in {} ({HOW_TO_INSTALL})", dir.display()))?;
    let mut stdin = child.stdin.take().context("node's stdin")?;
    let stdout = child.stdout.take().context("node's stdout")?;
    // Writing on a thread of its own, so a full pipe cannot deadlock against our reading.
    let requests: Vec<String> = cases.iter().enumerate().map(|(i, c)| c.request(i).to_string()).collect();
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(&mut stdin);
        for line in requests {
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        drop(out);
        drop(stdin); // end of input: eval.mjs exits when it has answered everything
        Ok(())
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = |what: &str| -> Result<Value> {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(line)) => serde_json::from_str(&line).with_context(|| format!("eval.mjs wrote {line:?}")),
            Ok(Err(e)) => Err(e).context("reading eval.mjs's output"),
            Err(mpsc::RecvTimeoutError::Timeout) => bail!("eval.mjs gave no {what} within 30 s"),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                bail!("eval.mjs ended before its {what} ({HOW_TO_INSTALL}; see its messages above)")
            }
        }
    };
    let ready = next("ready line");
    let ready = match ready {
        Ok(r) => r,
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
    };
    let version = ready.get("ready").and_then(Value::as_str).unwrap_or("jsonata ?").to_string();
    let mut outcomes = Vec::with_capacity(cases.len());
    for (i, case) in cases.iter().enumerate() {
        let answer = match next(&format!("answer to request {i} ({}: {})", case.id, case.expr)) {
            Ok(a) => a,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        if answer.get("id").and_then(Value::as_u64) != Some(i as u64) {
            let _ = child.kill();
            let _ = child.wait();
            bail!("eval.mjs answered out of order: expected id {i}, got {answer}");
        }
        outcomes.push(Outcome::from_node(&answer));
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(NodeRun { version, outcomes, elapsed: start.elapsed() })
}

#[cfg(test)]
mod tests {
    use super::super::cases::Case;
    use super::super::compare::Outcome;
    use serde_json::{json, Map};

    #[test]
    #[ignore = "needs node and engines/jsonata-js/install.sh"]
    fn eval_mjs_answers_each_kind() {
        let case = |expr: &str| Case {
            id: expr.to_string(),
            expr: expr.to_string(),
            input: Some(json!({"a": [1, 2]})),
            bindings: Map::new(),
            now_millis: Some(0),
        };
        let cases = [case("a[1]"), case("nothing"), case("$nope()"), case("$uppercase"), case("$now()")];
        let run = super::evaluate_all(&crate::root().join("engines/jsonata-js"), &cases).unwrap();
        assert_eq!(run.version, "jsonata 2.0.6");
        assert_eq!(run.outcomes[0], Outcome::Value(json!(2)));
        assert_eq!(run.outcomes[1], Outcome::Undefined);
        assert!(matches!(&run.outcomes[2], Outcome::Error { code, .. } if code == "T1006"));
        assert!(matches!(&run.outcomes[3], Outcome::Unrepresentable { kind, .. } if kind == "function"));
        assert_eq!(run.outcomes[4], Outcome::Value(json!("1970-01-01T00:00:00.000Z")));
    }
}
