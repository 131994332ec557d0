//! Run-time semantics of every intrinsic function.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;
use std::hash::{Hash, Hasher};

use base64::Engine;
use serde_json::{Map, Value};

use super::java;
use super::{Call, Env, Func};
use crate::error::Failure;
use crate::jsonata::field::type_name;

type Res = Result<Value, Failure>;

/// AWS: Base64Encode/Base64Decode/Hash take "a data string of up to 10,000 characters".
const MAX_DATA_CHARS: usize = 10_000;
/// AWS: "The new array can contain up to 1000 elements."
const MAX_RANGE_ITEMS: i128 = 1000;

pub(super) fn apply(call: &Call, args: Vec<Cow<'_, Value>>, env: &mut dyn Env) -> Res {
    if call.func == Func::Array {
        // Moves evaluated arguments instead of cloning them.
        return Ok(Value::Array(args.into_iter().map(Cow::into_owned).collect()));
    }
    let args = args.as_slice();
    let a = |i: usize| args.get(i).map(|c| c.as_ref()).unwrap_or(&Value::Null);
    let f = call.func;
    match f {
        Func::Format => format(call, args),
        Func::StringToJson => string_to_json(str_arg(f, a(0), "first")?),
        Func::JsonToString => Ok(Value::String(java::jackson_compact(a(0)))),
        // Handled above without cloning; kept for an exhaustive match.
        Func::Array => Ok(Value::Array(args.iter().map(|c| c.as_ref().clone()).collect())),
        Func::ArrayPartition => array_partition(array_arg(f, a(0))?, a(1)),
        Func::ArrayContains => Ok(Value::Bool(array_arg(f, a(0))?.iter().any(|x| json_eq(x, a(1))))),
        Func::ArrayRange => array_range(a(0), a(1), a(2)),
        Func::ArrayGetItem => array_get_item(array_arg(f, a(0))?, a(1)),
        Func::ArrayLength => Ok(Value::from(array_arg(f, a(0))?.len())),
        Func::ArrayUnique => Ok(Value::Array(array_unique(array_arg(f, a(0))?))),
        Func::Base64Encode => base64_encode(data_arg(f, a(0))?),
        Func::Base64Decode => base64_decode(data_arg(f, a(0))?),
        Func::Hash => hash(data_arg(f, a(0))?, str_arg(f, a(1), "second")?),
        Func::JsonMerge => json_merge(a(0), a(1), a(2)),
        Func::MathRandom => math_random(a(0), a(1), args.get(2).map(|c| c.as_ref()), env),
        Func::MathAdd => math_add(a(0), a(1)),
        Func::StringSplit => Ok(string_split(str_arg(f, a(0), "first")?, str_arg(f, a(1), "second")?)),
        Func::Uuid => Ok(Value::String(env.random().uuid_v4())),
    }
}

/// The `States.IntrinsicFailure` a function raises for a bad argument.
// UNSURE(aws): AWS's cause texts for argument errors were not found in any public recording;
// this wording is ours. Only the States.Format template texts below are observed.
fn invalid(f: Func, detail: impl Display) -> Failure {
    Failure::intrinsic(format!("Invalid arguments in {}: {detail}", f.name()))
}

fn str_arg<'v>(f: Func, v: &'v Value, which: &str) -> Result<&'v str, Failure> {
    v.as_str().ok_or_else(|| invalid(f, format!("the {which} argument must be a string, but was {}", type_name(v))))
}

fn array_arg(f: Func, v: &Value) -> Result<&Vec<Value>, Failure> {
    v.as_array().ok_or_else(|| invalid(f, format!("the first argument must be an array, but was {}", type_name(v))))
}

/// A string of at most 10,000 characters.
// UNSURE(aws): "characters" counted as Java `String.length()` (UTF-16 code units).
fn data_arg(f: Func, v: &Value) -> Result<&str, Failure> {
    let s = str_arg(f, v, "first")?;
    let len = if s.len() <= MAX_DATA_CHARS { s.len() } else { s.encode_utf16().count() };
    if len > MAX_DATA_CHARS {
        return Err(invalid(
            f,
            format!("the input string must be at most {MAX_DATA_CHARS} characters long, but was {len}"),
        ));
    }
    Ok(s)
}

/// A numeric argument rounded to the nearest integer the way Java's `Math.round` does (AWS: "If
/// you specify a non-integer value ... Step Functions will round it off to the nearest integer").
fn rounded_int(f: Func, v: &Value, which: &str) -> Result<i64, Failure> {
    match v {
        Value::Number(n) => Ok(n.as_i64().unwrap_or_else(|| java::math_round(n.as_f64().unwrap_or(0.0)))),
        _ => Err(invalid(f, format!("the {which} argument must be a number, but was {}", type_name(v)))),
    }
}

// ---------------------------------------------------------------------------------------------
// States.Format

/// A compiled `States.Format` template: text pieces and `{}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
    holes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Hole,
}

impl Template {
    /// Compiles template text in which `\{ \} \' \\` are escapes and `{}` is a placeholder.
    ///
    /// A literal template is compiled from its raw source text; this is what makes `\{` a literal
    /// brace while `\\{` is a backslash followed by an opening brace (observed: that fails with
    /// "matching '}' not found for '{'", https://github.com/aws/aws-cdk/issues/29261).
    // UNSURE(aws): a template read from a path is compiled the same way; other backslashes in it
    // are kept as written.
    pub fn compile(src: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut holes = 0;
        let mut chars = src.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.peek() {
                    Some(&e @ ('\'' | '{' | '}' | '\\')) => {
                        text.push(e);
                        chars.next();
                    }
                    _ => text.push('\\'),
                },
                '{' if chars.peek() == Some(&'}') => {
                    chars.next();
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Hole);
                    holes += 1;
                }
                '{' => return Err("Invalid template in States.Format: matching '}' not found for '{'.".into()),
                // UNSURE(aws): text for a lone '}' mirrors the observed one for a lone '{'.
                '}' => return Err("Invalid template in States.Format: matching '{' not found for '}'.".into()),
                _ => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template { parts, holes })
    }

    fn render(&self, values: &[Cow<'_, Value>]) -> Res {
        if values.len() != self.holes {
            // UNSURE(aws): wording; AWS docs: "There must be as many remaining arguments ... as
            // there are occurrences of {}".
            return Err(invalid(
                Func::Format,
                format!("the template has {} placeholder(s) but {} value(s) were given", self.holes, values.len()),
            ));
        }
        let mut out = String::new();
        let mut next = values.iter();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Hole => {
                    if let Some(v) = next.next() {
                        java::write_to_string(&mut out, v);
                    }
                }
            }
        }
        Ok(Value::String(out))
    }
}

fn format(call: &Call, args: &[Cow<'_, Value>]) -> Res {
    let values = args.get(1..).unwrap_or(&[]);
    match &call.template {
        Some(Ok(t)) => t.render(values),
        Some(Err(e)) => Err(Failure::intrinsic(e.clone())),
        None => {
            let src = str_arg(Func::Format, args.first().map_or(&Value::Null, |c| c.as_ref()), "first")?;
            Template::compile(src).map_err(Failure::intrinsic)?.render(values)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

/// Parses a JSON text; blank text gives `null` (observed: `""` and `" "` → null).
// UNSURE(aws): Jackson's `readTree` ignores anything after the first value by default, so
// `"1 x"` gives 1 here too.
fn string_to_json(s: &str) -> Res {
    if s.trim().is_empty() {
        return Ok(Value::Null);
    }
    match serde_json::Deserializer::from_str(s).into_iter::<Value>().next() {
        Some(Ok(mut v)) => {
            fix_negative_zeros(&mut v, s);
            Ok(v)
        }
        _ => Err(invalid(Func::StringToJson, format!("the string is not valid JSON: {s}"))),
    }
}

/// serde_json reads the integer `-0` as the float -0.0; Jackson reads it as the integer 0
/// (observed: `"-0"` → `0`). Matches each parsed -0.0 with the next negative-zero literal in
/// the text, in document order, and turns it into 0 when that literal was an integer.
fn fix_negative_zeros(v: &mut Value, src: &str) {
    fn is_neg_zero(n: &serde_json::Number) -> bool {
        n.is_f64() && n.as_f64().is_some_and(|x| x == 0.0 && x.is_sign_negative())
    }
    fn has_neg_zero(v: &Value) -> bool {
        match v {
            Value::Number(n) => is_neg_zero(n),
            Value::Array(a) => a.iter().any(has_neg_zero),
            Value::Object(o) => o.values().any(has_neg_zero),
            _ => false,
        }
    }
    fn walk(v: &mut Value, literals: &mut std::vec::IntoIter<bool>) {
        match v {
            // The literal is consumed whenever a -0.0 is met, whether or not it was an integer.
            Value::Number(n) if is_neg_zero(n) && literals.next() == Some(true) => *v = Value::from(0),
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, literals)),
            Value::Object(o) => o.values_mut().for_each(|x| walk(x, literals)),
            _ => {}
        }
    }
    if has_neg_zero(v) {
        walk(v, &mut negative_zero_literals(src).into_iter());
    }
}

/// For each negative-zero number literal outside strings, in order: is it an integer literal?
fn negative_zero_literals(src: &str) -> Vec<bool> {
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                while let Some((_, d)) = chars.next() {
                    match d {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '-' | '0'..='9' => {
                let mut end = i + 1;
                while let Some(&(j, d)) = chars.peek() {
                    if !(d.is_ascii_digit() || matches!(d, '.' | 'e' | 'E' | '+' | '-')) {
                        break;
                    }
                    end = j + 1;
                    chars.next();
                }
                let lit = src.get(i..end).unwrap_or("");
                if lit.starts_with('-') && lit.parse::<f64>().is_ok_and(|x| x == 0.0) {
                    out.push(!lit.contains(['.', 'e', 'E']));
                }
            }
            _ => {}
        }
    }
    out
}

fn json_merge(a: &Value, b: &Value, deep: &Value) -> Res {
    let f = Func::JsonMerge;
    let (Value::Object(a), Value::Object(b)) = (a, b) else {
        let bad = if a.is_object() { b } else { a };
        return Err(invalid(f, format!("the first two arguments must be objects, but one was {}", type_name(bad))));
    };
    match deep {
        Value::Bool(false) => {}
        // UNSURE(aws): rejected at run time rather than when the definition is created.
        Value::Bool(true) => return Err(invalid(f, "deep merge is not supported; the third argument must be false")),
        other => return Err(invalid(f, format!("the third argument must be a boolean, but was {}", type_name(other)))),
    }
    // Shallow: b's keys replace a's; a replaced key keeps a's position (Jackson ObjectNode.setAll).
    let mut out: Map<String, Value> = a.clone();
    for (k, v) in b {
        out.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(out))
}

// ---------------------------------------------------------------------------------------------
// Arrays

fn array_partition(arr: &[Value], size: &Value) -> Res {
    let f = Func::ArrayPartition;
    let n = rounded_int(f, size, "second")?;
    if n <= 0 {
        return Err(invalid(f, format!("the chunk size must be a positive integer, but was {n}")));
    }
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    Ok(Value::Array(arr.chunks(n).map(|c| Value::Array(c.to_vec())).collect()))
}

/// `start, start+step, ...` up to and including `end` when a step lands on it.
// UNSURE(aws): a step whose sign points away from `end` gives `[]` (not an error).
fn array_range(start: &Value, end: &Value, step: &Value) -> Res {
    let f = Func::ArrayRange;
    let start = rounded_int(f, start, "first")?;
    let end = rounded_int(f, end, "second")?;
    let step = rounded_int(f, step, "third")?;
    if step == 0 {
        return Err(invalid(f, "the step must be a non-zero integer"));
    }
    let span = i128::from(end) - i128::from(start);
    let count = if span != 0 && (span < 0) != (step < 0) { 0 } else { span / i128::from(step) + 1 };
    if count > MAX_RANGE_ITEMS {
        return Err(invalid(f, format!("the range has {count} elements, more than the maximum of {MAX_RANGE_ITEMS}")));
    }
    let items = (0..count).map(|i| Value::from((i128::from(start) + i * i128::from(step)) as i64));
    Ok(Value::Array(items.collect()))
}

// UNSURE(aws): a non-integer index is an error here (as for negative or out-of-range ones),
// although other functions round non-integers.
fn array_get_item(arr: &[Value], index: &Value) -> Res {
    let f = Func::ArrayGetItem;
    let i = match index {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|x| x.fract() == 0.0 && x.abs() < 9.0e15).map(|x| x as i64))
        }
        _ => return Err(invalid(f, format!("the index must be a number, but was {}", type_name(index)))),
    };
    let Some(i) = i else {
        return Err(invalid(f, format!("the index must be an integer, but was {}", java::to_string(index))));
    };
    usize::try_from(i)
        .ok()
        .and_then(|u| arr.get(u))
        .cloned()
        .ok_or_else(|| invalid(f, format!("the index {i} is out of bounds for an array of length {}", arr.len())))
}

/// Keeps the first occurrence of each value, in order.
fn array_unique(arr: &[Value]) -> Vec<Value> {
    let mut kept: Vec<Value> = Vec::new();
    let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
    for v in arr {
        let bucket = buckets.entry(json_hash(v)).or_default();
        if !bucket.iter().any(|&k| kept.get(k).is_some_and(|x| json_eq(x, v))) {
            bucket.push(kept.len());
            kept.push(v.clone());
        }
    }
    kept
}

/// Deep JSON equality; numbers compare by value (`1` equals `1.0`), object key order is ignored.
// UNSURE(aws): Jackson's JsonNode.equals would treat IntNode 1 and DoubleNode 1.0 as different.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// A hash consistent with [`json_eq`]: numbers hash by their f64 value, objects ignore key order.
fn json_hash(v: &Value) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    match v {
        Value::Null => 0u8.hash(&mut h),
        Value::Bool(b) => (1u8, b).hash(&mut h),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            (2u8, if x == 0.0 { 0 } else { x.to_bits() }).hash(&mut h)
        }
        Value::String(s) => (3u8, s).hash(&mut h),
        Value::Array(a) => {
            4u8.hash(&mut h);
            a.iter().for_each(|x| json_hash(x).hash(&mut h));
        }
        Value::Object(o) => {
            let sum = o.iter().fold(0u64, |acc, (k, x)| {
                let mut kh = std::collections::hash_map::DefaultHasher::new();
                (k, json_hash(x)).hash(&mut kh);
                acc.wrapping_add(kh.finish())
            });
            (5u8, sum).hash(&mut h);
        }
    }
    h.finish()
}

// ---------------------------------------------------------------------------------------------
// Encoding and hashing

fn base64_encode(s: &str) -> Res {
    // UNSURE(aws): docs say "MIME Base64"; a Java MIME encoder would break lines every 76
    // characters. We emit standard RFC 4648 Base64 without line breaks.
    Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(s.as_bytes())))
}

fn base64_decode(s: &str) -> Res {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    // Java's basic decoder accepts missing padding.
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let bytes = LENIENT
        .decode(s.as_bytes())
        .map_err(|e| invalid(Func::Base64Decode, format!("the input is not valid Base64: {e}")))?;
    // UNSURE(aws): invalid UTF-8 becomes U+FFFD, as Java's `new String(bytes, UTF_8)` does.
    Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
}

// UNSURE(aws): non-string data is an error (docs: "an object string"); algorithm names are
// case-sensitive.
fn hash(data: &str, algorithm: &str) -> Res {
    match hex_digest(data, algorithm) {
        Some(hex) => Ok(Value::String(hex)),
        None => Err(invalid(
            Func::Hash,
            format!("unsupported algorithm '{algorithm}'; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"),
        )),
    }
}

/// The lower-case hex digest of `data`'s UTF-8 bytes by one of AWS's algorithm names (MD5,
/// SHA-1, SHA-256, SHA-384, SHA-512): `States.Hash` and JSONata's `$hash` share it.
pub fn hex_digest(data: &str, algorithm: &str) -> Option<String> {
    use sha2::Digest;
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => md5::Md5::digest(bytes).to_vec(),
        "SHA-1" => sha1::Sha1::digest(bytes).to_vec(),
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        _ => return None,
    };
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Math and strings

/// Each argument rounded with Java `Math.round` (half up, toward +∞), then added (observed:
/// 1.49+1.5 → 3, 1.5+1.51 → 4, -1.5+0 → -1, -2.5+0 → -2).
// UNSURE(aws): arguments outside the Java int range are an error (docs: "integer values in the
// range of -2147483648 and 2147483647"); the sum itself is exact, not wrapped to 32 bits.
fn math_add(a: &Value, b: &Value) -> Res {
    let f = Func::MathAdd;
    let x = int32_arg(f, a, "first")?;
    let y = int32_arg(f, b, "second")?;
    Ok(Value::from(x + y))
}

fn int32_arg(f: Func, v: &Value, which: &str) -> Result<i64, Failure> {
    let n = rounded_int(f, v, which)?;
    if i32::try_from(n).is_err() {
        return Err(invalid(
            f,
            format!("the {which} argument {n} is outside the integer range [-2147483648, 2147483647]"),
        ));
    }
    Ok(n)
}

/// A random integer in `[start, end)`. With a seed: `java.util.Random(seed).nextInt(end - start)
/// + start`, so equal seeds give equal results.
// UNSURE(aws): that AWS draws with java.util.Random this way is a guess (the docs only promise
// identical numbers for identical seeds); start >= end is an error; a non-integer seed is
// rounded like the bounds.
fn math_random(start: &Value, end: &Value, seed: Option<&Value>, env: &mut dyn Env) -> Res {
    let f = Func::MathRandom;
    let lo = int32_arg(f, start, "first")?;
    let hi = int32_arg(f, end, "second")?;
    if lo >= hi {
        return Err(invalid(f, format!("the start ({lo}) must be less than the end ({hi})")));
    }
    let span = hi - lo;
    let offset = match seed {
        Some(s) => {
            let seed = rounded_int(f, s, "third")?;
            // UNSURE(aws): a span beyond Java's int range (nextInt's bound) is an error.
            let bound =
                i32::try_from(span).map_err(|_| invalid(f, format!("the range from {lo} to {hi} is too large")))?;
            i64::from(java::JavaRandom::new(seed).next_int_bounded(bound))
        }
        None => (env.random().next_u64() % span.unsigned_abs()) as i64,
    };
    Ok(Value::from(lo + offset))
}

/// Every character of `delims` separates; empty tokens are dropped (observed: `",,,,"` → `[]`).
fn string_split(s: &str, delims: &str) -> Value {
    let tokens = s.split(|c: char| delims.contains(c)).filter(|t| !t.is_empty()).map(|t| Value::String(t.to_string()));
    Value::Array(tokens.collect())
}
