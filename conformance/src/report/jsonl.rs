//! `results.jsonl`: one JSON object per case, written as results arrive and flushed per line,
//! so an interrupted (or killed) run leaves a file whose every complete line parses.

use crate::suite::CaseResult;
use std::io::{BufRead, Write};
use std::path::Path;

pub struct Writer {
    file: std::fs::File,
}

impl Writer {
    /// Creates (truncates) the file, and its folder.
    pub fn create(path: &Path) -> std::io::Result<Writer> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        Ok(Writer { file: std::fs::File::create(path)? })
    }

    /// Appends one line; one `write` call per line so a crash cannot interleave lines.
    pub fn write(&mut self, engine: &str, r: &CaseResult) -> std::io::Result<()> {
        let mut line = r.to_json(engine).to_string();
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.flush()
    }
}

/// Reads a results file: `(engine, result)` per line. A line that does not parse (the last one
/// of a killed run may be cut short) is skipped; a missing file is an error.
pub fn read(path: &Path) -> std::io::Result<Vec<(String, CaseResult)>> {
    let file =
        std::fs::File::open(path).map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let mut out = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line?;
        let parsed = serde_json::from_str(&line).ok().and_then(|v| CaseResult::from_json(&v));
        if let Some(r) = parsed {
            out.push(r);
        }
    }
    Ok(out)
}
