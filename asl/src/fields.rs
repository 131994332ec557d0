//! Reading a JSON object field by field while collecting schema diagnostics, so one pass over
//! a definition reports every problem with its location instead of stopping at the first.

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use serde_json::{Map, Value};

/// A JSON object being read, with the fields a reader has already consumed.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    pub at: Location,
    used: Vec<&'a str>,
}

impl<'a> Fields<'a> {
    /// Starts reading `v` as an object; reports and returns `None` when it is not one.
    pub fn new(v: &'a Value, at: &Location, what: &str, diags: &mut Diagnostics) -> Option<Self> {
        match v.as_object() {
            Some(map) => Some(Fields { map, at: at.clone(), used: Vec::new() }),
            None => {
                diags.push(Diagnostic::schema("type", format!("{what} must be a JSON object"), at));
                None
            }
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The raw value of a field without marking it as known.
    pub fn peek(&self, key: &str) -> Option<&'a Value> {
        self.get(key).map(|(_, v)| v)
    }

    fn get(&self, key: &str) -> Option<(&'a String, &'a Value)> {
        // A state has a handful of fields: comparing them beats hashing the key.
        if self.map.len() <= 8 {
            self.map.iter().find(|(k, _)| k.as_str() == key)
        } else {
            self.map.get_key_value(key)
        }
    }

    /// The raw value of a field, marking it as known.
    pub fn raw(&mut self, key: &str) -> Option<&'a Value> {
        let (k, v) = self.get(key)?;
        self.used.push(k.as_str());
        Some(v)
    }

    pub fn loc(&self, key: &str) -> Location {
        self.at.key(key)
    }

    pub fn string(&mut self, key: &str, diags: &mut Diagnostics) -> Option<String> {
        let v = self.raw(key)?;
        match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                diags.push(Diagnostic::schema("type", format!("The field '{key}' must be a string"), &self.loc(key)));
                None
            }
        }
    }

    pub fn required_string(&mut self, key: &str, diags: &mut Diagnostics) -> Option<String> {
        if !self.has(key) {
            self.missing(&[key], diags);
            return None;
        }
        self.string(key, diags)
    }

    pub fn bool(&mut self, key: &str, diags: &mut Diagnostics) -> Option<bool> {
        let v = self.raw(key)?;
        match v.as_bool() {
            Some(b) => Some(b),
            None => {
                diags.push(Diagnostic::schema("type", format!("The field '{key}' must be a boolean"), &self.loc(key)));
                None
            }
        }
    }

    /// A non-negative integer no larger than `max` (AWS rejects fractions such as `1.0`).
    pub fn integer(&mut self, key: &str, min: u64, max: u64, diags: &mut Diagnostics) -> Option<u64> {
        let v = self.raw(key)?;
        match v.as_u64() {
            Some(n) if n >= min && n <= max => Some(n),
            _ => {
                diags.push(Diagnostic::schema(
                    "integer-range",
                    format!("The field '{key}' must be an integer between {min} and {max}"),
                    &self.loc(key),
                ));
                None
            }
        }
    }

    pub fn number(&mut self, key: &str, diags: &mut Diagnostics) -> Option<f64> {
        let v = self.raw(key)?;
        match v.as_f64() {
            Some(n) => Some(n),
            None => {
                diags.push(Diagnostic::schema("type", format!("The field '{key}' must be a number"), &self.loc(key)));
                None
            }
        }
    }

    pub fn missing(&self, keys: &[&str], diags: &mut Diagnostics) {
        diags.push(Diagnostic::schema(
            "required-field",
            format!("These fields are required: [{}]", keys.join(", ")),
            &self.at,
        ));
    }

    /// Reports `X` and `XPath` (or any such group) given together.
    pub fn exclusive(&self, keys: &[&str], diags: &mut Diagnostics) -> bool {
        let present: Vec<&str> = keys.iter().copied().filter(|k| self.has(k)).collect();
        if present.len() > 1 {
            diags.push(Diagnostic::schema(
                "exclusive-fields",
                format!("These fields cannot be used together: [{}]", present.join(", ")),
                &self.at,
            ));
            return false;
        }
        true
    }

    /// Reports every field that no reader consumed.
    pub fn finish(self, diags: &mut Diagnostics) {
        for key in self.map.keys() {
            if !self.used.contains(&key.as_str()) {
                diags.push(Diagnostic::schema("unknown-field", format!("Field '{key}' is not supported"), &self.at));
            }
        }
    }
}
