//! Expected values come from the AWS developer guide (intrinsic-functions.html), real-AWS
//! recordings summarised in shared/asl-features.md §4, and Java 17 for the Java semantics.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::java::{self, JavaRandom};
use super::*;
use crate::error::names;

/// Resolves paths from a table keyed by their source text; a missing one fails like AWS does
/// for templates (`States.Runtime`).
struct TestEnv {
    values: HashMap<String, Value>,
    random: SeededRandom,
}

impl TestEnv {
    fn new(values: &[(&str, Value)]) -> Self {
        TestEnv {
            values: values.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            random: SeededRandom::new(7),
        }
    }
}

impl Env for TestEnv {
    fn resolve(&mut self, path: &JsonPath) -> Result<Value, Failure> {
        self.values
            .get(path.source())
            .cloned()
            .ok_or_else(|| Failure::runtime(format!("no value for {}", path.source())))
    }

    fn random(&mut self) -> &mut SeededRandom {
        &mut self.random
    }
}

fn run_with(src: &str, values: &[(&str, Value)]) -> Result<Value, Failure> {
    let call = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    call.evaluate(&mut TestEnv::new(values))
}

fn run(src: &str) -> Value {
    run_with(src, &[]).unwrap_or_else(|f| panic!("{src}: {f}"))
}

/// Evaluates `src` with `$.x` bound to `x`.
fn run_x(src: &str, x: Value) -> Value {
    run_with(src, &[("$.x", x)]).unwrap_or_else(|f| panic!("{src}: {f}"))
}

fn fails(src: &str, values: &[(&str, Value)]) -> Failure {
    match run_with(src, values) {
        Ok(v) => panic!("{src}: expected a failure, got {v}"),
        Err(f) => f,
    }
}

fn intrinsic_failure(src: &str, values: &[(&str, Value)]) -> String {
    let f = fails(src, values);
    assert_eq!(f.error_name(), names::INTRINSIC_FAILURE, "{src}: {f}");
    f.cause.unwrap_or_default()
}

fn syntax_error(src: &str) -> String {
    match parse(src) {
        Ok(c) => panic!("{src}: expected a syntax error, parsed {c:?}"),
        Err(e) => e.message,
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing

#[test]
fn is_call_looks_at_the_prefix() {
    assert!(is_call("States.Format('x')"));
    assert!(is_call("States.UUID()"));
    assert!(!is_call("$.States"));
    assert!(!is_call("states.Format('x')"));
    assert!(!is_call(" States.UUID()"));
}

#[test]
fn every_function_name_parses() {
    let samples = [
        "States.Format('a')",
        "States.StringToJson('1')",
        "States.JsonToString(1)",
        "States.Array()",
        "States.ArrayPartition($.a, 2)",
        "States.ArrayContains($.a, 2)",
        "States.ArrayRange(1, 2, 1)",
        "States.ArrayGetItem($.a, 0)",
        "States.ArrayLength($.a)",
        "States.ArrayUnique($.a)",
        "States.Base64Encode('a')",
        "States.Base64Decode('YQ==')",
        "States.Hash('a', 'MD5')",
        "States.JsonMerge($.a, $.b, false)",
        "States.MathRandom(1, 2)",
        "States.MathRandom(1, 2, 3)",
        "States.MathAdd(1, 2)",
        "States.StringSplit('a', ',')",
        "States.UUID()",
    ];
    let mut seen = std::collections::HashSet::new();
    for s in samples {
        let call = parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert!(s.starts_with(call.name()), "{s} vs {}", call.name());
        seen.insert(call.func());
    }
    assert_eq!(seen.len(), Func::ALL.len());
}

#[test]
fn literal_arguments() {
    let call = parse("States.Array('it\\'s \\{x\\} \\\\', -12, 1.5, 2e3, true, false, null)").unwrap();
    let lits: Vec<Value> = call
        .args()
        .iter()
        .map(|a| match a {
            Arg::Literal(v) => v.clone(),
            other => panic!("not a literal: {other:?}"),
        })
        .collect();
    assert_eq!(
        lits,
        vec![json!("it's {x} \\"), json!(-12), json!(1.5), json!(2000.0), json!(true), json!(false), json!(null)]
    );
}

#[test]
fn whitespace_between_arguments_is_allowed() {
    assert_eq!(run("States.Array( 1 ,2,   'a'  )"), json!([1, 2, "a"]));
    assert_eq!(run("States.ArrayPartition(States.Array(1,2,3),2)"), json!([[1, 2], [3]]));
}

#[test]
fn path_arguments_end_at_top_level_commas_and_parens() {
    let call =
        parse("States.Array($['a,b'], $.c , $$.Execution.Id, $var.x, States.Array($[?(@.k == 'v,)')]))").unwrap();
    let sources: Vec<&str> = call.paths().iter().map(|p| p.source()).collect();
    assert_eq!(sources, vec!["$['a,b']", "$.c", "$$.Execution.Id", "$var.x", "$[?(@.k == 'v,)')]"]);
    assert_eq!(*call.paths()[2].root(), crate::path::Root::Context);
}

#[test]
fn paths_lists_nested_arguments_in_order() {
    let call = parse("States.Format($.t, States.MathAdd($.a, 1), States.Array(States.Array($.b)), $.c)").unwrap();
    let sources: Vec<&str> = call.paths().iter().map(|p| p.source()).collect();
    assert_eq!(sources, vec!["$.t", "$.a", "$.b", "$.c"]);
}

#[test]
fn unknown_functions_are_rejected() {
    assert!(syntax_error("States.Compare($.a, $.b)").contains("unknown function 'States.Compare'"));
    assert!(syntax_error("States.format('x')").contains("unknown function 'States.format'"));
    assert!(syntax_error("States.Uuid()").contains("unknown function"));
}

#[test]
fn fixed_arity_is_checked_when_parsing() {
    assert!(syntax_error("States.UUID(1)").contains("States.UUID takes 0 argument(s) but was given 1"));
    assert!(syntax_error("States.ArrayLength()").contains("takes 1 argument(s) but was given 0"));
    assert!(syntax_error("States.MathAdd(1)").contains("takes 2 argument(s)"));
    assert!(syntax_error("States.MathRandom(1)").contains("takes 2 to 3 argument(s)"));
    assert!(syntax_error("States.MathRandom(1, 2, 3, 4)").contains("takes 2 to 3 argument(s)"));
    assert!(syntax_error("States.JsonMerge($.a, $.b)").contains("takes 3 argument(s)"));
    assert!(syntax_error("States.Format()").contains("takes at least 1 argument(s)"));
    assert!(parse("States.Array()").is_ok());
}

#[test]
fn malformed_calls_are_rejected() {
    for bad in [
        "States.Format",
        "States.Format('a'",
        "States.Format('a') x",
        "States.Format('a',)",
        "States.Format(,'a')",
        "States.Format('a' 'b')",
        "States.Array(tru)",
        "States.Array(1.)",
        "States.Array(+1)",
        "States.Array(01)",
        "States.Array(\"a\")",
        "States.StringSplit('a,b', ',')[0]",
        "States.Array(States.Array(1)",
        "$.a",
        "",
    ] {
        syntax_error(bad);
    }
}

#[test]
fn illegal_escapes_are_rejected() {
    assert!(syntax_error("States.Format('a\\\"b')").contains("illegal escape sequence '\\\"'"));
    assert!(syntax_error("States.Format('a\\nb')").contains("illegal escape sequence '\\n'"));
    assert!(syntax_error("States.Format('a\\')").contains("unterminated string literal"));
    assert!(syntax_error("States.Format('abc)").contains("unterminated string literal"));
    // A raw double quote (already decoded from JSON) is an ordinary character.
    assert_eq!(run("States.Format('say \"hi\"')"), json!("say \"hi\""));
}

/// `depth` nested `States.Array` calls around a literal.
fn nested(depth: usize) -> String {
    format!("{}1{}", "States.Array(".repeat(depth), ")".repeat(depth))
}

#[test]
fn nesting_is_limited_to_ten_levels() {
    let ten = run(&nested(MAX_NESTING));
    let mut expected = json!(1);
    for _ in 0..MAX_NESTING {
        expected = json!([expected]);
    }
    assert_eq!(ten, expected);
    assert!(syntax_error(&nested(MAX_NESTING + 1)).contains("nested more than 10 levels"));
    // Deep input never overflows the stack: parsing stops at the limit.
    assert!(parse(&nested(100_000)).is_err());
}

#[test]
fn the_documented_nine_call_example_parses() {
    let src = "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))";
    let call = parse(src).unwrap();
    assert_eq!(call.paths().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Paths and errors at run time

#[test]
fn path_failures_come_from_the_env() {
    let f = fails("States.Format('{}', $.missing)", &[]);
    assert_eq!(f.error_name(), names::RUNTIME);
    assert_eq!(f.cause.as_deref(), Some("no value for $.missing"));
}

#[test]
fn wrong_argument_types_raise_intrinsic_failure() {
    for src in [
        "States.ArrayLength('x')",
        "States.ArrayUnique(1)",
        "States.ArrayContains(null, 1)",
        "States.ArrayPartition('abc', 1)",
        "States.ArrayGetItem(States.Array(1), 'a')",
        "States.ArrayRange('1', 2, 1)",
        "States.Base64Encode(1)",
        "States.Base64Decode(States.Array())",
        "States.Hash(1, 'MD5')",
        "States.Hash('a', 1)",
        "States.JsonMerge(1, States.StringToJson('{}'), false)",
        "States.MathAdd('1', 2)",
        "States.MathRandom(true, 2)",
        "States.StringSplit(1, ',')",
        "States.StringToJson(1)",
        "States.Format(1)",
    ] {
        intrinsic_failure(src, &[]);
    }
    assert_eq!(
        intrinsic_failure("States.ArrayLength('x')", &[]),
        "Invalid arguments in States.ArrayLength: the first argument must be an array, but was string"
    );
}

// ---------------------------------------------------------------------------------------------
// States.Format

#[test]
fn format_fills_placeholders_in_order() {
    assert_eq!(run_x("States.Format('Hello, my name is {}.', $.x)", json!("Arnav")), json!("Hello, my name is Arnav."));
    assert_eq!(
        run_with("States.Format($.t, $.x)", &[("$.t", json!("Hello, my name is {}.")), ("$.x", json!("Arnav"))])
            .unwrap(),
        json!("Hello, my name is Arnav.")
    );
    assert_eq!(run("States.Format('{}{} and {}', 1, 'b', 'c')"), json!("1b and c"));
    assert_eq!(run("States.Format('no placeholders')"), json!("no placeholders"));
    assert_eq!(run("States.Format('')"), json!(""));
}

#[test]
fn format_renders_values_like_java() {
    let t = "States.Format('Formatting argument {}.', $.x)";
    assert_eq!(run_x(t, json!("")), json!("Formatting argument ."));
    assert_eq!(run_x(t, json!(" ")), json!("Formatting argument  ."));
    assert_eq!(run_x(t, json!(null)), json!("Formatting argument null."));
    assert_eq!(run_x(t, json!(1)), json!("Formatting argument 1."));
    assert_eq!(run_x(t, json!(1.1)), json!("Formatting argument 1.1."));
    assert_eq!(
        run_x(t, json!("{\"Arg1\": 1, \"Arg2\": []}")),
        json!("Formatting argument {\"Arg1\": 1, \"Arg2\": []}.")
    );
    assert_eq!(run_x(t, json!({"Arg1": 1, "Arg2": []})), json!("Formatting argument {Arg1=1, Arg2=[]}."));
    assert_eq!(run_x(t, json!(true)), json!("Formatting argument true."));
    assert_eq!(run_x(t, json!(1.0)), json!("Formatting argument 1.0."));
    assert_eq!(run_x(t, json!(0.0001)), json!("Formatting argument 1.0E-4."));
    assert_eq!(run_x(t, json!(-5)), json!("Formatting argument -5."));
    assert_eq!(
        run_x(t, json!([1, "a b", null, {"k": [true, 2.5]}, []])),
        json!("Formatting argument [1, a b, null, {k=[true, 2.5]}, []].")
    );
}

#[test]
fn format_escaped_braces_are_literal() {
    // JSON "\\{" is the intrinsic text \{ : a literal brace, not a placeholder.
    assert_eq!(
        run_x("States.Format('Hello {}, reply in JSON: \\{ \"name\": \"Bob\" \\}', $.x)", json!("Ann")),
        json!("Hello Ann, reply in JSON: { \"name\": \"Bob\" }")
    );
    assert_eq!(run("States.Format('\\{\\}')"), json!("{}"));
    assert_eq!(run("States.Format('it\\'s {}', 'ok')"), json!("it's ok"));
    assert_eq!(run("States.Format('back\\\\slash {}', 1)"), json!("back\\slash 1"));
}

#[test]
fn format_template_errors() {
    // Observed on AWS (aws-cdk#29261): \\{ is an escaped backslash followed by an open brace.
    assert_eq!(
        intrinsic_failure("States.Format('x \\\\{ \"name\": 1 \\\\}')", &[]),
        "Invalid template in States.Format: matching '}' not found for '{'."
    );
    assert_eq!(
        intrinsic_failure("States.Format('{ }', 1)", &[]),
        "Invalid template in States.Format: matching '}' not found for '{'."
    );
    assert_eq!(
        intrinsic_failure("States.Format('a } b')", &[]),
        "Invalid template in States.Format: matching '{' not found for '}'."
    );
    assert_eq!(
        intrinsic_failure("States.Format($.x)", &[("$.x", json!("a { b"))]),
        "Invalid template in States.Format: matching '}' not found for '{'."
    );
}

#[test]
fn format_argument_count_must_match() {
    assert_eq!(
        intrinsic_failure("States.Format('{} {}', 1)", &[]),
        "Invalid arguments in States.Format: the template has 2 placeholder(s) but 1 value(s) were given"
    );
    assert!(intrinsic_failure("States.Format('{}', 1, 2)", &[]).contains("has 1 placeholder(s) but 2 value(s)"));
    assert!(intrinsic_failure("States.Format('x', 1)", &[]).contains("has 0 placeholder(s) but 1 value(s)"));
    assert!(intrinsic_failure("States.Format($.x, 1, 2)", &[("$.x", json!("{}"))]).contains("has 1 placeholder(s)"));
}

#[test]
fn format_template_from_a_path_honours_escapes() {
    assert_eq!(
        run_with("States.Format($.x)", &[("$.x", json!("\\{literal\\} C:\\dir"))]).unwrap(),
        json!("{literal} C:\\dir")
    );
}

// ---------------------------------------------------------------------------------------------
// JSON functions

#[test]
fn string_to_json() {
    assert_eq!(run_x("States.StringToJson($.x)", json!("{\"foo\": \"bar\"}")), json!({"foo": "bar"}));
    assert_eq!(run_x("States.StringToJson($.x)", json!("")), json!(null));
    assert_eq!(run_x("States.StringToJson($.x)", json!(" ")), json!(null));
    assert_eq!(run_x("States.StringToJson($.x)", json!("-0")), json!(0));
    let zeros = run_x("States.StringToJson($.x)", json!("[-0.0, {\"a\": \"-0\", \"b\": -0}, -0e1, -0]"));
    assert_eq!(java::jackson_compact(&zeros), "[-0.0,{\"a\":\"-0\",\"b\":0},-0.0,0]");
    assert_eq!(run_x("States.StringToJson($.x)", json!("1.1")), json!(1.1));
    assert_eq!(run_x("States.StringToJson($.x)", json!("[1,\"a\",null]")), json!([1, "a", null]));
    assert_eq!(run("States.StringToJson('\"s\"')"), json!("s"));
    assert!(intrinsic_failure("States.StringToJson('{bad')", &[]).contains("not valid JSON"));
}

#[test]
fn json_to_string_is_compact() {
    assert_eq!(run_x("States.JsonToString($.x)", json!({"Arg1": 1, "Arg2": []})), json!("{\"Arg1\":1,\"Arg2\":[]}"));
    assert_eq!(run_x("States.JsonToString($.x)", json!({"foo": "bar"})), json!("{\"foo\":\"bar\"}"));
    assert_eq!(run_x("States.JsonToString($.x)", json!("HelloWorld")), json!("\"HelloWorld\""));
    assert_eq!(run_x("States.JsonToString($.x)", json!(null)), json!("null"));
    assert_eq!(run_x("States.JsonToString($.x)", json!([1.0, 1.5, 1e-5, true])), json!("[1.0,1.5,1.0E-5,true]"));
    assert_eq!(run_x("States.JsonToString($.x)", json!("q\"b\\n\n\t\u{1}é/")), json!("\"q\\\"b\\\\n\\n\\t\\u0001é/\""));
    assert_eq!(run_x("States.JsonToString($.x)", json!("\u{1f}")), json!("\"\\u001F\""));
}

#[test]
fn json_merge_is_shallow() {
    let out = run_with(
        "States.JsonMerge($.a, $.b, false)",
        &[("$.a", json!({"a": {"a1": 1, "a2": 2}, "b": 2})), ("$.b", json!({"a": {"a3": 1, "a4": 2}, "c": 3}))],
    )
    .unwrap();
    assert_eq!(out, json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}));
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["a", "b", "c"]);
}

#[test]
fn json_merge_rejects_deep_mode_and_non_objects() {
    let v = [("$.a", json!({"a": 1})), ("$.b", json!({"b": 2}))];
    assert!(intrinsic_failure("States.JsonMerge($.a, $.b, true)", &v).contains("deep merge is not supported"));
    assert!(intrinsic_failure("States.JsonMerge($.a, $.b, 'false')", &v).contains("must be a boolean"));
    assert!(intrinsic_failure("States.JsonMerge($.a, States.Array(), false)", &v).contains("must be objects"));
}

// ---------------------------------------------------------------------------------------------
// Arrays

#[test]
fn array_builds_from_arguments() {
    assert_eq!(run("States.Array()"), json!([]));
    assert_eq!(run_x("States.Array($.x)", json!(123456)), json!([123456]));
    assert_eq!(
        run_x("States.Array($.x, $.x, 'a', 1.5, null)", json!({"k": 1})),
        json!([{"k": 1}, {"k": 1}, "a", 1.5, null])
    );
}

#[test]
fn array_partition() {
    assert_eq!(
        run_x("States.ArrayPartition($.x, 4)", json!([1, 2, 3, 4, 5, 6, 7, 8, 9])),
        json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]])
    );
    assert_eq!(run_x("States.ArrayPartition($.x, 1)", json!([])), json!([]));
    assert_eq!(run_x("States.ArrayPartition($.x, 5)", json!([0, 1])), json!([[0, 1]]));
    assert_eq!(run_x("States.ArrayPartition($.x, 2.5)", json!([1, 2, 3, 4])), json!([[1, 2, 3], [4]]));
    assert!(intrinsic_failure("States.ArrayPartition(States.Array(1), 0)", &[])
        .contains("chunk size must be a positive integer, but was 0"));
    assert!(intrinsic_failure("States.ArrayPartition(States.Array(1), -1)", &[]).contains("positive"));
}

#[test]
fn array_contains_uses_deep_equality() {
    let c = |arr: Value, v: Value| run_with("States.ArrayContains($.a, $.v)", &[("$.a", arr), ("$.v", v)]).unwrap();
    assert_eq!(c(json!([1, 2, 3, 4, 5, 6, 7, 8, 9]), json!(5)), json!(true));
    assert_eq!(c(json!([]), json!(null)), json!(false));
    assert_eq!(c(json!([]), json!(1)), json!(false));
    assert_eq!(c(json!([[1, 2, 3], 2]), json!([1, 2, 3])), json!(true));
    assert_eq!(c(json!([[1, 2, 3], 2]), json!(null)), json!(false));
    assert_eq!(c(json!([{"1": 2, "2": []}]), json!([])), json!(false));
    assert_eq!(c(json!([{"1": 2, "2": []}]), json!({"2": [], "1": 2})), json!(true));
    assert_eq!(c(json!([true, false]), json!(false)), json!(true));
    assert_eq!(c(json!([1.0]), json!(1)), json!(true));
    assert_eq!(c(json!(["1"]), json!(1)), json!(false));
}

#[test]
fn array_range_includes_end_when_landed_on() {
    assert_eq!(run("States.ArrayRange(1, 9, 2)"), json!([1, 3, 5, 7, 9]));
    assert_eq!(run("States.ArrayRange(0, 9, 3)"), json!([0, 3, 6, 9]));
    assert_eq!(run("States.ArrayRange(0, 10, 3)"), json!([0, 3, 6, 9]));
    assert_eq!(run("States.ArrayRange(1, 9, 9)"), json!([1]));
    assert_eq!(run("States.ArrayRange(5, 5, 3)"), json!([5]));
    assert_eq!(run("States.ArrayRange(5, 1, -2)"), json!([5, 3, 1]));
    assert_eq!(run("States.ArrayRange(0, 10, -1)"), json!([]));
    assert_eq!(run("States.ArrayRange(0.5, 2.49, 1)"), json!([1, 2]));
    assert!(intrinsic_failure("States.ArrayRange(1, 9, 0)", &[]).contains("step must be a non-zero integer"));
}

#[test]
fn array_range_is_limited_to_1000_elements() {
    assert_eq!(run("States.ArrayRange(1, 1000, 1)").as_array().map(Vec::len), Some(1000));
    assert_eq!(run("States.ArrayRange(0, -999, -1)").as_array().map(Vec::len), Some(1000));
    assert!(intrinsic_failure("States.ArrayRange(0, 1000, 1)", &[])
        .contains("1001 elements, more than the maximum of 1000"));
    assert!(intrinsic_failure("States.ArrayRange(-2147483648, 2147483647, 1)", &[]).contains("more than the maximum"));
}

#[test]
fn array_get_item() {
    let arr = json!([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let get = |i: Value| run_with("States.ArrayGetItem($.a, $.i)", &[("$.a", arr.clone()), ("$.i", i)]);
    assert_eq!(get(json!(5)).unwrap(), json!(6));
    assert_eq!(get(json!(0)).unwrap(), json!(1));
    assert_eq!(get(json!(2.0)).unwrap(), json!(3));
    for bad in [json!(9), json!(-1), json!(1.5), json!("1"), json!(null)] {
        assert_eq!(get(bad.clone()).unwrap_err().error_name(), names::INTRINSIC_FAILURE, "{bad}");
    }
    assert_eq!(
        get(json!(9)).unwrap_err().cause.unwrap(),
        "Invalid arguments in States.ArrayGetItem: the index 9 is out of bounds for an array of length 9"
    );
    assert_eq!(run("States.ArrayGetItem(States.StringSplit('2020-05-27T08:00:00.000Z', 'T'), 0)"), json!("2020-05-27"));
}

#[test]
fn array_length() {
    assert_eq!(run_x("States.ArrayLength($.x)", json!([1, 2, 3, 4, 5, 6, 7, 8, 9])), json!(9));
    assert_eq!(run_x("States.ArrayLength($.x)", json!([])), json!(0));
}

#[test]
fn array_unique_keeps_first_occurrences_in_order() {
    assert_eq!(run_x("States.ArrayUnique($.x)", json!([1, 2, 3, 3, 3, 3, 3, 3, 4])), json!([1, 2, 3, 4]));
    let input = json!([
        null, null, true, true, false, false, 1, 1, 1.1, 0, -0, "HelloWorld", "HelloWorld",
        [], [], [null], [null], {"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1, "b": 1}, 1.0, "1"
    ]);
    assert_eq!(
        run_x("States.ArrayUnique($.x)", input),
        json!([null, true, false, 1, 1.1, 0, "HelloWorld", [], [null], {"a": 1, "b": 2}, {"a": 1, "b": 1}, "1"])
    );
}

// ---------------------------------------------------------------------------------------------
// Encoding and hashing

#[test]
fn base64_round_trip() {
    assert_eq!(run_x("States.Base64Encode($.x)", json!("Data to encode")), json!("RGF0YSB0byBlbmNvZGU="));
    assert_eq!(run_x("States.Base64Encode($.x)", json!("")), json!(""));
    assert_eq!(run_x("States.Base64Encode($.x)", json!("héllo ✓")), json!("aMOpbGxvIOKckw=="));
    assert_eq!(run_x("States.Base64Decode($.x)", json!("RGF0YSB0byBlbmNvZGU=")), json!("Data to encode"));
    assert_eq!(run_x("States.Base64Decode($.x)", json!("")), json!(""));
    assert_eq!(run_x("States.Base64Decode($.x)", json!("RGF0YSB0byBlbmNvZGU")), json!("Data to encode"));
    assert!(intrinsic_failure("States.Base64Decode('!!!')", &[]).contains("not valid Base64"));
}

#[test]
fn data_strings_are_limited_to_10000_characters() {
    let ok = "a".repeat(10_000);
    let too_long = "a".repeat(10_001);
    assert!(run_with("States.Base64Encode($.x)", &[("$.x", json!(ok))]).is_ok());
    let cause = intrinsic_failure("States.Base64Encode($.x)", &[("$.x", json!(too_long))]);
    assert!(cause.contains("at most 10000 characters long, but was 10001"), "{cause}");
    assert!(!intrinsic_failure("States.Hash($.x, 'MD5')", &[("$.x", json!("a".repeat(10_001)))]).is_empty());
    // Counted in UTF-16 units, as Java does: 5,000 'é' (10,000 bytes) are 5,000 characters.
    assert!(run_with("States.Base64Encode($.x)", &[("$.x", json!("é".repeat(5_001)))]).is_ok());
    assert!(run_with("States.Base64Decode($.x)", &[("$.x", json!("A".repeat(10_004)))]).is_err());
}

#[test]
fn hash_algorithms() {
    let h = |alg: &str| run_with(&format!("States.Hash($.d, '{alg}')"), &[("$.d", json!("input data"))]).unwrap();
    assert_eq!(h("SHA-1"), json!("aaff4a450a104cd177d28d18d74485e8cae074b7"));
    assert_eq!(h("MD5"), json!("812f45842bc6d66ee14572ce20db8e86"));
    assert_eq!(h("SHA-256"), json!("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"));
    assert_eq!(
        h("SHA-384"),
        json!("d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562")
    );
    assert_eq!(
        h("SHA-512"),
        json!("6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4")
    );
    assert_eq!(
        run("States.Hash('héllo', 'SHA-256')"),
        json!("3c48591d8d098a4538f5e013dfcf406e948eac4d3277b10bf614e295d6068179")
    );
    assert!(intrinsic_failure("States.Hash('a', 'SHA256')", &[]).contains("unsupported algorithm 'SHA256'"));
    assert!(intrinsic_failure("States.Hash('a', 'sha-1')", &[]).contains("unsupported algorithm"));
}

// ---------------------------------------------------------------------------------------------
// Math

#[test]
fn math_add_rounds_each_argument_half_up() {
    let add = |a: Value, b: Value| run_with("States.MathAdd($.a, $.b)", &[("$.a", a), ("$.b", b)]).unwrap();
    // Observed on AWS (LocalStack recording test_math_add, 2023-09).
    assert_eq!(add(json!(-9), json!(3)), json!(-6));
    assert_eq!(add(json!(1.49), json!(1.50)), json!(3));
    assert_eq!(add(json!(1.50), json!(1.51)), json!(4));
    assert_eq!(add(json!(-1.49), json!(-1.50)), json!(-2));
    assert_eq!(add(json!(-1.50), json!(-1.51)), json!(-3));
    assert_eq!(add(json!(1.49), json!(-1.49)), json!(0));
    assert_eq!(add(json!(-1.5), json!(0)), json!(-1));
    assert_eq!(add(json!(-2.5), json!(0)), json!(-2));
    assert_eq!(add(json!(0.5), json!(0)), json!(1));
    assert_eq!(add(json!(2.5), json!(0)), json!(3));
    assert_eq!(add(json!(-0.5), json!(0.5)), json!(1));
    assert_eq!(add(json!(-0.5), json!(0)), json!(0));
    assert_eq!(run("States.MathAdd(111, -1)"), json!(110));
    assert_eq!(run("States.MathAdd(2147483647, 2147483647)"), json!(4294967294i64));
}

#[test]
fn math_add_rejects_arguments_outside_the_int_range() {
    assert!(intrinsic_failure("States.MathAdd(2147483648, 0)", &[]).contains("outside the integer range"));
    assert!(intrinsic_failure("States.MathAdd(0, -2147483649)", &[]).contains("outside the integer range"));
    assert_eq!(run("States.MathAdd(-2147483648, 0)"), json!(-2147483648i64));
}

#[test]
fn math_random_is_in_range() {
    let mut env = TestEnv::new(&[]);
    let call = parse("States.MathRandom(12.5, 44.51)").unwrap();
    for _ in 0..200 {
        let n = call.evaluate(&mut env).unwrap().as_i64().unwrap();
        assert!((13..45).contains(&n), "{n}");
    }
    let call = parse("States.MathRandom(-99999, -9999)").unwrap();
    let n = call.evaluate(&mut env).unwrap().as_i64().unwrap();
    assert!((-99999..-9999).contains(&n), "{n}");
    assert_eq!(run("States.MathRandom(4, 5)"), json!(4));
    assert!(intrinsic_failure("States.MathRandom(5, 5)", &[]).contains("must be less than"));
    assert!(intrinsic_failure("States.MathRandom(6, 5, 1)", &[]).contains("must be less than"));
}

#[test]
fn math_random_with_a_seed_is_java_util_random() {
    // new Random(3).nextInt(999) == 239 (Java 17).
    assert_eq!(run("States.MathRandom(0, 999, 3)"), json!(239));
    assert_eq!(run("States.MathRandom(1, 1001, 3)"), json!(735));
    assert_eq!(run("States.MathRandom(-3, 4, -7)"), json!(1));
    assert_eq!(run("States.MathRandom(0, 999, 3)"), run("States.MathRandom(0, 999, 3)"));
}

// ---------------------------------------------------------------------------------------------
// Strings and UUID

#[test]
fn string_split_uses_every_delimiter_character() {
    assert_eq!(
        run_with("States.StringSplit($.s, $.d)", &[("$.s", json!("1,2,3,4,5")), ("$.d", json!(","))]).unwrap(),
        json!(["1", "2", "3", "4", "5"])
    );
    assert_eq!(
        run("States.StringSplit('This.is+a,test=string', '.+,=')"),
        json!(["This", "is", "a", "test", "string"])
    );
    assert_eq!(run("States.StringSplit(',,,,', ',')"), json!([]));
    assert_eq!(run("States.StringSplit(', , ,', ',')"), json!([" ", " "]));
    assert_eq!(run("States.StringSplit('abc', '')"), json!(["abc"]));
    assert_eq!(run("States.StringSplit('', ',')"), json!([]));
    assert_eq!(run("States.StringSplit('a→b', '→')"), json!(["a", "b"]));
}

#[test]
fn uuid_is_v4_from_the_seeded_source() {
    let a = run("States.UUID()");
    let b = run("States.UUID()");
    assert_eq!(a, b, "same seed, same UUID");
    let s = a.as_str().unwrap();
    assert_eq!(s.len(), 36);
    assert_eq!(s.as_bytes()[14], b'4');
    assert_eq!(s, SeededRandom::new(7).uuid_v4());
}

// ---------------------------------------------------------------------------------------------
// Java semantics (expected values printed by OpenJDK 17)

#[test]
fn java_math_round() {
    let cases = [
        (0.49999999999999994, 0),
        (-0.5, 0),
        (-0.5000000000000001, -1),
        (0.5, 1),
        (1.5, 2),
        (2.5, 3),
        (-1.5, -1),
        (-2.5, -2),
        (-1.49, -1),
        (1.49, 1),
        (1e19, i64::MAX),
        (-1e19, i64::MIN),
        (4503599627370497.0, 4503599627370497),
        (f64::NAN, 0),
    ];
    for (x, want) in cases {
        assert_eq!(java::math_round(x), want, "{x}");
    }
}

#[test]
fn java_double_to_string() {
    let cases = [
        (1.0, "1.0"),
        (1.1, "1.1"),
        (100.0, "100.0"),
        (1e7, "1.0E7"),
        (1234567.0, "1234567.0"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (1.5e300, "1.5E300"),
        (-2.5, "-2.5"),
        (123.456, "123.456"),
        (2e-3, "0.002"),
        (9999999.999, "9999999.999"),
        (1e-5, "1.0E-5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e21, "1.0E21"),
        // Not covered: Double.MIN_VALUE, which Java prints as "4.9E-324" (we print "5.0E-324").
        (-0.0, "-0.0"),
        (12345678.9, "1.23456789E7"),
    ];
    for (x, want) in cases {
        assert_eq!(java::double_to_string(x), want, "{x}");
    }
}

#[test]
fn java_random_matches_the_jdk() {
    assert_eq!(JavaRandom::new(42).next_int(), -1170105035);
    assert_eq!(JavaRandom::new(0).next_int(), -1155484576);
    assert_eq!(JavaRandom::new(42).next_int_bounded(10), 0);
    assert_eq!(JavaRandom::new(3).next_int_bounded(999), 239);
    assert_eq!(JavaRandom::new(3).next_int_bounded(1000), 734);
    assert_eq!(JavaRandom::new(-7).next_int_bounded(7), 4);
    assert_eq!(JavaRandom::new(123456789).next_int_bounded(1 << 20), 696294);
}

#[test]
fn java_map_to_string() {
    let v = json!({"Arg1": 1, "Arg2": [], "b": true, "n": null, "s": "x y", "d": 1.0, "l": [1, "a", null]});
    assert_eq!(java::to_string(&v), "{Arg1=1, Arg2=[], b=true, n=null, s=x y, d=1.0, l=[1, a, null]}");
}

// ---------------------------------------------------------------------------------------------
// Robustness: no input makes parsing or evaluation panic.

proptest::proptest! {
    #[test]
    fn parse_never_panics(s in "States\\.[A-Za-z]{0,12}\\([ -~]{0,40}") {
        let _ = parse(&s);
    }

    #[test]
    fn template_compile_never_panics(s in "\\PC{0,40}") {
        let _ = super::eval::Template::compile(&s);
    }
}

#[test]
fn every_function_survives_every_argument_shape() {
    let samples = [
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(2.5),
        json!(-0.0),
        json!(1e300),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(""),
        json!("{}"),
        json!("a,b"),
        json!([]),
        json!([1, [2], {"a": null}]),
        json!({"k": [1.5]}),
    ];
    for func in Func::ALL {
        let (min, max) = func.arity();
        let n = max.unwrap_or(min + 2).max(min);
        let slots = ["$.a", "$.b", "$.c"];
        let src = format!("{}({})", func.name(), slots[..n].join(", "));
        let call = parse(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
        let count = samples.len().pow(n as u32);
        for k in 0..count {
            let mut rest = k;
            let values: Vec<(&str, Value)> = slots[..n]
                .iter()
                .map(|name| {
                    let v = samples[rest % samples.len()].clone();
                    rest /= samples.len();
                    (*name, v)
                })
                .collect();
            if let Err(f) = call.evaluate(&mut TestEnv::new(&values)) {
                assert_eq!(f.error_name(), names::INTRINSIC_FAILURE, "{src} {values:?}");
            }
        }
    }
}
