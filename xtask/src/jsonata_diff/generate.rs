//! Seeded random JSONata expressions over a random JSON input. Expression `i` of seed `S` is
//! always the same (its own generator is seeded from both), so a difference can be replayed
//! with `--seed S --filter gen:S:i`.
//!
//! Expressions are built by type (number, string, boolean, array, object) so most of them
//! evaluate to something, with a share of deliberate misuse (a string in arithmetic, a missing
//! field, a non-function called) for the error and undefined paths.

use super::cases::Case;
use serde_json::{json, Map, Value};

pub fn cases(seed: u64, n: usize) -> Vec<Case> {
    (0..n).map(|i| one(seed, i)).collect()
}

fn one(seed: u64, i: usize) -> Case {
    let state = mix(mix(seed) ^ mix((i as u64).wrapping_add(0xD1B5_4A32_D192_ED03)));
    let mut g = Gen { rng: Rng(state), vars: Vec::new(), item: false };
    let input = g.input();
    let ty = *g.pick(&[Ty::Num, Ty::Str, Ty::Bool, Ty::Arr, Ty::Obj, Ty::Any]);
    let expr = g.expr(ty, 3);
    Case { id: format!("gen:{seed}:{i}"), expr, input: Some(input), bindings: Map::new(), now_millis: None }
}

/// SplitMix64.
struct Rng(u64);

/// SplitMix64's output function.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    Num,
    Str,
    Bool,
    Arr,
    Obj,
    Any,
}

struct Gen {
    rng: Rng,
    /// Lambda parameters in scope: name and type (`Obj` = an element of `items`).
    vars: Vec<(String, Ty)>,
    /// Inside a predicate or a path step over `items`: the context is an item.
    item: bool,
}

const NUMS: &[&str] = &["0", "1", "2", "3", "10", "-1", "0.5", "2.5", "100", "0.1", "7", "1e3", "-3.75"];
const STRS: &[&str] = &["\"a\"", "\"hello\"", "\"\"", "\"A,b\"", "\" x \"", "\"é\"", "\"42\"", "\",\"", "\"ab\""];
const WORDS: &[&str] = &["hello", "World", "a,b,c", "  padded  ", "", "Ünïcödé", "abcabc", "42", "3.5", "x-y_z", "ab"];
const NUM_VALUES: &[f64] = &[0.0, 1.0, -1.0, 2.5, 0.1, 3.0, 7.0, 100.0, -0.5, 1000.0, 12.345, 0.2, 1e-7, 5.0];

impl Gen {
    fn chance(&mut self, percent: usize) -> bool {
        self.rng.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.below(items.len())]
    }

    fn num_value(&mut self) -> Value {
        if self.chance(50) {
            json!(self.rng.below(40) as i64 - 10)
        } else {
            json!(*self.pick(NUM_VALUES))
        }
    }

    fn word(&mut self) -> Value {
        json!(*self.pick(WORDS))
    }

    fn input(&mut self) -> Value {
        let mut o = Map::new();
        let n = self.rng.below(40) as i64 - 10;
        let fields: Vec<(&str, Value)> = vec![
            ("n", json!(n)),
            ("m", self.num_value()),
            ("s", self.word()),
            ("t", self.word()),
            ("b", json!(self.chance(50))),
            ("z", Value::Null),
            ("arr", Value::Array((0..self.rng.below(6)).map(|_| self.num_value()).collect())),
            ("strs", Value::Array((0..self.rng.below(5)).map(|_| self.word()).collect())),
            ("items", Value::Array((0..self.rng.below(5)).map(|k| self.item_value(k)).collect())),
            ("obj", json!({"x": self.num_value(), "y": self.word(), "inner": {"k": self.num_value()}})),
        ];
        for (k, v) in fields {
            if !self.chance(8) {
                o.insert(k.to_string(), v);
            }
        }
        Value::Object(o)
    }

    fn item_value(&mut self, k: usize) -> Value {
        let mut o = Map::new();
        o.insert("id".into(), json!(k + 1));
        let fields: Vec<(&str, Value)> = vec![
            ("name", json!(*self.pick(&["pen", "book", "cup", "Pen", "lamp"]))),
            ("price", self.num_value()),
            ("qty", json!(self.rng.below(5))),
            (
                "tags",
                Value::Array((0..self.rng.below(3)).map(|_| json!(*self.pick(&["new", "sale", "old"]))).collect()),
            ),
            ("ok", json!(self.chance(50))),
        ];
        for (k, v) in fields {
            if !self.chance(10) {
                o.insert(k.to_string(), v);
            }
        }
        Value::Object(o)
    }

    fn expr(&mut self, ty: Ty, depth: usize) -> String {
        let ty = if ty == Ty::Any { *self.pick(&[Ty::Num, Ty::Str, Ty::Bool, Ty::Arr, Ty::Obj]) } else { ty };
        if self.chance(4) {
            return self.misuse(depth);
        }
        if depth == 0 || self.chance(25) {
            return self.leaf(ty);
        }
        let e = match ty {
            Ty::Num => self.num(depth - 1),
            Ty::Str => self.string(depth - 1),
            Ty::Bool => self.boolean(depth - 1),
            Ty::Arr => self.array(depth - 1),
            _ => self.object(depth - 1),
        };
        if self.chance(6) {
            let c = self.expr(Ty::Bool, depth - 1);
            let other = self.expr(ty, depth - 1);
            return format!("({c} ? {e} : {other})");
        }
        e
    }

    fn var(&mut self, ty: Ty) -> Option<String> {
        let names: Vec<String> = self.vars.iter().filter(|(_, t)| *t == ty).map(|(n, _)| n.clone()).collect();
        if names.is_empty() || self.chance(40) {
            None
        } else {
            Some(self.pick(&names).clone())
        }
    }

    /// `$v.price` when an item variable is in scope, the field itself inside a predicate,
    /// `items[k].price` otherwise.
    fn item_field(&mut self, field: &str) -> String {
        if let Some(v) = self.var(Ty::Obj) {
            return format!("{v}.{field}");
        }
        if self.item {
            return field.to_string();
        }
        format!("items[{}].{field}", self.rng.below(3))
    }

    fn leaf(&mut self, ty: Ty) -> String {
        if let Some(v) = self.var(ty) {
            return v;
        }
        match ty {
            Ty::Num => match self.rng.below(7) {
                0 | 1 => self.pick(NUMS).to_string(),
                2 => root(self.item, "n"),
                3 => root(self.item, "m"),
                4 => {
                    let field = if self.chance(50) { "price" } else { "qty" };
                    self.item_field(field)
                }
                5 => root(self.item, &format!("arr[{}]", self.rng.below(4) as i64 - 1)),
                _ => {
                    let path = *self.pick(&["obj.x", "obj.inner.k"]);
                    root(self.item, path)
                }
            },
            Ty::Str => match self.rng.below(5) {
                0 | 1 => self.pick(STRS).to_string(),
                2 => {
                    let path = *self.pick(&["s", "t", "obj.y"]);
                    root(self.item, path)
                }
                3 => self.item_field("name"),
                _ => root(self.item, &format!("strs[{}]", self.rng.below(3))),
            },
            Ty::Bool => match self.rng.below(4) {
                0 => self.pick(&["true", "false"]).to_string(),
                1 => root(self.item, "b"),
                2 => self.item_field("ok"),
                _ => {
                    let path = *self.pick(&["b", "nope", "obj.y", "z"]);
                    format!("$exists({})", root(self.item, path))
                }
            },
            Ty::Arr => match self.rng.below(6) {
                0 => root(self.item, "arr"),
                1 => root(self.item, "strs"),
                2 => root(self.item, &format!("items.{}", self.pick(&["name", "price", "qty", "tags", "id"]))),
                3 => format!("[1..{}]", self.rng.below(5)),
                4 => "[]".to_string(),
                _ => self.item_field("tags"),
            },
            Ty::Obj | Ty::Any => match self.rng.below(4) {
                0 => root(self.item, "obj"),
                1 => root(self.item, &format!("items[{}]", self.rng.below(3))),
                2 => "{}".to_string(),
                _ => root(self.item, "obj.inner"),
            },
        }
    }

    fn misuse(&mut self, depth: usize) -> String {
        let d = depth.saturating_sub(1);
        match self.rng.below(7) {
            0 => format!("{} + {}", self.expr(Ty::Str, d), self.expr(Ty::Num, d)),
            1 => format!("{}.nope", self.leaf(Ty::Obj)),
            2 => format!("$nope({})", self.expr(Ty::Num, d)),
            3 => format!("{} < {}", self.expr(Ty::Str, d), self.expr(Ty::Num, d)),
            4 => format!("$uppercase({})", self.expr(Ty::Num, d)),
            5 => format!("-{}", self.expr(Ty::Str, d)),
            _ => format!("$sum({})", self.expr(Ty::Arr, d)),
        }
    }

    fn lambda(&mut self, params: &[(&str, Ty)], body: Ty, depth: usize) -> String {
        let saved = self.vars.len();
        let saved_item = self.item;
        self.item = false;
        for (name, ty) in params {
            self.vars.push(((*name).to_string(), *ty));
        }
        let body = self.expr(body, depth);
        self.vars.truncate(saved);
        self.item = saved_item;
        let names: Vec<&str> = params.iter().map(|(n, _)| *n).collect();
        format!("function({}) {{ {body} }}", names.join(", "))
    }

    /// A predicate over items (`items[price > 2]`): the context is the item.
    fn predicate(&mut self, depth: usize) -> String {
        let saved = self.item;
        self.item = true;
        let p = match self.rng.below(4) {
            0 => format!("[{}]", self.rng.below(3) as i64 - 1),
            _ => format!("[{}]", self.expr(Ty::Bool, depth)),
        };
        self.item = saved;
        p
    }

    fn num(&mut self, d: usize) -> String {
        match self.rng.below(20) {
            0..=3 => {
                let op = *self.pick(&["+", "-", "*", "/", "%"]);
                format!("({} {op} {})", self.expr(Ty::Num, d), self.expr(Ty::Num, d))
            }
            4 => format!("-{}", self.expr(Ty::Num, d)),
            5 => format!("${}({})", self.pick(&["sum", "max", "min", "average", "count"]), self.expr(Ty::Arr, d)),
            6 => format!("${}({})", self.pick(&["abs", "floor", "ceil", "sqrt"]), self.expr(Ty::Num, d)),
            7 => format!("$round({}, {})", self.expr(Ty::Num, d), self.rng.below(4) as i64 - 1),
            8 => format!("$power({}, {})", self.expr(Ty::Num, d), self.pick(&["2", "0.5", "-1", "3"])),
            9 => format!("$length({})", self.expr(Ty::Str, d)),
            10 => format!(
                "$number({})",
                self.pick(&["\"12\"", "\"0x1A\"", "\"1e2\"", "\" 5 \"", "\"-0.5\"", "true", "s"])
            ),
            11 => {
                let v = self.expr(Ty::Num, d);
                let body = self.with_var("$v", Ty::Num, |g| g.expr(Ty::Num, d));
                format!("($v := {v}; {body})")
            }
            12 => {
                let f = self.lambda(&[("$a", Ty::Num), ("$x", Ty::Num)], Ty::Num, d);
                format!("$reduce({}, {f}, {})", root(self.item, "arr"), self.pick(NUMS))
            }
            13 => format!("$count({}{})", root(self.item, "items"), self.predicate(d)),
            14 => format!("$sum({}.({} * {}))", root(self.item, "items"), "price", "qty"),
            15 => format!(
                "$toMillis({})",
                self.pick(&["\"2024-02-29T12:00:00Z\"", "\"1970-01-01T00:00:00.001Z\"", "\"2024-13-01\"", "s"])
            ),
            16 => format!("{}[{}]", self.expr(Ty::Arr, d), self.rng.below(4) as i64 - 2),
            17 => format!("$lookup({}, {})", root(self.item, "obj"), self.pick(&["\"x\"", "\"nope\""])),
            18 => format!("$average({}.price)", root(self.item, "items")),
            _ => format!("$string({}) ~> $length()", self.expr(Ty::Num, d)),
        }
    }

    fn with_var<T>(&mut self, name: &str, ty: Ty, f: impl FnOnce(&mut Gen) -> T) -> T {
        self.vars.push((name.to_string(), ty));
        let out = f(self);
        self.vars.pop();
        out
    }

    fn string(&mut self, d: usize) -> String {
        match self.rng.below(21) {
            0..=2 => format!("{} & {}", self.expr(Ty::Str, d), self.expr(Ty::Any, d)),
            3 => format!("${}({})", self.pick(&["uppercase", "lowercase", "trim"]), self.expr(Ty::Str, d)),
            4 => format!("$substring({}, {})", self.expr(Ty::Str, d), self.rng.below(6) as i64 - 2),
            5 => format!("$substring({}, {}, {})", self.expr(Ty::Str, d), self.rng.below(4), self.rng.below(4)),
            6 => format!(
                "${}({}, {})",
                self.pick(&["substringBefore", "substringAfter"]),
                self.expr(Ty::Str, d),
                self.pick(STRS)
            ),
            7 => format!("$pad({}, {}, \"*\")", self.expr(Ty::Str, d), self.rng.below(14) as i64 - 7),
            8 => format!("$string({})", self.expr(Ty::Any, d)),
            9 => format!("$join({}, {})", self.expr(Ty::Arr, d), self.pick(STRS)),
            10 => format!(
                "$replace({}, {}, {})",
                self.expr(Ty::Str, d),
                self.pick(&["\"a\"", "\"l\"", "/[aeiou]/", "/(\\w)(\\w)/"]),
                self.pick(&["\"_\"", "\"$2$1\"", "\"\""])
            ),
            11 => format!("$type({})", self.expr(Ty::Any, d)),
            12 => format!(
                "$formatNumber({}, {})",
                self.expr(Ty::Num, d),
                self.pick(&["\"#,##0.00\"", "\"0.0\"", "\"000\"", "\"#%\""])
            ),
            13 => format!("$fromMillis({})", self.pick(&["0", "1700000000000", "-1000", "86400000 * 366"])),
            14 => format!("$join($sort({}), \"\")", root(self.item, "strs")),
            15 => format!("$string({}, true)", self.expr(Ty::Obj, d)),
            17 => format!(
                "$formatInteger({}, {})",
                self.expr(Ty::Num, d),
                self.pick(&["\"w\"", "\"I\"", "\"#,##0\"", "\"001\""])
            ),
            18 => format!("$formatBase({}, {})", self.expr(Ty::Num, d), self.pick(&["2", "16", "36"])),
            19 => format!(
                "$string({} {} {})",
                self.expr(Ty::Num, d),
                self.pick(&["*", "/", "+"]),
                self.pick(&["0.1", "3", "1.1", "1e-3"])
            ),
            _ => format!("$base64encode({})", self.expr(Ty::Str, d)),
        }
    }

    fn boolean(&mut self, d: usize) -> String {
        match self.rng.below(11) {
            0..=2 => {
                let op = *self.pick(&["=", "!=", "<", "<=", ">", ">="]);
                format!("{} {op} {}", self.expr(Ty::Num, d), self.expr(Ty::Num, d))
            }
            3 => {
                let op = *self.pick(&["=", "!=", "<", ">"]);
                format!("{} {op} {}", self.expr(Ty::Str, d), self.expr(Ty::Str, d))
            }
            4 => {
                let op = *self.pick(&["and", "or"]);
                format!("({} {op} {})", self.expr(Ty::Bool, d), self.expr(Ty::Bool, d))
            }
            5 => format!("$not({})", self.expr(Ty::Bool, d)),
            6 => format!("$boolean({})", self.expr(Ty::Any, d)),
            7 => {
                format!("$contains({}, {})", self.expr(Ty::Str, d), self.pick(&["\"a\"", "\"l\"", "/^[A-Z]/", "\"\""]))
            }
            8 => format!("{} in {}", self.expr(Ty::Num, d), self.expr(Ty::Arr, d)),
            9 => format!("{} = {}", self.expr(Ty::Any, d), self.expr(Ty::Any, d)),
            _ => format!("$exists({})", self.expr(Ty::Any, d)),
        }
    }

    fn array(&mut self, d: usize) -> String {
        let items = root(self.item, "items");
        match self.rng.below(25) {
            0 | 1 => {
                let n = self.rng.below(4);
                let parts: Vec<String> = (0..n).map(|_| self.expr(Ty::Any, d)).collect();
                format!("[{}]", parts.join(", "))
            }
            2 => {
                let f = self.lambda(&[("$v", Ty::Num), ("$i", Ty::Num)], Ty::Num, d);
                format!("$map({}, {f})", root(self.item, "arr"))
            }
            3 => {
                let f = self.lambda(&[("$v", Ty::Num)], Ty::Bool, d);
                format!("$filter({}, {f})", root(self.item, "arr"))
            }
            4 => {
                let f = self.lambda(&[("$it", Ty::Obj)], Ty::Any, d);
                format!("$map({items}, {f})")
            }
            5 => format!("$sort({})", self.expr(Ty::Arr, d)),
            6 => format!(
                "$sort({items}, function($l, $r) {{ $l.{0} > $r.{0} }}).id",
                self.pick(&["price", "qty", "name"])
            ),
            7 => format!("${}({})", self.pick(&["reverse", "distinct"]), self.expr(Ty::Arr, d)),
            8 => format!("$append({}, {})", self.expr(Ty::Any, d), self.expr(Ty::Any, d)),
            9 => format!("{items}{}.{}", self.predicate(d), self.pick(&["name", "price", "id", "tags"])),
            10 => format!("{items}^({}{}).id", self.pick(&["", ">", "<"]), self.pick(&["price", "qty", "name"])),
            11 => format!("{}[[{}..{}]]", root(self.item, "arr"), self.rng.below(3), self.rng.below(4)),
            12 => format!("$zip({}, {})", root(self.item, "arr"), root(self.item, "strs")),
            13 => format!("$keys({})", self.expr(Ty::Obj, d)),
            14 => format!(
                "{items}.({} {} {})",
                self.pick(&["price", "qty", "id"]),
                self.pick(&["*", "+", "-"]),
                self.pick(&["qty", "2", "id"])
            ),
            15 => format!("{}[$ > {}]", root(self.item, "arr"), self.pick(NUMS)),
            16 => format!("$split({}, {})", self.expr(Ty::Str, d), self.pick(&["\",\"", "\"\"", "\"b\"", "/[,-]/"])),
            17 => format!("{items}#$pos[$pos < {}].name", self.rng.below(3)),
            18 => format!("{}.*", root(self.item, "obj")),
            19 => format!("{}.**.k", root(self.item, "obj")),
            20 => format!("$each({}, function($v, $k) {{ $k & \"=\" & $string($v) }})", self.expr(Ty::Obj, d)),
            21 => format!("$match({}, /[a-z]+/).match", self.expr(Ty::Str, d)),
            22 => format!("$split({}, \",\", {})", self.expr(Ty::Str, d), self.rng.below(3)),
            23 => format!("{items}.{{\"n\": name, \"p\": price}}"),
            _ => format!("{items}.tags"),
        }
    }

    fn object(&mut self, d: usize) -> String {
        let items = root(self.item, "items");
        match self.rng.below(9) {
            0..=2 => {
                let n = 1 + self.rng.below(3);
                let parts: Vec<String> = (0..n).map(|k| format!("\"k{k}\": {}", self.expr(Ty::Any, d))).collect();
                format!("{{{}}}", parts.join(", "))
            }
            3 => format!("{items}{{name: {}}}", self.pick(&["price", "$sum(price)", "qty", "$count(tags)", "id"])),
            4 => format!("$merge([{}, {}])", self.expr(Ty::Obj, d), self.expr(Ty::Obj, d)),
            5 => format!("$sift({}, function($v) {{ $type($v) = \"number\" }})", self.expr(Ty::Obj, d)),
            6 => format!("{} ~> |$|{{\"added\": {}}}|", self.expr(Ty::Obj, d), self.expr(Ty::Num, d)),
            7 => format!("{items}{}", self.predicate(d)),
            _ => format!("$spread({})[{}]", self.expr(Ty::Obj, d), self.rng.below(2)),
        }
    }
}

/// A path from the input's root: `$$.` in front inside a predicate over items.
fn root(item: bool, path: &str) -> String {
    if item {
        format!("$$.{path}")
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::cases;

    #[test]
    fn same_seed_same_expressions_and_mostly_distinct() {
        let a = cases(7, 300);
        let b = cases(7, 300);
        assert!(a.iter().zip(&b).all(|(x, y)| x.expr == y.expr && x.input == y.input));
        let distinct: std::collections::HashSet<&str> = a.iter().map(|c| c.expr.as_str()).collect();
        assert!(distinct.len() > 200, "only {} distinct expressions of 300", distinct.len());
        assert_ne!(
            cases(8, 5).iter().map(|c| c.expr.clone()).collect::<Vec<_>>(),
            a[..5].iter().map(|c| c.expr.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn every_generated_expression_compiles() {
        use asl::jsonata::Evaluator;
        for case in cases(1, 500) {
            if let Err(e) = asl::jsonata::Jlens.compile(&case.expr) {
                panic!("{}: {} does not compile: {e}", case.id, case.expr);
            }
        }
    }
}
