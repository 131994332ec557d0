//! Properties of generated machines: validity, termination, well-formed history, and
//! metamorphic laws that hold on AWS too. Small case counts in `cargo test`; raise them with
//! PROPTEST_CASES (e.g. `PROPTEST_CASES=5000 cargo test --release -p asl-generators`).

use asl::{Behaviours, RunOptions, RunResult, Status};
use asl_generators::{laws, strategy, swarm_strategy, GenConfig, Generated, QueryLanguageMix};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Value};

/// The transition budget of these runs: generated loops are bounded far below it.
const BUDGET: u64 = 100_000;

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default_cases);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

fn run(def: &Value, input: Value, behaviours: &Value) -> Result<RunResult, TestCaseError> {
    let (sm, diags) = asl::check(def);
    prop_assert!(diags.is_empty(), "diagnostics {diags:?} for {def}");
    let Some(sm) = sm else { return Err(TestCaseError::fail(format!("no model for {def}"))) };
    let behaviours = Behaviours::from_json(behaviours).map_err(TestCaseError::fail)?;
    let opts = RunOptions { behaviours, max_transitions: BUDGET, ..RunOptions::default() };
    Ok(asl::run(&sm, input, &opts))
}

/// Causes quote the id of the failing state's Entered event; laws that add or move events
/// compare causes without it.
fn cause_without_ids(c: &Option<String>) -> Option<String> {
    c.as_ref().map(|c| {
        let mut out = String::with_capacity(c.len());
        let mut in_id = false;
        for ch in c.chars() {
            if in_id && ch.is_ascii_digit() {
                continue;
            }
            in_id = ch == '#';
            out.push(ch);
        }
        out
    })
}

/// A value with event ids removed from every string (caught causes land in outputs).
fn without_ids(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(cause_without_ids(&Some(s.clone())).unwrap_or_default()),
        Value::Array(a) => Value::Array(a.iter().map(without_ids).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), without_ids(x))).collect()),
        other => other.clone(),
    }
}

/// What a law compares: status, error, cause and output (event ids removed).
fn outcome(r: &RunResult) -> (Status, Option<String>, Option<String>, Option<Value>) {
    (r.status, r.error.clone(), cause_without_ids(&r.cause), r.output.as_ref().map(without_ids))
}

fn check_history(r: &RunResult) -> Result<(), TestCaseError> {
    let h = &r.history;
    prop_assert!(!h.is_empty());
    for (i, e) in h.iter().enumerate() {
        prop_assert_eq!(e.id, i as u64 + 1, "ids must be 1..n");
        prop_assert!(e.previous_event_id < e.id, "event {} points forward to {}", e.id, e.previous_event_id);
    }
    let terminals: Vec<usize> =
        h.iter().enumerate().filter(|(_, e)| asl::history::is_terminal(e.kind)).map(|(i, _)| i).collect();
    prop_assert_eq!(terminals, vec![h.len() - 1], "exactly one terminal event, and last");
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn generated_machines_are_valid(g in strategy(GenConfig::default())) {
        let (_, diags) = asl::check(&g.definition);
        prop_assert!(diags.is_empty(), "{diags:?}\n{}", g.definition);
    }

    #[test]
    fn swarm_machines_are_valid((_cfg, g) in swarm_strategy()) {
        let (_, diags) = asl::check(&g.definition);
        prop_assert!(diags.is_empty(), "{diags:?}\n{}", g.definition);
    }

    /// The reference never panics, ends within its budget (generated loops are bounded, so the
    /// budget is never what stops a run) and writes a well-formed history.
    #[test]
    fn runs_terminate_with_well_formed_history(g in strategy(GenConfig::default())) {
        let r = run(&g.definition, g.input.clone(), &g.behaviours)?;
        prop_assert!(r.transitions <= BUDGET);
        prop_assert!(!r.cause.as_deref().unwrap_or("").contains("transition budget"), "loop not bounded: {}", g.definition);
        check_history(&r)?;
    }

    #[test]
    fn swarm_runs_terminate_with_well_formed_history((_cfg, g) in swarm_strategy()) {
        let r = run(&g.definition, g.input.clone(), &g.behaviours)?;
        prop_assert!(!r.cause.as_deref().unwrap_or("").contains("transition budget"), "loop not bounded: {}", g.definition);
        check_history(&r)?;
    }

    /// An empty Pass (no Result, Parameters or paths) outputs its input and takes no time, so
    /// inserting one before any state changes neither the data nor the clock that state sees.
    /// AWS documents Pass as passing its input to its output unchanged; only history and the
    /// event ids quoted in causes differ.
    #[test]
    fn an_empty_pass_inserted_before_a_state_changes_no_output(g in strategy(GenConfig::default()), pick in any::<Index>()) {
        let names = laws::state_names(&g.definition);
        let (machine, target) = pick.get(&names).clone();
        let changed = laws::insert_empty_pass(&g.definition, machine, &target, "LawInsertedPass");
        let a = run(&g.definition, g.input.clone(), &g.behaviours)?;
        let b = run(&changed, g.input.clone(), &g.behaviours)?;
        prop_assert_eq!(outcome(&a), outcome(&b), "inserted before {} in {}", target, g.definition);
    }

    /// A Parallel state's result is the array of its branches' outputs, and a failing branch
    /// fails the Parallel with the branch's error and cause (AWS developer guide, "Parallel
    /// workflow state"); with one branch that is exactly the machine's own result.
    #[test]
    fn a_one_branch_parallel_wraps_the_result_in_an_array(g in strategy(GenConfig::default())) {
        if g.definition.get("TimeoutSeconds").is_some() {
            return Ok(());
        }
        let a = run(&g.definition, g.input.clone(), &g.behaviours)?;
        let b = run(&laws::wrap_in_parallel(&g.definition), g.input.clone(), &g.behaviours)?;
        let (sa, ea, ca, oa) = outcome(&a);
        let expected = oa.map(|o| json!([o]));
        prop_assert_eq!((sa, ea, ca, expected), outcome(&b), "{}", g.definition);
    }

    /// An inline Map runs its processor on each item independently, with the item as input,
    /// and returns the outputs in item order (AWS developer guide, "Map state"). Machines that
    /// read `$$.Execution` (the execution input differs), consume randomness (UUID, MathRandom,
    /// FULL jitter: the shared seeded source is drawn in a different order) or set an execution
    /// timeout (dropped by the wrapping) are left out.
    #[test]
    fn a_map_returns_what_its_items_give_one_by_one(
        g in strategy(GenConfig::default()),
        more in prop::collection::vec(strategy(GenConfig::default()), 1..3),
    ) {
        let text = g.definition.to_string();
        let excluded = ["$$.Execution", "States.UUID", "States.MathRandom", "FULL"];
        if g.definition.get("TimeoutSeconds").is_some() || excluded.iter().any(|x| text.contains(x)) {
            return Ok(());
        }
        let inputs: Vec<Value> = std::iter::once(g.input.clone()).chain(more.iter().map(|m| m.input.clone())).collect();
        let mut singles = Vec::new();
        for input in &inputs {
            singles.push(run(&g.definition, input.clone(), &g.behaviours)?);
        }
        let mapped = run(&laws::wrap_in_map(&g.definition), json!({"items_for_law": inputs}), &g.behaviours)?;
        if singles.iter().all(|r| r.status == Status::Succeeded) {
            let outputs: Vec<Value> = singles.iter().filter_map(|r| r.output.as_ref().map(without_ids)).collect();
            if Value::Array(outputs.clone()).to_string().len() > 200_000 {
                return Ok(());
            }
            prop_assert_eq!(mapped.status, Status::Succeeded, "{:?} {:?}\n{}", mapped.error, mapped.cause, g.definition);
            prop_assert_eq!(mapped.output.as_ref().map(without_ids), Some(Value::Array(outputs)), "{}", g.definition);
        } else {
            prop_assert_ne!(mapped.status, Status::Succeeded, "{}", g.definition);
            let errors: Vec<Option<String>> = singles.iter().map(|r| r.error.clone()).collect();
            prop_assert!(errors.contains(&mapped.error), "{:?} not among {:?}\n{}", mapped.error, errors, g.definition);
        }
    }

    /// `ResultPath: null` discards the state's result and keeps its raw input as output (AWS
    /// developer guide, "ResultPath": "Discard result and keep original input"); with
    /// OutputPath removed, every Exited event carries the input of its Entered event. Catchers
    /// of those states get `ResultPath: null` too, which discards the error the same way.
    #[test]
    fn result_path_null_leaves_the_input_unchanged(g in strategy(GenConfig::default())) {
        let (mut def, names) = laws::result_path_null(&g.definition);
        if let Some(states) = def.get_mut("States").and_then(Value::as_object_mut) {
            for name in &names {
                if let Some(cs) = states.get_mut(name).and_then(|s| s.get_mut("Catch")).and_then(Value::as_array_mut) {
                    cs.iter_mut().filter_map(Value::as_object_mut).for_each(|c| { c.insert("ResultPath".into(), Value::Null); });
                }
            }
        }
        let r = run(&def, g.input.clone(), &g.behaviours)?;
        let events: Vec<Value> = r.history.iter().map(|e| e.to_json()).collect();
        for name in &names {
            let mut entered: Option<Value> = None;
            for e in &events {
                if let Some(d) = e.get("stateEnteredEventDetails").filter(|d| d["name"] == json!(name)) {
                    entered = d["input"].as_str().and_then(|s| serde_json::from_str(s).ok());
                }
                if let Some(d) = e.get("stateExitedEventDetails").filter(|d| d["name"] == json!(name)) {
                    let exited: Option<Value> = d["output"].as_str().and_then(|s| serde_json::from_str(s).ok());
                    prop_assert_eq!(&entered, &exited, "state {} of {}", name, def);
                }
            }
        }
    }

    /// A retrier with `MaxAttempts: 0` never retries, and the first retrier whose ErrorEquals
    /// matches is the only one consulted (AWS developer guide, "Retrying after an error"), so
    /// when every retrier has MaxAttempts 0 no error is ever retried: the same as no Retry.
    #[test]
    fn retry_with_max_attempts_zero_equals_no_retry(g in strategy(GenConfig::default())) {
        if !g.definition.to_string().contains("\"Retry\"") {
            return Ok(());
        }
        let a = run(&laws::retry_max_attempts_zero(&g.definition), g.input.clone(), &g.behaviours)?;
        let b = run(&laws::retry_removed(&g.definition), g.input.clone(), &g.behaviours)?;
        prop_assert_eq!(outcome(&a), outcome(&b), "{}", g.definition);
        let kinds = |r: &RunResult| r.history.iter().map(|e| e.kind.to_string()).collect::<Vec<_>>();
        prop_assert_eq!(kinds(&a), kinds(&b));
    }
}

/// Errors raised while processing data: their names and causes differ between the query
/// languages, and a path that is missing fails in JSONPath but is undefined in JSONata.
fn is_data_error(e: &Option<String>) -> bool {
    let data = ["States.Runtime", "States.IntrinsicFailure", "States.ResultPathMatchFailure", laws::PROBE_ERROR];
    e.as_deref().is_some_and(|e| data.contains(&e))
}

/// Machines for the translation law: no deliberately missing paths or bad intrinsic
/// arguments (runs that meet them are outside the law), fewer task errors.
fn law_config() -> GenConfig {
    GenConfig { miss_rate: 0, bad_arg_rate: 0, shape_break_rate: 5, throw_rate: 25, ..GenConfig::default() }
}

proptest! {
    #![proptest_config(config(2000))]

    /// A JSONPath machine and its mechanical JSONata translation (laws::to_jsonata: InputPath,
    /// Parameters, ResultSelector, ResultPath and OutputPath as Arguments/Output expressions,
    /// paths as `$states.input...`, Choice rules as Conditions, intrinsics as the JSONata
    /// functions AWS documents as their counterparts) give the same result. AWS's data-flow
    /// documentation ("Transforming data with JSONata") defines each JSONata field as the
    /// JSONPath stage it replaces. Stated for runs where JSONPath meets no data error: there the
    /// modes differ by design (error names; a missing path fails in JSONPath, is undefined in
    /// JSONata). Runs that fail (a Fail state, a task error) fail alike.
    #[test]
    fn a_jsonpath_machine_and_its_jsonata_translation_agree(g in strategy(law_config())) {
        let Some((translated, _, _)) = laws::to_jsonata(&g.definition) else { return Ok(()) };
        let a = run(&g.definition, g.input.clone(), &g.behaviours)?;
        let b = run(&translated, g.input.clone(), &g.behaviours)?;
        // A value the translation cannot render raised UNTRANSLATABLE (maybe caught).
        if b.history.iter().any(|e| e.to_json().to_string().contains(laws::UNTRANSLATABLE)) {
            return Ok(());
        }
        let probe = run(&laws::data_error_probe(&g.definition), g.input.clone(), &g.behaviours)?;
        if is_data_error(&probe.error) || is_data_error(&a.error) {
            return Ok(());
        }
        let shown = format!("\n{}\n{}\ninput {}", g.definition, translated, g.input);
        prop_assert_eq!(outcome(&a), outcome(&b), "{}", shown);
    }
}

#[test]
fn shrinking_keeps_machines_valid() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let configs = [
        (GenConfig::default(), 20),
        (jsonata_config(QueryLanguageMix::Jsonata), 10),
        (jsonata_config(QueryLanguageMix::Mixed), 10),
    ];
    for (cfg, trees) in configs {
        for _ in 0..trees {
            let Ok(mut tree) = strategy(cfg.clone()).new_tree(&mut runner) else { continue };
            let mut steps = 0;
            while steps < 200 && tree.simplify() {
                steps += 1;
                let g: Generated = tree.current();
                let (_, diags) = asl::check(&g.definition);
                assert!(diags.is_empty(), "{diags:?}\n{}", g.definition);
            }
        }
    }
}

#[test]
fn generation_is_deterministic() {
    let bytes: Vec<u8> = (0..2048u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let cfg = GenConfig::default();
    let a = asl_generators::generate(&cfg, &mut arbitrary::Unstructured::new(&bytes));
    let b = asl_generators::generate(&cfg, &mut arbitrary::Unstructured::new(&bytes));
    assert_eq!(a.ok(), b.ok());
}

#[test]
fn no_bytes_give_a_minimal_valid_machine() {
    let g = asl_generators::from_parts(&GenConfig::default(), &[], &[], &[]);
    assert_eq!(g.definition, json!({"StartAt": "Done1", "States": {"Done1": {"Type": "Pass", "End": true}}}));
    assert_eq!(g.steps, 0);
    assert!(asl::check(&g.definition).1.is_empty());
}

fn sample(cfg: &GenConfig, n: usize) -> Vec<Generated> {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let s = strategy(cfg.clone());
    (0..n).filter_map(|_| s.new_tree(&mut runner).ok().map(|t| t.current())).collect()
}

fn jsonata_config(ql: QueryLanguageMix) -> GenConfig {
    GenConfig { query_language: ql, ..GenConfig::default() }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn jsonata_machines_are_valid(g in strategy(jsonata_config(QueryLanguageMix::Jsonata))) {
        let (_, diags) = asl::check(&g.definition);
        prop_assert!(diags.is_empty(), "{diags:?}\n{}", g.definition);
        prop_assert_eq!(&g.definition["QueryLanguage"], &json!("JSONata"));
    }

    #[test]
    fn mixed_machines_are_valid_and_terminate(g in strategy(jsonata_config(QueryLanguageMix::Mixed))) {
        let r = run(&g.definition, g.input.clone(), &g.behaviours)?;
        prop_assert!(!r.cause.as_deref().unwrap_or("").contains("transition budget"), "loop not bounded: {}", g.definition);
        check_history(&r)?;
    }
}

/// JSONata machines mostly run to their designed end: expressions that give undefined or the
/// wrong type (`States.QueryEvaluationError`) stay a minority, as missing paths do in JSONPath.
#[test]
fn jsonata_machines_mostly_evaluate() {
    for ql in [QueryLanguageMix::Jsonata, QueryLanguageMix::Mixed] {
        let machines = sample(&jsonata_config(ql), 300);
        let (mut succeeded, mut evaluation_errors) = (0, 0);
        for g in &machines {
            let (sm, diags) = asl::check(&g.definition);
            assert!(diags.is_empty(), "{diags:?}\n{}", g.definition);
            let behaviours = Behaviours::from_json(&g.behaviours).unwrap_or_default();
            let opts = RunOptions { behaviours, max_transitions: BUDGET, ..RunOptions::default() };
            let r = asl::run(&sm.expect("a model"), g.input.clone(), &opts);
            succeeded += usize::from(r.status == Status::Succeeded);
            evaluation_errors += usize::from(r.error.as_deref() == Some("States.QueryEvaluationError"));
        }
        assert!(succeeded * 4 >= machines.len(), "{ql:?}: {succeeded} of {} succeeded", machines.len());
        assert!(evaluation_errors * 8 <= machines.len(), "{ql:?}: {evaluation_errors} evaluation errors");
    }
}

fn feature_catalog() -> Vec<String> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/features.txt")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Every id the static coverage reports is one of corpus/features.txt, and generated JSONata
/// and mixed machines reach the query-language features.
#[test]
fn coverage_ids_exist_and_jsonata_features_are_reached() {
    let catalog = feature_catalog();
    assert!(catalog.len() > 100, "corpus/features.txt not found");
    let mut seen = std::collections::BTreeSet::new();
    for ql in [QueryLanguageMix::JsonPath, QueryLanguageMix::Jsonata, QueryLanguageMix::Mixed] {
        for g in sample(&jsonata_config(ql), 200) {
            seen.extend(asl_generators::features_of(&g.definition));
        }
    }
    let unknown: Vec<&String> = seen.iter().filter(|id| !catalog.contains(id)).collect();
    assert!(unknown.is_empty(), "ids not in corpus/features.txt: {unknown:?}");
    for id in [
        "ql.top-jsonata",
        "ql.state-override-upgrade",
        "ql.nested-inherits-top",
        "ql.mixed-dataflow",
        "jsonata.vars.mixed-modes",
        "jsonata.arguments-output",
        "jsonata.states.input",
        "jsonata.states.result",
        "jsonata.states.error-output",
        "jsonata.states.context",
        "jsonata.fn.partition",
        "jsonata.fn.range",
        "jsonata.fn.hash-uuid",
        "jsonata.fn.parse",
        "jsonata.fn.builtin",
        "jsonata.assign",
        "choice.jsonata.condition",
        "map.jsonata.items",
        "wait.jsonata",
        "fail.jsonata-expr",
        "catch.jsonata.output-assign",
        "jsonata.task.arguments",
        "jsonata.map.item-selector",
        "jsonata.parallel.arguments-output",
        "jsonata.succeed.output",
        "jsonata.retry.query-evaluation-error",
        "jsonata.map.tolerated-failure-expr",
        "jsonata.fn.random-seed",
    ] {
        assert!(seen.contains(id), "{id} never reached");
    }
}
