//! Front matter as a YAML tree with positions, for checks serde cannot make (every error at
//! once, each at its key) and for locating keys and values in later checks.
//!
//! Built from the event stream of the parser serde-saphyr itself uses, so both read the same
//! YAML the same way.

use serde_saphyr::granit_parser::{Event, ParseResult, Parser, ScalarStyle, ScanError, Span};

/// Deepest nesting accepted; front matter is three or four levels deep in practice.
const MAX_DEPTH: usize = 32;

/// A YAML node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::domain::runbook) struct Node {
    pub value: Value,
    /// 1-based line in the YAML text.
    pub line: usize,
    /// 0-based column, in characters.
    pub col: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(in crate::domain::runbook) enum Value {
    Scalar {
        text: String,
        /// Plain (unquoted) scalars may be null, numbers or booleans.
        plain: bool,
    },
    Map(Vec<(Node, Node)>),
    Seq(Vec<Node>),
    /// `*alias`: not followed (serde checks what it stands for).
    Alias,
}

impl Node {
    /// True for an empty value, `~` or `null`.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The value at `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|(k, _)| k.scalar() == Some(key))
            .map(|(_, v)| v)
    }

    /// Entries when this is a mapping (none otherwise).
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Items when this is a sequence (none otherwise).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// What kind of value this is, for messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar { .. } if self.is_null() => "empty",
            Value::Scalar { .. } => "text",
            Value::Map(_) => "a mapping",
            Value::Seq(_) => "a list",
            Value::Alias => "an alias",
        }
    }
}

/// A YAML syntax error: 1-based line and 0-based column in the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::domain::runbook) struct SyntaxError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl SyntaxError {
    /// The parser's error where it stopped.
    fn of_scan(e: ScanError) -> Self {
        Self {
            line: e.marker().line(),
            col: e.marker().col(),
            message: e.info(),
        }
    }
}

/// Parses YAML into a tree. `Ok(None)` for a document with no content.
pub(in crate::domain::runbook) fn parse(yaml: &str) -> Result<Option<Node>, SyntaxError> {
    let mut parser = Parser::new_from_str(yaml);
    let mut events = std::iter::from_fn(move || parser.next_event());
    let mut root = None;
    while let Some(next) = events.next() {
        let (event, span) = next.map_err(SyntaxError::of_scan)?;
        match event {
            Event::StreamStart | Event::DocumentStart(..) | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            event if is_node(&event) => {
                if root.is_some() {
                    return Err(SyntaxError {
                        line: span.start.line(),
                        col: span.start.col(),
                        message: "front matter holds more than one YAML document".into(),
                    });
                }
                root = Some(node(event, span, &mut events, 0)?);
            }
            _ => {}
        }
    }
    Ok(root)
}

fn is_node(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Scalar(..)
            | Event::SequenceStart(..)
            | Event::MappingStart(..)
            | Event::Alias(..)
            | Event::UnresolvedAlias(..)
    )
}

type Events<'a> = dyn Iterator<Item = ParseResult<'a>> + 'a;

fn node<'a>(
    event: Event<'a>,
    span: Span,
    events: &mut Events<'a>,
    depth: usize,
) -> Result<Node, SyntaxError> {
    let (line, col) = (span.start.line(), span.start.col());
    if depth > MAX_DEPTH {
        return Err(SyntaxError {
            line,
            col,
            message: format!("front matter nests deeper than {MAX_DEPTH} levels"),
        });
    }
    let value = match event {
        Event::Scalar(text, style, _, _) => Value::Scalar {
            text: text.into_owned(),
            plain: style == ScalarStyle::Plain,
        },
        Event::SequenceStart(..) => {
            let mut items = Vec::new();
            while let Next::Node(n) = next_node(events, depth)? {
                items.push(n);
            }
            Value::Seq(items)
        }
        Event::MappingStart(..) => {
            let mut entries = Vec::new();
            while let Next::Node(key) = next_node(events, depth)? {
                match next_node(events, depth)? {
                    Next::Node(value) => entries.push((key, value)),
                    Next::End => {
                        return Err(SyntaxError {
                            line: key.line,
                            col: key.col,
                            message: "mapping key without a value".into(),
                        });
                    }
                }
            }
            Value::Map(entries)
        }
        _ => Value::Alias,
    };
    Ok(Node { value, line, col })
}

enum Next {
    Node(Node),
    /// End of the enclosing sequence or mapping.
    End,
}

fn next_node<'a>(events: &mut Events<'a>, depth: usize) -> Result<Next, SyntaxError> {
    loop {
        let Some(next) = events.next() else {
            return Err(SyntaxError {
                line: 0,
                col: 0,
                message: "front matter ends in the middle of a value".into(),
            });
        };
        let (event, span) = next.map_err(SyntaxError::of_scan)?;
        match event {
            Event::SequenceEnd | Event::MappingEnd => return Ok(Next::End),
            event if is_node(&event) => {
                return node(event, span, events, depth + 1).map(Next::Node);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_tree_with_positions() {
        let root = parse("title: T\nrto:\n  SEV-1: 2m\nmatrix:\n  - { when: x > 1 }\n")
            .expect("valid")
            .expect("not empty");
        let rto = root.get("rto").expect("rto");
        let (k, v) = &rto.entries()[0];
        assert_eq!((k.scalar(), k.line, k.col), (Some("SEV-1"), 3, 2));
        assert_eq!((v.scalar(), v.line, v.col), (Some("2m"), 3, 9));
        let row = &root.get("matrix").expect("matrix").items()[0];
        assert_eq!(row.get("when").and_then(Node::scalar), Some("x > 1"));
        assert_eq!((row.line, row.col), (5, 4));
    }

    #[test]
    fn empty_and_syntax_errors() {
        assert_eq!(parse("").expect("valid"), None);
        assert_eq!(parse("# only a comment\n").expect("valid"), None);
        let err = parse("a: [1, 2\nb: 3\n").expect_err("unclosed flow");
        assert!(err.line >= 1, "{err:?}");
        let deep = "[".repeat(200);
        assert!(parse(&deep).is_err());
    }
}
