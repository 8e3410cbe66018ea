//! kubectl's JSONPath template language, parsed as client-go parses it
//! (`util/jsonpath/parser.go` at v0.32: text outside `{…}` kept as text; inside, fields
//! `.a.b` with `\.` escapes, `[n]`, `[a:b:c]`, `[*]`, `['key']`, unions `[0,2]`, filters
//! `[?(@.x=="y")]`, quoted strings `"\n"`, numbers, `true`/`false`, `range`/`end`).
//!
//! Two forms parse but are refused here so that such a line runs in kubectl itself:
//! recursive descent (`..`) and `.*`, whose output follows Go's random map order.

/// One node of a template, as client-go's `node.go` names them.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(String),
    /// An action's nodes (`{…}`).
    List(Vec<Node>),
    Field(String),
    Array([Param; 3]),
    Filter {
        left: Vec<Node>,
        right: Vec<Node>,
        op: String,
    },
    Int(i64),
    Float(f64),
    Bool(bool),
    Union(Vec<Vec<Node>>),
    Identifier(String),
}

/// A slice bound: `Known` when written; `derived` for the end of a single index `[n]`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Param {
    pub value: i64,
    pub known: bool,
    pub derived: bool,
}

/// The template's top-level nodes (texts and actions), or client-go's error message.
pub fn parse(text: &str) -> Result<Vec<Node>, String> {
    let mut p = Parser {
        input: text.as_bytes(),
        text,
        pos: 0,
        start: 0,
        root: Vec::new(),
    };
    p.parse_text()?;
    Ok(p.root)
}

/// An action's nodes (`parseAction`: the text wrapped in braces, its first list).
fn parse_action(text: &str) -> Result<Vec<Node>, String> {
    let nodes = parse(&format!("{{{text}}}"))?;
    match nodes.into_iter().next() {
        Some(Node::List(l)) => Ok(l),
        _ => Err("invalid syntax".into()),
    }
}

struct Parser<'a> {
    input: &'a [u8],
    text: &'a str,
    pos: usize,
    start: usize,
    root: Vec<Node>,
}

const EOF: char = '\u{0}';

impl Parser<'_> {
    fn next(&mut self) -> (char, usize) {
        match self.text[self.pos..].chars().next() {
            None => (EOF, 0),
            Some(c) => {
                self.pos += c.len_utf8();
                (c, c.len_utf8())
            }
        }
    }

    fn peek(&self) -> char {
        self.text[self.pos..].chars().next().unwrap_or(EOF)
    }

    fn consume(&mut self) -> String {
        let s = self.text[self.start..self.pos].to_string();
        self.start = self.pos;
        s
    }

    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn parse_text(&mut self) -> Result<(), String> {
        loop {
            if self.rest().starts_with('{') {
                if self.pos > self.start {
                    let t = self.consume();
                    self.root.push(Node::Text(t));
                }
                self.pos += 1;
                self.consume();
                let mut list = Vec::new();
                let more = self.parse_inside_action(&mut list)?;
                self.root.push(Node::List(list));
                if more {
                    continue;
                }
                return Ok(());
            }
            if self.next().1 == 0 {
                break;
            }
        }
        if self.pos > self.start {
            let t = self.consume();
            self.root.push(Node::Text(t));
        }
        Ok(())
    }

    /// Parses an action up to its `}`; `true` when text follows it.
    fn parse_inside_action(&mut self, cur: &mut Vec<Node>) -> Result<bool, String> {
        loop {
            if self.rest().starts_with('}') {
                self.pos += 1;
                self.consume();
                return Ok(true);
            }
            if self.rest().starts_with("[?(") {
                self.parse_filter(cur)?;
                continue;
            }
            if self.rest().starts_with("..") {
                return Err("recursive descent (..) is not supported natively".into());
            }
            let (r, _) = self.next();
            match r {
                EOF | '\r' | '\n' => return Err("unclosed action".into()),
                ' ' | '@' | '$' => {
                    self.consume();
                }
                '[' => self.parse_array(cur)?,
                '"' | '\'' => self.parse_quote(cur, r)?,
                '.' => self.parse_field(cur)?,
                r if r == '+' || r == '-' || r.is_ascii_digit() => {
                    self.pos -= 1;
                    self.parse_number(cur)?;
                }
                r if r == '_' || r.is_alphanumeric() => {
                    self.pos -= r.len_utf8();
                    self.parse_identifier(cur);
                }
                r => {
                    return Err(format!(
                        "unrecognized character in action: U+{:04X} '{r}'",
                        r as u32
                    ));
                }
            }
        }
    }

    fn parse_identifier(&mut self, cur: &mut Vec<Node>) {
        loop {
            let (r, w) = self.next();
            if is_terminator(r) {
                self.pos -= w;
                break;
            }
        }
        let value = self.consume();
        cur.push(match value.as_str() {
            "true" => Node::Bool(true),
            "false" => Node::Bool(false),
            _ => Node::Identifier(value),
        });
    }

    fn parse_number(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if matches!(self.peek(), '+' | '-') {
            self.next();
        }
        loop {
            let (r, w) = self.next();
            if r != '.' && !r.is_ascii_digit() {
                self.pos -= w;
                break;
            }
        }
        let value = self.consume();
        if let Ok(i) = value.parse::<i64>() {
            cur.push(Node::Int(i));
        } else if let Ok(f) = value.parse::<f64>() {
            cur.push(Node::Float(f));
        } else {
            return Err(format!("cannot parse number {value}"));
        }
        Ok(())
    }

    fn parse_array(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            match self.next().0 {
                EOF | '\n' => return Err("unterminated array".into()),
                ']' => break,
                _ => {}
            }
        }
        let text = self.consume();
        let mut text = text[1..text.len() - 1].to_string();
        if text == "*" {
            text = ":".into();
        }
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() > 1 {
            let union = parts
                .iter()
                .map(|s| parse_action(&format!("[{}]", s.trim_matches(' '))))
                .collect::<Result<Vec<_>, _>>()?;
            cur.push(Node::Union(union));
            return Ok(());
        }
        if text.len() >= 2
            && text.starts_with('\'')
            && text.ends_with('\'')
            && !text[1..text.len() - 1].contains('\'')
        {
            cur.extend(parse_action(&format!(".{}", &text[1..text.len() - 1]))?);
            return Ok(());
        }
        cur.push(Node::Array(slice_params(&text)?));
        Ok(())
    }

    fn parse_filter(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.pos += 3;
        self.consume();
        let (mut begin, mut end) = (false, false);
        let mut pair = EOF;
        loop {
            let (r, _) = self.next();
            match r {
                EOF | '\n' => return Err("unterminated filter".into()),
                '"' | '\'' => {
                    if !begin {
                        begin = true;
                        pair = r;
                        continue;
                    }
                    if self.input[self.pos - 2] != b'\\' && r == pair {
                        end = true;
                    }
                }
                ')' if begin == end => break,
                _ => {}
            }
        }
        if self.next().0 != ']' {
            return Err("unclosed array expect ]".into());
        }
        let text = self.consume();
        let text = &text[..text.len() - 2];
        // `^([^!<>=]+)([!<>=]+)(.+?)$`
        let split = text
            .find(['!', '<', '>', '='])
            .filter(|&i| i > 0)
            .map(|i| {
                let op_len = text[i..]
                    .find(|c: char| !"!<>=".contains(c))
                    .unwrap_or(text.len() - i);
                (i, i + op_len)
            })
            .filter(|&(_, j)| j < text.len());
        match split {
            None => cur.push(Node::Filter {
                left: parse_action(text)?,
                right: Vec::new(),
                op: "exists".into(),
            }),
            Some((i, j)) => cur.push(Node::Filter {
                left: parse_action(&text[..i])?,
                right: parse_action(&text[j..])?,
                op: text[i..j].to_string(),
            }),
        }
        Ok(())
    }

    fn parse_quote(&mut self, cur: &mut Vec<Node>, end: char) -> Result<(), String> {
        loop {
            let (r, _) = self.next();
            match r {
                EOF | '\n' => return Err("unterminated quoted string".into()),
                r if r == end && self.input[self.pos - 2] != b'\\' => break,
                _ => {}
            }
        }
        let value = self.consume();
        let s = unquote(&value)
            .ok_or_else(|| format!("unquote string {value} error invalid syntax"))?;
        cur.push(Node::Text(s));
        Ok(())
    }

    fn parse_field(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.consume();
        loop {
            let (r, w) = self.next();
            if r == '\\' {
                self.next();
            } else if is_terminator(r) {
                self.pos -= w;
                break;
            }
        }
        let value = self.consume();
        if value == "*" {
            return Err(".* is not supported natively".into());
        }
        cur.push(Node::Field(value.replace('\\', "")));
        Ok(())
    }
}

fn is_terminator(r: char) -> bool {
    matches!(
        r,
        ' ' | '\t' | '\r' | '\n' | EOF | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'
    )
}

/// `sliceOperatorRex` `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$` and the params it gives.
fn slice_params(text: &str) -> Result<[Param; 3], String> {
    let invalid = || format!("invalid array index {text}");
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() > 3 {
        return Err(invalid());
    }
    let number_like = |s: &str| {
        let d = s.strip_prefix('-').unwrap_or(s);
        d.bytes().all(|b| b.is_ascii_digit())
    };
    if !parts.iter().all(|p| number_like(p)) {
        return Err(invalid());
    }
    let mut params = [Param::default(); 3];
    for i in 0..3 {
        match parts.get(i) {
            Some(v) if !v.is_empty() => {
                params[i].known = true;
                params[i].value = v
                    .parse()
                    .map_err(|_| format!("array index {v} is not a number"))?;
            }
            Some(_) if i > 0 => params[i].known = false,
            _ if i == 1 && parts.len() == 1 => {
                params[1] = Param {
                    value: params[0].value + 1,
                    known: true,
                    derived: true,
                };
            }
            _ => {}
        }
    }
    Ok(params)
}

/// `UnquoteExtend`: Go's `strconv.UnquoteChar` escapes in `"…"` or `'…'`.
fn unquote(s: &str) -> Option<String> {
    let quote = s.chars().next()?;
    if s.len() < 2 || !s.ends_with(quote) || !matches!(quote, '"' | '\'') {
        return None;
    }
    let body = &s[1..s.len() - 1];
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == quote {
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '\\' => out.push('\\'),
            c if c == quote => out.push(c),
            'u' | 'U' | 'x' => return None,
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_runbooks_use() {
        assert_eq!(
            parse("{.spec.replicas}").unwrap(),
            vec![Node::List(vec![
                Node::Field("spec".into()),
                Node::Field("replicas".into())
            ])]
        );
        let nodes = parse(r#"{range .items[*]}{.metadata.name}{"\n"}{end}"#).unwrap();
        assert_eq!(nodes.len(), 4);
        assert_eq!(nodes[2], Node::List(vec![Node::Text("\n".into())]));
        assert_eq!(
            parse(r#"x={.c[?(@.name=="app")].image}"#).unwrap()[1],
            Node::List(vec![
                Node::Field("c".into()),
                Node::Filter {
                    left: vec![Node::Field("name".into())],
                    right: vec![Node::Text("app".into())],
                    op: "==".into()
                },
                Node::Field("image".into())
            ])
        );
        assert_eq!(
            parse(r"{.metadata.labels.app\.kubernetes\.io/name}").unwrap(),
            vec![Node::List(vec![
                Node::Field("metadata".into()),
                Node::Field("labels".into()),
                Node::Field("app.kubernetes.io/name".into())
            ])]
        );
    }

    /// client-go's messages (`parser.go`), and the forms left to kubectl.
    #[test]
    fn errors() {
        assert_eq!(parse("{.a").unwrap_err(), "unclosed action");
        assert_eq!(parse("{.a[0}").unwrap_err(), "unterminated array");
        assert_eq!(parse("{.a[x]}").unwrap_err(), "invalid array index x");
        assert!(
            parse("{..name}")
                .unwrap_err()
                .contains("not supported natively")
        );
        assert!(
            parse("{.a.*}")
                .unwrap_err()
                .contains("not supported natively")
        );
    }
}
