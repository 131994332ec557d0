//! Builds that xtask starts itself. The AWS SDK is compiled into xtask only with its `aws` feature (on by default, off in the
//! `cargo xtask` alias), so a first `cargo xtask conformance` on the reference does not build
//! it. A command that needs it (`--engine sfn`, `sfn:` bench engines, `--teststate` through
//! the API, `aws-setup`, `corpus mock-config`) runs xtask again with the feature.

/// A `cargo` command for a build that xtask starts. What `cargo run` set for xtask must not reach
/// it: build scripts that watch those variables (ring watches `CARGO_PKG_NAME`, ...) would
/// otherwise rebuild whenever a build switches between the two.
pub fn cargo() -> std::process::Command {
    let mut command = std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let set_by_cargo_run = key == "CARGO"
            || key == "OUT_DIR"
            || ["CARGO_PKG_", "CARGO_MANIFEST_", "CARGO_CRATE_", "CARGO_BIN_", "CARGO_PRIMARY_", "CARGO_TARGET_TMPDIR"]
                .iter()
                .any(|p| key.starts_with(p));
        if set_by_cargo_run {
            command.env_remove(key.as_ref());
        }
    }
    command
}

/// Runs the same xtask command again, built with the AWS SDK, and never returns. Only called
/// by a build without the `aws` feature.
#[cfg(not(feature = "aws"))]
pub fn relaunch(what: &str) -> ! {
    use std::os::unix::process::CommandExt;
    const GUARD: &str = "ASLCHECK_XTASK_RELAUNCHED";
    if std::env::var_os(GUARD).is_some() {
        eprintln!("error: {what} needs the AWS SDK, and xtask was built without its `aws` feature");
        std::process::exit(2);
    }
    eprintln!(
        "{what} needs the AWS SDK: running xtask again with it (cargo run -p xtask); the first time \
         this builds the SDK, which takes several minutes"
    );
    let mut command = cargo();
    command.args(["run", "--package", "xtask", "--"]).args(std::env::args_os().skip(1));
    let err = command.env(GUARD, "1").current_dir(crate::root()).exec();
    eprintln!("error: could not run cargo to build xtask with the AWS SDK: {err}");
    std::process::exit(2);
}
