//! The path compiler: turns path text into tokens once, following Jayway's `PathCompiler` and
//! `FilterCompiler` grammar (including its quirks, e.g. `$['a']b` reads as `$['a']['b']`).

use serde_json::Value;

use super::filter::{Expr, NumLit, Op, Operand, SubPath};

/// Most tokens one path may have (keeps evaluation recursion bounded).
const MAX_TOKENS: usize = 256;
/// Deepest nesting of filters, parentheses and `!` inside one path.
const MAX_NESTING: usize = 24;

/// One step of a compiled path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    /// `.a`, `['a']`, `["a"]` or `['a','b']`; `quote` is the delimiter used (for display).
    Property { names: Vec<String>, quote: char },
    /// `[0]`, `[-1]`, `[0,2]`.
    Index(Vec<i32>),
    /// `[1:3]`, `[:2]`, `[-2:]`.
    Slice { from: Option<i32>, to: Option<i32> },
    /// `.*` or `[*]`.
    Wildcard,
    /// `..`: recursive descent.
    Scan,
    /// `[?(...)]`.
    Filter(Box<Expr>),
}

/// Tokens plus what evaluation needs to know about them, computed once.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Compiled {
    pub(crate) tokens: Vec<Token>,
    /// Index of the first token that is not definite (`tokens.len()` when none): tokens before it
    /// are "upstream definite" in Jayway's sense.
    pub(crate) first_indefinite: usize,
    /// Only single names and single indexes: evaluated by a loop, without recursion.
    pub(crate) simple: bool,
}

impl Compiled {
    pub(crate) fn new(tokens: Vec<Token>) -> Compiled {
        let n = tokens.len();
        let first_indefinite = (0..n).find(|&i| !token_definite(&tokens, i)).unwrap_or(n);
        let simple = tokens.iter().all(|t| match t {
            Token::Property { names, .. } => names.len() == 1,
            Token::Index(ix) => ix.len() == 1,
            _ => false,
        });
        Compiled { tokens, first_indefinite, simple }
    }

    pub(crate) fn definite(&self) -> bool {
        self.first_indefinite == self.tokens.len()
    }
}

/// Jayway's `isTokenDefinite`: a multi-name property is definite only as the leaf (it is then
/// merged into one object).
pub(crate) fn token_definite(tokens: &[Token], i: usize) -> bool {
    match tokens.get(i) {
        Some(Token::Property { names, .. }) => names.len() == 1 || i + 1 == tokens.len(),
        Some(Token::Index(ix)) => ix.len() == 1,
        _ => false,
    }
}

/// Parses the part of a path after its root character (`$` or `@`), e.g. `.a[0]` in `$.a[0]`.
/// `chars` is the whole path text (root included) so that positions match Jayway's messages.
pub(crate) fn compile_after_root(chars: &[char], depth: usize) -> Result<Compiled, String> {
    let mut cur = Cursor { s: chars, pos: 1, depth };
    let tokens = cur.read_tokens()?;
    Ok(Compiled::new(tokens))
}

/// Checks shared by top-level and filter paths, then compiles. `chars[0]` is the root character.
fn compile_path(chars: &[char], depth: usize) -> Result<Compiled, String> {
    if chars.last() == Some(&'.') {
        return Err("Path must not end with a '.' or '..'".into());
    }
    if chars.len() > 1 && chars[1] != '.' && chars[1] != '[' {
        return Err("Illegal character at position 1 expected '.' or '['".into());
    }
    compile_after_root(chars, depth)
}

/// Validates the text after the root of a top-level path and compiles it.
pub(crate) fn compile_top(rest: &str) -> Result<Compiled, String> {
    let mut chars = Vec::with_capacity(rest.len() + 1);
    chars.push('$');
    chars.extend(rest.chars());
    compile_path(&chars, 0)
}

struct Cursor<'s> {
    s: &'s [char],
    pos: usize,
    depth: usize,
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

impl Cursor<'_> {
    fn at(&self, i: usize) -> Option<char> {
        self.s.get(i).copied()
    }

    fn cur(&self) -> Option<char> {
        self.at(self.pos)
    }

    /// Index of the first non-blank character after `from`.
    fn next_significant_index(&self, from: usize) -> Option<usize> {
        (from + 1..self.s.len()).find(|&i| !is_blank(self.s[i]))
    }

    fn next_significant(&self, from: usize) -> Option<char> {
        self.next_significant_index(from).and_then(|i| self.at(i))
    }

    fn nest(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err("Path nesting is too deep".into());
        }
        Ok(())
    }

    fn fail_at<T>(&self) -> Result<T, String> {
        Err(format!("Could not parse token starting at position {}", self.pos))
    }

    fn read_tokens(&mut self) -> Result<Vec<Token>, String> {
        let mut tokens = Vec::new();
        while let Some(c) = self.cur() {
            match c {
                '[' => {
                    let read = self.read_bracket_property(&mut tokens)?
                        || self.read_array(&mut tokens)?
                        || self.read_wildcard(&mut tokens)?
                        || self.read_filter(&mut tokens)?;
                    if !read {
                        return Err(format!(
                            "Could not parse token starting at position {}. Expected ?, ', 0-9, * ",
                            self.pos
                        ));
                    }
                }
                '.' => self.read_dot(&mut tokens)?,
                '*' => {
                    self.pos += 1;
                    tokens.push(Token::Wildcard);
                }
                _ => self.read_property_or_function(&mut tokens)?,
            }
            if tokens.len() > MAX_TOKENS {
                return Err(format!("Path has more than {MAX_TOKENS} tokens"));
            }
        }
        Ok(tokens)
    }

    /// `.` or `..`; what follows is read by the main loop.
    fn read_dot(&mut self, tokens: &mut Vec<Token>) -> Result<(), String> {
        if self.at(self.pos + 1) == Some('.') {
            tokens.push(Token::Scan);
            self.pos += 2;
        } else if self.pos + 1 >= self.s.len() {
            return Err("Path must not end with a '.".into());
        } else {
            self.pos += 1;
        }
        if self.cur() == Some('.') {
            return Err(format!("Character '.' on position {} is not valid.", self.pos));
        }
        if self.cur().is_none() {
            return Err("Path must not end with a '.' or '..'".into());
        }
        Ok(())
    }

    /// A dot-notation name: everything up to `.`, `[` or the end; a `(` makes it a function.
    fn read_property_or_function(&mut self, tokens: &mut Vec<Token>) -> Result<(), String> {
        if self.cur() == Some(' ') {
            return self.fail_at();
        }
        let start = self.pos;
        let mut end = self.s.len();
        for i in start..self.s.len() {
            match self.s[i] {
                ' ' => {
                    return Err(format!(
                        "Use bracket notion ['my prop'] if your property contains blank characters. position: {}",
                        self.pos
                    ))
                }
                '.' | '[' => {
                    end = i;
                    break;
                }
                '(' => {
                    let name: String = self.s[start..i].iter().collect();
                    // Jayway has functions (`length()`, `sum()`...); AWS does not support them.
                    return Err(format!("Path functions are not supported: '{name}()'"));
                }
                _ => {}
            }
        }
        let name: String = self.s[start..end].iter().collect();
        self.pos = end;
        tokens.push(Token::Property { names: vec![name], quote: '\'' });
        Ok(())
    }

    /// `['a']`, `["a"]`, `['a','b']`, with backslash escapes inside the quotes.
    fn read_bracket_property(&mut self, tokens: &mut Vec<Token>) -> Result<bool, String> {
        let quote = match self.next_significant(self.pos) {
            Some(q @ ('\'' | '"')) => q,
            _ => return Ok(false),
        };
        let mut names = Vec::new();
        let mut start = self.pos + 1;
        let mut end = 0;
        let mut in_prop = false;
        let mut in_escape = false;
        let mut last_was_comma = false;
        let mut i = self.pos + 1;
        while let Some(c) = self.at(i) {
            if in_escape {
                in_escape = false;
            } else if c == '\\' {
                in_escape = true;
            } else if c == ']' && !in_prop {
                if last_was_comma {
                    return Err(format!("Found empty property at index {i}"));
                }
                break;
            } else if c == quote {
                if in_prop {
                    let next = self.next_significant(i);
                    if next != Some(']') && next != Some(',') {
                        return Err(format!("Property must be separated by comma or Property must be terminated close square bracket at index {i}"));
                    }
                    end = i;
                    let raw: String = self.s[start..end].iter().collect();
                    names.push(unescape(&raw)?);
                    in_prop = false;
                } else {
                    start = i + 1;
                    in_prop = true;
                    last_was_comma = false;
                }
            } else if c == ',' && !in_prop {
                if last_was_comma {
                    return Err(format!("Found empty property at index {i}"));
                }
                last_was_comma = true;
            }
            i += 1;
        }
        if in_prop {
            return Err(format!("Property has not been closed - missing closing {quote}"));
        }
        let close = match self.next_significant_index(end) {
            Some(j) if self.s[j] == ']' => j,
            _ => return Err("Property has not been closed - missing closing ]".into()),
        };
        self.pos = close + 1;
        tokens.push(Token::Property { names, quote });
        Ok(true)
    }

    /// `[0]`, `[-1]`, `[0,2]`, `[1:3]`, `[:2]`, `[-2:]`.
    fn read_array(&mut self, tokens: &mut Vec<Token>) -> Result<bool, String> {
        match self.next_significant(self.pos) {
            Some(c) if c.is_ascii_digit() || c == '-' || c == ':' => {}
            _ => return Ok(false),
        }
        let begin = self.pos + 1;
        let Some(close) = (begin..self.s.len()).find(|&i| self.s[i] == ']') else {
            return Ok(false);
        };
        let expr: String = self.s[begin..close].iter().collect();
        let expr = expr.trim_matches(|c: char| c <= ' ');
        let valid = expr.chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '-' | ':' | ' '));
        if expr == "*" || !valid {
            return Ok(false);
        }
        let token = if expr.contains(':') { parse_slice(expr)? } else { parse_indexes(expr)? };
        tokens.push(token);
        self.pos = close + 1;
        Ok(true)
    }

    /// `[*]` (`.*` and a bare `*` are handled by the main loop).
    fn read_wildcard(&mut self, tokens: &mut Vec<Token>) -> Result<bool, String> {
        let Some(star) = self.next_significant_index(self.pos) else { return Ok(false) };
        if self.s[star] != '*' {
            return Ok(false);
        }
        match self.next_significant_index(star) {
            Some(close) if self.s[close] == ']' => {
                self.pos = close + 1;
                tokens.push(Token::Wildcard);
                Ok(true)
            }
            _ => Err(format!("Expected wildcard token to end with ']' on position {}", star + 1)),
        }
    }

    /// `[?( expression )]`.
    fn read_filter(&mut self, tokens: &mut Vec<Token>) -> Result<bool, String> {
        let Some(q) = self.next_significant_index(self.pos) else { return Ok(false) };
        if self.s[q] != '?' {
            return Ok(false);
        }
        let Some(open) = self.next_significant_index(q) else { return Ok(false) };
        if self.s[open] != '(' {
            return Ok(false);
        }
        self.nest()?;
        self.pos = open + 1;
        let expr = self.logical_or()?;
        self.expect_significant(')')?;
        self.expect_significant(']')?;
        self.depth -= 1;
        tokens.push(Token::Filter(Box::new(expr)));
        Ok(true)
    }

    fn skip_blanks(&mut self) {
        while self.cur().is_some_and(is_blank) {
            self.pos += 1;
        }
    }

    fn expect_significant(&mut self, c: char) -> Result<(), String> {
        self.skip_blanks();
        if self.cur() != Some(c) {
            return Err(format!("Expected character: {c}"));
        }
        self.pos += 1;
        Ok(())
    }

    /// Consumes `seq` after optional blanks if it is there.
    fn eat_significant(&mut self, seq: &str) -> bool {
        let save = self.pos;
        self.skip_blanks();
        let n = seq.chars().count();
        if self.s.len() >= self.pos + n && self.s[self.pos..self.pos + n].iter().copied().eq(seq.chars()) {
            self.pos += n;
            return true;
        }
        self.pos = save;
        false
    }

    fn logical_or(&mut self) -> Result<Expr, String> {
        let mut ops = vec![self.logical_and()?];
        while self.eat_significant("||") {
            ops.push(self.logical_and()?);
        }
        Ok(if ops.len() == 1 { ops.swap_remove(0) } else { Expr::Or(ops) })
    }

    fn logical_and(&mut self) -> Result<Expr, String> {
        let mut ops = vec![self.and_operand()?];
        while self.eat_significant("&&") {
            ops.push(self.and_operand()?);
        }
        Ok(if ops.len() == 1 { ops.swap_remove(0) } else { Expr::And(ops) })
    }

    fn and_operand(&mut self) -> Result<Expr, String> {
        self.skip_blanks();
        if self.cur() == Some('!') {
            let save = self.pos;
            self.pos += 1;
            self.skip_blanks();
            if matches!(self.cur(), Some('$' | '@')) {
                // `!@.a` is a negated existence check, read by `read_expression`.
                self.pos = save;
            } else {
                self.nest()?;
                let inner = self.and_operand()?;
                self.depth -= 1;
                return Ok(Expr::Not(Box::new(inner)));
            }
        }
        self.skip_blanks();
        if self.cur() == Some('(') {
            self.pos += 1;
            self.nest()?;
            let inner = self.logical_or()?;
            self.depth -= 1;
            self.expect_significant(')')?;
            return Ok(inner);
        }
        self.read_expression()
    }

    fn read_expression(&mut self) -> Result<Expr, String> {
        let (left, should_exist) = self.read_value()?;
        let save = self.pos;
        if let Some(op) = self.read_operator()? {
            let (right, _) = self.read_value()?;
            return Ok(Expr::Compare { left, op, right });
        }
        self.pos = save;
        match left {
            Operand::Path(path) => Ok(Expr::Exists { path, expect: should_exist }),
            _ => Err("Expected path node".into()),
        }
    }

    /// A relational operator, or `None` when the text there is not one (Jayway then reads an
    /// existence check).
    fn read_operator(&mut self) -> Result<Option<Op>, String> {
        self.skip_blanks();
        let begin = self.pos;
        let is_op_char = |c: char| matches!(c, '<' | '>' | '=' | '~' | '!');
        if self.cur().is_some_and(is_op_char) {
            while self.cur().is_some_and(is_op_char) {
                self.pos += 1;
            }
        } else {
            while self.cur().is_some_and(|c| c != ' ') && self.pos - begin < 16 {
                self.pos += 1;
            }
        }
        let text: String = self.s[begin..self.pos].iter().collect();
        let op = match text.to_ascii_uppercase().as_str() {
            "==" => Op::Eq,
            "!=" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "===" => Op::TsEq,
            "!==" => Op::TsNe,
            "IN" => Op::In,
            "NIN" => Op::Nin,
            "CONTAINS" => Op::Contains,
            "SIZE" => Op::Size,
            "EMPTY" => Op::Empty,
            "SUBSETOF" => Op::SubsetOf,
            "ANYOF" => Op::AnyOf,
            "NONEOF" => Op::NoneOf,
            // UNSURE(aws): Jayway also has `=~` (regex), `matches`, `all`, `type` and `exists`
            // operators; AWS accepts them if it hands the filter to Jayway. Regex needs a regex
            // engine this crate does not depend on, so they are rejected at parse time.
            "=~" | "MATCHES" | "ALL" | "TYPE" | "EXISTS" => {
                return Err(format!("Filter operator {text} is not supported"))
            }
            _ => return Ok(None),
        };
        Ok(Some(op))
    }

    /// A value; the flag is false for a path written `!@...` (a negated existence check).
    fn read_value(&mut self) -> Result<(Operand, bool), String> {
        self.skip_blanks();
        match self.cur() {
            Some('$' | '@') => Ok((Operand::Path(self.read_sub_path()?), true)),
            Some('!') => {
                self.pos += 1;
                self.skip_blanks();
                match self.cur() {
                    Some('$' | '@') => Ok((Operand::Path(self.read_sub_path()?), false)),
                    _ => Err("Unexpected character: !".into()),
                }
            }
            _ => Ok((self.read_literal()?, true)),
        }
    }

    /// A path inside a filter: it ends at a blank, a relational operator character or a `)`;
    /// bracketed parts are skipped whole.
    fn read_sub_path(&mut self) -> Result<SubPath, String> {
        let begin = self.pos;
        self.pos += 1;
        while let Some(c) = self.cur() {
            if c == '[' {
                let close =
                    self.matching_close(self.pos, '[', ']').ok_or("Square brackets does not match in filter")?;
                self.pos = close + 1;
                continue;
            }
            if matches!(c, '<' | '>' | '=' | '~' | '!' | ' ' | ')') {
                break;
            }
            self.pos += 1;
        }
        let text = &self.s[begin..self.pos];
        let from_root = text.first() == Some(&'$');
        self.nest()?;
        let compiled = compile_path(text, self.depth)?;
        self.depth -= 1;
        Ok(SubPath { from_root, compiled })
    }

    /// Index of the bracket closing the one at `open`, skipping quoted strings.
    fn matching_close(&self, open: usize, o: char, c: char) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = open;
        while let Some(ch) = self.at(i) {
            if ch == '\'' || ch == '"' {
                i = self.closing_quote(i)?;
            } else if ch == o {
                depth += 1;
            } else if ch == c {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            i += 1;
        }
        None
    }

    /// Index of the unescaped quote closing the one at `open`.
    fn closing_quote(&self, open: usize) -> Option<usize> {
        let q = self.at(open)?;
        let mut i = open + 1;
        while let Some(ch) = self.at(i) {
            if ch == '\\' {
                i += 2;
                continue;
            }
            if ch == q {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    fn read_literal(&mut self) -> Result<Operand, String> {
        match self.cur() {
            Some(q @ ('\'' | '"')) => {
                let close = self
                    .closing_quote(self.pos)
                    .ok_or_else(|| format!("String literal does not have matching quotes. Expected {q}"))?;
                let raw: String = self.s[self.pos + 1..close].iter().collect();
                self.pos = close + 1;
                Ok(Operand::Str(unescape(&raw)?))
            }
            Some('t') => self.read_word("true", Operand::Bool(true), "Expected boolean literal"),
            Some('f') => self.read_word("false", Operand::Bool(false), "Expected boolean literal"),
            Some('n') => self.read_word("null", Operand::Null, "Expected <null> value"),
            Some(o @ ('[' | '{')) => {
                let c = if o == '[' { ']' } else { '}' };
                let close = self.matching_close(self.pos, o, c).ok_or("String not closed. Expected ' in filter")?;
                let raw: String = self.s[self.pos..=close].iter().collect();
                self.pos = close + 1;
                Ok(Operand::Json(parse_json_literal(&raw)?))
            }
            Some('/') => Err("Regular expressions in filters are not supported".into()),
            _ => self.read_number(),
        }
    }

    fn read_word(&mut self, word: &str, value: Operand, err: &str) -> Result<Operand, String> {
        if self.eat_significant(word) {
            Ok(value)
        } else {
            Err(err.into())
        }
    }

    fn read_number(&mut self) -> Result<Operand, String> {
        let begin = self.pos;
        while self.cur().is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | 'E' | 'e')) {
            self.pos += 1;
        }
        let text: String = self.s[begin..self.pos].iter().collect();
        NumLit::parse(&text).map(Operand::Num).ok_or_else(|| {
            let near = self.cur().map(String::from).unwrap_or_default();
            format!("Failed to parse filter, error on position: {}, char: {near}", self.pos)
        })
    }
}

/// A JSON array/object literal in a filter. Jayway parses these with json-smart in permissive
/// mode, so single-quoted strings are accepted too.
fn parse_json_literal(raw: &str) -> Result<Value, String> {
    if let Ok(v) = serde_json::from_str(raw) {
        return Ok(v);
    }
    let mut converted = String::with_capacity(raw.len());
    let mut in_single = false;
    let mut in_double = false;
    let mut escape = false;
    for c in raw.chars() {
        if escape {
            escape = false;
            if in_single && c == '\'' {
                converted.pop();
            }
            converted.push(c);
            continue;
        }
        match c {
            '\\' if in_single || in_double => {
                escape = true;
                converted.push(c);
            }
            '\'' if !in_double => {
                in_single = !in_single;
                converted.push('"');
            }
            '"' if in_single => converted.push_str("\\\""),
            '"' => {
                in_double = !in_double;
                converted.push(c);
            }
            _ => converted.push(c),
        }
    }
    // UNSURE(aws): json-smart's permissive mode accepts more (unquoted strings...); only
    // strict JSON and single-quoted strings are supported here.
    serde_json::from_str(&converted).map_err(|_| format!("Invalid JSON literal in filter: {raw}"))
}

fn parse_int(s: &str, what: &str) -> Result<i32, String> {
    s.parse::<i32>().map_err(|_| format!("Failed to parse token in {what}: {s}"))
}

/// Index list, like Jayway's `ArrayIndexOperation.parse` (tokens split on commas with blanks).
fn parse_indexes(expr: &str) -> Result<Token, String> {
    let mut out = Vec::new();
    for part in expr.split(',') {
        out.push(parse_int(part.trim_matches(is_blank), "ArrayIndexOperation")?);
    }
    Ok(Token::Index(out))
}

/// Slice, like Jayway's `ArraySliceOperation.parse`: Java's `split(":")` drops trailing empty
/// parts and anything after the second part (a step) is ignored.
fn parse_slice(expr: &str) -> Result<Token, String> {
    if expr.contains(' ') {
        return Err(format!("Failed to parse SliceOperation: {expr}"));
    }
    let mut parts: Vec<&str> = expr.split(':').collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    let read = |i: usize| -> Result<Option<i32>, String> {
        match parts.get(i) {
            None | Some(&"") => Ok(None),
            Some(s) => parse_int(s, "SliceOperation").map(Some),
        }
    };
    let (from, to) = (read(0)?, read(1)?);
    if from.is_none() && to.is_none() {
        return Err(format!("Failed to parse SliceOperation: {expr}"));
    }
    Ok(Token::Slice { from, to })
}

/// Jayway's `Utils.unescape`: Java-style backslash escapes, including `\uXXXX`.
pub(crate) fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    let mut pending_high: Option<u16> = None;
    while let Some(c) = chars.next() {
        if c != '\\' {
            flush_surrogate(&mut out, &mut pending_high);
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            flush_surrogate(&mut out, &mut pending_high);
            out.push('\\');
            break;
        };
        if e == 'u' {
            let hex: String = chars.by_ref().take(4).collect();
            let unit = u16::from_str_radix(&hex, 16).map_err(|_| format!("Unable to parse unicode value: {hex}"))?;
            push_utf16(&mut out, &mut pending_high, unit);
            continue;
        }
        flush_surrogate(&mut out, &mut pending_high);
        out.push(match e {
            'r' => '\r',
            'f' => '\u{c}',
            't' => '\t',
            'n' => '\n',
            'b' => '\u{8}',
            other => other,
        });
    }
    flush_surrogate(&mut out, &mut pending_high);
    Ok(out)
}

/// Java strings are UTF-16: `\uD83D\uDE00` is one character.
fn push_utf16(out: &mut String, pending_high: &mut Option<u16>, unit: u16) {
    if let Some(high) = pending_high.take() {
        if (0xDC00..0xE000).contains(&unit) {
            let cp = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
            return;
        }
        out.push('\u{FFFD}');
    }
    if (0xD800..0xDC00).contains(&unit) {
        *pending_high = Some(unit);
    } else {
        out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
    }
}

fn flush_surrogate(out: &mut String, pending_high: &mut Option<u16>) {
    if pending_high.take().is_some() {
        // UNSURE(aws): a lone surrogate has no UTF-8 form; Java would keep it in the string.
        out.push('\u{FFFD}');
    }
}
