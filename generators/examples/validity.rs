//! Prints how many generated definitions validate, and the most common diagnostics.
use asl_generators::json::mostly_valid_definition;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use std::collections::HashMap;

fn main() {
    let mut runner = TestRunner::default();
    let (mut valid, n) = (0, 2000);
    let mut rules: HashMap<&'static str, usize> = HashMap::new();
    for _ in 0..n {
        let Ok(tree) = mostly_valid_definition().new_tree(&mut runner) else { continue };
        let (sm, diags) = asl::check(&tree.current());
        if sm.is_some() {
            valid += 1;
        }
        for d in diags {
            *rules.entry(d.rule).or_default() += 1;
        }
    }
    println!("{valid}/{n} valid");
    let mut top: Vec<_> = rules.into_iter().collect();
    top.sort_by_key(|(_, c)| std::cmp::Reverse(*c));
    for (rule, count) in top.iter().take(8) {
        println!("{count:>6} {rule}");
    }
}
