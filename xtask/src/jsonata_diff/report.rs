//! Verdicts per candidate, agreement figures, `report.json` and `summary.md`.

use super::candidate::CandidateRun;
use super::cases::Case;
use super::compare::{verdict, Outcome, Verdict};
use super::known::Known;
use super::node::NodeRun;
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

pub struct Judged {
    pub jsonata_js: String,
    pub node_seconds: f64,
    pub fixed_count: usize,
    pub total: usize,
    pub candidates: Vec<Judgement>,
}

pub struct Judgement {
    pub key: String,
    pub name: String,
    /// Verdict counts for the fixed set and the generated set.
    pub fixed: BTreeMap<Verdict, usize>,
    pub generated: BTreeMap<Verdict, usize>,
    pub compile_us: f64,
    pub eval_us: f64,
    /// Cases (by index) that do not agree, with the known entry's reason when listed.
    pub differences: Vec<Difference>,
    /// Known entries for this candidate that matched nothing (fixed, or no longer reached).
    pub unused_known: Vec<String>,
    /// Errors with the same code: how many, and how many of them differ in position or message
    /// (informational: errors are judged by code).
    pub same_code: usize,
    pub other_position: usize,
    pub other_message: usize,
    /// Cases (by index) with the same error code but another position or message.
    pub error_details: Vec<(usize, Outcome)>,
}

pub struct Difference {
    pub index: usize,
    pub verdict: Verdict,
    pub node: Outcome,
    pub ours: Outcome,
    pub known: Option<String>,
}

impl Judgement {
    pub fn unexpected(&self) -> usize {
        self.differences.iter().filter(|d| d.known.is_none()).count()
    }
}

pub fn judge_expressions(
    cases: &[Case],
    fixed_count: usize,
    node: &NodeRun,
    runs: &[CandidateRun],
    known: &[Known],
) -> Judged {
    let mut candidates = Vec::new();
    for run in runs {
        let mut j = Judgement {
            key: run.key.clone(),
            name: run.name.clone(),
            fixed: BTreeMap::new(),
            generated: BTreeMap::new(),
            compile_us: run.compile_time.as_secs_f64() * 1e6 / cases.len().max(1) as f64,
            eval_us: run.eval_time.as_secs_f64() * 1e6 / run.evaluations.max(1) as f64,
            differences: Vec::new(),
            unused_known: Vec::new(),
            same_code: 0,
            other_position: 0,
            other_message: 0,
            error_details: Vec::new(),
        };
        let mut used = vec![false; known.len()];
        for (i, case) in cases.iter().enumerate() {
            let (n, o) = (&node.outcomes[i], &run.outcomes[i]);
            let v = verdict(n, o);
            let counts = if i < fixed_count { &mut j.fixed } else { &mut j.generated };
            *counts.entry(v).or_default() += 1;
            if let (
                Outcome::Error { code: a, message: am, position: ap },
                Outcome::Error { code: b, message: bm, position: bp },
            ) = (n, o)
            {
                if a == b {
                    j.same_code += 1;
                    j.other_position += usize::from(ap != bp);
                    j.other_message += usize::from(am != bm);
                    if ap != bp || am != bm {
                        j.error_details.push((i, o.clone()));
                    }
                }
            }
            if v.agrees() {
                continue;
            }
            let (ns, os) = (n.short(), o.short());
            let hit = known.iter().position(|k| k.matches(&run.key, &case.id, &case.expr, &ns, &os));
            if let Some(h) = hit {
                used[h] = true;
            }
            j.differences.push(Difference {
                index: i,
                verdict: v,
                node: n.clone(),
                ours: o.clone(),
                known: hit.map(|h| known[h].reason.clone()),
            });
        }
        j.unused_known = known
            .iter()
            .zip(&used)
            .filter(|(k, used)| !**used && k.candidate.as_deref().is_none_or(|c| c == run.key))
            .map(|(k, _)| k.label())
            .collect();
        candidates.push(j);
    }
    Judged {
        jsonata_js: node.version.clone(),
        node_seconds: node.elapsed.as_secs_f64(),
        fixed_count,
        total: cases.len(),
        candidates,
    }
}

fn agreeing(counts: &BTreeMap<Verdict, usize>) -> (usize, usize) {
    let total = counts.values().sum();
    let agree = counts.iter().filter(|(v, _)| v.agrees()).map(|(_, n)| n).sum();
    (agree, total)
}

fn figures(counts: &BTreeMap<Verdict, usize>) -> String {
    let (agree, total) = agreeing(counts);
    let pct = if total == 0 { 100.0 } else { agree as f64 * 100.0 / total as f64 };
    let detail: Vec<String> = counts.iter().map(|(v, n)| format!("{} {n}", v.name())).collect();
    format!("{agree}/{total} ({pct:.1}%; {})", detail.join(", "))
}

pub fn print(judged: &Judged) {
    for c in &judged.candidates {
        println!("{} ({})", c.key, c.name);
        println!("  fixed:     {}", figures(&c.fixed));
        println!("  generated: {}", figures(&c.generated));
        println!(
            "  time: {:.1} µs per compile, {:.1} µs per evaluation; {} differences, {} known",
            c.compile_us,
            c.eval_us,
            c.differences.len(),
            c.differences.len() - c.unexpected()
        );
        println!(
            "  errors with the same code: {}, of which {} at another position, {} with another message",
            c.same_code, c.other_position, c.other_message
        );
        for label in &c.unused_known {
            println!("  note: known difference no longer seen: {label}");
        }
    }
}

/// Prints the unexpected differences (up to `show` per candidate) with their cases.
pub fn print_unexpected(judged: &Judged, cases: &[Case], show: usize) {
    for c in &judged.candidates {
        for d in c.differences.iter().filter(|d| d.known.is_none()).take(show) {
            let case = &cases[d.index];
            println!("  [{}] {} {}", c.key, case.id, case.expr);
            if let Some(input) = &case.input {
                let s = input.to_string();
                if s.len() <= 300 {
                    println!("      input: {s}");
                }
            }
            println!("      jsonata-js: {}", d.node.short());
            println!("      {}: {}", c.key, d.ours.short());
        }
    }
}

/// What jsonata-js gave, by kind, for cases `range` (to see what a set exercises).
fn kinds(node: &[Outcome]) -> Value {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for o in node {
        let k = match o {
            Outcome::Value(_) => "value",
            Outcome::Undefined => "undefined",
            Outcome::Unrepresentable { .. } => "unrepresentable",
            Outcome::Error { .. } => "error",
        };
        *counts.entry(k).or_default() += 1;
    }
    json!(counts)
}

pub fn write(dir: &Path, judged: &Judged, cases: &[Case], node: &[Outcome], seed: u64) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // Every expression with jsonata-js's answer, one JSON object a line.
    let mut lines = String::new();
    for (case, o) in cases.iter().zip(node) {
        let mut line = json!({ "id": case.id, "expr": case.expr, "jsonata_js": o.to_json() });
        if let Some(input) = &case.input {
            line["input"] = input.clone();
        }
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    let path = dir.join("evaluated.jsonl");
    std::fs::write(&path, lines).with_context(|| format!("writing {}", path.display()))?;
    let counts = |m: &BTreeMap<Verdict, usize>| {
        let (agree, total) = agreeing(m);
        let mut o = json!({ "agree": agree, "total": total });
        for (v, n) in m {
            o[v.name()] = json!(n);
        }
        o
    };
    let candidates: Vec<Value> = judged
        .candidates
        .iter()
        .map(|c| {
            json!({
                "key": c.key,
                "name": c.name,
                "fixed": counts(&c.fixed),
                "generated": counts(&c.generated),
                "microseconds_per_compile": c.compile_us,
                "microseconds_per_evaluation": c.eval_us,
                "unexpected": c.unexpected(),
                "errors_same_code": {
                    "total": c.same_code,
                    "other_position": c.other_position,
                    "other_message": c.other_message,
                    "cases": c.error_details.iter().map(|(i, ours)| json!({
                        "id": cases[*i].id,
                        "expr": cases[*i].expr,
                        "jsonata_js": node[*i].to_json(),
                        "ours": ours.to_json(),
                    })).collect::<Vec<_>>(),
                },
                "unused_known": c.unused_known,
                "differences": c.differences.iter().map(|d| {
                    let case = &cases[d.index];
                    json!({
                        "id": case.id,
                        "expr": case.expr,
                        "input": case.input,
                        "bindings": case.bindings,
                        "verdict": d.verdict.name(),
                        "jsonata_js": d.node.to_json(),
                        "ours": d.ours.to_json(),
                        "jsonata_js_short": d.node.short(),
                        "ours_short": d.ours.short(),
                        "known": d.known,
                    })
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let report = json!({
        "jsonata_js": judged.jsonata_js,
        "seed": seed,
        "fixed": judged.fixed_count,
        "generated": judged.total - judged.fixed_count,
        "jsonata_js_seconds": judged.node_seconds,
        "jsonata_js_outcomes": {
            "fixed": kinds(&node[..judged.fixed_count]),
            "generated": kinds(&node[judged.fixed_count..]),
        },
        "candidates": candidates,
    });
    let path = dir.join("report.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;

    let mut md = String::new();
    let _ = writeln!(md, "# jsonata-diff against {}\n", judged.jsonata_js);
    let _ = writeln!(
        md,
        "{} fixed expressions (xtask/jsonata-diff/expressions.json) and {} generated (seed {seed}).\n",
        judged.fixed_count,
        judged.total - judged.fixed_count
    );
    let _ = writeln!(md, "| candidate | fixed | generated | µs/compile | µs/evaluation | unexpected |");
    let _ = writeln!(md, "|---|---|---|---:|---:|---:|");
    for c in &judged.candidates {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.1} | {:.1} | {} |",
            c.name,
            figures(&c.fixed),
            figures(&c.generated),
            c.compile_us,
            c.eval_us,
            c.unexpected()
        );
    }
    for c in &judged.candidates {
        if c.differences.is_empty() {
            continue;
        }
        let _ = writeln!(md, "\n## {} differences\n", c.name);
        let _ = writeln!(md, "| id | expression | jsonata-js | {} | known |", c.key);
        let _ = writeln!(md, "|---|---|---|---|---|");
        for d in &c.differences {
            let case = &cases[d.index];
            let _ = writeln!(
                md,
                "| {} | `{}` | `{}` | `{}` | {} |",
                case.id,
                cell(&case.expr),
                cell(&d.node.short()),
                cell(&d.ours.short()),
                d.known.as_deref().map_or("**no**".to_string(), cell)
            );
        }
    }
    let path = dir.join("summary.md");
    std::fs::write(&path, md).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ").replace('`', "'")
}
