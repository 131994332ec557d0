//! Known failures of an engine: `corpus/expectations/<engine>.toml` (format in
//! corpus/expectations/README.md). A listed case that does not pass is reported as `skipped`
//! with the listed reason; a listed case that passes is reported as "expected failure now passes".
//!
//! ```toml
//! [known-failures]
//! "retry/jitter-full" = "JitterStrategy FULL is not implemented"
//! "map/distributed/" = "a key ending in '/' covers a folder"
//! "paths/result-path-*" = "a key ending in '*' covers every id starting with the rest"
//! ```

use std::path::{Path, PathBuf};

/// The table that holds the entries.
const TABLE: &str = "known-failures";

/// One listed case id or id prefix, with why it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key as written: an id, `folder/` or `prefix*`.
    pub pattern: String,
    pub reason: String,
}

impl Entry {
    fn matches(&self, id: &str) -> bool {
        if let Some(prefix) = self.pattern.strip_suffix('*') {
            id.starts_with(prefix)
        } else if self.pattern.ends_with('/') {
            id.starts_with(&self.pattern)
        } else {
            id == self.pattern
        }
    }

    /// How specific the pattern is: an exact id beats any prefix, a longer prefix a shorter one.
    fn rank(&self) -> (bool, usize) {
        let exact = !self.pattern.ends_with('*') && !self.pattern.ends_with('/');
        (exact, self.pattern.len())
    }
}

/// An engine's known failures (empty: none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    pub entries: Vec<Entry>,
    /// The file they came from, for messages.
    pub source: Option<PathBuf>,
}

impl Expectations {
    /// Parses the TOML text; every problem is reported, each naming the key.
    pub fn parse(text: &str) -> Result<Expectations, Vec<String>> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| vec![e.to_string()])?;
        let mut errors = Vec::new();
        for key in table.keys().filter(|k| k.as_str() != TABLE) {
            errors.push(format!("unknown key '{key}' (entries go in the [{TABLE}] table)"));
        }
        let mut entries = Vec::new();
        match table.get(TABLE) {
            None => {}
            Some(toml::Value::Table(t)) => {
                for (pattern, v) in t {
                    match entry(pattern, v) {
                        Ok(e) => entries.push(e),
                        Err(e) => errors.push(e),
                    }
                }
            }
            Some(_) => errors.push(format!("'{TABLE}' must be a table")),
        }
        if errors.is_empty() {
            Ok(Expectations { entries, source: None })
        } else {
            Err(errors)
        }
    }

    /// Reads a file; a missing file means no known failures.
    pub fn load(path: &Path) -> Result<Expectations, Vec<String>> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Expectations::default()),
            Err(e) => return Err(vec![format!("{}: {e}", path.display())]),
        };
        let named = |es: Vec<String>| es.into_iter().map(|e| format!("{}: {e}", path.display())).collect::<Vec<_>>();
        let mut exp = Self::parse(&text).map_err(named)?;
        exp.source = Some(path.to_path_buf());
        Ok(exp)
    }

    /// `<dir>/<engine>.toml`, the engine name reduced to file-safe characters.
    pub fn path_for(dir: &Path, engine: &str) -> PathBuf {
        let safe: String = engine
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '_' })
            .collect();
        dir.join(format!("{}.toml", safe.trim_start_matches('.')))
    }

    /// The most specific entry covering the case id.
    pub fn lookup(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().filter(|e| e.matches(id)).max_by_key(|e| e.rank())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn entry(pattern: &str, v: &toml::Value) -> Result<Entry, String> {
    let Some(reason) = v.as_str() else {
        return Err(format!("'{pattern}': the value must be a string, the reason"));
    };
    let reason = reason.trim();
    if reason.is_empty() || reason.contains('\n') {
        return Err(format!("'{pattern}': the reason must be one non-empty line"));
    }
    let bare = pattern.trim_end_matches(['*', '/']);
    if bare.is_empty() || pattern.starts_with('/') || pattern.ends_with(".json") {
        return Err(format!("'{pattern}': not a case id or id prefix (ids are paths below cases/, without .json)"));
    }
    Ok(Entry { pattern: pattern.to_string(), reason: reason.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
# comment
[known-failures]
"retry/jitter-full" = "jitter"
"map/" = "all of map"
"map/distributed/item-*" = "item readers"
"#;

    #[test]
    fn exact_ids_folders_and_prefixes() {
        let e = Expectations::parse(TEXT).unwrap();
        assert_eq!(e.entries.len(), 3);
        assert_eq!(e.lookup("retry/jitter-full").map(|e| e.reason.as_str()), Some("jitter"));
        assert_eq!(e.lookup("retry/jitter-full-2"), None);
        assert_eq!(e.lookup("map/inline/x").map(|e| e.reason.as_str()), Some("all of map"));
        assert_eq!(e.lookup("map/distributed/item-reader").map(|e| e.reason.as_str()), Some("item readers"));
        assert_eq!(e.lookup("mapx/y"), None);
        assert_eq!(e.lookup("pass/literal"), None);
    }

    #[test]
    fn empty_file_and_empty_table_are_valid() {
        assert!(Expectations::parse("").unwrap().is_empty());
        assert!(Expectations::parse("[known-failures]\n").unwrap().is_empty());
    }

    #[test]
    fn malformed_entries_are_all_reported() {
        let errs =
            Expectations::parse("x = 1\n[known-failures]\n\"a/b\" = 3\n\"c\" = \"\"\n\"/d\" = \"r\"\n").unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(errs[0].contains("unknown key 'x'"));
        assert!(Expectations::parse("not toml [").is_err());
    }

    #[test]
    fn missing_file_is_empty_and_engine_names_are_file_safe() {
        let e = Expectations::load(Path::new("/nonexistent/dir/x.toml")).unwrap();
        assert!(e.is_empty());
        assert_eq!(Expectations::path_for(Path::new("d"), "node shim/1"), Path::new("d/node_shim_1.toml"));
    }
}
