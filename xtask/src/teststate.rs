//! `cargo xtask differential --teststate`: single states checked with the TestState API
//! against what the reference computes for them (status, next state, retry backoff, catch
//! index, the after-path views). Each disagreement is written as a pending file with the
//! request and both answers.

use anyhow::{Context, Result};
use asl_conformance::teststate::{self, ReferenceTestState, SavedResponses, TestStateApi};
#[cfg(feature = "aws")]
use asl_sfn::teststate_api::SdkTestState;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the answers come from.
pub enum Answerer {
    /// The TestState API at an endpoint (AWS when `endpoint` is `None`).
    #[cfg_attr(not(feature = "aws"), allow(dead_code))]
    Api { endpoint: Option<String>, region: Option<String>, role_arn: Option<String> },
    /// The reference answering itself: checks the loop, must always agree.
    Reference,
    /// Saved request/response pairs (`<name>.request.json` + `<name>.response.json`).
    Saved(PathBuf),
}

pub fn run(answerer: Answerer, seed: u64, cases: usize, pending: &Path) -> Result<ExitCode> {
    let (mut api, role): (Box<dyn TestStateApi>, Option<String>) = match answerer {
        #[cfg(not(feature = "aws"))]
        Answerer::Api { .. } => crate::aws::relaunch("--teststate through the API"),
        #[cfg(feature = "aws")]
        Answerer::Api { endpoint, region, role_arn } => {
            if endpoint.is_none() && role_arn.is_none() {
                anyhow::bail!("TestState on AWS needs --role-arn (`cargo xtask aws-setup` creates one)");
            }
            let api = SdkTestState::connect(endpoint.as_deref(), region.as_deref()).map_err(anyhow::Error::msg)?;
            (Box::new(api), role_arn)
        }
        Answerer::Reference => (Box::new(ReferenceTestState), None),
        Answerer::Saved(dir) => (Box::new(SavedResponses::load(&dir).map_err(anyhow::Error::msg)?), None),
    };
    let checks = teststate::cases(seed, cases);
    let (mut agreed, mut disagreed, mut errors) = (0usize, 0usize, 0usize);
    for (i, (mut req, expected)) in checks.into_iter().enumerate() {
        if let Some(r) = &role {
            req.role_arn = Some(r.clone());
        }
        let actual = match api.test_state(&req) {
            Ok(a) => a,
            Err(e) => {
                errors += 1;
                eprintln!("check {i}: TestState failed: {e}");
                continue;
            }
        };
        let diffs = teststate::compare(&expected, &actual);
        if diffs.is_empty() {
            agreed += 1;
            continue;
        }
        disagreed += 1;
        let file = pending.join("teststate").join(format!("seed-{seed}-check-{i}.json"));
        std::fs::create_dir_all(file.parent().unwrap_or(pending))?;
        let record = json!({
            "description": "Pending: TestState disagrees with the reference on this state",
            "provenance": {"seed": seed, "check": i},
            "request": req,
            "reference": expected,
            "actual": actual,
            "diffs": diffs.iter().map(|d| json!({"pointer": d.pointer, "expected": d.expected, "actual": d.actual})).collect::<Vec<_>>(),
        });
        std::fs::write(&file, serde_json::to_string_pretty(&record)? + "\n")
            .with_context(|| format!("writing {}", file.display()))?;
        eprintln!("check {i}: {} difference(s): {}", diffs.len(), file.display());
    }
    println!("teststate: seed {seed}: {cases} checks, {agreed} agreed, {disagreed} disagreed, {errors} call errors");
    Ok(if disagreed == 0 && errors == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
