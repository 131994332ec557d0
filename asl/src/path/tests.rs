use serde_json::{json, Value};

use super::*;

fn p(src: &str) -> JsonPath {
    match JsonPath::parse(src) {
        Ok(path) => path,
        Err(e) => panic!("{src} should parse: {}", e.message),
    }
}

fn eval(src: &str, doc: &Value) -> Result<Value, String> {
    p(src).evaluate(doc).map_err(|e| e.message)
}

fn ok(src: &str, doc: &Value) -> Value {
    match eval(src, doc) {
        Ok(v) => v,
        Err(m) => panic!("{src} failed: {m}"),
    }
}

fn err(src: &str, doc: &Value) -> String {
    match eval(src, doc) {
        Ok(v) => panic!("{src} should fail, got {v}"),
        Err(m) => m,
    }
}

fn syntax_err(src: &str) -> String {
    match JsonPath::parse(src) {
        Ok(path) => panic!("{src} should not parse: {path:?}"),
        Err(e) => e.message,
    }
}

fn store() -> Value {
    json!({
        "store": {
            "book": [
                {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
                {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
                {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553", "price": 8.99},
                {"category": "fiction", "author": "J. R. R. Tolkien", "title": "LOTR", "isbn": "0-395", "price": 22.99}
            ],
            "bicycle": {"color": "red", "price": 19.95}
        },
        "expensive": 10
    })
}

// ---- roots and parsing ----

#[test]
fn roots() {
    assert_eq!(p("$").root(), &Root::Input);
    assert_eq!(p("$$").root(), &Root::Context);
    assert_eq!(p("$$.Execution.Id").root(), &Root::Context);
    assert_eq!(p("$myVar.field[0]").root(), &Root::Variable("myVar".into()));
    assert_eq!(p("$_x").root(), &Root::Variable("_x".into()));
    assert_eq!(p("$v1['a']").root(), &Root::Variable("v1".into()));
}

#[test]
fn root_only() {
    assert!(p("$").is_root_only());
    assert!(p("$$").is_root_only());
    assert!(p("$var").is_root_only());
    assert!(!p("$.a").is_root_only());
    assert!(!p("$var.a").is_root_only());
}

#[test]
fn display_is_jayway_canonical() {
    assert_eq!(p("$.a[0]['b c']").to_string(), "$['a'][0]['b c']");
    assert_eq!(p("$").to_string(), "$");
    assert_eq!(p("$$.Execution.Input").to_string(), "$$['Execution']['Input']");
    assert_eq!(p("$v.x").to_string(), "$v['x']");
    assert_eq!(p("$[\"a\"]").to_string(), "$[\"a\"]");
    assert_eq!(p("$['a','b']").to_string(), "$['a','b']");
    assert_eq!(p("$.a[*].b[1:3][:2][-2:][0, 2]").to_string(), "$['a'][*]['b'][1:3][:2][-2:][0,2]");
    assert_eq!(p("$..x.*").to_string(), "$..['x'][*]");
    assert_eq!(p("$.a[?(@.b > 1)]").to_string(), "$['a'][?]");
}

#[test]
fn source_kept() {
    assert_eq!(p("$.a .b".replace(' ', "").as_str()).source(), "$.a.b");
    assert_eq!(p("$['x y']").source(), "$['x y']");
}

#[test]
fn syntax_errors() {
    assert_eq!(syntax_err("a.b"), "Invalid path 'a.b': Path must start with '$'");
    assert_eq!(syntax_err(""), "Invalid path '': Path must start with '$'");
    assert_eq!(syntax_err("$."), "Invalid path '$.': Path must not end with a '.' or '..'");
    assert_eq!(syntax_err("$.a.."), "Invalid path '$.a..': Path must not end with a '.' or '..'");
    assert_eq!(syntax_err("$a b"), "Invalid path '$a b': Illegal character at position 1 expected '.' or '['");
    assert_eq!(syntax_err("$1"), "Invalid path '$1': Illegal character at position 1 expected '.' or '['");
    assert_eq!(syntax_err("$ .a"), "Invalid path '$ .a': Illegal character at position 1 expected '.' or '['");
    assert_eq!(syntax_err("$$$"), "Invalid path '$$$': Illegal character at position 1 expected '.' or '['");
}

#[test]
fn syntax_errors_more() {
    assert!(syntax_err("$...a").contains("Character '.' on position 3 is not valid."));
    assert!(syntax_err("$.a b").contains("Use bracket notion ['my prop']"));
    assert!(syntax_err("$['a'").contains("Property must be separated by comma"));
    assert!(syntax_err("$['a',").contains("Property has not been closed - missing closing ]"));
    assert!(syntax_err("$['a]").contains("Property has not been closed - missing closing '"));
    assert!(syntax_err("$['a' 'b']").contains("Property must be separated by comma"));
    assert!(syntax_err("$['a',,'b']").contains("Found empty property"));
    assert!(syntax_err("$[abc]").contains("Could not parse token starting at position 1. Expected ?, ', 0-9, * "));
    assert!(syntax_err("$[1 2]").contains("Failed to parse token in ArrayIndexOperation: 1 2"));
    assert!(syntax_err("$[:]").contains("Failed to parse SliceOperation: :"));
    assert!(syntax_err("$[* 1]").contains("Expected wildcard token to end with ']'"));
    assert!(syntax_err("$[99999999999]").contains("Failed to parse token in ArrayIndexOperation"));
    assert!(syntax_err("$[?(@.a ==)]").contains("Invalid path"));
    assert!(syntax_err("$[?(@.a == 1]").contains("Invalid path"));
    assert!(syntax_err("$[?(1)]").contains("Expected path node"));
    assert!(syntax_err("$[?(@.a == 'x)]").contains("String literal does not have matching quotes"));
}

#[test]
fn functions_are_rejected() {
    assert_eq!(
        syntax_err("$.items.length()"),
        "Invalid path '$.items.length()': Path functions are not supported: 'length()'"
    );
    assert!(syntax_err("$.sum()").contains("not supported"));
    assert!(syntax_err("$.a.max(1)").contains("not supported"));
}

#[test]
fn regex_filters_are_rejected() {
    assert!(syntax_err("$[?(@.a =~ /x.*/)]").contains("not supported"));
}

#[test]
fn nesting_is_bounded() {
    let deep = format!("$[?({}@.a{})]", "(".repeat(40), ")".repeat(40));
    assert!(syntax_err(&deep).contains("nesting is too deep"));
    let mut nested = String::from("@.x");
    for _ in 0..40 {
        nested = format!("@.a[?({nested})]");
    }
    assert!(syntax_err(&format!("$[?({nested})]")).contains("nesting is too deep"));
    let nots = format!("$[?({}(@.a))]", "!".repeat(100));
    assert!(syntax_err(&nots).contains("nesting is too deep"));
    let long = format!("${}", ".a".repeat(300));
    assert!(syntax_err(&long).contains("more than 256 tokens"));
}

#[test]
fn definite_and_reference() {
    for s in ["$", "$.a", "$.a[0]", "$['a b'][-1]", "$['a','b']", "$$.Map.Item.Value", "$v.a"] {
        assert!(p(s).is_definite(), "{s}");
    }
    for s in ["$.a[*]", "$.*", "$[1:2]", "$[0,1]", "$..a", "$[?(@.a)]", "$['a','b'].c"] {
        assert!(!p(s).is_definite(), "{s}");
    }
    for s in ["$", "$.a.b", "$['a b'][0]", "$.a[12].b", "$$.Execution"] {
        assert!(p(s).is_reference(), "{s}");
    }
    for s in ["$.a[-1]", "$.a[*]", "$['a','b']", "$..a", "$[0,1]", "$[1:]", "$[?(@.a)]", "$.*"] {
        assert!(!p(s).is_reference(), "{s}");
    }
}

#[test]
fn jayway_quirks_in_grammar() {
    // A token may follow a bracket or a wildcard without a dot.
    assert_eq!(ok("$['a']b", &json!({"a": {"b": 1}})), json!(1));
    assert_eq!(p("$.*b").to_string(), "$[*]['b']");
    // Dot names may hold characters other than space, '.', '[' and '('.
    assert_eq!(ok("$.a-b", &json!({"a-b": 2})), json!(2));
    assert_eq!(ok("$.$x", &json!({"$x": 3})), json!(3));
    // `.[0]` is a dot followed by a bracket token.
    assert_eq!(ok("$.a.[0]", &json!({"a": [7]})), json!(7));
    // Blanks inside brackets.
    assert_eq!(ok("$[ 'a' ]", &json!({"a": 4})), json!(4));
    assert_eq!(ok("$[ 1 ]", &json!([0, 5])), json!(5));
    assert_eq!(ok("$[ * ]", &json!([0, 5])), json!([0, 5]));
}

#[test]
fn bracket_escapes() {
    let doc = json!({"Test\"\"Name\"": 1, "it's": 2, "a\\b": 3, "\u{e9}": 4, "tab\t": 5});
    assert_eq!(ok("$['Test\\\"\\\"Name\\\"']", &doc), json!(1));
    assert_eq!(ok("$['it\\'s']", &doc), json!(2));
    assert_eq!(ok("$[\"it's\"]", &doc), json!(2));
    assert_eq!(ok("$['a\\\\b']", &doc), json!(3));
    assert_eq!(ok("$['\\u00e9']", &doc), json!(4));
    assert_eq!(ok("$['tab\\t']", &doc), json!(5));
    assert_eq!(ok("$['\\ud83d\\ude00']", &json!({"\u{1F600}": 6})), json!(6));
}

// ---- definite evaluation ----

#[test]
fn definite_values() {
    let doc = store();
    assert_eq!(ok("$", &doc), doc);
    assert_eq!(ok("$.expensive", &doc), json!(10));
    assert_eq!(ok("$.store.bicycle.color", &doc), json!("red"));
    assert_eq!(ok("$.store.book[0].title", &doc), json!("Sayings"));
    assert_eq!(ok("$['store']['book'][1]['author']", &doc), json!("Evelyn Waugh"));
    assert_eq!(ok("$.store.book[-1].title", &doc), json!("LOTR"));
    assert_eq!(ok("$.store.book[0]", &doc), doc["store"]["book"][0]);
}

#[test]
fn definite_index_returns_element_not_list() {
    assert_eq!(ok("$.items[0]", &json!({"items": [{"id": 1}]})), json!({"id": 1}));
}

#[test]
fn explicit_null_is_a_value() {
    assert_eq!(ok("$.a", &json!({"a": null})), Value::Null);
    assert_eq!(ok("$.a[0]", &json!({"a": [null]})), Value::Null);
}

#[test]
fn missing_leaf_message() {
    assert_eq!(err("$.x", &json!({})), "No results for path: $['x']");
    assert_eq!(err("$.NoSuchInputPath", &json!({"a": 1})), "No results for path: $['NoSuchInputPath']");
    assert_eq!(err("$.a.b", &json!({"a": {}})), "No results for path: $['a']['b']");
    assert_eq!(err("$['x y']", &json!({})), "No results for path: $['x y']");
    assert_eq!(err("$[\"q\"]", &json!({})), "No results for path: $[\"q\"]");
}

#[test]
fn missing_intermediate_message() {
    assert_eq!(err("$.no.such.result.path", &json!({"a": 1})), "Missing property in path $['no']");
    assert_eq!(err("$.a.b.c", &json!({"a": {}})), "Missing property in path $['a']['b']");
    assert_eq!(err("$.a[0].b", &json!({})), "Missing property in path $['a']");
}

#[test]
fn index_out_of_range_is_no_result() {
    assert_eq!(err("$.a[5]", &json!({"a": [1]})), "No results for path: $['a'][5]");
    assert_eq!(err("$.a[-2]", &json!({"a": [1]})), "No results for path: $['a'][-2]");
    assert_eq!(err("$.a[3].b", &json!({"a": []})), "No results for path: $['a'][3]['b']");
}

#[test]
fn property_on_non_object_message() {
    assert_eq!(
        err("$.a.b", &json!({"a": "s"})),
        "Expected to find an object with property ['b'] in path $['a'] but found 'java.lang.String'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'."
    );
    assert!(err("$.a.b", &json!({"a": 1})).contains("but found 'java.lang.Integer'"));
    assert!(err("$.a.b", &json!({"a": 5_000_000_000_i64})).contains("but found 'java.lang.Long'"));
    assert!(err("$.a.b", &json!({"a": 1.5})).contains("but found 'java.lang.Double'"));
    assert!(err("$.a.b", &json!({"a": [1]})).contains("but found 'java.util.ArrayList'"));
    assert!(err("$.a.b", &json!({"a": null})).contains("in path $['a'] but found 'null'"));
    assert!(err("$.a", &json!("str")).contains("property ['a'] in path $ but found 'java.lang.String'"));
}

#[test]
fn index_on_non_array_message() {
    assert_eq!(err("$.a[0]", &json!({"a": null})), "The path $['a'] is null");
    assert_eq!(
        err("$.a[0].b", &json!({"a": {"x": 1, "y": [true, "s"]}})),
        "Filter: [0]['b'] can only be applied to arrays. Current context is: {x=1, y=[true, s]}"
    );
    assert_eq!(err("$[0]", &json!(2.0)), "Filter: [0] can only be applied to arrays. Current context is: 2.0");
}

#[test]
fn multi_name_leaf_merges() {
    let doc = json!({"a": 1, "b": [2], "c": 3});
    assert_eq!(ok("$['a','b']", &doc), json!({"a": 1, "b": [2]}));
    assert_eq!(ok("$['a','zz']", &doc), json!({"a": 1}));
    assert_eq!(ok("$['y','zz']", &doc), json!({}));
}

#[test]
fn context_and_variable_roots_evaluate_against_given_value() {
    let ctx = json!({"Execution": {"Id": "arn:x"}, "Map": {"Item": {"Index": 2}}});
    assert_eq!(ok("$$.Execution.Id", &ctx), json!("arn:x"));
    assert_eq!(ok("$$.Map.Item.Index", &ctx), json!(2));
    assert_eq!(ok("$$", &ctx), ctx);
    assert_eq!(ok("$myVar.field[0]", &json!({"field": ["v"]})), json!("v"));
    assert_eq!(ok("$myVar", &json!(7)), json!(7));
}

#[test]
fn get_borrows_and_matches_evaluate() {
    let doc = store();
    let path = p("$.store.bicycle");
    let got = path.get(&doc).map(|v| std::ptr::eq(v, &doc["store"]["bicycle"]));
    assert_eq!(got, Ok(true));
    assert_eq!(p("$.x").get(&doc).map_err(|e| e.message), Err("No results for path: $['x']".to_string()));
    assert_eq!(p("$.x.y").get(&doc).map_err(|e| e.message), Err("Missing property in path $['x']".to_string()));
    assert!(p("$.store.book[*]").get(&doc).is_err());
    assert!(p("$['a','b']").get(&doc).is_err());
    assert!(matches!(p("$.store.book[*]").lookup(&doc), Ok(std::borrow::Cow::Owned(_))));
    assert!(matches!(p("$.expensive").lookup(&doc), Ok(std::borrow::Cow::Borrowed(_))));
}

// ---- indefinite evaluation ----

#[test]
fn wildcards() {
    let doc = store();
    assert_eq!(
        ok("$.store.book[*].author", &doc),
        json!(["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"])
    );
    assert_eq!(ok("$.store.bicycle.*", &doc), json!(["red", 19.95]));
    assert_eq!(ok("$.store.bicycle[*]", &doc), json!(["red", 19.95]));
    assert_eq!(ok("$.store.book[*].isbn", &doc), json!(["0-553", "0-395"]));
    assert_eq!(ok("$.*", &json!({"b": 1, "a": 2})), json!([1, 2]));
    assert_eq!(ok("$[*]", &json!("scalar")), json!([]));
}

#[test]
fn projection_flattening() {
    assert_eq!(ok("$.matrix[*][*]", &json!({"matrix": [[1, 2], [3]]})), json!([1, 2, 3]));
    assert_eq!(ok("$.items[*].name", &json!({"items": [{"name": "a"}, {}, {"name": "c"}]})), json!(["a", "c"]));
    assert_eq!(ok("$.items[*].value", &json!({"items": [{"value": null}, {"value": 1}]})), json!([null, 1]));
    let doc = json!({"results": [
        {"previews": [{"changes": [1, 2]}, {"changes": [9]}]},
        {"previews": []},
        {"previews": [{"changes": [3]}]}
    ]});
    assert_eq!(ok("$.results[*].previews[0].changes[*]", &doc), json!([1, 2, 3]));
}

#[test]
fn indefinite_never_fails() {
    let empty = json!({});
    for s in ["$[*]", "$.items[*]", "$.items[1:]", "$.item.items[1:5].itemValue", "$..x", "$.a[?(@.b)]", "$.a[0,1]"] {
        assert_eq!(ok(s, &empty), json!([]), "{s}");
    }
    assert_eq!(ok("$.a[*]", &json!({"a": "str"})), json!([]));
    assert_eq!(ok("$.a.b[*]", &json!({"a": 3})), json!([]));
    assert_eq!(ok("$.a[?(@.b)]", &json!({"a": 3})), json!([]));
    assert_eq!(ok("$[*].a.b", &json!([{"a": 1}, {"a": {"b": 2}}, "x"])), json!([2]));
}

#[test]
fn slices() {
    let doc = json!({"a": [0, 1, 2, 3, 4]});
    assert_eq!(ok("$.a[1:3]", &doc), json!([1, 2]));
    assert_eq!(ok("$.a[:2]", &doc), json!([0, 1]));
    assert_eq!(ok("$.a[-2:]", &doc), json!([3, 4]));
    assert_eq!(ok("$.a[1:]", &doc), json!([1, 2, 3, 4]));
    assert_eq!(ok("$.a[:-1]", &doc), json!([0, 1, 2, 3]));
    assert_eq!(ok("$.a[3:100]", &doc), json!([3, 4]));
    assert_eq!(ok("$.a[10:]", &doc), json!([]));
    assert_eq!(ok("$.a[-10:]", &doc), json!([0, 1, 2, 3, 4]));
    assert_eq!(ok("$.a[3:1]", &doc), json!([]));
    assert_eq!(ok("$.a[1:-1]", &doc), json!([]));
    // Jayway does not adjust a negative start in [from:to]: indexes -2, -1, 0 are read.
    assert_eq!(ok("$.a[-2:1]", &doc), json!([3, 4, 0]));
    // A step is ignored.
    assert_eq!(ok("$.a[0:4:2]", &doc), json!([0, 1, 2, 3]));
    assert_eq!(ok("$.a[1:2]", &json!({"a": {"x": 1}})), json!([]));
}

#[test]
fn index_lists() {
    let doc = json!(["a", "b", "c"]);
    assert_eq!(ok("$[0,2]", &doc), json!(["a", "c"]));
    assert_eq!(ok("$[2, 0]", &doc), json!(["c", "a"]));
    assert_eq!(ok("$[0,-1,7]", &doc), json!(["a", "c"]));
}

#[test]
fn multi_name_in_the_middle_iterates() {
    let doc = json!({"a": {"x": 1}, "b": {"x": 2}, "c": {"x": 3}});
    assert_eq!(ok("$['a','c','zz'].x", &doc), json!([1, 3]));
}

#[test]
fn recursive_descent() {
    let doc = store();
    assert_eq!(ok("$..author", &doc), json!(["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]));
    assert_eq!(ok("$.store..price", &doc), json!([8.95, 12.99, 8.99, 22.99, 19.95]));
    assert_eq!(ok("$..book[2].title", &doc), json!(["Moby Dick"]));
    assert_eq!(ok("$..book[-1:].title", &doc), json!(["LOTR"]));
    assert_eq!(ok("$..x", &json!({"x": 1, "a": {"x": 2, "b": [{"x": 3}]}})), json!([1, 2, 3]));
    assert_eq!(ok("$..*", &json!({"a": {"b": 1}, "c": [2]})), json!([{"b": 1}, [2], 1, 2]));
    assert_eq!(ok("$..[0]", &json!({"a": [1, [2, 3]], "b": {"c": [4]}})), json!([1, 2, 4]));
    assert_eq!(ok("$..nothing", &store()), json!([]));
}

#[test]
fn recursive_descent_with_filter() {
    let doc = json!({"Payload": [{"s": "x", "d": {"subject_id": 1}}, {"s": "y", "subject_id": 2}]});
    assert_eq!(ok("$.Payload[?(@.s == 'x')]..subject_id", &doc), json!([1]));
    assert_eq!(ok("$..[?(@.subject_id)].s", &doc), json!(["y"]));
}

// ---- filters ----

#[test]
fn filter_comparisons() {
    let doc = store();
    assert_eq!(ok("$.store.book[?(@.price < 10)].title", &doc), json!(["Sayings", "Moby Dick"]));
    assert_eq!(ok("$.store.book[?(@.price <= 8.99)].title", &doc), json!(["Sayings", "Moby Dick"]));
    assert_eq!(ok("$.store.book[?(@.price > 20)].title", &doc), json!(["LOTR"]));
    assert_eq!(ok("$.store.book[?(@.price >= 22.99)].title", &doc), json!(["LOTR"]));
    assert_eq!(ok("$.store.book[?(@.category == 'reference')].title", &doc), json!(["Sayings"]));
    assert_eq!(ok("$.store.book[?(@.category != \"fiction\")].title", &doc), json!(["Sayings"]));
    assert_eq!(ok("$.store.book[?(@.isbn)].title", &doc), json!(["Moby Dick", "LOTR"]));
    assert_eq!(ok("$.store.book[?(!@.isbn)].title", &doc), json!(["Sayings", "Sword"]));
    assert_eq!(ok("$.store.book[?(@.price < $.expensive)].title", &doc), json!(["Sayings", "Moby Dick"]));
}

#[test]
fn filter_status_not_equal() {
    let doc = json!([{"Status": "201", "id": 1}, {"Status": "500", "id": 2}, {"id": 3}]);
    // A missing field is not equal to anything, so `!=` keeps it (Jayway).
    assert_eq!(ok("$[?(@.Status != '201')].id", &doc), json!([2, 3]));
    assert_eq!(ok("$[?(@.Status == '201')].id", &doc), json!([1]));
}

#[test]
fn filter_logic() {
    let doc = json!([{"a": 1, "b": true}, {"a": 2, "b": false}, {"a": 3}, {"a": null}]);
    assert_eq!(ok("$[?(@.a > 1 && @.b == false)].a", &doc), json!([2]));
    assert_eq!(ok("$[?(@.a == 1 || @.a == 3)].a", &doc), json!([1, 3]));
    assert_eq!(ok("$[?(!(@.a == 1))].a", &doc), json!([2, 3, null]));
    assert_eq!(ok("$[?((@.a == 1 || @.a == 2) && @.b == true)].a", &doc), json!([1]));
    assert_eq!(ok("$[?(@.a == null)].a", &doc), json!([null]));
    assert_eq!(ok("$[?(@.b)].a", &doc), json!([1, 2]));
    assert_eq!(ok("$[?(@.b == true)].a", &doc), json!([1]));
    assert_eq!(ok("$[?(@.a==1&&@.b==true)].a", &doc), json!([1]));
}

#[test]
fn filter_number_and_string_rules() {
    let doc = json!([{"v": 1}, {"v": "1"}, {"v": 1.0}, {"v": "a"}, {"v": 2}]);
    // Jayway's NumberNode equals a numeric StringNode; StringNode equals a number by its text.
    assert_eq!(ok("$[?(@.v == 1)].v", &doc), json!([1, "1", 1.0]));
    assert_eq!(ok("$[?(@.v == '1')].v", &doc), json!([1, "1", 1.0]));
    assert_eq!(ok("$[?(@.v == '1.0')].v", &doc), json!([1, 1.0]));
    assert_eq!(ok("$[?(@.v != 'a')].v", &doc), json!([1, "1", 1.0, 2]));
    assert_eq!(ok("$[?(@.v === 1)].v", &doc), json!([1, 1.0]));
    assert_eq!(ok("$[?(@.v < 2)].v", &doc), json!([1, 1.0]));
    assert_eq!(ok("$[?(@.v > 'A')].v", &doc), json!(["a"]));
    assert_eq!(ok("$[?(@.v < -1e3)].v", &doc), json!([]));
}

#[test]
fn filter_on_object_tests_the_object() {
    let doc = json!({"obj": {"a": 1}});
    assert_eq!(ok("$.obj[?(@.a == 1)]", &doc), json!([{"a": 1}]));
    assert_eq!(ok("$.obj[?(@.a == 2)]", &doc), json!([]));
}

#[test]
fn filter_on_scalar_elements() {
    assert_eq!(ok("$[?(@ > 2)]", &json!([1, 3, 5, "x"])), json!([3, 5]));
    assert_eq!(ok("$[?(@)]", &json!([1, null])), json!([1, null]));
}

#[test]
fn filter_json_literals_and_word_operators() {
    let doc = json!([{"t": "a", "l": [1, 2]}, {"t": "b", "l": []}, {"t": "c", "l": [3]}]);
    assert_eq!(ok("$[?(@.t in ['a','c'])].t", &doc), json!(["a", "c"]));
    assert_eq!(ok("$[?(@.t nin [\"a\"])].t", &doc), json!(["b", "c"]));
    assert_eq!(ok("$[?(@.l contains 2)].t", &doc), json!(["a"]));
    assert_eq!(ok("$[?(@.l size 1)].t", &doc), json!(["c"]));
    assert_eq!(ok("$[?(@.l empty true)].t", &doc), json!(["b"]));
    assert_eq!(ok("$[?(@.l subsetof [1,2,3])].t", &doc), json!(["a", "b", "c"]));
    assert_eq!(ok("$[?(@.l anyof [3,4])].t", &doc), json!(["c"]));
    assert_eq!(ok("$[?(@.l noneof [1])].t", &doc), json!(["b", "c"]));
    assert_eq!(ok("$[?(@.l == [1,2])].t", &doc), json!(["a"]));
    assert_eq!(ok("$[?(@.t contains 'b')].t", &doc), json!(["b"]));
}

#[test]
fn nested_filters() {
    let doc = json!([{"id": 1, "tags": [{"k": "x"}]}, {"id": 2, "tags": [{"k": "y"}]}]);
    assert_eq!(ok("$[?(@.tags[?(@.k == 'y')])].id", &doc), json!([1, 2]));
    // An indefinite sub-path compares as a list.
    assert_eq!(ok("$[?(@.tags[*].k == ['y'])].id", &doc), json!([2]));
}

// ---- bounds ----

fn deep(levels: usize) -> Value {
    let mut v = json!({"x": 1});
    for _ in 0..levels {
        let mut m = serde_json::Map::new();
        m.insert("a".into(), v);
        v = Value::Object(m);
    }
    v
}

#[test]
fn deep_documents_are_bounded() {
    let doc = deep(2000);
    assert_eq!(eval("$..x", &doc), Err("JSONPath evaluation nests too deeply".to_string()));
    assert_eq!(ok("$..x", &deep(50)), json!([1]));
    let long = format!("${}.x", ".a".repeat(200));
    assert_eq!(ok(&long, &deep(200)), json!(1));
    drop_deep(doc);
}

/// Drops a deep value without recursion (serde_json's Drop recurses).
fn drop_deep(mut v: Value) {
    while let Value::Object(mut m) = v {
        v = m.remove("a").unwrap_or(Value::Null);
    }
}

#[test]
fn blow_up_is_bounded() {
    let mut doc = json!([]);
    for _ in 0..14 {
        doc = Value::Array(vec![doc.clone(), doc]);
    }
    let r = eval("$..*..*..*..*", &doc);
    assert_eq!(r, Err("JSONPath evaluation takes too many steps".to_string()));
}

// ---- set_at ----

fn set(src: &str, input: Value, result: Value) -> Result<Value, String> {
    set_at(&p(src), input, result).map_err(|e| e.message)
}

#[test]
fn set_root_replaces() {
    assert_eq!(set("$", json!({"a": 1}), json!("r")), Ok(json!("r")));
    assert_eq!(set("$", json!("foo"), json!({"x": 1})), Ok(json!({"x": 1})));
}

#[test]
fn set_nested_creates_and_overwrites() {
    assert_eq!(set("$.b.greeting", json!({"a": 1}), json!("hi")), Ok(json!({"a": 1, "b": {"greeting": "hi"}})));
    assert_eq!(set("$.a", json!({"a": 1, "z": 0}), json!([2])), Ok(json!({"a": [2], "z": 0})));
    assert_eq!(
        set("$.value_two", json!({"value_one": "hello"}), json!("world")),
        Ok(json!({"value_one": "hello", "value_two": "world"}))
    );
    assert_eq!(set("$['a b'].c", json!({}), json!(1)), Ok(json!({"a b": {"c": 1}})));
    assert_eq!(set("$.a.b", json!({"a": {"c": 1}}), json!(2)), Ok(json!({"a": {"c": 1, "b": 2}})));
    assert_eq!(set("$.a", json!({"a": {"deep": 1}}), json!(null)), Ok(json!({"a": null})));
}

#[test]
fn set_with_indexes() {
    assert_eq!(set("$[1].payload", json!([{}, {"k": 1}]), json!(5)), Ok(json!([{}, {"k": 1, "payload": 5}])));
    assert_eq!(set("$.a[0].b", json!({"a": [{"x": 1}]}), json!(2)), Ok(json!({"a": [{"x": 1, "b": 2}]})));
    assert_eq!(set("$.a[1]", json!({"a": [0, 1]}), json!("n")), Ok(json!({"a": [0, "n"]})));
}

#[test]
fn set_failures() {
    assert_eq!(
        set("$.x", json!("foo"), json!(1)),
        Err("Unable to apply ReferencePath $.x to input \"foo\"".to_string())
    );
    assert_eq!(
        set("$.a.b", json!({"a": 3}), json!(1)),
        Err("Unable to apply ReferencePath $.a.b to input {\"a\":3}".to_string())
    );
    assert!(set("$[1].payload", json!([{}]), json!(1)).is_err());
    assert!(set("$.a[0].b", json!({"a": {}}), json!(1)).is_err());
    assert!(set("$.a[0]", json!({}), json!(1)).is_err());
    assert!(set("$[0]", json!({"0": 1}), json!(1)).is_err());
    assert!(set("$.a[*]", json!({"a": [1]}), json!(1)).is_err());
    assert!(set("$$.a", json!({}), json!(1)).is_err());
    assert!(set("$v.a", json!({}), json!(1)).is_err());
}

#[test]
fn set_failure_reports_untouched_input() {
    assert_eq!(
        set("$.new.a[0]", json!({"k": 1}), json!(1)),
        Err("Unable to apply ReferencePath $.new.a[0] to input {\"k\":1}".to_string())
    );
}

#[test]
fn adversarial_recursion_stays_on_the_stack() {
    let doc = deep(1000);
    let r = eval("$..[?(@..x)]", &doc);
    assert_eq!(r, Err("JSONPath evaluation nests too deeply".to_string()));
    let long = format!("${}[*]", ".a".repeat(250));
    assert_eq!(ok(&long, &deep(250)), json!([1]));
    let long_wild = format!("${}", ".*".repeat(250));
    assert!(eval(&long_wild, &doc).is_ok());
    let mut nested = String::from("@..x");
    for _ in 0..10 {
        nested = format!("@..[?({nested})]");
    }
    assert!(eval(&format!("$..[?({nested})]"), &doc).is_err());
    drop_deep(doc);
}

#[test]
fn descent_then_index_then_name_reads_that_index_only() {
    // Jayway >= 2.5 (`upstreamArrayIndex`): `..[0].name` keeps only element 0 of each array.
    let doc = json!({"l": [{"name": "a"}, {"name": "b"}], "m": {"k": [{"name": "c"}]}});
    assert_eq!(ok("$..[0].name", &doc), json!(["a", "c"]));
    assert_eq!(ok("$..[1].name", &doc), json!(["b"]));
}

#[test]
fn descent_wildcard_then_name_quirk() {
    // Through a descent, `*.name` on array elements is dropped, and the stale index then drops
    // later object-route hits too (Jayway's sticky `upstreamArrayIndex`).
    assert_eq!(ok("$..*.name", &json!({"o": {"name": 1}})), json!([1]));
    assert_eq!(ok("$..*.name", &json!([{"name": 1}])), json!([]));
}

mod fuzz {
    use proptest::prelude::*;
    use serde_json::json;

    use super::super::*;

    fn path_text() -> impl Strategy<Value = String> {
        let atoms = prop::sample::select(vec![
            "$", "@", ".", "..", "[", "]", "'", "\"", "\\", "a", "b", "*", "?", "(", ")", "0", "1", "-1", ":", ",",
            " ", "==", "!=", "<", ">=", "&&", "||", "!", "true", "null", "'x'", "[?(@.a)]", "[*]", "['a']", "[1:]",
            "in", "{", "}", "/",
        ]);
        prop::collection::vec(atoms, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn parse_and_evaluate_never_panic(body in path_text()) {
            let doc = json!({"a": [1, {"a": "x", "b": [null, true]}], "b": {"a": 2.5}});
            let src = format!("${body}");
            if let Ok(path) = JsonPath::parse(&src) {
                let r = path.evaluate(&doc);
                if !path.is_definite() {
                    prop_assert!(r.is_ok(), "{src}: {r:?}");
                }
                let _ = path.to_string();
                let _ = set_at(&path, doc.clone(), json!(1));
            }
        }
    }
}
