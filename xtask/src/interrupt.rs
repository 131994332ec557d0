//! Ctrl-C and SIGTERM (what `timeout` and CI send), handled alike by every command that runs a
//! batch: the first stops the batch after the current case, and the report of what ran is
//! written; the second kills the engine processes and quits at once.

use anyhow::{Context, Result};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report Ctrl-C).
pub const INTERRUPTED: u8 = 130;

/// Installs the handler: the first signal sets `stop` and says what happens (`then`: "stopping
/// after the current case"); the second kills the engine children and exits with
/// [`INTERRUPTED`].
pub fn install(stop: Arc<AtomicBool>, then: &'static str) -> Result<()> {
    ctrlc::set_handler(move || {
        if stop.swap(true, Ordering::SeqCst) {
            eprintln!("\ninterrupted twice: exiting without a report");
            asl_conformance::process::kill_children();
            std::process::exit(i32::from(INTERRUPTED));
        }
        eprintln!("\ninterrupted: {then} (Ctrl-C again to quit now)");
    })
    .context("installing the Ctrl-C and SIGTERM handler")
}
