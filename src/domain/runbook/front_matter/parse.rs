//! Finding, checking and deserialising the front matter block.

use std::ops::Range;
use std::path::Path;

use super::FrontMatter;
use super::schema_check;
use super::yaml::{self, Node, Value};
use crate::domain::runbook::source::{Findings, Source};

/// The front matter block of a source, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::domain::runbook) enum Split {
    /// No front matter: the body is the whole text.
    None,
    /// YAML between a first line `---` and a closing `---` (or `...`) line.
    Block {
        yaml: Range<usize>,
        body_start: usize,
    },
    /// A first line `---` that is never closed.
    Unterminated,
}

/// Finds the front matter block: the first line is `---` and a later line is `---` or `...`.
pub(in crate::domain::runbook) fn split(text: &str) -> Split {
    let Some(first_end) = text.find('\n') else {
        return if text.trim_end() == "---" {
            Split::Unterminated
        } else {
            Split::None
        };
    };
    if text[..first_end].trim_end() != "---" {
        return Split::None;
    }
    let yaml_start = first_end + 1;
    let mut at = yaml_start;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = text[at..end].trim_end();
        if line == "---" || line == "..." {
            return Split::Block {
                yaml: yaml_start..at,
                body_start: (end + 1).min(text.len()),
            };
        }
        at = end + 1;
    }
    Split::Unterminated
}

/// What the loader gets from the front matter.
#[derive(Debug, Default)]
pub(in crate::domain::runbook) struct Parsed {
    /// The typed front matter, when there is a block and it is valid.
    pub front: Option<FrontMatter>,
    /// The positioned tree, for later checks (present even when the block has errors).
    pub tree: Option<Node>,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
    /// 0-based source line of the first YAML line (to place tree positions).
    pub first_line: usize,
    /// Front matter with neither `backout:` nor a key of backout's: another tool's
    /// metadata, not validated.
    pub foreign: Option<Foreign>,
}

/// Another tool's front matter (a docs site's `title`, `weight`, `layout`, …).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(in crate::domain::runbook) struct Foreign {
    /// Its `title`, when it is a non-empty string.
    pub title: Option<String>,
    /// Its top-level keys, in the order written (empty when it is not YAML backout reads).
    pub keys: Vec<String>,
}

/// Whether YAML text is backout's: a top-level `backout:` key or one of [`BACKOUT_KEYS`].
/// Used when the YAML does not parse: only then is a syntax error ours to report.
fn declares_backout(yaml_text: &str) -> bool {
    yaml_text.lines().any(|line| {
        let key = line.split(':').next().unwrap_or("").trim_end();
        line.contains(':') && (key == "backout" || BACKOUT_KEYS.contains(&key))
    })
}

/// Splits off, checks and deserialises the front matter. Problems go to `findings`.
pub(in crate::domain::runbook) fn parse(
    file: &Path,
    source: &Source,
    findings: &mut Findings,
) -> Parsed {
    let text = source.text.as_str();
    let (yaml_range, body_start) = match split(text) {
        Split::None => return Parsed::default(),
        Split::Unterminated => {
            findings.push(source.position(0).error(
                file,
                "front matter opened with `---` on line 1 is never closed",
                Some(
                    "end it with a line holding only `---` (a runbook without front matter must not start with `---`)"
                        .into(),
                ),
            ));
            return Parsed::default();
        }
        Split::Block { yaml, body_start } => (yaml, body_start),
    };
    let first_line = source.line_index(yaml_range.start);
    let yaml_text = &text[yaml_range];
    let mut parsed = Parsed {
        front: None,
        tree: None,
        body_start,
        first_line,
        foreign: None,
    };
    // Positions in the YAML text → the file.
    let at = |line: usize, col: usize| source.position_at(first_line + line.saturating_sub(1), col);

    let tree = match yaml::parse(yaml_text) {
        Ok(Some(tree)) => tree,
        Ok(None) => {
            parsed.front = Some(FrontMatter::default());
            return parsed;
        }
        Err(_) if !declares_backout(yaml_text) => {
            parsed.foreign = Some(Foreign::default());
            report_foreign(file, source, first_line, &Foreign::default(), findings);
            return parsed;
        }
        Err(e) => {
            let pos = if e.line == 0 {
                source.position(body_start.saturating_sub(1))
            } else {
                at(e.line, e.col)
            };
            findings.push(pos.error(
                file,
                format!("front matter is not valid YAML: {}", e.message),
                None,
            ));
            return parsed;
        }
    };
    if let Value::Map(entries) = &tree.value
        && !entries.iter().any(|(k, _)| {
            k.scalar()
                .is_some_and(|k| k == "backout" || BACKOUT_KEYS.contains(&k))
        })
    {
        let foreign = Foreign {
            title: tree
                .get("title")
                .and_then(Node::scalar)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            keys: entries
                .iter()
                .filter_map(|(k, _)| k.scalar().map(str::to_string))
                .collect(),
        };
        report_foreign(file, source, first_line, &foreign, findings);
        parsed.foreign = Some(foreign);
        return parsed;
    }
    let issues = schema_check::check(&tree);
    let clean = issues.is_empty();
    for issue in issues {
        let hint = match issue.first_written {
            Some(line) => Some(format!("first written on line {}", at(line, 0).line)),
            None => issue.hint,
        };
        findings.push(at(issue.line, issue.col).error(file, issue.message, hint));
    }
    if clean {
        match serde_saphyr::from_str::<FrontMatter>(yaml_text) {
            Ok(front) => parsed.front = Some(front),
            Err(e) => {
                let pos = e.location().map_or_else(
                    || at(tree.line, tree.col),
                    |l| at(l.line() as usize, (l.column() as usize).saturating_sub(1)),
                );
                // The YAML library's own wording ("recursive references require weak
                // recursion types") speaks of Rust types, not of the runbook.
                let (message, hint) = match e {
                    e if is_recursive_alias(&e) => (
                        "front matter: an alias (`*name`) refers to a value that contains it"
                            .to_string(),
                        Some("write the value out instead of the alias".to_string()),
                    ),
                    e => (
                        format!(
                            "front matter: {}",
                            first_line_of(&e.without_snippet().to_string())
                        ),
                        None,
                    ),
                };
                findings.push(pos.error(file, message, hint));
            }
        }
    }
    parsed.tree = Some(tree);
    parsed
}

/// The one info line saying another tool's front matter was read for its title only.
fn report_foreign(
    file: &Path,
    source: &Source,
    first_line: usize,
    foreign: &Foreign,
    findings: &mut Findings,
) {
    let at = source.position_at(first_line.saturating_sub(1), 0);
    let ignored: Vec<String> = foreign
        .keys
        .iter()
        .filter(|k| k.as_str() != "title" || foreign.title.is_none())
        .map(|k| format!("`{k}`"))
        .collect();
    let message = match (&foreign.title, ignored.is_empty(), foreign.keys.is_empty()) {
        (_, _, true) => {
            "front matter without `backout:` is another tool's (not YAML backout reads): ignored"
                .to_string()
        }
        (Some(_), true, _) => {
            "front matter without `backout:` is another tool's: its `title` is used".to_string()
        }
        (Some(_), false, _) => format!(
            "front matter without `backout:` is another tool's: its `title` is used, {} ignored",
            ignored.join(", ")
        ),
        (None, _, _) => format!(
            "front matter without `backout:` is another tool's: {} ignored",
            ignored.join(", ")
        ),
    };
    findings.push(at.info(file, message));
}

/// Keys only backout's front matter has: front matter using one is backout's even without
/// `backout: 1` (as before the version key was required), so it is validated strictly.
const BACKOUT_KEYS: &[&str] = &[
    "target",
    "metrics",
    "matrix",
    "rto",
    "notify",
    "messages",
    "vars",
    "phases",
    "verify",
    "deploy_api",
    "argocd",
];

/// Whether the YAML library refused an alias that refers to a value containing it.
fn is_recursive_alias(mut e: &serde_saphyr::Error) -> bool {
    loop {
        match e {
            serde_saphyr::Error::AliasError { error, .. }
            | serde_saphyr::Error::WithSnippet { error, .. } => e = error,
            serde_saphyr::Error::RecursiveReferencesRequireWeakTypes { .. } => return true,
            _ => return false,
        }
    }
}

fn first_line_of(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter() {
        assert_eq!(split("# Title\n---\n"), Split::None);
        assert_eq!(split(""), Split::None);
        assert_eq!(
            split("---\ntitle: x\n---\n# Body\n"),
            Split::Block {
                yaml: 4..13,
                body_start: 17
            }
        );
        assert_eq!(
            split("---  \na: 1\n...\n"),
            Split::Block {
                yaml: 6..11,
                body_start: 15
            }
        );
        assert_eq!(split("---\ntitle: x\n"), Split::Unterminated);
        assert_eq!(split("---"), Split::Unterminated);
        assert_eq!(
            split("---\n---"),
            Split::Block {
                yaml: 4..4,
                body_start: 7
            }
        );
    }

    fn load(
        doc: &str,
    ) -> Result<crate::domain::runbook::Runbook, crate::domain::runbook::LoadError> {
        crate::domain::runbook::parse(Path::new("t.md"), doc)
    }

    const BODY: &str = "# Body title\n\n## Execute\n\n- [ ] Roll back\n";

    #[test]
    fn another_tools_front_matter_is_metadata_whatever_its_shape() {
        for yaml in [
            "title: Docs title\nweight: 3\nlayout: page",
            "title: Docs title\ntags: [a, b\n",
            "title: Docs title\naliases:\n  - /old/url\nmenu: { main: { parent: ops } }",
        ] {
            let doc = format!("---\n{yaml}\n---\n{BODY}");
            let rb = load(&doc).unwrap_or_else(|e| panic!("{yaml:?}: {e}"));
            assert!(rb.front.is_none(), "{yaml:?}");
            assert_eq!(rb.info.len(), 1, "{yaml:?}: {:?}", rb.info);
            assert!(rb.warnings.is_empty(), "{yaml:?}: {:?}", rb.warnings);
        }
        // Parsed: its title is the runbook's; unparsable: the H1 is.
        let rb = load(&format!("---\ntitle: Docs title\nweight: 3\n---\n{BODY}")).expect("loads");
        assert_eq!(rb.title, "Docs title");
        let rb = load(&format!("---\ntitle: [x\n---\n{BODY}")).expect("loads");
        assert_eq!(rb.title, "Body title");
    }

    #[test]
    fn front_matter_with_backouts_keys_stays_strict() {
        for yaml in [
            "backout: 1\nweight: 3",
            "target: { namespace: web }\nweight: 3",
        ] {
            let doc = format!("---\n{yaml}\n---\n{BODY}");
            let err = load(&doc).expect_err(yaml);
            assert!(
                err.to_string()
                    .contains("unknown front matter key `weight`"),
                "{err}"
            );
        }
        let err = load(&format!("---\nbackout: 1\ntitle: [x\n---\n{BODY}")).expect_err("yaml");
        assert!(err.to_string().contains("not valid YAML"), "{err}");
    }
}
