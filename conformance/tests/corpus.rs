//! One test per corpus case on the reference engine, so `cargo test` and `cargo nextest run`
//! run the corpus and can filter it by name (`cargo test --test corpus -- retry/`).

use asl_conformance::engine::Reference;
use asl_conformance::expectations::Expectations;
use asl_conformance::suite::{self, Selection};
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::PathBuf;

fn main() {
    let args = Arguments::from_args();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/cases");
    let (cases, errors) = suite::load(&[root], &Selection::default());
    let known_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/expectations/reference.toml");
    let known = Expectations::load(&known_path);
    let mut trials: Vec<Trial> = errors
        .into_iter()
        .map(|e| Trial::test(format!("load-error {e}"), move || Err(Failed::from(e.clone()))))
        .collect();
    let known = match known {
        Ok(k) => k,
        Err(es) => {
            let e = es.join("; ");
            trials.push(Trial::test("load-error reference.toml", move || Err(Failed::from(e.clone()))));
            Expectations::default()
        }
    };
    for case in cases {
        let kind = case.features.join(",");
        let trial = match known.lookup(&case.id) {
            // A listed known failure of the reference must still fail: one that passes is
            // reported so its entry is removed.
            Some(entry) => {
                let reason = entry.reason.clone();
                Trial::test(format!("{} (known failure)", case.id), move || {
                    match suite::run_case(&mut Reference, &case).passed() {
                        Ok(()) => Err(format!(
                            "listed in corpus/expectations/reference.toml ({reason}) but passes: remove the entry"
                        )
                        .into()),
                        Err(_) => Ok(()),
                    }
                })
            }
            None => Trial::test(case.id.clone(), move || {
                // The class decides: a skipped, crashed or timed-out result has no diffs either.
                let r = suite::run_case(&mut Reference, &case);
                r.passed().map_err(|why| format!("{} ({}): {why}", case.description, case.file.display()).into())
            }),
        };
        trials.push(trial.with_kind(kind));
    }
    libtest_mimic::run(&args, trials).exit();
}
