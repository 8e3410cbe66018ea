//! A small syntax highlighter for the code blocks runbooks hold: shell, YAML and PromQL.
//! One line at a time, no state across lines (a heredoc or a multi-line string is coloured
//! line by line), in the theme's roles: comments `muted`, strings `done`, flags and YAML
//! keys `info`, placeholders (`<name>`, `$VAR`) `placeholder`, numbers `warning`,
//! keywords and the first word of a command `focus`. Written here rather than pulling a
//! grammar crate (syntect brings oniguruma or fancy-regex and ~1 MB of grammars) for three
//! small languages.

use crate::ui::state::text_view::TextLine;
use crate::ui::theme::Role;

/// Which grammar a fence's language names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grammar {
    Shell,
    Yaml,
    Promql,
    Plain,
}

impl Grammar {
    pub fn of(lang: &str) -> Grammar {
        match lang {
            "sh" | "bash" | "shell" | "console" | "zsh" | "shell-session" => Grammar::Shell,
            "yaml" | "yml" => Grammar::Yaml,
            "promql" => Grammar::Promql,
            _ => Grammar::Plain,
        }
    }
}

const SHELL_KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "in", "do", "done", "while", "until", "case",
    "esac", "function", "export", "local", "return", "echo", "set",
];

const PROMQL_WORDS: &[&str] = &[
    "sum",
    "avg",
    "min",
    "max",
    "count",
    "rate",
    "irate",
    "increase",
    "histogram_quantile",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "offset",
    "topk",
    "bottomk",
    "quantile",
    "abs",
    "delta",
    "deriv",
    "absent",
];

/// One line of code, coloured for its grammar.
pub fn line(grammar: Grammar, text: &str) -> TextLine {
    match grammar {
        Grammar::Shell => shell(text),
        Grammar::Yaml => yaml(text),
        Grammar::Promql => promql(text),
        Grammar::Plain => vec![(Role::Command, text.to_string())],
    }
}

/// Pushes `s` in `role`, merging with the previous span when it has the same role.
fn push(out: &mut TextLine, role: Role, s: &str) {
    if s.is_empty() {
        return;
    }
    match out.last_mut() {
        Some((r, t)) if *r == role => t.push_str(s),
        _ => out.push((role, s.to_string())),
    }
}

/// The end (byte index) of a quoted string starting at `start` (the quote), or the end of
/// the line when it is not closed on it.
fn string_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == b'\\' && quote == b'"' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            return i + 1;
        }
        i += 1;
    }
    text.len()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b':' | b'=' | b'@')
}

fn shell(text: &str) -> TextLine {
    let mut out = TextLine::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut command_word = true;
    while i < bytes.len() {
        let b = bytes[i];
        let rest = &text[i..];
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            push(&mut out, Role::Muted, rest);
            break;
        }
        if b == b'"' || b == b'\'' {
            let end = string_end(text, i);
            push(&mut out, Role::Done, &text[i..end]);
            i = end;
            command_word = false;
            continue;
        }
        if b == b'<'
            && let Some(close) = rest.find('>')
            && close > 1
            && rest[1..close]
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b' '))
        {
            push(&mut out, Role::Placeholder, &rest[..=close]);
            i += close + 1;
            command_word = false;
            continue;
        }
        if b == b'$' {
            let len = if rest.starts_with("${") {
                rest.find('}').map_or(rest.len(), |c| c + 1)
            } else {
                1 + rest[1..]
                    .bytes()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    .count()
            };
            push(&mut out, Role::Placeholder, &rest[..len]);
            i += len;
            command_word = false;
            continue;
        }
        if matches!(b, b'|' | b';' | b'&' | b'(' | b')') {
            push(&mut out, Role::Muted, &rest[..1]);
            i += 1;
            command_word = true;
            continue;
        }
        if b.is_ascii_whitespace() {
            let len = rest.bytes().take_while(u8::is_ascii_whitespace).count();
            push(&mut out, Role::Command, &rest[..len]);
            i += len;
            continue;
        }
        let len = rest
            .bytes()
            .take_while(|&c| is_word_byte(c) || !c.is_ascii())
            .count()
            .max(1);
        let len = (1..=len)
            .rev()
            .find(|&l| rest.is_char_boundary(l))
            .unwrap_or(len);
        let word = &rest[..len];
        let role = if word.starts_with('-') {
            Role::Info
        } else if SHELL_KEYWORDS.contains(&word) || command_word {
            Role::Focus
        } else if word.bytes().all(|c| c.is_ascii_digit()) {
            Role::Warning
        } else {
            Role::Command
        };
        push(&mut out, role, word);
        command_word = false;
        i += len;
    }
    out
}

fn yaml(text: &str) -> TextLine {
    let mut out = TextLine::new();
    let trimmed = text.trim_start();
    let indent = &text[..text.len() - trimmed.len()];
    push(&mut out, Role::Command, indent);
    if trimmed.starts_with('#') {
        push(&mut out, Role::Muted, trimmed);
        return out;
    }
    let mut rest = trimmed;
    if let Some(after) = rest.strip_prefix("- ") {
        push(&mut out, Role::Muted, "- ");
        rest = after;
    }
    // `key:` (not inside a quoted value, not a URL's scheme)
    if let Some(colon) = rest.find(':')
        && !rest[..colon].contains(['"', '\'', ' '])
        && rest[colon + 1..].chars().next().is_none_or(|c| c == ' ')
    {
        push(&mut out, Role::Info, &rest[..colon]);
        push(&mut out, Role::Muted, ":");
        rest = &rest[colon + 1..];
    }
    let (value, comment) = match rest.find(" #") {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let v = value.trim();
    let role = if v.starts_with(['"', '\'']) {
        Role::Done
    } else if matches!(v, "true" | "false" | "null" | "~")
        || (!v.is_empty() && v.parse::<f64>().is_ok())
    {
        Role::Warning
    } else {
        Role::Command
    };
    push(&mut out, role, value);
    push(&mut out, Role::Muted, comment);
    out
}

fn promql(text: &str) -> TextLine {
    let mut out = TextLine::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let rest = &text[i..];
        if b == b'#' {
            push(&mut out, Role::Muted, rest);
            break;
        }
        if b == b'"' || b == b'\'' {
            let end = string_end(text, i);
            push(&mut out, Role::Done, &text[i..end]);
            i = end;
            continue;
        }
        if b == b'[' {
            let len = rest.find(']').map_or(rest.len(), |c| c + 1);
            push(&mut out, Role::Warning, &rest[..len]);
            i += len;
            continue;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            let len = rest
                .bytes()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b':')
                .count();
            let word = &rest[..len];
            let role = if PROMQL_WORDS.contains(&word) {
                Role::Focus
            } else {
                Role::Command
            };
            push(&mut out, role, word);
            i += len;
            continue;
        }
        if b.is_ascii_digit() {
            let len = rest
                .bytes()
                .take_while(|c| c.is_ascii_digit() || *c == b'.')
                .count();
            push(&mut out, Role::Warning, &rest[..len]);
            i += len;
            continue;
        }
        let len = rest.chars().next().map_or(1, char::len_utf8);
        push(&mut out, Role::Command, &rest[..len]);
        i += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(l: &TextLine) -> Vec<(Role, &str)> {
        l.iter().map(|(r, s)| (*r, s.as_str())).collect()
    }

    #[test]
    fn shell_colours_the_command_flags_strings_placeholders_and_comments() {
        let l = line(
            Grammar::Shell,
            "kubectl rollout undo deployment/<service-name> -n \"$NS\" # go back",
        );
        assert_eq!(
            roles(&l),
            vec![
                (Role::Focus, "kubectl"),
                (Role::Command, " rollout undo deployment/"),
                (Role::Placeholder, "<service-name>"),
                (Role::Command, " "),
                (Role::Info, "-n"),
                (Role::Command, " "),
                (Role::Done, "\"$NS\""),
                (Role::Command, " "),
                (Role::Muted, "# go back"),
            ]
        );
        let piped = line(Grammar::Shell, "kubectl get pods | grep web");
        assert!(piped.contains(&(Role::Focus, "grep".to_string())));
    }

    #[test]
    fn yaml_colours_keys_values_and_comments() {
        let l = line(Grammar::Yaml, "  - image: web:1.4.2 # the good one");
        assert_eq!(
            roles(&l),
            vec![
                (Role::Command, "  "),
                (Role::Muted, "- "),
                (Role::Info, "image"),
                (Role::Muted, ":"),
                (Role::Command, " web:1.4.2"),
                (Role::Muted, " # the good one"),
            ]
        );
        let n = line(Grammar::Yaml, "replicas: 3");
        assert_eq!(n.last(), Some(&(Role::Warning, " 3".to_string())));
    }

    #[test]
    fn promql_colours_functions_selectors_ranges_and_numbers() {
        let l = line(
            Grammar::Promql,
            "sum(rate(http_requests_total{code=~\"5..\"}[5m])) > 0.05",
        );
        assert_eq!(
            roles(&l),
            vec![
                (Role::Focus, "sum"),
                (Role::Command, "("),
                (Role::Focus, "rate"),
                (Role::Command, "(http_requests_total{code=~"),
                (Role::Done, "\"5..\""),
                (Role::Command, "}"),
                (Role::Warning, "[5m]"),
                (Role::Command, ")) > "),
                (Role::Warning, "0.05"),
            ]
        );
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        for g in [Grammar::Shell, Grammar::Yaml, Grammar::Promql] {
            for s in [
                "\"unterminated",
                "<",
                "${",
                "é€ 'x",
                "#",
                "$",
                "[",
                "a: \"b",
            ] {
                let l = line(g, s);
                let joined: String = l.iter().map(|(_, t)| t.as_str()).collect();
                assert_eq!(joined, s);
            }
        }
    }
}
