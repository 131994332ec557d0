//! `matrix.md`: features × engines (`passed/total`), grouped by feature area, each failing
//! cell linking to its failing case files; then every failing case with its diffs.

use super::{clip, relative_path, Counts, Report};
use crate::suite::CaseResult;
use std::fmt::Write;
use std::path::Path;

/// At most this many failing cases are linked from one cell.
const LINKS_PER_CELL: usize = 3;

/// `dir` is where the file goes: links to case files are relative to it.
pub fn render(report: &Report, dir: &Path) -> String {
    let mut s = String::from("# Conformance matrix\n\n");
    let _ = writeln!(s, "{}\n", report.provenance());
    for note in &report.meta.notes {
        let _ = writeln!(s, "**{}**\n", note);
    }
    s += "Cells: `passed/total` cases tagged with the feature; failing cases are linked.\n\n";
    for e in &report.engines {
        let now: Vec<&str> = e.results.iter().filter(|r| r.now_passes()).map(|r| r.id.as_str()).collect();
        if !now.is_empty() {
            let _ = writeln!(s, "{}: listed as known failures but pass now: {}\n", e.name, now.join(", "));
        }
    }
    let counts: Vec<_> = report.engines.iter().map(Report::feature_counts).collect();
    let header: Vec<String> = report.engines.iter().map(|e| cell_text(&e.name)).collect();
    for area in report.areas() {
        let _ = writeln!(
            s,
            "## {}\n\n| feature | {} |\n|---|{}",
            area.name,
            header.join(" | "),
            "---|".repeat(header.len())
        );
        for f in &area.features {
            let cells: Vec<String> = report
                .engines
                .iter()
                .zip(&counts)
                .map(|(e, by)| match by.get(f.as_str()) {
                    Some(c) => cell(c, failing(&e.results, f), dir),
                    None => "–".to_string(),
                })
                .collect();
            let _ = writeln!(s, "| `{f}` | {} |", cells.join(" | "));
        }
        s.push('\n');
    }
    failures(report, dir, &mut s);
    s
}

fn failing<'a>(results: &'a [CaseResult], feature: &'a str) -> impl Iterator<Item = &'a CaseResult> + 'a {
    results.iter().filter(move |r| r.class.is_failure() && r.features.iter().any(|x| x == feature))
}

fn cell<'a>(c: &Counts, mut bad: impl Iterator<Item = &'a CaseResult>, dir: &Path) -> String {
    let mut s = c.cell();
    let mut links = Vec::new();
    for r in bad.by_ref().take(LINKS_PER_CELL) {
        links.push(format!("[{}]({})", cell_text(&r.id), link(dir, r)));
    }
    let more = bad.count();
    if !links.is_empty() {
        s += " ✗ ";
        s += &links.join(", ");
    }
    if more > 0 {
        let _ = write!(s, " +{more} more");
    }
    s
}

fn failures(report: &Report, dir: &Path, s: &mut String) {
    let bad: Vec<(&str, &CaseResult)> = report
        .engines
        .iter()
        .flat_map(|e| e.results.iter().filter(|r| r.class.is_failure()).map(move |r| (e.name.as_str(), r)))
        .collect();
    if bad.is_empty() {
        s.push_str("No failing cases.\n");
        return;
    }
    let _ = writeln!(s, "## Failing cases ({})\n", bad.len());
    for (engine, r) in bad {
        let _ = writeln!(s, "### {engine}: [{}]({}) — {}\n", r.id, link(dir, r), r.class.as_str());
        if let Some(reason) = &r.reason {
            let _ = writeln!(s, "{}\n", clip(reason, 500));
        }
        if !r.diffs.is_empty() {
            s.push_str("```\n");
            for d in &r.diffs {
                let _ = writeln!(s, "{}", d.pointer);
                let _ = writeln!(s, "  expected: {}", clip(&d.expected_text(), 500));
                let _ = writeln!(s, "  actual:   {}", clip(&d.actual_text(), 500));
            }
            s.push_str("```\n\n");
        }
    }
}

fn link(dir: &Path, r: &CaseResult) -> String {
    relative_path(dir, &r.file).to_string_lossy().replace(' ', "%20")
}

/// Text safe inside a table cell.
fn cell_text(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
