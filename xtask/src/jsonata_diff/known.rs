//! `xtask/jsonata-diff/known-differences.toml`: differences that were investigated, each with
//! what both sides give and why.
//!
//! ```toml
//! [[difference]]
//! expr = "$string(1e21)"          # or id = "fixed:numeric-012"
//! candidate = "jlens"             # optional: every candidate when absent
//! jsonata_js = "\"1e+21\""        # what jsonata@2.0.6 gives (the report's short form)
//! ours = "\"1e21\""               # what the candidate gives
//! reason = "..."
//! ```
//!
//! An entry matches a result when the candidate, the expression (or id) and both short forms
//! match: a difference that changes shape is reported again. An entry with neither `id` nor
//! `expr` names a class of difference: it matches every expression where both sides give
//! exactly `jsonata_js` and `ours` (both required then).

use anyhow::{bail, Context, Result};
use std::path::Path;

#[derive(Debug, Clone)]
pub struct Known {
    pub id: Option<String>,
    pub expr: Option<String>,
    pub candidate: Option<String>,
    pub jsonata_js: Option<String>,
    pub ours: Option<String>,
    pub reason: String,
}

impl Known {
    pub fn matches(&self, candidate: &str, id: &str, expr: &str, node: &str, ours: &str) -> bool {
        self.candidate.as_deref().is_none_or(|c| c == candidate)
            && (self.is_class() || self.id.as_deref() == Some(id) || self.expr.as_deref() == Some(expr))
            && self.jsonata_js.as_deref().is_none_or(|n| n == node)
            && self.ours.as_deref().is_none_or(|o| o == ours)
    }

    /// No expression named: every expression with these two answers.
    fn is_class(&self) -> bool {
        self.id.is_none() && self.expr.is_none()
    }

    pub fn label(&self) -> String {
        let what = self.id.clone().or_else(|| self.expr.clone()).unwrap_or_else(|| {
            format!(
                "any expression: {} vs {}",
                self.jsonata_js.as_deref().unwrap_or(""),
                self.ours.as_deref().unwrap_or("")
            )
        });
        match &self.candidate {
            Some(c) => format!("{c}: {what}"),
            None => what,
        }
    }
}

pub fn load(path: &Path) -> Result<Vec<Known>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let doc: toml::Table = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut out = Vec::new();
    let entries = match doc.get("difference") {
        None => return Ok(out),
        Some(toml::Value::Array(a)) => a,
        Some(_) => bail!("{}: `difference` must be an array of tables ([[difference]])", path.display()),
    };
    for (i, entry) in entries.iter().enumerate() {
        let get = |k: &str| entry.get(k).and_then(toml::Value::as_str).map(str::to_string);
        let known = Known {
            id: get("id"),
            expr: get("expr"),
            candidate: get("candidate"),
            jsonata_js: get("jsonata_js"),
            ours: get("ours"),
            reason: get("reason").unwrap_or_default(),
        };
        if known.is_class() && (known.jsonata_js.is_none() || known.ours.is_none()) {
            bail!(
                "{}: difference #{} names no expression, so it needs both jsonata_js and ours",
                path.display(),
                i + 1
            );
        }
        if known.reason.trim().is_empty() {
            bail!("{}: difference #{} ({}) gives no reason", path.display(), i + 1, known.label());
        }
        out.push(known);
    }
    Ok(out)
}
