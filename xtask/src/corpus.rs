//! `cargo xtask corpus check | build | stats`.

use anyhow::Result;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum Command {
    /// Validate every case against the schema and the feature list.
    Check,
}

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Check => Ok(ExitCode::SUCCESS),
    }
}
