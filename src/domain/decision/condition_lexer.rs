//! The matrix condition lexer: tokens with their byte spans, numbers scaled by their
//! unit (`5%` = 0.05, `500ms` = 0.5). See [`super::parser`] for the grammar.

use super::condition::{ArithOp, CmpOp, Span};
use super::condition_error::ConditionError;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Number(f64),
    Ident(String),
    And,
    Or,
    Not,
    Cmp(CmpOp),
    Arith(ArithOp),
    LParen,
    RParen,
    Comma,
    End,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) kind: Tok,
    pub(super) span: Span,
}

pub(super) fn describe(t: &Token, src: &str) -> String {
    match t.kind {
        Tok::End => "the end of the condition".into(),
        _ => format!("`{}`", src.get(t.span.start..t.span.end).unwrap_or("?")),
    }
}

pub(super) fn lex(src: &str) -> Result<Vec<Token>, ConditionError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let c = match src[i..].chars().next() {
            Some(c) => c,
            None => break,
        };
        let start = i;
        let two = src.get(i..i + 2).unwrap_or("");
        let tok = |kind, len: usize| Token {
            kind,
            span: Span {
                start,
                end: start + len,
            },
        };
        let (token, len) = match c {
            c if c.is_whitespace() => {
                i += c.len_utf8();
                continue;
            }
            '0'..='9' | '.' => {
                let (value, len) = lex_number(src, i)?;
                (tok(Tok::Number(value), len), len)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let len = src[i..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(src.len() - i);
                let word = &src[i..i + len];
                let kind = match word.to_ascii_lowercase().as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    _ => Tok::Ident(word.to_string()),
                };
                (tok(kind, len), len)
            }
            _ if two == ">=" => (tok(Tok::Cmp(CmpOp::Ge), 2), 2),
            _ if two == "<=" => (tok(Tok::Cmp(CmpOp::Le), 2), 2),
            _ if two == "==" => (tok(Tok::Cmp(CmpOp::Eq), 2), 2),
            _ if two == "!=" || two == "<>" => (tok(Tok::Cmp(CmpOp::Ne), 2), 2),
            _ if two == "&&" => (tok(Tok::And, 2), 2),
            _ if two == "||" => (tok(Tok::Or, 2), 2),
            _ if two == "=>" || two == "=<" => {
                return Err(
                    ConditionError::new(i, format!("`{two}` is not an operator"))
                        .hint(if two == "=>" { "use `>=`" } else { "use `<=`" }),
                );
            }
            '≥' => (tok(Tok::Cmp(CmpOp::Ge), c.len_utf8()), c.len_utf8()),
            '≤' => (tok(Tok::Cmp(CmpOp::Le), c.len_utf8()), c.len_utf8()),
            '≠' => (tok(Tok::Cmp(CmpOp::Ne), c.len_utf8()), c.len_utf8()),
            '>' => (tok(Tok::Cmp(CmpOp::Gt), 1), 1),
            '<' => (tok(Tok::Cmp(CmpOp::Lt), 1), 1),
            '!' => (tok(Tok::Not, 1), 1),
            '+' => (tok(Tok::Arith(ArithOp::Add), 1), 1),
            '-' => (tok(Tok::Arith(ArithOp::Sub), 1), 1),
            '*' => (tok(Tok::Arith(ArithOp::Mul), 1), 1),
            '/' => (tok(Tok::Arith(ArithOp::Div), 1), 1),
            '(' => (tok(Tok::LParen, 1), 1),
            ')' => (tok(Tok::RParen, 1), 1),
            ',' => (tok(Tok::Comma, 1), 1),
            '=' => {
                return Err(ConditionError::new(i, "`=` is not a comparison")
                    .hint("use `==` to compare for equality"));
            }
            '&' | '|' => {
                return Err(ConditionError::new(i, format!("unexpected `{c}`")).hint(
                    if c == '&' {
                        "use `and` (or `&&`)"
                    } else {
                        "use `or` (or `||`)"
                    },
                ));
            }
            '×' => {
                return Err(ConditionError::new(i, "unexpected `×`").hint("use `*`"));
            }
            '÷' => {
                return Err(ConditionError::new(i, "unexpected `÷`").hint("use `/`"));
            }
            '{' | '[' | '"' | '\'' | '~' => {
                return Err(ConditionError::new(i, format!("unexpected `{c}`")).hint(
                    "conditions name queries, they are not PromQL: put the PromQL under `metrics.queries` and use its name here",
                ));
            }
            _ => {
                return Err(ConditionError::new(
                    i,
                    format!("unexpected character `{c}`"),
                ));
            }
        };
        out.push(token);
        i += len;
    }
    out.push(Token {
        kind: Tok::End,
        span: Span {
            start: src.len(),
            end: src.len(),
        },
    });
    Ok(out)
}

/// Lexes a number with an optional unit at `start`; returns its scaled value and length.
pub(super) fn lex_number(src: &str, start: usize) -> Result<(f64, usize), ConditionError> {
    let b = src.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = digits(start);
    let int_digits = i - start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        let after = digits(i + 1);
        frac_digits = after - (i + 1);
        i = after;
    }
    if int_digits == 0 && frac_digits == 0 {
        return Err(ConditionError::new(start, "expected a number after `.`"));
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let after = digits(j);
        if after > j {
            i = after;
        } else if !(j == i + 1 && b.get(j).is_some_and(|c| c.is_ascii_alphabetic())) {
            return Err(ConditionError::new(i, "exponent has no digits").hint("write e.g. `1e-3`"));
        }
    }
    let text = &src[start..i];
    let value: f64 = text
        .parse()
        .map_err(|_| ConditionError::new(start, format!("`{text}` is not a number")))?;
    if !value.is_finite() {
        return Err(ConditionError::new(
            start,
            format!("`{text}` is too large a number"),
        ));
    }
    let unit_len = src[i..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '%'))
        .unwrap_or(src.len() - i);
    let unit = &src[i..i + unit_len];
    let scale = match unit {
        "" => 1.0,
        "%" => 0.01,
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "x" | "X" => {
            return Err(
                ConditionError::new(i, format!("unknown unit `{unit}`")).hint(format!(
                    "to compare with a baseline write `{text} * baseline(metric)`"
                )),
            );
        }
        _ => {
            return Err(
                ConditionError::new(i, format!("unknown unit `{unit}`")).hint(
                    "numbers may end in %, ms, s, m or h; put a space between a number and a name",
                ),
            );
        }
    };
    Ok((value * scale, i + unit_len - start))
}
