//! The closed list of feature ids (`corpus/features.txt`) that cases are tagged with.
//!
//! One id per line, optionally followed by a tag in brackets: `[jsonata]`, `[s3]`, `[api]`,
//! `[service]` mark features the reference engine does not run in JSONPath mode; `#` starts a
//! comment and `# area` lines group the ids.

use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    pub id: String,
    /// `None` for features the reference runs (JSONPath or JSONata mode) (each needs >= 3 cases).
    pub tag: Option<String>,
    /// The `# area` heading the id sits under.
    pub area: String,
}

/// Parses features.txt; each malformed line is an error naming its line number.
pub fn parse(text: &str) -> Result<Vec<Feature>, Vec<String>> {
    let (mut out, mut errors, mut area) = (Vec::new(), Vec::new(), String::new());
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(heading) = line.strip_prefix("# ") {
            if !heading.starts_with(|c: char| c.is_ascii_uppercase()) && !heading.contains(':') {
                area = heading.split(" —").next().unwrap_or(heading).trim().to_string();
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let id = parts.next().unwrap_or_default().to_string();
        let tag = match parts.next() {
            None => None,
            Some(t) if t.starts_with('[') && t.ends_with(']') => Some(t[1..t.len() - 1].to_string()),
            Some(t) => {
                errors.push(format!("features.txt:{}: unexpected '{t}' after '{id}'", n + 1));
                None
            }
        };
        let well_formed = id.split('.').count() >= 2
            && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
        if !well_formed {
            errors.push(format!("features.txt:{}: '{id}' is not a feature id (lower-case, dot-separated)", n + 1));
        }
        if out.iter().any(|f: &Feature| f.id == id) {
            errors.push(format!("features.txt:{}: '{id}' is listed twice", n + 1));
        }
        out.push(Feature { id, tag, area: area.clone() });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

pub fn load(path: &Path) -> Result<Vec<Feature>, Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| vec![format!("{}: {e}", path.display())])?;
    parse(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_tags_and_areas() {
        let f = parse("# intro: text\n\n# retry — things\nretry.backoff\nql.top  [jsonata]\n").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].id.as_str(), f[0].tag.as_deref(), f[0].area.as_str()), ("retry.backoff", None, "retry"));
        assert_eq!(f[1].tag.as_deref(), Some("jsonata"));
    }

    #[test]
    fn malformed_lines_are_reported_with_their_number() {
        let e = parse("retry.backoff\nBad Id\nretry.backoff\n").unwrap_err();
        assert!(e.iter().any(|m| m.starts_with("features.txt:2:")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("listed twice")), "{e:?}");
    }
}
