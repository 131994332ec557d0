//! The data vocabulary shared by machines and inputs: every data path a machine reads names a
//! field of a "record" whose type is known, and [`crate::input`] makes records with those
//! fields. States mostly keep the record's shape (results go to fresh ResultPath fields), so a
//! path stays meaningful deep into a machine.

use serde_json::Value;

/// The type of a value a path, literal or intrinsic call yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Int,
    Num,
    Str,
    Bool,
    Null,
    /// A string in AWS's timestamp format.
    Ts,
    Arr,
    Obj,
    /// A string holding JSON text (for `States.StringToJson`).
    Json,
    /// A string holding base64 (for `States.Base64Decode`).
    B64,
    Any,
}

impl Ty {
    /// Does a value of type `self` serve where `want` is expected?
    pub fn fits(self, want: Ty) -> bool {
        match want {
            Ty::Any => true,
            Ty::Num => matches!(self, Ty::Int | Ty::Num),
            Ty::Str => matches!(self, Ty::Str | Ty::Json | Ty::B64 | Ty::Ts),
            _ => self == want,
        }
    }
}

/// Definite paths into a record, by type.
pub const DATA: &[(&str, Ty)] = &[
    ("$.num", Ty::Int),
    ("$.pos", Ty::Int),
    ("$.neg", Ty::Int),
    ("$.obj.n", Ty::Int),
    ("$.arr[0]", Ty::Int),
    ("$['num']", Ty::Int),
    ("$.flt", Ty::Num),
    ("$.str", Ty::Str),
    ("$.obj.k", Ty::Str),
    ("$.csv", Ty::Str),
    ("$.strs[1]", Ty::Str),
    ("$['obj']['k']", Ty::Str),
    ("$.flag", Ty::Bool),
    ("$.nul", Ty::Null),
    ("$.ts", Ty::Ts),
    ("$.arr", Ty::Arr),
    ("$.strs", Ty::Arr),
    ("$.items", Ty::Arr),
    ("$.obj", Ty::Obj),
    ("$.obj.deep", Ty::Obj),
    ("$.json", Ty::Json),
    ("$.b64", Ty::B64),
];

/// Paths that do not resolve in a record (absent key, index out of range).
pub const MISSING: &[&str] = &["$.nokey", "$.obj.nokey", "$.arr[9]", "$.items[7].num", "$.nul.x"];

/// Indefinite paths: they yield arrays and never fail.
pub const INDEFINITE: &[&str] = &[
    "$.items[*].num",
    "$.arr[1:3]",
    "$.strs[-1:]",
    "$.items[?(@.num > 1)]",
    "$.items[?(@.str == 'b')].num",
    "$..n",
    "$.obj.*",
    "$.items[*]",
];

/// Context-object paths valid in any state, by type.
pub const CONTEXT: &[(&str, Ty)] = &[
    ("$$.Execution.Input.num", Ty::Int),
    ("$$.Execution.Input", Ty::Obj),
    ("$$.Execution.Name", Ty::Str),
    ("$$.Execution.Id", Ty::Str),
    ("$$.Execution.StartTime", Ty::Ts),
    ("$$.State.Name", Ty::Str),
    ("$$.State.EnteredTime", Ty::Ts),
    ("$$.StateMachine.Name", Ty::Str),
];

/// Record fields: the key and its type (the definite paths above read these).
pub const FIELDS: &[(&str, Ty)] = &[
    ("num", Ty::Int),
    ("pos", Ty::Int),
    ("neg", Ty::Int),
    ("flt", Ty::Num),
    ("str", Ty::Str),
    ("csv", Ty::Str),
    ("flag", Ty::Bool),
    ("nul", Ty::Null),
    ("ts", Ty::Ts),
    ("arr", Ty::Arr),
    ("strs", Ty::Arr),
    ("obj", Ty::Obj),
    ("json", Ty::Json),
    ("b64", Ty::B64),
    ("items", Ty::Arr),
];

/// Custom error names scripted tasks throw and retriers/catchers name.
pub const ERRORS: &[&str] = &["E0", "E1", "E2", "Busy"];

/// Predefined error names a retrier or catcher may list (besides `States.ALL`).
pub const STATES_ERRORS: &[&str] = &[
    "States.TaskFailed",
    "States.Timeout",
    "States.Runtime",
    "States.IntrinsicFailure",
    "States.ResultPathMatchFailure",
    "States.NoChoiceMatched",
    "States.BranchFailed",
];

/// Writes a string as an intrinsic-call string literal, escaping what AWS reserves.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if matches!(c, '\'' | '{' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Writes a literal intrinsic argument (numbers, booleans, null, strings).
pub fn literal_arg(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        other => other.to_string(),
    }
}
