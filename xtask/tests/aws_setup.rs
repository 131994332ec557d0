//! `cargo xtask aws-setup` end to end against moto's server on 127.0.0.1 (moto supports
//! CloudFormation with IAM and Lambda resources; nothing is invoked).
//!
//! moto is installed by engines/moto/install.sh (pinned, into target/moto-venv) when missing.

use asl_sfn::moto::MotoServer;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env_remove("ASLCHECK_AWS")
        .env_remove("AWS_PROFILE")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run xtask")
}

fn text(out: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn real_aws_is_opt_in() {
    // No --endpoint-url, no --aws, no ASLCHECK_AWS: refused before any request is made.
    let out = xtask(&["aws-setup", "--region", "us-east-1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("real AWS") && err.contains("--aws") && err.contains("ASLCHECK_AWS=1"), "{err}");
    let out = xtask(&["aws-setup", "--delete"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("outputs file")).expect("outputs JSON")
}

#[test]
#[ignore = "needs python3 and moto (engines/moto/install.sh, network): run by .ci/run (cargo test -- --include-ignored)"]
fn deploys_updates_and_deletes_the_stack_on_moto() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let moto = MotoServer::start(root).expect("moto's server (engines/moto/install.sh installs it)");
    let dir = std::env::temp_dir().join(format!("aslcheck-aws-setup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let outputs = dir.join("aws-setup.json");
    let outputs_arg = outputs.to_str().unwrap();
    let base = ["aws-setup", "--endpoint-url", &moto.url, "--stack-name", "aslcheck-test", "--output", outputs_arg];

    // Create: the outputs are printed and written.
    let out = xtask(&base);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let file = read_json(&outputs);
    let lambda = file["ScriptedLambdaArn"].as_str().expect("ScriptedLambdaArn").to_string();
    let role = file["StateMachineRoleArn"].as_str().expect("StateMachineRoleArn").to_string();
    assert!(lambda.starts_with("arn:aws:lambda:us-east-1:") && lambda.contains(":function:aslcheck-test-"), "{lambda}");
    assert!(role.starts_with("arn:aws:iam::") && role.contains(":role/aslcheck-test-"), "{role}");
    assert!(stdout.contains(&lambda) && stdout.contains(&role), "{}", text(&out));
    assert_eq!(file["stack_name"], "aslcheck-test");
    assert_eq!(file["region"], "us-east-1");
    assert_eq!(file["endpoint_url"], moto.url.as_str());
    assert!(String::from_utf8_lossy(&out.stderr).contains("CREATE_COMPLETE"), "{}", text(&out));

    // Again: an update of the existing stack (moto completes it; AWS says "no updates").
    let out = xtask(&base);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("updating"), "{}", text(&out));
    assert!(read_json(&outputs)["ScriptedLambdaArn"].is_string());

    // A template CloudFormation rejects: the error names the operation and the reason.
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "Resources:\n  A: {Type: 'AWS::IAM::Role', Properties: {RoleName: same, AssumeRolePolicyDocument: {}}}\n  \
         B: {Type: 'AWS::IAM::Role', Properties: {RoleName: same, AssumeRolePolicyDocument: {}}}\n",
    )
    .unwrap();
    let bad_outputs = dir.join("bad.json");
    let out = xtask(&[
        "aws-setup",
        "--endpoint-url",
        &moto.url,
        "--stack-name",
        "aslcheck-bad",
        "--template",
        bad.to_str().unwrap(),
        "--output",
        bad_outputs.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stack aslcheck-bad") && err.contains("CreateStack failed"), "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert!(!bad_outputs.exists());

    // Delete: the stack and the outputs file go; deleting again is fine.
    let mut delete = base.to_vec();
    delete.push("--delete");
    let out = xtask(&delete);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("deleted"), "{}", text(&out));
    assert!(!outputs.exists(), "the outputs file is removed");
    let out = xtask(&delete);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to delete"), "{}", text(&out));

    // And it can be created again after the delete.
    let out = xtask(&base);
    assert!(out.status.success(), "{}", text(&out));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_unreachable_endpoint_is_one_clear_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let url = format!("http://127.0.0.1:{port}");
    let out = xtask(&["aws-setup", "--endpoint-url", &url, "--stack-name", "aslcheck-test"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Connection refused") && err.trim().lines().count() == 1, "{err}");
    for debug in ["DispatchFailure(", "ConnectorError {", "Os {"] {
        assert!(!err.contains(debug), "{err}");
    }
}
