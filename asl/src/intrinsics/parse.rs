//! The intrinsic call grammar:
//!
//! ```text
//! call    := "States." NAME "(" [ arg ( "," arg )* ] ")"
//! arg     := string | number | "true" | "false" | "null" | path | call
//! string  := "'" ( char | "\'" | "\{" | "\}" | "\\" )* "'"
//! number  := "-"? digits ( "." digits )? ( [eE] [+-]? digits )?
//! path    := "$" ... up to the next "," or ")" outside brackets, parentheses and quotes
//! ```
//!
//! Whitespace is allowed around arguments.

use serde_json::Value;

use super::eval::Template;
use super::{Arg, Call, Func, SyntaxError};
use crate::path::JsonPath;

/// AWS: "You can nest up to 10 intrinsic functions within a field".
// UNSURE(aws): read as nesting depth (the outermost call is level 1). The doc's example calls
// its 9 calls of depth 5 "nine nested intrinsic functions", so AWS may instead count all calls
// in the field. https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
pub const MAX_NESTING: usize = 10;

const PREFIX: &str = "States.";

pub(super) fn parse(src: &str) -> Result<Call, SyntaxError> {
    let mut p = Parser { src, pos: 0 };
    let call = p.call(1)?;
    p.skip_ws();
    if p.pos != src.len() {
        return Err(p.error("unexpected text after the closing ')'"));
    }
    Ok(call)
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn error(&self, what: &str) -> SyntaxError {
        SyntaxError {
            message: format!("invalid intrinsic function call '{}': {what} at offset {}", self.src, self.pos),
        }
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn call(&mut self, depth: usize) -> Result<Call, SyntaxError> {
        if depth > MAX_NESTING {
            return Err(self.error(&format!("intrinsic functions nested more than {MAX_NESTING} levels deep")));
        }
        let func = self.func_name()?;
        if !self.eat('(') {
            return Err(self.error(&format!("expected '(' after {}", func.name())));
        }
        let args = self.args(depth)?;
        check_arity(func, args.len()).map_err(|m| self.error(&m))?;
        let (args, template) = split_template(func, args);
        Ok(Call { func, args, template })
    }

    fn func_name(&mut self) -> Result<Func, SyntaxError> {
        if !self.rest().starts_with(PREFIX) {
            return Err(self.error("expected an intrinsic function name starting with 'States.'"));
        }
        let start = self.pos;
        let after_prefix = self.rest().get(PREFIX.len()..).unwrap_or("");
        let len = after_prefix.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(after_prefix.len());
        self.pos += PREFIX.len() + len;
        let name = self.src.get(start..self.pos).unwrap_or("");
        Func::from_name(name).ok_or_else(|| SyntaxError {
            message: format!("invalid intrinsic function call '{}': unknown function '{name}'", self.src),
        })
    }

    /// Arguments after the opening '(' up to and including the closing ')'.
    fn args(&mut self, depth: usize) -> Result<Vec<Parsed>, SyntaxError> {
        let mut args = Vec::new();
        self.skip_ws();
        if self.eat(')') {
            return Ok(args);
        }
        loop {
            self.skip_ws();
            args.push(self.arg(depth)?);
            self.skip_ws();
            if self.eat(',') {
                continue;
            }
            if self.eat(')') {
                return Ok(args);
            }
            return Err(self.error("expected ',' or ')'"));
        }
    }

    fn arg(&mut self, depth: usize) -> Result<Parsed, SyntaxError> {
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => self.path().map(|p| Parsed::Arg(Arg::Path(p))),
            Some('-' | '0'..='9') => self.number().map(|v| Parsed::Arg(Arg::Literal(v))),
            Some(_) if self.rest().starts_with(PREFIX) => {
                self.call(depth + 1).map(|c| Parsed::Arg(Arg::Call(Box::new(c))))
            }
            Some(c) if c.is_ascii_alphabetic() => self.keyword().map(|v| Parsed::Arg(Arg::Literal(v))),
            _ => Err(self.error("expected an argument")),
        }
    }

    /// A single-quoted string. Keeps the raw text too: `States.Format` reads escapes from it.
    fn string(&mut self) -> Result<Parsed, SyntaxError> {
        let body_start = self.pos + 1;
        let mut value = String::new();
        let mut chars = self.src.get(body_start..).unwrap_or("").char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\'' => {
                    let raw = self.src.get(body_start..body_start + i).unwrap_or("").to_string();
                    self.pos = body_start + i + 1;
                    return Ok(Parsed::Str { value, raw });
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('\'' | '{' | '}' | '\\'))) => value.push(e),
                    Some((j, e)) => {
                        self.pos = body_start + j;
                        return Err(self.error(&format!("illegal escape sequence '\\{e}' in a string literal")));
                    }
                    None => break,
                },
                _ => value.push(c),
            }
        }
        Err(self.error("unterminated string literal"))
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let rest = self.rest();
        let mut len = 0;
        for (i, c) in rest.char_indices() {
            let sign_ok = (c == '-' || c == '+') && (i == 0 || matches!(rest.as_bytes().get(i - 1), Some(b'e' | b'E')));
            if c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || sign_ok {
                len = i + 1;
            } else {
                break;
            }
        }
        let text = rest.get(..len).unwrap_or("");
        match serde_json::from_str::<Value>(text) {
            Ok(v @ Value::Number(_)) => {
                self.pos += len;
                Ok(v)
            }
            _ => Err(self.error(&format!("invalid number '{text}'"))),
        }
    }

    fn keyword(&mut self) -> Result<Value, SyntaxError> {
        let rest = self.rest();
        let len = rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '_').unwrap_or(rest.len());
        let value = match rest.get(..len).unwrap_or("") {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            other => return Err(self.error(&format!("unexpected '{other}'"))),
        };
        self.pos += len;
        Ok(value)
    }

    /// A path runs to the next ',' or ')' that is outside brackets, parentheses and quotes
    /// (so filters like `$[?(@.a == 'x,y')]` stay whole).
    fn path(&mut self) -> Result<JsonPath, SyntaxError> {
        let rest = self.rest();
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        let mut escaped = false;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                continue;
            }
            match c {
                '\'' | '"' => quote = Some(c),
                '[' | '(' => depth += 1,
                ']' | ')' if depth > 0 => depth -= 1,
                ',' | ')' => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let text = rest.get(..end).unwrap_or("").trim_end();
        let path = JsonPath::parse(text).map_err(|e| self.error(&format!("invalid path '{text}': {}", e.message)))?;
        self.pos += end;
        Ok(path)
    }
}

/// An argument as parsed: string literals keep their raw text for `States.Format` templates.
enum Parsed {
    Arg(Arg),
    Str { value: String, raw: String },
}

fn check_arity(func: Func, n: usize) -> Result<(), String> {
    let (min, max) = func.arity();
    let ok = n >= min && max.is_none_or(|m| n <= m);
    if ok {
        return Ok(());
    }
    let expected = match max {
        None => format!("at least {min}"),
        Some(m) if m == min => format!("{min}"),
        Some(m) => format!("{min} to {m}"),
    };
    Err(format!("{} takes {expected} argument(s) but was given {n}", func.name()))
}

/// Turns parsed arguments into `Arg`s, compiling a literal `States.Format` template.
fn split_template(func: Func, parsed: Vec<Parsed>) -> (Vec<Arg>, Option<Result<Template, String>>) {
    let mut template = None;
    let args = parsed
        .into_iter()
        .enumerate()
        .map(|(i, p)| match p {
            Parsed::Arg(a) => a,
            Parsed::Str { value, raw } => {
                if func == Func::Format && i == 0 {
                    template = Some(Template::compile(&raw));
                }
                Arg::Literal(Value::String(value))
            }
        })
        .collect();
    (args, template)
}
