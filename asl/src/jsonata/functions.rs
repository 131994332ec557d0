//! The functions AWS adds to JSONata, and the built-ins it replaces or removes
//! (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html, "JSONata
//! functions provided by Step Functions").

use super::engine::{Error, Function};
use crate::intrinsics::java::JavaRandom;
use crate::random::SeededRandom;
use serde_json::{Number, Value};
use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

/// Names an expression may call that need the run's random source.
pub const RANDOM_NAMES: [&str; 2] = ["random", "uuid"];

/// The functions bound into every evaluation: `$partition`, `$range`, `$hash`, `$parse`,
/// `$random`, `$uuid`, `$base64decode` as AWS has it, and `$eval` removed (calling it is
/// T1006 on AWS). One table for the whole process, so evaluators can convert it once.
pub fn aws_functions() -> &'static [(&'static str, Option<Function>)] {
    static TABLE: OnceLock<Vec<(&'static str, Option<Function>)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        vec![
            ("eval", None),
            ("partition", Some(function("<an:a>", partition))),
            ("range", Some(function("<nnn:a>", range))),
            ("hash", Some(function("<ss:s>", hash))),
            ("parse", Some(function("<s:j>", parse))),
            ("base64decode", Some(function("<s-:s>", base64decode))),
            ("random", Some(function("<n?:n>", random))),
            ("uuid", Some(function("<:s>", uuid))),
        ]
    })
}

thread_local! {
    /// The random source of the evaluation running on this thread (see [`with_random`]).
    static RANDOM: RefCell<Option<SeededRandom>> = const { RefCell::new(None) };
}

/// Runs an evaluation whose unseeded `$random()` and `$uuid()` draw from `rng`. The caller
/// draws `rng` from the run's seeded source only for expressions that call them, so other
/// expressions leave the run's sequence untouched; evaluations are synchronous, so a
/// thread-local slot is the evaluation's own.
pub fn with_random<R>(rng: Option<SeededRandom>, f: impl FnOnce() -> R) -> R {
    let previous = RANDOM.with(|slot| slot.replace(rng));
    let out = f();
    RANDOM.with(|slot| *slot.borrow_mut() = previous);
    out
}

fn draw<R>(f: impl FnOnce(&mut SeededRandom) -> R) -> R {
    RANDOM.with(|slot| f(slot.borrow_mut().get_or_insert_with(|| SeededRandom::new(0))))
}

/// `$uuid()`: a version-4 UUID from the run's seeded source.
fn uuid(_: &[Option<Value>]) -> Result<Option<Value>, Error> {
    Ok(Some(Value::String(draw(SeededRandom::uuid_v4))))
}

fn function(
    signature: &'static str,
    body: impl Fn(&[Option<Value>]) -> Result<Option<Value>, Error> + Send + Sync + 'static,
) -> Function {
    Function { signature, body: Arc::new(body) }
}

/// An argument error in JSONata's own code for a bad argument (D3xxx are function errors).
fn bad_argument(function: &str, message: &str) -> Error {
    // UNSURE(aws): the code and text AWS gives when its own functions reject an argument.
    Error::new("D3000", format!("${function}: {message}"))
}

/// A number argument truncated toward zero, as AWS's functions read their integer arguments
/// (`$range(-1.7, 2, 1)` starts at -1, `$partition(xs, 2.9)` makes pairs: measured on AWS,
/// https://github.com/floci-io/floci/pull/2676).
fn truncated(v: Option<&Option<Value>>) -> Option<f64> {
    v?.as_ref()?.as_f64().map(f64::trunc)
}

/// What a function's list of results becomes in JSONata: a sequence, so an empty one is
/// undefined and a single item stands alone (observed on AWS: `$range(1, 9, 9)` is `1`).
fn sequence(items: Vec<Value>) -> Option<Value> {
    match items.len() {
        0 => None,
        1 => items.into_iter().next(),
        _ => Some(Value::Array(items)),
    }
}

/// `$partition(array, size)`: consecutive chunks of `size` items; the last may be shorter.
fn partition(args: &[Option<Value>]) -> Result<Option<Value>, Error> {
    let Some(Some(Value::Array(items))) = args.first() else { return Ok(None) };
    let size = truncated(args.get(1))
        .filter(|n| *n >= 1.0)
        .ok_or_else(|| bad_argument("partition", "the chunk size must be a positive integer"))?;
    let size = if size >= usize::MAX as f64 { usize::MAX } else { size as usize };
    Ok(Some(Value::Array(items.chunks(size).map(|c| Value::Array(c.to_vec())).collect())))
}

/// `$range(start, end, step)`: from `start` by `step` while not past `end`, which is included
/// when a step lands on it; a zero step, or one pointing away from `end`, gives nothing
/// (measured on AWS: the field then fails as undefined, floci pull 2676). Arguments are
/// truncated to integers.
fn range(args: &[Option<Value>]) -> Result<Option<Value>, Error> {
    let (Some(start), Some(end), Some(step)) =
        (truncated(args.first()), truncated(args.get(1)), truncated(args.get(2)))
    else {
        return Err(bad_argument("range", "start, end and step must be numbers"));
    };
    let mut out = Vec::new();
    if step == 0.0 || (step > 0.0 && start > end) || (step < 0.0 && start < end) {
        return Ok(None);
    }
    // UNSURE(aws): AWS's cap on the number of items; the evaluator's array limit applies here.
    const MAX_ITEMS: usize = 500_000;
    let mut i = 0u64;
    loop {
        let v = start + step * i as f64;
        if (step > 0.0 && v > end) || (step < 0.0 && v < end) {
            break;
        }
        if out.len() >= MAX_ITEMS {
            return Err(Error::new("D2014", "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate more."));
        }
        out.push(number(v));
        i += 1;
    }
    Ok(sequence(out))
}

/// A JSON number, integral when it is one (JSONata prints `2`, not `2.0`).
pub fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
        Value::Number(Number::from(v as i64))
    } else {
        Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

/// `$hash(data, algorithm)`: the lower-case hex digest of the string's UTF-8 bytes.
fn hash(args: &[Option<Value>]) -> Result<Option<Value>, Error> {
    let (Some(Some(Value::String(data))), Some(Some(Value::String(alg)))) = (args.first(), args.get(1)) else {
        return Ok(None);
    };
    match crate::intrinsics::hex_digest(data, alg) {
        Some(hex) => Ok(Some(Value::String(hex))),
        None => Err(bad_argument("hash", "the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512")),
    }
}

/// `$parse(text)`: the JSON value a string holds (AWS's replacement for `$eval`).
fn parse(args: &[Option<Value>]) -> Result<Option<Value>, Error> {
    let Some(Some(Value::String(text))) = args.first() else { return Ok(None) };
    serde_json::from_str(text)
        .map(Some)
        // UNSURE(aws): the code and text of `$parse` on a string that is not JSON.
        .map_err(|e| bad_argument("parse", &format!("the argument is not valid JSON ({e})")))
}

/// `$base64decode(text)`: AWS decodes strictly (`$base64decode("!!!")` fails on AWS, where
/// jsonata-js decodes leniently: asl-features 9.4, floci issue 2736).
// UNSURE(aws): AWS's cause says "threw an internal error during evaluation." followed by a
// random id; we give the JSONata-style error.
fn base64decode(args: &[Option<Value>]) -> Result<Option<Value>, Error> {
    use base64::Engine;
    let Some(Some(Value::String(text))) = args.first() else { return Ok(None) };
    let engines = [base64::engine::general_purpose::STANDARD, base64::engine::general_purpose::STANDARD_NO_PAD];
    let bytes = engines.iter().find_map(|e| e.decode(text).ok());
    match bytes {
        Some(b) => Ok(Some(Value::String(String::from_utf8_lossy(&b).into_owned()))),
        None => Err(bad_argument("base64decode", "the argument is not valid base64")),
    }
}

/// `$random([seed])`: `java.util.Random(seed).nextDouble()` when seeded (observed on AWS:
/// `$random(42)` = 0.7275636800328681); otherwise from the run's seeded source.
fn random(args: &[Option<Value>]) -> Result<Option<Value>, Error> {
    match args.first().and_then(|a| a.as_ref()) {
        Some(seed) => {
            let seed = seed
                .as_f64()
                .filter(|s| s.fract() == 0.0)
                .ok_or_else(|| bad_argument("random", "the seed must be an integer"))?;
            Ok(Some(number(JavaRandom::new(seed as i64).next_double())))
        }
        None => Ok(Some(number(draw(SeededRandom::next_f64)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    type Body = fn(&[Option<Value>]) -> Result<Option<Value>, Error>;

    fn call(f: Body, args: Value) -> Option<Value> {
        let args: Vec<Option<Value>> = args.as_array().unwrap().iter().cloned().map(Some).collect();
        f(&args).unwrap()
    }

    #[test]
    fn range_includes_an_end_it_lands_on() {
        assert_eq!(call(range, json!([0, 6, 2])), Some(json!([0, 2, 4, 6])));
        assert_eq!(call(range, json!([0, 5, 2])), Some(json!([0, 2, 4])));
        assert_eq!(call(range, json!([1, -2, -1])), Some(json!([1, 0, -1, -2])));
        assert_eq!(call(range, json!([1, 9, 0])), None);
        assert_eq!(call(range, json!([5, 1, 1])), None);
        assert_eq!(call(range, json!([1, 9, 9])), Some(json!(1)));
        assert_eq!(call(range, json!([-1.7, 2, 1])), Some(json!([-1, 0, 1, 2])));
    }

    #[test]
    fn partition_chunks() {
        assert_eq!(call(partition, json!([[1, 2, 3, 4, 5], 2])), Some(json!([[1, 2], [3, 4], [5]])));
        assert_eq!(call(partition, json!([[], 2])), Some(json!([])));
        assert_eq!(call(partition, json!([[1, 2], 5])), Some(json!([[1, 2]])));
        assert!(partition(&[Some(json!([1])), Some(json!(0))]).is_err());
        assert_eq!(call(partition, json!([[1, 2, 3, 4, 5], 2.9])), Some(json!([[1, 2], [3, 4], [5]])));
    }

    #[test]
    fn seeded_random_is_javas_next_double() {
        assert_eq!(random(&[Some(json!(42))]).unwrap(), Some(json!(0.7275636800328681)));
    }

    #[test]
    fn hash_and_parse() {
        assert_eq!(
            call(hash, json!(["abc", "SHA-256"])),
            Some(json!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        );
        assert_eq!(call(parse, json!(["{\"a\":[1,2]}"])), Some(json!({"a": [1, 2]})));
    }
}
