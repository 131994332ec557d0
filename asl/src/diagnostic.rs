//! Definition diagnostics: what CreateStateMachine / ValidateStateMachineDefinition reject.
//!
//! Each diagnostic carries AWS's own code (`SCHEMA_VALIDATION_FAILED`,
//! `MISSING_TRANSITION_TARGET`, ...) so corpus cases can assert it, a finer stable `rule` id of
//! ours, a message, and the location both as an RFC 6901 JSON pointer and in AWS's notation
//! (`/States/C/Choices[0]/Next`).

use serde::Serialize;
use std::sync::Arc;

/// AWS's diagnostic codes, plus `UNSUPPORTED_FEATURE` for what this interpreter does not run yet.
pub mod codes {
    pub const SCHEMA_VALIDATION_FAILED: &str = "SCHEMA_VALIDATION_FAILED";
    pub const INVALID_JSON_DESCRIPTION: &str = "INVALID_JSON_DESCRIPTION";
    pub const MISSING_TRANSITION_TARGET: &str = "MISSING_TRANSITION_TARGET";
    pub const MISSING_END_STATE: &str = "MISSING_END_STATE";
    pub const DUPLICATE_STATE_NAME: &str = "DUPLICATE_STATE_NAME";
    /// A state name over 80 characters (CreateStateMachine, quoted in asl-validator#69 and
    /// cfn-lint#4079).
    pub const INVALID_STATE_NAME: &str = "INVALID_STATE_NAME";
    /// A JSONata expression that does not parse: the parser's message at the field (observed
    /// on AWS: `INVALID_JSONATA_EXPRESSION: Unexpected end of expression at /States/Main/Output`,
    /// https://github.com/floci-io/floci/issues/2745).
    pub const INVALID_JSONATA_EXPRESSION: &str = "INVALID_JSONATA_EXPRESSION";
    /// A JSONata expression that reads a field of the (absent) context at its top level
    /// (observed: `Reference to 'phone' at the top level is not supported.`,
    /// https://github.com/floci-io/floci/issues/2670).
    pub const UNSUPPORTED_JSONATA_EXPRESSION: &str = "UNSUPPORTED_JSONATA_EXPRESSION";
    /// Not an AWS code: the definition may be valid on AWS but uses a feature we do not run.
    pub const UNSUPPORTED_FEATURE: &str = "UNSUPPORTED_FEATURE";
}

/// One segment of a location inside a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A location inside a definition, e.g. `States` / `C` / `Choices` / 0 / `Next`.
///
/// Every state of a parsed machine keeps its location, and the parser derives one per field
/// it reads, so a location shares its parent instead of copying it: extending one is a single
/// allocation, cloning one a reference count.
#[derive(Clone, Default)]
pub struct Location(Option<Arc<Link>>);

struct Link {
    parent: Location,
    seg: Seg,
}

impl Location {
    pub fn root() -> Self {
        Location(None)
    }

    pub fn key(&self, key: &str) -> Self {
        self.child(Seg::Key(key.to_string()))
    }

    pub fn index(&self, index: usize) -> Self {
        self.child(Seg::Index(index))
    }

    fn child(&self, seg: Seg) -> Self {
        Location(Some(Arc::new(Link { parent: self.clone(), seg })))
    }

    /// The segments from the root down.
    pub fn segments(&self) -> Vec<&Seg> {
        let mut segs = Vec::new();
        let mut at = self;
        while let Some(link) = &at.0 {
            segs.push(&link.seg);
            at = &link.parent;
        }
        segs.reverse();
        segs
    }

    /// RFC 6901 JSON pointer: `/States/C/Choices/0/Next`.
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for seg in self.segments() {
            out.push('/');
            match seg {
                Seg::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
                Seg::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }

    /// AWS's notation: `/States/C/Choices[0]/Next`; `/` for the root.
    pub fn aws(&self) -> String {
        let mut out = String::new();
        for seg in self.segments() {
            match seg {
                Seg::Key(k) => {
                    out.push('/');
                    out.push_str(k);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        if out.is_empty() {
            out.push('/');
        }
        out
    }
}

impl PartialEq for Location {
    fn eq(&self, other: &Self) -> bool {
        self.segments() == other.segments()
    }
}

impl Eq for Location {}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Location").field(&self.segments()).finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// AWS's code (see [`codes`]).
    pub code: &'static str,
    /// Our stable, finer-grained rule id, e.g. `next-and-end`.
    pub rule: &'static str,
    pub message: String,
    /// RFC 6901 pointer into the definition; `None` where AWS gives no location.
    pub pointer: Option<String>,
    /// The same location in AWS's notation.
    pub location: Option<String>,
    /// More than AWS says, where we know more (e.g. the parser's complaint about a path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Diagnostic {
    pub fn new(code: &'static str, rule: &'static str, message: impl Into<String>, at: &Location) -> Self {
        Diagnostic {
            code,
            rule,
            message: message.into(),
            pointer: Some(at.pointer()),
            location: Some(at.aws()),
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A schema error (`SCHEMA_VALIDATION_FAILED`) at a location.
    pub fn schema(rule: &'static str, message: impl Into<String>, at: &Location) -> Self {
        Diagnostic::new(codes::SCHEMA_VALIDATION_FAILED, rule, message, at)
    }

    pub fn without_location(mut self) -> Self {
        self.pointer = None;
        self.location = None;
        self
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{}: {} at {} [{}]", self.code, self.message, loc, self.rule)?,
            None => write!(f, "{}: {} [{}]", self.code, self.message, self.rule)?,
        }
        match &self.detail {
            Some(d) => write!(f, " ({d})"),
            None => Ok(()),
        }
    }
}

/// A sink that parsers push diagnostics into, so one pass reports every problem at once.
pub type Diagnostics = Vec<Diagnostic>;
