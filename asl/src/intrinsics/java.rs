//! Java behaviour that AWS's intrinsic implementation (Java, Jackson) exposes: `Math.round`,
//! `Double.toString`, `Object.toString` of JSON converted to Java maps and lists, Jackson's
//! compact JSON writer, and `java.util.Random`.

use std::fmt::Write;

use serde_json::{Number, Value};

/// Java `Math.round(double)`: the closest integer, ties toward positive infinity
/// (`floor(x + 0.5)` computed exactly); NaN gives 0, out-of-range values saturate.
pub fn math_round(x: f64) -> i64 {
    if x.is_nan() {
        return 0;
    }
    let floor = x.floor();
    // `x - floor` is exact for |x| >= 1 and close enough below (see tests for the edge values).
    let r = if x - floor >= 0.5 { floor + 1.0 } else { floor };
    r as i64 // `as` saturates, like Java's long conversion
}

/// Java `Double.toString(double)`: shortest round-trip digits, plain notation for magnitudes in
/// `[1e-3, 1e7)` (always with a fractional part, `1.0`), otherwise `d.dddE±n` (`1.0E-4`).
// UNSURE(aws): JDKs before 19 sometimes printed a non-shortest digit string (JDK-4511638).
pub fn double_to_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let sci = format!("{:e}", x.abs()); // shortest digits, e.g. "1.2345e-5"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::with_capacity(digits.len() + 8);
    if x < 0.0 {
        out.push('-');
    }
    let (first, rest) = digits.split_at(1.min(digits.len()));
    if (1e-3..1e7).contains(&x.abs()) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                let (int, frac) = digits.split_at(int_len);
                let _ = write!(out, "{int}.{frac}");
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        let frac = if rest.is_empty() { "0" } else { rest };
        let _ = write!(out, "{first}.{frac}E{exp}");
    }
    out
}

/// How Java prints a JSON number once Jackson has turned it into an `Integer`/`Long` (integers)
/// or a `Double` (anything with a fraction or exponent).
pub fn number_to_string(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        double_to_string(n.as_f64().unwrap_or(0.0))
    }
}

/// `String.valueOf` of a JSON value converted to plain Java objects: strings raw, `null`,
/// numbers as Java prints them, lists as `[a, b]`, maps as `{k=v, k2=v2}` (observed:
/// `{"Arg1": 1, "Arg2": []}` renders `{Arg1=1, Arg2=[]}`). This is what `States.Format` inserts.
// UNSURE(aws): only the object case above is observed; arrays, nested values, booleans follow
// Java's List/Map toString.
pub fn write_to_string(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_to_string(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_to_string(out, x);
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                write_to_string(out, x);
            }
            out.push('}');
        }
    }
}

pub fn to_string(v: &Value) -> String {
    let mut s = String::new();
    write_to_string(&mut s, v);
    s
}

/// Compact JSON as Jackson writes it: no spaces, doubles via `Double.toString`, control
/// characters escaped as `\b \t \n \f \r` or `\u00XX` (upper-case hex), nothing else escaped
/// but `"` and `\`.
// UNSURE(aws): assumes Jackson's defaults (floats as Double, not BigDecimal).
pub fn jackson_compact(v: &Value) -> String {
    let mut out = String::new();
    write_jackson(&mut out, v);
    out
}

fn write_jackson(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_to_string(n)),
        Value::String(s) => write_json_string(out, s),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_jackson(out, x);
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, k);
                out.push(':');
                write_jackson(out, x);
            }
            out.push('}');
        }
    }
}

fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `java.util.Random`: the 48-bit linear congruential generator the Java spec prescribes.
pub struct JavaRandom {
    seed: i64,
}

impl JavaRandom {
    const MULTIPLIER: i64 = 0x5_DEEC_E66D;
    const ADDEND: i64 = 0xB;
    const MASK: i64 = (1 << 48) - 1;

    /// `new Random(seed)`.
    pub fn new(seed: i64) -> Self {
        JavaRandom { seed: (seed ^ Self::MULTIPLIER) & Self::MASK }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.seed = self.seed.wrapping_mul(Self::MULTIPLIER).wrapping_add(Self::ADDEND) & Self::MASK;
        // The state is 48 bits and non-negative, so `>>` equals Java's `>>>`; the cast keeps the
        // low 32 bits like Java's `(int)`.
        (self.seed >> (48 - bits)) as i32
    }

    /// `nextDouble()`: 53 random bits in `[0, 1)` (JSONata's seeded `$random` on AWS).
    pub fn next_double(&mut self) -> f64 {
        let high = i64::from(self.next(26)) << 27;
        let low = i64::from(self.next(27));
        (high + low) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `nextInt()`.
    pub fn next_int(&mut self) -> i32 {
        self.next(32)
    }

    /// `nextInt(bound)` for `bound > 0` (a non-positive bound gives 0 instead of Java's
    /// IllegalArgumentException; callers check).
    pub fn next_int_bounded(&mut self, bound: i32) -> i32 {
        if bound <= 0 {
            return 0;
        }
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            return ((i64::from(bound) * i64::from(r)) >> 31) as i32;
        }
        // Java loops until the draw is unbiased; each retry happens with probability < 1/2, so
        // the cap is never reached in practice but keeps the loop bounded.
        let mut u = r;
        for _ in 0..64 {
            r = u % bound;
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                break;
            }
            u = self.next(31);
        }
        r
    }
}
