//! JSONPath-mode reads as JSONata expressions, where the mapping is exact: definite paths,
//! the intrinsics JSONata has an equivalent for, payload templates and Choice rules. Every
//! function returns `None` for what it cannot translate exactly, and the caller keeps that state
//! in JSONPath.
//!
//! Expressions are written against a *base*: the JSONata text of the value `$` stands for
//! (`$states.input`, `$states.result`, the effective input after an InputPath...).

use crate::jsonata::quote;
use serde_json::Value;

/// Raised (as `$error`) where a value reaches a place the translation cannot render exactly
/// (an array or object in `States.Format`): runs that meet it say nothing about the law.
pub const UNTRANSLATABLE: &str = "aslcheck-law: untranslatable value";

/// `$name`, `$states.input` and `$states.input.a.b`: texts a path step can follow directly.
fn is_simple(base: &str) -> bool {
    base.starts_with('$') && base.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | '.' | '_' | '[' | ']'))
}

fn is_ident(name: &str) -> bool {
    let mut cs = name.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(name, "and" | "or" | "in" | "true" | "false" | "null" | "function")
}

/// One step of a definite path.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    Name(String),
    Index(usize),
}

/// A definite JSONPath: `$`, `$$` or `$var`, then `.name`, `['name']` or `[n]` steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// `None`: `$`; `Some("")`: `$$`; `Some(name)`: a variable.
    pub root: Option<String>,
    pub segs: Vec<Seg>,
}

pub fn parse_path(s: &str) -> Option<Path> {
    let (root, mut rest) = if let Some(r) = s.strip_prefix("$$") {
        (Some(String::new()), r)
    } else {
        let r = s.strip_prefix('$')?;
        let n = r.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(r.len());
        let (name, r) = r.split_at(n);
        (if name.is_empty() { None } else { Some(name.to_string()) }, r)
    };
    if root.as_deref().is_some_and(|n| !n.is_empty() && !is_ident(n)) {
        return None;
    }
    let mut segs = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("['") {
            let end = r.find("']")?;
            let name = r.get(..end)?;
            if name.contains(['\'', '\\']) {
                return None;
            }
            segs.push(Seg::Name(name.to_string()));
            rest = r.get(end + 2..)?;
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let digits = r.get(..end)?;
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            segs.push(Seg::Index(digits.parse().ok()?));
            rest = r.get(end + 1..)?;
        } else if let Some(r) = rest.strip_prefix('.') {
            let n = r.find(['.', '[']).unwrap_or(r.len());
            let name = r.get(..n)?;
            if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || name.is_empty() {
                return None;
            }
            segs.push(Seg::Name(name.to_string()));
            rest = r.get(n..)?;
        } else {
            return None;
        }
    }
    Some(Path { root, segs })
}

/// `base` followed by steps.
pub fn join(base: &str, segs: &[Seg]) -> String {
    if segs.is_empty() {
        return base.to_string();
    }
    let mut out = if is_simple(base) { base.to_string() } else { format!("({base})") };
    for s in segs {
        match s {
            Seg::Name(n) if is_ident(n) => {
                out.push('.');
                out.push_str(n);
            }
            Seg::Name(n) => out.push_str(&format!(".`{n}`")),
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A path read as JSONata: `$` is `base`, `$$` the context object, `$x` the variable.
pub fn path(s: &str, base: &str) -> Option<String> {
    let p = parse_path(s)?;
    let root = match p.root.as_deref() {
        None => base.to_string(),
        Some("") => "$states.context".to_string(),
        Some(name) => format!("${name}"),
    };
    Some(join(&root, &p.segs))
}

// ---------------------------------------------------------------------------------------------
// Intrinsic calls

#[derive(Debug, Clone, PartialEq)]
enum Arg {
    /// A string literal as written (escapes kept: `States.Format` reads them).
    Str(String),
    /// A number, `true`, `false` or `null`, as written.
    Lit(String),
    Path(String),
    Call(String, Vec<Arg>),
}

struct Parser<'a> {
    s: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.s.get(self.at..).unwrap_or("")
    }

    fn skip_ws(&mut self) {
        let r = self.rest();
        self.at += r.len() - r.trim_start().len();
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.rest().starts_with(c) {
            self.at += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn arg(&mut self) -> Option<Arg> {
        self.skip_ws();
        let r = self.rest();
        if r.starts_with("States.") {
            return self.call();
        }
        if let Some(body) = r.strip_prefix('\'') {
            let mut out = String::new();
            let mut chars = body.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        out.push('\\');
                        out.push(chars.next()?.1);
                    }
                    '\'' => {
                        self.at += i + 2;
                        return Some(Arg::Str(out));
                    }
                    c => out.push(c),
                }
            }
            return None;
        }
        // A path or a literal: up to the next ',' or ')' outside brackets.
        let mut depth = 0usize;
        let mut end = r.len();
        for (i, c) in r.char_indices() {
            match c {
                '[' | '(' => depth += 1,
                ']' if depth > 0 => depth -= 1,
                ',' | ')' if depth == 0 => {
                    end = i;
                    break;
                }
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        let text = r.get(..end)?.trim().to_string();
        self.at += end;
        if text.starts_with('$') {
            Some(Arg::Path(text))
        } else if serde_json::from_str::<Value>(&text).is_ok_and(|v| !v.is_object() && !v.is_array() && !v.is_string())
        {
            Some(Arg::Lit(text))
        } else {
            None
        }
    }

    fn call(&mut self) -> Option<Arg> {
        self.skip_ws();
        let r = self.rest();
        let open = r.find('(')?;
        let name = r.get(..open)?.trim().to_string();
        self.at += open + 1;
        let mut args = Vec::new();
        if !self.eat(')') {
            loop {
                args.push(self.arg()?);
                if self.eat(')') {
                    break;
                }
                if !self.eat(',') {
                    return None;
                }
            }
        }
        Some(Arg::Call(name, args))
    }
}

/// A string literal's value (`\x` is `x`).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' { chars.next().unwrap_or('\\') } else { c });
    }
    out
}

/// Does this argument give a value that is never an array (so `[a, b]` keeps it as it is)?
fn never_array(a: &Arg) -> bool {
    match a {
        Arg::Str(_) | Arg::Lit(_) => true,
        Arg::Path(_) => false,
        Arg::Call(name, _) => matches!(
            name.as_str(),
            "States.Format" | "States.JsonToString" | "States.Hash" | "States.ArrayLength" | "States.MathAdd"
        ),
    }
}

/// Java's `Math.round` of a number argument (AWS's MathAdd rounds its arguments).
fn rounded(a: &Arg, base: &str) -> Option<String> {
    match a {
        Arg::Lit(t) if t.parse::<i64>().is_ok() => Some(t.clone()),
        _ => Some(format!("$floor({} + 0.5)", arg(a, base)?)),
    }
}

/// A `States.Format` value: strings as they are, scalars as text; arrays and objects (which
/// AWS writes in Java's `toString` form) raise [`UNTRANSLATABLE`].
fn format_value(a: &Arg, base: &str) -> Option<String> {
    Some(match a {
        Arg::Str(s) => quote(&unescape(s)),
        Arg::Lit(t) => quote(t),
        _ => {
            let x = arg(a, base)?;
            format!("($type({x}) in ['array', 'object'] ? $error({}) : $string({x}))", quote(UNTRANSLATABLE))
        }
    })
}

fn format(args: &[Arg], base: &str) -> Option<String> {
    let (Some(Arg::Str(tpl)), values) = (args.first(), args.get(1..).unwrap_or(&[])) else { return None };
    let mut parts: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut next = values.iter();
    let mut chars = tpl.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => text.push(chars.next()?),
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                parts.push(quote(&std::mem::take(&mut text)));
                parts.push(format_value(next.next()?, base)?);
            }
            '{' | '}' => return None,
            c => text.push(c),
        }
    }
    if next.next().is_some() {
        return None;
    }
    parts.push(quote(&text));
    Some(format!("({})", parts.join(" & ")))
}

fn arg(a: &Arg, base: &str) -> Option<String> {
    match a {
        Arg::Str(s) => Some(quote(&unescape(s))),
        Arg::Lit(t) => Some(t.clone()),
        Arg::Path(p) => path(p, base),
        Arg::Call(name, args) => call(name, args, base),
    }
}

fn call(name: &str, args: &[Arg], base: &str) -> Option<String> {
    let a = |i: usize| args.get(i).and_then(|x| arg(x, base));
    let arity = |n: usize| (args.len() == n).then_some(());
    Some(match name {
        "States.ArrayLength" => format!("$count({})", a(0).filter(|_| args.len() == 1)?),
        "States.MathAdd" => {
            arity(2)?;
            format!("({} + {})", rounded(args.first()?, base)?, rounded(args.get(1)?, base)?)
        }
        "States.StringToJson" => format!("$parse({})", a(0).filter(|_| args.len() == 1)?),
        "States.JsonToString" => {
            arity(1)?;
            let x = a(0)?;
            let quoted = format!("$string([{x}])");
            format!("($type({x}) = 'string' ? $substring({quoted}, 1, $length({quoted}) - 2) : $string({x}))")
        }
        "States.Array" if args.iter().all(never_array) => {
            let items: Option<Vec<String>> = (0..args.len()).map(a).collect();
            format!("[{}]", items?.join(", "))
        }
        "States.ArrayPartition" => {
            arity(2)?;
            format!("$partition({}, {})", a(0)?, a(1)?)
        }
        // AWS's `$range` gives a sequence: one number stands alone, none is undefined; the
        // array constructor makes it an array again, as States.ArrayRange's result always is.
        "States.ArrayRange" => {
            arity(3)?;
            format!("[$range({}, {}, {})]", a(0)?, a(1)?, a(2)?)
        }
        "States.Hash" => {
            arity(2)?;
            format!("$hash({}, {})", a(0)?, a(1)?)
        }
        "States.Format" => format(args, base)?,
        _ => return None,
    })
}

/// A `.$` value (a path or an intrinsic call) as JSONata.
pub fn dynamic(s: &str, base: &str) -> Option<String> {
    if s.trim_start().starts_with("States.") {
        let mut p = Parser { s, at: 0 };
        let c = p.call()?;
        p.skip_ws();
        if !p.rest().is_empty() {
            return None;
        }
        arg(&c, base)
    } else {
        path(s, base)
    }
}

// ---------------------------------------------------------------------------------------------
// Templates and literals

/// A JSON value as a JSONata literal (JSON is JSONata syntax; strings that look like
/// expressions never occur in a literal position of an expression).
pub fn literal(v: &Value) -> String {
    v.to_string()
}

/// A payload template (Parameters, ResultSelector, ItemSelector) as an object constructor.
pub fn template(t: &Value, base: &str) -> Option<String> {
    let o = t.as_object()?;
    let mut entries = Vec::new();
    for (k, v) in o {
        let (key, value) = match k.strip_suffix(".$") {
            Some(key) => (key, dynamic(v.as_str()?, base)?),
            None => (k.as_str(), template_value(v, base)?),
        };
        entries.push(format!("{}: {value}", Value::String(key.to_string())));
    }
    Some(format!("{{{}}}", entries.join(", ")))
}

fn template_value(v: &Value, base: &str) -> Option<String> {
    match v {
        Value::Object(_) => template(v, base),
        Value::Array(a) if a.iter().any(|x| x.is_object() || x.is_array()) => None,
        other => Some(literal(other)),
    }
}

/// A JSONPath `Assign` as a JSONata one: `.$` values become `{% %}` strings; nested objects
/// are templates too.
pub fn assign(a: &Value, base: &str) -> Option<Value> {
    let o = a.as_object()?;
    let mut out = serde_json::Map::new();
    for (k, v) in o {
        match k.strip_suffix(".$") {
            Some(name) => {
                out.insert(name.to_string(), crate::jsonata::wrap(&dynamic(v.as_str()?, base)?));
            }
            None => {
                let value = match v {
                    Value::Object(_) => crate::jsonata::wrap(&template(v, base)?),
                    Value::Array(a) if a.iter().any(|x| x.is_object() || x.is_array()) => return None,
                    Value::String(s) if s.contains("{%") => return None,
                    other => other.clone(),
                };
                out.insert(k.clone(), value);
            }
        }
    }
    Some(Value::Object(out))
}

// ---------------------------------------------------------------------------------------------
// Choice rules

/// A StringMatches pattern as an anchored regular expression literal.
fn wildcard(pattern: &str) -> String {
    let mut re = String::from("/^");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let lit = chars.next().unwrap_or('\\');
                re.push('\\');
                re.push(lit);
            }
            '*' => re.push_str(".*"),
            c if "^$.|?+()[]{}/".contains(c) => {
                re.push('\\');
                re.push(c);
            }
            c => re.push(c),
        }
    }
    re.push_str("$/");
    re
}

/// `(type of v and of the operand is `ty` ? test : false)`: JSONPath's type mismatch = false.
fn guarded(ty: &str, v: &str, operand: Option<&str>, test: String) -> String {
    let mut guard = format!("$type({v}) = '{ty}'");
    if let Some(o) = operand {
        guard = format!("({guard} and $type({o}) = '{ty}')");
    }
    format!("({guard} ? {test} : false)")
}

/// A JSONPath Choice rule as a JSONata Condition (None: Timestamp operators and anything not
/// read exactly). `base` is the Choice's effective input.
pub fn rule(r: &Value, base: &str) -> Option<String> {
    let o = r.as_object()?;
    if let Some(rs) = o.get("And").or_else(|| o.get("Or")) {
        let op = if o.contains_key("And") { " and " } else { " or " };
        let parts: Option<Vec<String>> = rs.as_array()?.iter().map(|x| rule(x, base)).collect();
        return Some(format!("({})", parts?.join(op)));
    }
    if let Some(x) = o.get("Not") {
        return Some(format!("$not({})", rule(x, base)?));
    }
    let v = path(o.get("Variable")?.as_str()?, base)?;
    let (op, operand) = o.iter().find(|(k, _)| !matches!(k.as_str(), "Variable" | "Next" | "Assign"))?;
    let by_path = op.ends_with("Path");
    let name = op.strip_suffix("Path").unwrap_or(op);
    let x = if by_path { path(operand.as_str()?, base)? } else { literal(operand) };
    let o_path = by_path.then_some(x.as_str());
    let compare = |sym: &str| format!("{v} {sym} {x}");
    let order = |n: &str| -> Option<&str> {
        Some(match n {
            "Equals" => "=",
            "LessThan" => "<",
            "GreaterThan" => ">",
            "LessThanEquals" => "<=",
            "GreaterThanEquals" => ">=",
            _ => return None,
        })
    };
    let flag = || operand.as_bool();
    Some(match name {
        "StringMatches" => guarded("string", &v, None, format!("$contains({v}, {})", wildcard(operand.as_str()?))),
        n if n.starts_with("String") => guarded("string", &v, o_path, compare(order(n.strip_prefix("String")?)?)),
        n if n.starts_with("Numeric") => guarded("number", &v, o_path, compare(order(n.strip_prefix("Numeric")?)?)),
        "BooleanEquals" => guarded("boolean", &v, o_path, compare("=")),
        "IsPresent" => is(flag()?, format!("$exists({v})")),
        "IsNull" => is(flag()?, format!("$type({v}) = 'null'")),
        "IsNumeric" => is(flag()?, format!("$type({v}) = 'number'")),
        "IsString" => is(flag()?, format!("$type({v}) = 'string'")),
        "IsBoolean" => is(flag()?, format!("$type({v}) = 'boolean'")),
        _ => return None,
    })
}

fn is(want: bool, test: String) -> String {
    if want {
        format!("({test})")
    } else {
        format!("$not({test})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_intrinsics_and_rules() {
        assert_eq!(path("$.a['b'][2]", "$states.input").as_deref(), Some("$states.input.a.b[2]"));
        assert_eq!(path("$$.Map.Item.Index", "x").as_deref(), Some("$states.context.Map.Item.Index"));
        assert_eq!(path("$v1.k", "x").as_deref(), Some("$v1.k"));
        assert_eq!(path("$.a", "{'x': 1}").as_deref(), Some("({'x': 1}).a"));
        assert_eq!(path("$.items[*].num", "$states.input"), None);
        assert_eq!(dynamic("States.MathAdd($ctr1, 1)", "$states.input").as_deref(), Some("($floor($ctr1 + 0.5) + 1)"));
        assert_eq!(
            dynamic("States.Format('v {}, \\{x\\}', 'a')", "$").as_deref(),
            Some("(\"v \" & \"a\" & \", {x}\")")
        );
        assert_eq!(dynamic("States.UUID()", "$"), None);
        assert_eq!(
            rule(&json!({"Not": {"Variable": "$.s", "StringMatches": "h*", "Next": "X"}}), "$states.input").as_deref(),
            Some("$not(($type($states.input.s) = 'string' ? $contains($states.input.s, /^h.*$/) : false))")
        );
        assert_eq!(
            template(&json!({"a.$": "$.x", "b": {"c": [1, "$"]}}), "$states.input").as_deref(),
            Some("{\"a\": $states.input.x, \"b\": {\"c\": [1,\"$\"]}}")
        );
    }
}
