//! `cargo xtask corpus check | build | stats`: keep the corpus well-formed and measured.

use crate::root;
use anyhow::{anyhow, bail, Context, Result};
use asl_conformance::case::{self, Case};
use asl_conformance::engine::Reference;
use asl_conformance::features::{self, Feature};
use asl_conformance::suite::{self, Class};
use clap::Subcommand;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum Command {
    /// Validate every case against corpus/schema/case.schema.json and corpus/features.txt.
    Check {
        /// Corpus folder (default corpus/cases).
        #[arg(long)]
        corpus: Option<PathBuf>,
    },
    /// Write every case into one bundle file, for harnesses in other languages.
    Build {
        /// Output file (default target/aslcheck-corpus.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Move a pending case (written by `xtask differential`) into corpus/cases/, after checking
    /// it and running it on the reference.
    Promote {
        /// The pending case file.
        file: PathBuf,
        /// The case's description (required unless the file already has one of its own).
        #[arg(long)]
        description: Option<String>,
    },
    /// Write a Step Functions Local / LocalStack mock configuration for the cases whose Task
    /// behaviours fixed answers can express (run them with `--engine sfn --mock-config`).
    MockConfig {
        /// Output file (default target/sfn-mock-config.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Coverage of features.txt by the corpus.
    Stats {
        /// Fail when an untagged feature (one the reference runs, JSONPath or JSONata) has fewer cases than this.
        #[arg(long)]
        require: Option<usize>,
        /// List every feature, not only those under the requirement.
        #[arg(long)]
        all: bool,
    },
}

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Check { corpus } => check(&corpus.unwrap_or_else(|| root().join("corpus/cases"))),
        Command::Build { out } => build(&out.unwrap_or_else(|| root().join("target/aslcheck-corpus.json"))),
        Command::Stats { require, all } => stats(require, all),
        Command::Promote { file, description } => promote(&file, description),
        Command::MockConfig { out } => mock_config(&out.unwrap_or_else(|| root().join("target/sfn-mock-config.json"))),
    }
}

#[cfg(not(feature = "aws"))]
fn mock_config(_: &Path) -> Result<ExitCode> {
    crate::aws::relaunch("corpus mock-config")
}

#[cfg(feature = "aws")]
fn mock_config(out: &Path) -> Result<ExitCode> {
    let (cases, errors) = asl_conformance::case::load_dir(&root().join("corpus/cases"));
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    let mut config = serde_json::json!({"StateMachines": {}, "MockedResponses": {}});
    let mut mocked = 0;
    for c in &cases {
        let mut scratch = config.clone();
        if asl_sfn::mock_config::add_case(&mut scratch, &c.definition, c.behaviours.as_ref()).is_ok() {
            config = scratch;
            mocked += 1;
        }
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, serde_json::to_string_pretty(&config)? + "\n")?;
    println!("{mocked} of {} cases mocked: {}", cases.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

fn load_features() -> Result<Vec<Feature>> {
    features::load(&root().join("corpus/features.txt")).map_err(|errors| anyhow!(errors.join("\n")))
}

/// Checks case files against the schema and the feature list.
struct Checker {
    validator: jsonschema::Validator,
    known: Vec<Feature>,
}

impl Checker {
    fn new() -> Result<Checker> {
        let schema_path = root().join("corpus/schema/case.schema.json");
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(&schema_path)?)
            .with_context(|| format!("{} is not JSON", schema_path.display()))?;
        let validator = jsonschema::validator_for(&schema).map_err(|e| anyhow!("{}: {e}", schema_path.display()))?;
        Ok(Checker { validator, known: load_features()? })
    }

    /// Every problem of one file (below corpus folder `dir`), each naming the file and the
    /// JSON location.
    fn problems(&self, dir: &Path, file: &Path) -> Vec<String> {
        let rel = file.strip_prefix(dir).unwrap_or(file).display().to_string();
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => return vec![format!("{rel}: {e}")],
        };
        let value: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => return vec![format!("{rel}: not JSON: {e}")],
        };
        let mut problems = Vec::new();
        for error in self.validator.iter_errors(&value) {
            problems.push(format!("{rel}: {} at {}", error, error.instance_path));
        }
        for f in value["features"].as_array().into_iter().flatten() {
            let id = f.as_str().unwrap_or_default();
            if !self.known.iter().any(|k| k.id == id) {
                problems.push(format!("{rel}: feature '{id}' is not in corpus/features.txt"));
            }
        }
        let name = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let kebab = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !name.starts_with('-');
        if !kebab {
            problems.push(format!("{rel}: file names are kebab-case"));
        }
        if let Err(e) = case::load_file(dir, file) {
            problems.push(e);
        }
        problems
    }
}

/// Every problem in every file, each naming the file and the JSON location.
fn check(dir: &Path) -> Result<ExitCode> {
    let checker = Checker::new()?;
    let files = case::case_files(dir);
    let problems: Vec<String> = files.iter().flat_map(|f| checker.problems(dir, f)).collect();
    for p in &problems {
        println!("{p}");
    }
    println!("{} cases checked, {} problems", files.len(), problems.len());
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Moves a pending case (`corpus/pending/<area>/<name>.json`) to `corpus/cases/<area>/<name>.json`
/// after checking it as `corpus check` does and running it on the reference, where it must pass.
fn promote(file: &Path, description: Option<String>) -> Result<ExitCode> {
    promote_into(file, description, &root().join("corpus/pending"), &root().join("corpus/cases"))
}

/// [`promote`] from folder `pending` (a file elsewhere keeps only its name) into `cases`.
fn promote_into(file: &Path, description: Option<String>, pending: &Path, cases: &Path) -> Result<ExitCode> {
    let pending = std::path::absolute(pending)?;
    let file = std::path::absolute(file)?;
    let base =
        if file.starts_with(&pending) { pending } else { file.parent().map(Path::to_path_buf).unwrap_or_default() };
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?)
            .with_context(|| format!("{} is not JSON", file.display()))?;
    if let Some(d) = description {
        doc["description"] = json!(d);
    }
    if doc["description"].as_str().is_none_or(|d| d.starts_with("Pending:")) {
        bail!(
            "{}: write a description of what the case shows first (edit the file, or --description \"...\")",
            file.display()
        );
    }
    if let Some(p) = doc.get_mut("provenance").and_then(Value::as_object_mut) {
        p.remove("to_promote");
    }
    let rel = file.strip_prefix(&base).unwrap_or(&file).to_path_buf();
    let dest = cases.join(&rel);
    if dest.exists() {
        bail!("{} exists already: rename the pending case first", dest.display());
    }
    // Check the case as it will be written, in a scratch copy under the same relative path.
    let scratch = std::env::temp_dir().join(format!("aslcheck-promote-{}", std::process::id()));
    let staged = scratch.join(&rel);
    std::fs::create_dir_all(staged.parent().unwrap_or(&scratch))?;
    std::fs::write(&staged, serde_json::to_string_pretty(&doc)? + "\n")?;
    let problems = Checker::new()?.problems(&scratch, &staged);
    let verdict = case::load_file(&scratch, &staged).map(|c| suite::run_case(&mut Reference, &c));
    let _ = std::fs::remove_dir_all(&scratch);
    for p in &problems {
        println!("{p}");
    }
    let result = verdict.map_err(anyhow::Error::msg)?;
    if result.class != Class::Pass {
        println!("{}: the reference does not give what the case expects:", file.display());
        for d in &result.diffs {
            println!("    {d}");
        }
    }
    if !problems.is_empty() || result.class != Class::Pass {
        return Ok(ExitCode::FAILURE);
    }
    std::fs::create_dir_all(dest.parent().unwrap_or(Path::new(".")))?;
    std::fs::write(&dest, serde_json::to_string_pretty(&doc)? + "\n")?;
    std::fs::remove_file(&file)?;
    println!("promoted: {}", dest.display());
    Ok(ExitCode::SUCCESS)
}

fn build(out: &Path) -> Result<ExitCode> {
    let (cases, errors) = case::load_dir(&root().join("corpus/cases"));
    if !errors.is_empty() {
        return Err(anyhow!("the corpus does not load:\n{}", errors.join("\n")));
    }
    let features: Vec<Value> =
        load_features()?.iter().map(|f| json!({"id": f.id, "tag": f.tag, "area": f.area})).collect();
    let mut bundled = Vec::with_capacity(cases.len());
    for c in &cases {
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&c.file)?)?;
        v["id"] = json!(c.id);
        bundled.push(v);
    }
    let doc = json!({
        "format": "aslcheck-corpus",
        "version": 1,
        "commit": git_head(),
        "schema": "corpus/schema/case.schema.json",
        "features": features,
        "cases": bundled,
    });
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(out, serde_json::to_string(&doc)? + "\n")?;
    println!("{} cases written to {}", cases.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

fn stats(require: Option<usize>, all: bool) -> Result<ExitCode> {
    let features = load_features()?;
    let (cases, errors) = case::load_dir(&root().join("corpus/cases"));
    if !errors.is_empty() {
        return Err(anyhow!("the corpus does not load:\n{}", errors.join("\n")));
    }
    let counts = count_features(&cases);
    let mut by_area: BTreeMap<&str, Vec<&Feature>> = BTreeMap::new();
    for f in &features {
        by_area.entry(f.area.as_str()).or_default().push(f);
    }
    let need = require.unwrap_or(3);
    let mut short = Vec::new();
    println!("{:<34} {:>6} {:>10}", "area", "cases", "covered");
    for (area, fs) in &by_area {
        let runnable: Vec<&&Feature> = fs.iter().filter(|f| f.tag.is_none()).collect();
        let covered = runnable.iter().filter(|f| counts.get(f.id.as_str()).copied().unwrap_or(0) >= need).count();
        let total: usize = fs.iter().map(|f| counts.get(f.id.as_str()).copied().unwrap_or(0)).sum();
        println!("{:<34} {:>6} {:>6}/{:<3}", area, total, covered, runnable.len());
        for f in fs {
            let n = counts.get(f.id.as_str()).copied().unwrap_or(0);
            if f.tag.is_none() && n < need {
                short.push((f.id.as_str(), n));
            }
            if all {
                println!(
                    "    {:<40} {:>4} {}",
                    f.id,
                    n,
                    f.tag.as_deref().map(|t| format!("[{t}]")).unwrap_or_default()
                );
            }
        }
    }
    let unknown: Vec<&str> = counts.keys().copied().filter(|id| !features.iter().any(|f| f.id == *id)).collect();
    println!(
        "{} cases, {} features ({} run by the reference), {} below {need} cases",
        cases.len(),
        features.len(),
        features.iter().filter(|f| f.tag.is_none()).count(),
        short.len()
    );
    for (id, n) in &short {
        println!("  below {need}: {id} ({n})");
    }
    for id in &unknown {
        println!("  not in features.txt: {id}");
    }
    let failed = require.is_some() && !short.is_empty() || !unknown.is_empty();
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn count_features(cases: &[Case]) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for c in cases {
        for f in &c.features {
            *counts.entry(f.as_str()).or_default() += 1;
        }
    }
    counts
}

fn git_head() -> Option<String> {
    asl_conformance::report::corpus_commit(&root())
}

#[cfg(test)]
mod tests {
    use super::*;
    use asl_conformance::generated::{self, ConfigSource};

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("aslcheck-xtask-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// A pending case as `differential` writes it, at `pending/retry/seed-1-case-0.json`.
    fn pending_case(pending: &Path) -> PathBuf {
        let file = pending.join("retry/seed-1-case-0.json");
        let mut case = generated::batch(&ConfigSource::Swarm, 1, 1, &pending.join("retry")).unwrap().remove(0);
        case.description = "Pending: a disagreement".to_string();
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, serde_json::to_string(&generated::case_file_json(&case)).unwrap()).unwrap();
        file
    }

    #[test]
    fn promote_moves_a_checked_case_and_refuses_unchecked_ones() {
        let dir = scratch("promote");
        let (pending, cases) = (dir.join("pending"), dir.join("cases"));
        let file = pending_case(&pending);
        // No description of its own: refused.
        assert!(promote_into(&file, None, &pending, &cases).is_err());
        // An expectation the reference does not meet: refused, nothing moved.
        let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let good = doc["expect"]["status"].clone();
        doc["expect"]["status"] = json!("TIMED_OUT_NEVER");
        std::fs::write(&file, doc.to_string()).unwrap();
        let code = promote_into(&file, Some("d".into()), &pending, &cases).unwrap();
        assert_eq!(code, ExitCode::FAILURE);
        assert!(file.exists() && !cases.join("retry/seed-1-case-0.json").exists());
        // Fixed: promoted under the same area and name, the pending file gone.
        doc["expect"]["status"] = good;
        std::fs::write(&file, doc.to_string()).unwrap();
        let code = promote_into(&file, Some("A generated retry case".into()), &pending, &cases).unwrap();
        assert_eq!(code, ExitCode::SUCCESS);
        let promoted: Value =
            serde_json::from_str(&std::fs::read_to_string(cases.join("retry/seed-1-case-0.json")).unwrap()).unwrap();
        assert_eq!(promoted["description"], "A generated retry case");
        assert!(promoted["provenance"].get("to_promote").is_none());
        assert!(!file.exists());
        // A second case of the same name does not overwrite the first.
        let file = pending_case(&pending);
        assert!(promote_into(&file, Some("again".into()), &pending, &cases).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
