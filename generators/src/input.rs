//! Inputs shaped to the paths machines read: a "record" has every field of
//! [`crate::vocab::FIELDS`] with a value of its type, and `items` holds records one level
//! smaller (what Map iterations read). At the miss rate a field is left out or given another
//! type, so paths that miss and type errors are reached from the input side too.

use crate::steps::Rng;
use crate::vocab::{self, Ty};
use arbitrary::Result;
use serde_json::{json, Map, Value};

const WORDS: &[&str] = &["a", "b", "hello", "x,y", "", "Zed", "l l"];

fn value_of(r: &mut Rng, ty: Ty) -> Result<Value> {
    Ok(match ty {
        Ty::Int => json!(r.range(0, 3)?),
        Ty::Num => r.pick(&[json!(1.5), json!(0.25), json!(-2.5), json!(3)], json!(1.5))?,
        Ty::Str | Ty::Any => json!(r.pick(WORDS, "a")?),
        Ty::Bool => json!(r.chance(50)?),
        Ty::Null => Value::Null,
        Ty::Ts => json!(r.pick(&["2024-01-01T00:00:00Z", "2016-03-14T01:59:00Z", "2030-06-01T12:00:00.5Z"], "")?),
        Ty::Arr => {
            let n = 4 + r.range(0, u32::from(r.cfg.max_items))?;
            Value::Array((0..n).map(|_| r.range(0, 3).map(|x| json!(x))).collect::<Result<_>>()?)
        }
        Ty::Obj => json!({"k": r.pick(WORDS, "a")?, "n": r.range(0, 5)?, "deep": {"x": 1, "n": [1, 2]}}),
        Ty::Json => json!(r.pick(&["{\"a\":1}", "[1,2]", "\"s\"", "{\"n\":{\"m\":true}}"], "1")?),
        Ty::B64 => json!(r.pick(&["aGVsbG8=", "", "eyJhIjoxfQ=="], "")?),
    })
}

/// A record nested `depth` levels (its `items` are records of depth - 1; at depth 0 `items` is
/// empty). At the miss rate one field is left out, and (again at the miss rate) one field has
/// another type.
pub(crate) fn record(r: &mut Rng, depth: u8) -> Result<Value> {
    let n = vocab::FIELDS.len();
    let drop = if r.chance(r.cfg.miss_rate)? { Some(r.below(n)?) } else { None };
    let retype = if r.chance(r.cfg.miss_rate)? { Some(r.below(n)?) } else { None };
    let mut m = Map::new();
    for (i, &(key, ty)) in vocab::FIELDS.iter().enumerate() {
        if drop == Some(i) {
            continue;
        }
        let ty = if retype == Some(i) { r.pick(&[Ty::Str, Ty::Int, Ty::Obj, Ty::Null], Ty::Str)? } else { ty };
        let v = match (key, ty) {
            ("pos", Ty::Int) => json!(r.range(1, 4)?),
            ("neg", Ty::Int) => json!(-(r.range(1, 4)? as i64)),
            ("strs", Ty::Arr) => {
                let n = 2 + r.range(0, u32::from(r.cfg.max_items))?;
                Value::Array((0..n).map(|_| r.pick(WORDS, "a").map(|w| json!(w))).collect::<Result<_>>()?)
            }
            ("items", Ty::Arr) if depth == 0 => json!([]),
            ("items", Ty::Arr) => {
                let n = r.range(0, u32::from(r.cfg.max_items))?;
                Value::Array((0..n).map(|_| record(r, depth - 1)).collect::<Result<_>>()?)
            }
            _ => value_of(r, ty)?,
        };
        m.insert(key.to_string(), v);
    }
    Ok(Value::Object(m))
}

/// A small value a scripted task returns: mostly a record-like object.
pub(crate) fn small_value(r: &mut Rng) -> Result<Value> {
    Ok(match r.below(5)? {
        0 | 1 => record(r, 0)?,
        2 => json!(r.range(0, 9)?),
        3 => json!(r.pick(WORDS, "a")?),
        _ => json!([{"num": 1}, {"num": 2}]),
    })
}
