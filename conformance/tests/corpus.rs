//! One test per corpus case on the reference engine, so `cargo test` and `cargo nextest run`
//! run the corpus and can filter it by name (`cargo test --test corpus -- retry/`).

use asl_conformance::engine::Reference;
use asl_conformance::suite::{self, Selection};
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::PathBuf;

fn main() {
    let args = Arguments::from_args();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/cases");
    let (cases, errors) = suite::load(&[root], &Selection::default());
    let mut trials: Vec<Trial> = errors
        .into_iter()
        .map(|e| Trial::test(format!("load-error {e}"), move || Err(Failed::from(e.clone()))))
        .collect();
    for case in cases {
        let name = case.id.clone();
        let kind = case.features.join(",");
        trials.push(
            Trial::test(name, move || {
                let r = suite::run_case(&mut Reference, &case);
                if r.diffs.is_empty() {
                    return Ok(());
                }
                let lines: Vec<String> = r.diffs.iter().map(|d| format!("  {d}")).collect();
                Err(format!("{} ({}):\n{}", case.description, case.file.display(), lines.join("\n")).into())
            })
            .with_kind(kind),
        );
    }
    libtest_mimic::run(&args, trials).exit();
}
