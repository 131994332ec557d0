//! Report files of a run (DESIGN §7), one small module per format:
//! `results.jsonl` (streamed while the run goes, [`jsonl`]), `summary.json` ([`summary`]),
//! `matrix.md` ([`matrix`]), `index.html` ([`html`]), `junit.xml` ([`junit`]) and `compare.md`
//! against a baseline run ([`compare`]). Every file names the run, the corpus commit, the
//! protocol version and each engine's version.

pub mod compare;
pub mod html;
pub mod jsonl;
pub mod junit;
pub mod matrix;
pub mod summary;

use crate::case::Case;
use crate::engine::Engine;
use crate::features::Feature;
use crate::suite::{self, CaseResult, Class, Run, RunConfig, CLASSES};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

/// What a report says about the run itself.
#[derive(Debug, Clone)]
pub struct RunMeta {
    pub run_id: String,
    pub started: SystemTime,
    pub finished: SystemTime,
    /// `git rev-parse HEAD` of the corpus, when it is a git checkout.
    pub corpus_commit: Option<String>,
    pub corpus_dirs: Vec<PathBuf>,
    /// The engine protocol version (PROTOCOL.md) the run used.
    pub protocol_version: String,
    /// Cases selected (an interrupted run finished fewer).
    pub selected: usize,
    pub interrupted: bool,
    /// Corpus files that could not be loaded.
    pub load_errors: Vec<String>,
    /// What went wrong with the run as a whole (the engine never started, was declared hung):
    /// in summary.json, matrix.md, index.html and as errors in junit.xml.
    pub notes: Vec<String>,
}

/// One engine's results.
#[derive(Debug, Clone)]
pub struct EngineRun {
    pub name: String,
    pub version: String,
    pub results: Vec<CaseResult>,
}

/// Everything the report files are made from.
#[derive(Debug, Clone)]
pub struct Report {
    pub meta: RunMeta,
    pub engines: Vec<EngineRun>,
    /// features.txt, for grouping features by area (may be empty).
    pub catalog: Vec<Feature>,
}

/// Class counts, indexed like [`Class::ALL`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts(pub [usize; CLASSES]);

impl Counts {
    pub fn add(&mut self, c: Class) {
        self.0[c as usize] += 1;
    }
    pub fn get(&self, c: Class) -> usize {
        self.0[c as usize]
    }
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }
    /// Cases that were judged (not skipped, not poisoned); known failures were: they ran and
    /// did not pass.
    pub fn judged(&self) -> usize {
        self.total() - self.get(Class::Skipped) - self.get(Class::Poisoned)
    }
    /// Passed over judged, `None` when nothing was judged.
    pub fn rate(&self) -> Option<f64> {
        let j = self.judged();
        (j > 0).then(|| self.get(Class::Pass) as f64 / j as f64)
    }
    pub fn of<'a>(results: impl IntoIterator<Item = &'a CaseResult>) -> Counts {
        let mut c = Counts::default();
        for r in results {
            c.add(r.class);
        }
        c
    }
    /// `passed/total`, with skipped cases and known failures named.
    pub fn cell(&self) -> String {
        let skipped = self.get(Class::Skipped) + self.get(Class::Poisoned);
        let known = self.get(Class::KnownFailure);
        let mut s = format!("{}/{}", self.get(Class::Pass), self.total());
        let mut notes = Vec::new();
        if skipped > 0 {
            notes.push(format!("{skipped} skipped"));
        }
        if known > 0 {
            notes.push(format!("{known} known failure{}", if known == 1 { "" } else { "s" }));
        }
        if !notes.is_empty() {
            s += &format!(" ({})", notes.join(", "));
        }
        s
    }
}

/// A feature area (a `# heading` of features.txt) and its features present in the run.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub name: String,
    pub features: Vec<String>,
}

impl Report {
    /// Features present in the results, grouped by area in features.txt order; features not
    /// in the catalog go under `other`, sorted.
    pub fn areas(&self) -> Vec<Area> {
        let mut present: Vec<&str> =
            self.engines.iter().flat_map(|e| &e.results).flat_map(|r| &r.features).map(String::as_str).collect();
        present.sort_unstable();
        present.dedup();
        let mut areas: Vec<Area> = Vec::new();
        for f in &self.catalog {
            if present.binary_search(&f.id.as_str()).is_err() {
                continue;
            }
            match areas.iter_mut().find(|a| a.name == f.area) {
                Some(a) => a.features.push(f.id.clone()),
                None => areas.push(Area { name: f.area.clone(), features: vec![f.id.clone()] }),
            }
        }
        let other: Vec<String> =
            present.into_iter().filter(|p| !self.catalog.iter().any(|f| f.id == *p)).map(str::to_string).collect();
        if !other.is_empty() {
            areas.push(Area { name: "other".to_string(), features: other });
        }
        areas
    }

    /// Per-feature counts of one engine.
    pub fn feature_counts(run: &EngineRun) -> BTreeMap<&str, Counts> {
        let mut by: BTreeMap<&str, Counts> = BTreeMap::new();
        for r in &run.results {
            for f in &r.features {
                by.entry(f.as_str()).or_default().add(r.class);
            }
        }
        by
    }

    /// Per-case-area counts of one engine (case areas partition the cases).
    pub fn area_counts(run: &EngineRun) -> BTreeMap<&str, Counts> {
        let mut by: BTreeMap<&str, Counts> = BTreeMap::new();
        for r in &run.results {
            by.entry(r.area()).or_default().add(r.class);
        }
        by
    }

    /// A line naming the run, for the top of every human-readable report.
    pub fn provenance(&self) -> String {
        let engines: Vec<String> = self.engines.iter().map(|e| format!("{} ({})", e.name, e.version)).collect();
        format!(
            "run {} · started {} · corpus commit {} · protocol {} · engines: {}{}",
            self.meta.run_id,
            rfc3339(self.meta.started),
            self.meta.corpus_commit.as_deref().unwrap_or("unknown"),
            self.meta.protocol_version,
            engines.join(", "),
            if self.meta.interrupted { " · INTERRUPTED" } else { "" }
        )
    }

    /// Writes summary.json, matrix.md, index.html, junit.xml into `dir`, and compare.md when a
    /// baseline report folder is given (the other files are written even if that one fails).
    pub fn write(&self, dir: &Path, baseline: Option<&Path>) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("summary.json"), summary::render(self))?;
        std::fs::write(dir.join("matrix.md"), matrix::render(self, dir))?;
        std::fs::write(dir.join("index.html"), html::render(self, dir))?;
        std::fs::write(dir.join("junit.xml"), junit::render(self))?;
        if let Some(base) = baseline {
            let old = jsonl::read(&base.join("results.jsonl"))?;
            let cmp = compare::Comparison::new(&old, self);
            std::fs::write(dir.join("compare.md"), cmp.render(base, self))?;
        }
        Ok(())
    }
}

/// Runs the cases and streams each result into `dir/results.jsonl` (flushed per line) before
/// `progress` sees it. The Ctrl-C handler and the tests stop a run through `config.stop`.
pub fn run_streaming(
    engine: &mut dyn Engine,
    cases: &[Case],
    config: &RunConfig,
    dir: &Path,
    mut progress: impl FnMut(&CaseResult),
) -> std::io::Result<Run> {
    let mut sink = jsonl::Writer::create(&dir.join("results.jsonl"))?;
    let name = engine.name().to_string();
    suite::run_all(engine, cases, config, |r| {
        sink.write(&name, r)?;
        progress(r);
        Ok(())
    })
}

/// `git rev-parse HEAD` in `dir`, when git is there and `dir` is in a checkout.
pub fn corpus_commit(dir: &Path) -> Option<String> {
    let out = std::process::Command::new("git").arg("-C").arg(dir).args(["rev-parse", "HEAD"]).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let commit = text.trim();
    (out.status.success() && !commit.is_empty()).then(|| commit.to_string())
}

/// A time as RFC 3339 UTC with seconds (`2026-05-01T12:00:00Z`).
pub fn rfc3339(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A compact form for run ids (`20260501T120000Z`).
pub fn compact_time(t: SystemTime) -> String {
    rfc3339(t).replace(['-', ':'], "")
}

/// `to` relative to the folder `from` (both made absolute first), for links in reports that
/// keep working when the workspace moves; `to` as given when no common root exists.
pub fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (from, to_abs) = (abs(from), abs(to));
    let (a, b): (Vec<Component>, Vec<Component>) = (from.components().collect(), to_abs.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return to.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c);
    }
    out
}

/// Escapes text for XML and HTML (element content and quoted attributes). Characters XML 1.0
/// does not allow are replaced, so any engine output gives a well-formed file.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Shortens long text (diff values can be whole outputs) at a char boundary.
pub fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}… ({} more chars)", &s[..i], s[i..].chars().count()),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_known_dates() {
        let at = |s: u64| rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(compact_time(SystemTime::UNIX_EPOCH + Duration::from_secs(1_709_251_199)), "20240229T235959Z");
    }

    #[test]
    fn escaping_and_clipping() {
        assert_eq!(escape_xml("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}");
        assert_eq!(clip("héllo", 2), "hé… (3 more chars)");
        assert_eq!(clip("hé", 2), "hé");
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative_path(Path::new("/a/b/c"), Path::new("/a/d/e.json")), PathBuf::from("../../d/e.json"));
    }

    #[test]
    fn counts_cells_and_rates() {
        let mut c = Counts::default();
        for k in [Class::Pass, Class::Pass, Class::Fail, Class::Skipped] {
            c.add(k);
        }
        assert_eq!(c.cell(), "2/4 (1 skipped)");
        assert_eq!(c.rate(), Some(2.0 / 3.0));
        c.add(Class::KnownFailure);
        assert_eq!(c.cell(), "2/5 (1 skipped, 1 known failure)");
        assert_eq!(c.rate(), Some(2.0 / 4.0), "a known failure is judged: it ran and did not pass");
        assert_eq!(Counts::default().rate(), None);
    }
}
