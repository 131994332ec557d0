//! Corpus cases: one JSON file per case (see corpus/README.md), loaded with errors that name
//! the file and the field.

use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The case's identity: its path below the corpus root, without `.json`.
    #[serde(skip)]
    pub id: String,
    #[serde(skip)]
    pub file: PathBuf,
    pub description: String,
    #[serde(default)]
    pub spec: Option<String>,
    pub features: Vec<String>,
    #[serde(default)]
    pub flags: Vec<String>,
    pub confidence: String,
    #[serde(default)]
    pub provenance: Option<Value>,
    pub definition: Value,
    #[serde(default = "empty_object")]
    pub input: Value,
    #[serde(default)]
    pub behaviours: Option<Value>,
    #[serde(default)]
    pub context: Option<Value>,
    pub expect: Expect,
}

/// Keeps an explicit `null` as `Some(Value::Null)` (absent stays `None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// What AWS gives for the case.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub output: Option<Value>,
    /// Allowed alternatives to `output`.
    #[serde(default)]
    pub outputs: Option<Vec<Value>>,
    /// The error name; JSON `null` asserts that there is none.
    #[serde(default, deserialize_with = "present")]
    pub error: Option<Value>,
    /// The cause; JSON `null` asserts that there is none.
    #[serde(default, deserialize_with = "present")]
    pub cause: Option<Value>,
    #[serde(default)]
    pub negative: Option<Negative>,
    #[serde(default)]
    pub states: Option<Vec<Value>>,
    #[serde(default)]
    pub retries: Option<Vec<RetryExpect>>,
    /// The history in order: each entry an event type, or an object whose keys (e.g. `type`,
    /// `stateExitedEventDetails`) must equal those of the event.
    #[serde(default)]
    pub history: Option<Vec<Value>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Negative {
    pub phase: String,
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RetryExpect {
    pub state: String,
    /// Seconds before each retry; numbers or matchers.
    pub delays: Vec<Value>,
}

impl Case {
    /// The area of a case: the first folder below `cases/` (`retry`, `paths`...).
    pub fn area(&self) -> &str {
        self.id.split('/').next().unwrap_or("")
    }
}

/// Loads every `*.json` below `root`, sorted by path. Each broken file is an error of its own.
pub fn load_dir(root: &Path) -> (Vec<Case>, Vec<String>) {
    let (mut cases, mut errors) = (Vec::new(), Vec::new());
    for file in case_files(root) {
        match load_file(root, &file) {
            Ok(c) => cases.push(c),
            Err(e) => errors.push(e),
        }
    }
    (cases, errors)
}

pub fn load_file(root: &Path, file: &Path) -> Result<Case, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut case: Case = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let rel = file.strip_prefix(root).unwrap_or(file);
    case.id = rel.with_extension("").to_string_lossy().replace('\\', "/");
    case.file = file.to_path_buf();
    Ok(case)
}

/// Every `*.json` file below `root`, sorted by path.
pub fn case_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    collect(root, &mut files);
    files.sort();
    files
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}
