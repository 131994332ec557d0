//! How Jayway (running on the JVM with a Jackson-style provider) names and prints values in its
//! error messages: Java class names and `toString()` forms (`{a=1, b=[x, y]}`).

use serde_json::Value;

/// Deepest nesting printed; deeper values are elided (messages only, keeps recursion bounded).
const MAX_PRINT_DEPTH: usize = 64;

// UNSURE(aws): the JsonProvider AWS configures is not documented. States.Format prints objects as
// Java `Map.toString()`, which points to plain `java.util` collections (JacksonJsonProvider).
pub(crate) const PROVIDER_CLASS: &str = "com.jayway.jsonpath.spi.json.JacksonJsonProvider";

/// The Java class Jackson maps a JSON value to.
pub(crate) fn class_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "java.lang.Boolean",
        Value::String(_) => "java.lang.String",
        Value::Array(_) => "java.util.ArrayList",
        Value::Object(_) => "java.util.LinkedHashMap",
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i32::try_from(i).is_ok() {
                    "java.lang.Integer"
                } else {
                    "java.lang.Long"
                }
            } else if n.as_u64().is_some() {
                "java.math.BigInteger"
            } else {
                "java.lang.Double"
            }
        }
    }
}

/// Java's `toString()` of the value Jackson maps `v` to.
pub(crate) fn to_java_string(v: &Value) -> String {
    let mut out = String::new();
    write_java(v, &mut out, 0);
    out
}

fn write_java(v: &Value, out: &mut String, depth: usize) {
    if depth > MAX_PRINT_DEPTH {
        out.push_str("...");
        return;
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_string(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_java(e, out, depth + 1);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, e)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                write_java(e, out, depth + 1);
            }
            out.push('}');
        }
    }
}

/// Java's text for a number: integers as digits, floating point as `Double.toString` (the one
/// printer, shared with the intrinsics).
pub(crate) use crate::intrinsics::java::number_to_string as number_string;
