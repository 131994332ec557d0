//! Corpus cases: one JSON file per case (see corpus/README.md), loaded with errors that name
//! the file and the field.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Serializes to the case file format (`serde_json::to_value(&case)`), so written cases read back.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The case's identity: its path below the corpus root, without `.json`.
    #[serde(skip)]
    pub id: String,
    #[serde(skip)]
    pub file: PathBuf,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    pub features: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    pub confidence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Value>,
    pub definition: Value,
    #[serde(default = "empty_object")]
    pub input: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviours: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The output; JSON `null` expects a null output (it is not "no expectation").
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// Allowed alternatives to `output`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Vec<Value>>,
    /// The error name; JSON `null` asserts that there is none.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// The cause; JSON `null` asserts that there is none.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub cause: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative: Option<Negative>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub states: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<Vec<RetryExpect>>,
    /// The history in order: each entry an event type, or an object whose keys (e.g. `type`,
    /// `stateExitedEventDetails`) must equal those of the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<Value>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Negative {
    pub phase: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RetryExpect {
    pub state: String,
    /// Seconds before each retry; numbers or matchers.
    pub delays: Vec<Value>,
}

impl Case {
    /// The engine request that runs this case.
    pub fn request(&self) -> crate::engine::Request<'_> {
        crate::engine::Request {
            definition: &self.definition,
            input: &self.input,
            behaviours: self.behaviours.as_ref(),
            context: self.context.as_ref(),
            seed: 0,
            flags: &self.flags,
            expects_history: self.expect.history.is_some(),
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Serializing is the inverse of loading: every corpus file reads back to itself (an
    /// absent `input` is written as the `{}` it defaults to).
    #[test]
    fn every_corpus_case_serializes_back_to_its_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/cases");
        let (cases, errors) = load_dir(&root);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(cases.len() > 600);
        for c in cases {
            let mut file: Value = serde_json::from_str(&std::fs::read_to_string(&c.file).unwrap()).unwrap();
            if let Some(o) = file.as_object_mut() {
                o.entry("input").or_insert_with(empty_object);
            }
            assert_eq!(serde_json::to_value(&c).unwrap(), file, "{}", c.id);
        }
    }
}
