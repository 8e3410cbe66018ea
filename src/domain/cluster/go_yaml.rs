//! JSON as `kubectl -o yaml` prints it, byte for byte: kubectl marshals the object to JSON
//! and hands it to `sigs.k8s.io/yaml.JSONToYAML` (v1.4.0, kubectl 1.32), which decodes it
//! into plain maps and encodes it with its go-yaml v2 fork (`goyaml.v2/`) with line
//! wrapping off. What that means, and what this file does:
//!
//! - keys sorted by go-yaml's `keyList.Less` (`sorter.go`): letters before other runes,
//!   runs of digits compared as numbers;
//! - block style, indent 2, a sequence under a key not indented (`- ` at the key's column),
//!   empty maps and sequences as `{}` and `[]`;
//! - a string left plain unless it would read back as something else (`resolve.go`: bools
//!   such as `y`/`on`, null, numbers, timestamps, base-60 floats) — then `"…"` — or the
//!   emitter's analysis forbids plain (`emitterc.go`: `yaml_emitter_analyze_scalar`,
//!   `yaml_emitter_select_scalar_style`) — then `'…'`, or `"…"` with escapes when single
//!   quotes cannot hold it; a string with a line break as a literal block (`|`, `|-`, `|+`);
//! - numbers as Go prints them (`strconv.FormatFloat(f, 'g', -1, 64)` for non-integers).
//!
//! Not covered: keys longer than 128 characters (go-yaml writes them as `? ` complex keys).

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::go_yaml_resolve::{is_base60_float, resolves_to_string};

/// The YAML document for `value`, ending with a newline.
pub fn to_go_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => mapping(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => sequence(&mut out, a, 0),
        other => {
            out.push_str(&inline(other, 0));
            out.push('\n');
        }
    }
    out
}

/// The keys of `m` in go-yaml's order.
fn sorted_keys(m: &Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort_by(|a, b| key_order(a, b));
    keys
}

/// go-yaml v2 `keyList.Less` for two string keys.
fn key_order(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let (an, ai) = digits_onto(an, &ar, i);
        let (bn, bi) = digits_onto(bn, &br, i);
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// The run of digits of `s` from `i` read onto `n` (wrapping, as Go's int does), and where
/// the run ends.
fn digits_onto(mut n: i64, s: &[char], mut i: usize) -> (i64, usize) {
    while i < s.len() && s[i].is_ascii_digit() {
        n = n
            .wrapping_mul(10)
            .wrapping_add(i64::from(s[i] as u8 - b'0'));
        i += 1;
    }
    (n, i)
}

/// A block mapping whose keys start at column `indent`; the first key's indentation is
/// already written when `first_written`.
fn mapping_from(out: &mut String, m: &Map<String, Value>, indent: usize, first_written: bool) {
    for (n, k) in sorted_keys(m).into_iter().enumerate() {
        if n > 0 || !first_written {
            push_spaces(out, indent);
        }
        out.push_str(&scalar(k, true, indent));
        out.push(':');
        let v = &m[k];
        match v {
            Value::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                mapping(out, inner, indent + 2);
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                sequence(out, items, indent);
            }
            other => {
                out.push(' ');
                out.push_str(&inline(other, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn mapping(out: &mut String, m: &Map<String, Value>, indent: usize) {
    mapping_from(out, m, indent, false);
}

/// A block sequence whose dashes stand at column `indent`.
fn sequence(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        push_spaces(out, indent);
        sequence_item(out, item, indent);
    }
}

/// One item after its indentation: `- ` and the item.
fn sequence_item(out: &mut String, item: &Value, indent: usize) {
    out.push_str("- ");
    match item {
        Value::Object(m) if !m.is_empty() => mapping_from(out, m, indent + 2, true),
        Value::Array(a) if !a.is_empty() => {
            for (n, inner) in a.iter().enumerate() {
                if n > 0 {
                    push_spaces(out, indent + 2);
                }
                sequence_item(out, inner, indent + 2);
            }
        }
        other => {
            out.push_str(&inline(other, indent + 2));
            out.push('\n');
        }
    }
}

fn push_spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A value written on its key's or dash's line (a literal block continues below, its
/// lines at `block_indent`).
fn inline(v: &Value, block_indent: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => scalar(s, false, block_indent),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

fn number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    n.as_f64().map_or_else(|| n.to_string(), go_float)
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, with go-yaml's `.inf`/`.nan`.
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // Shortest round-trip digits and the decimal exponent, from Rust's `{:e}`.
    let e = format!("{:e}", f.abs());
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    // Go's shortest 'g' switches to %e below 1e-4 and from 1e6 (`eprec = 6`).
    if !(-4..6).contains(&exp) {
        // %e: d.ddde±XX
        let (head, tail) = digits.split_at(1);
        let frac = if tail.is_empty() {
            String::new()
        } else {
            format!(".{tail}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{head}{frac}e{esign}{:02}", exp.abs());
    }
    // %f with exactly the digits needed.
    let point = exp + 1; // digits before the decimal point
    let body = if point <= 0 {
        format!("0.{}{}", "0".repeat(point.unsigned_abs() as usize), digits)
    } else if (point as usize) >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{a}.{b}")
    };
    format!("{sign}{body}")
}

/// How go-yaml writes a string, as a key (`simple_key`) or a value.
fn scalar(s: &str, simple_key: bool, block_indent: usize) -> String {
    let a = analyze(s);
    let plain_ok = resolves_to_string(s) && !is_base60_float(s);
    let style = if s.contains('\n') {
        if !a.block_allowed || simple_key {
            Style::Double
        } else {
            Style::Literal
        }
    } else if plain_ok {
        if !a.block_plain_allowed || (s.is_empty() && simple_key) {
            if a.single_quoted_allowed {
                Style::Single
            } else {
                Style::Double
            }
        } else {
            Style::Plain
        }
    } else {
        Style::Double
    };
    match style {
        Style::Plain => s.to_string(),
        Style::Single => format!("'{}'", s.replace('\'', "''")),
        Style::Double => double_quoted(s),
        Style::Literal => literal(s, block_indent),
    }
}

enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Analysis {
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// go-yaml's `is_printable` (with `unicode` on, as go-yaml v2 encodes).
fn is_printable(c: char) -> bool {
    let c = c as u32;
    c == 0x0A
        || (0x20..=0x7E).contains(&c)
        || (0xA0..=0xD7FF).contains(&c)
        || ((0xE000..=0xFFFD).contains(&c) && c != 0xFEFF)
}

/// `yaml_emitter_analyze_scalar`, for the block context.
fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let mut line_breaks = false;
    let mut special = false;
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_whitespace = chars.get(i + 1).is_none_or(|n| *n == ' ' || *n == '\t');
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        let last = i + 1 == chars.len();
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = c == ' ' || c == '\t' || is_break(c);
    }
    let mut a = Analysis {
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// `yaml_emitter_write_double_quoted_scalar` (no line wrapping).
fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    let bom_first = s.starts_with('\u{FEFF}');
    for c in s.chars() {
        if !is_printable(c) || bom_first || is_break(c) || c == '"' || c == '\\' {
            out.push('\\');
            match c {
                '\0' => out.push('0'),
                '\u{07}' => out.push('a'),
                '\u{08}' => out.push('b'),
                '\t' => out.push('t'),
                '\n' => out.push('n'),
                '\u{0b}' => out.push('v'),
                '\u{0c}' => out.push('f'),
                '\r' => out.push('r'),
                '\u{1b}' => out.push('e'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                '\u{85}' => out.push('N'),
                '\u{a0}' => out.push('_'),
                '\u{2028}' => out.push('L'),
                '\u{2029}' => out.push('P'),
                other => {
                    let v = other as u32;
                    if v <= 0xFF {
                        out.push_str(&format!("x{v:02X}"));
                    } else if v <= 0xFFFF {
                        out.push_str(&format!("u{v:04X}"));
                    } else {
                        out.push_str(&format!("U{v:08X}"));
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// `yaml_emitter_write_literal_scalar` with its block hints; the text's lines at `indent`.
fn literal(s: &str, indent: usize) -> String {
    let mut out = String::from("|");
    let first = s.chars().next();
    if first.is_some_and(|c| c == ' ' || is_break(c)) {
        out.push('2');
    }
    let mut rev = s.chars().rev();
    match (rev.next(), rev.next()) {
        (Some(last), _) if !is_break(last) => out.push('-'),
        (Some(_), None) => out.push('+'),
        (Some(_), Some(before)) if is_break(before) => out.push('+'),
        _ => {}
    }
    out.push('\n');
    let mut at_line_start = true;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if is_break(c) {
            // A CRLF pair is one break.
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
            at_line_start = true;
        } else {
            if at_line_start {
                push_spaces(&mut out, indent);
                at_line_start = false;
            }
            out.push(c);
        }
    }
    // The value ends the line (`|-`) or its last break already did.
    if !out.ends_with('\n') {
        return out;
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Expected texts as go-yaml v2 (sigs.k8s.io/yaml v1.4.0) writes them.
    #[test]
    fn a_pod_like_object_as_kubectl_prints_it() {
        let v = json!({
            "metadata": {"name": "web-1", "annotations": {}, "resourceVersion": "308",
                "creationTimestamp": "2026-12-06T13:07:22Z",
                "labels": {"app": "web", "pod-template-hash": "7478967d5d"}},
            "apiVersion": "v1", "kind": "Pod",
            "spec": {"containers": [{"name": "app", "env": [], "resources": {},
                "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]},
            "status": {"conditions": [{"lastProbeTime": null, "status": "True"}],
                "hostIPs": [{"ip": "10.0.0.3"}], "started": false}
        });
        assert_eq!(
            to_go_yaml(&v),
            "\
apiVersion: v1
kind: Pod
metadata:
  annotations: {}
  creationTimestamp: \"2026-12-06T13:07:22Z\"
  labels:
    app: web
    pod-template-hash: 7478967d5d
  name: web-1
  resourceVersion: \"308\"
spec:
  containers:
  - env: []
    name: app
    ports:
    - containerPort: 8080
      protocol: TCP
    resources: {}
status:
  conditions:
  - lastProbeTime: null
    status: \"True\"
  hostIPs:
  - ip: 10.0.0.3
  started: false
"
        );
    }

    #[test]
    fn strings_are_quoted_only_when_plain_would_read_back_otherwise() {
        let cases = [
            ("web", "web"),
            ("", "\"\""),
            ("y", "\"y\""),
            ("on", "\"on\""),
            ("null", "\"null\""),
            ("0755", "\"0755\""),
            ("1e3", "\"1e3\""),
            ("1.5", "\"1.5\""),
            ("0x1F", "\"0x1F\""),
            ("12:30", "\"12:30\""),
            ("2026-12-06", "\"2026-12-06\""),
            ("7478967d5d", "7478967d5d"),
            ("1.2.3", "1.2.3"),
            ("- x", "'- x'"),
            ("a: b", "'a: b'"),
            ("*", "'*'"),
            ("it's", "it's"),
            (" lead", "' lead'"),
            ("a #b", "'a #b'"),
            ("a#b", "a#b"),
            ("tab\there", "\"tab\\there\""),
            ("héllo", "héllo"),
            ("http://x:80/y", "http://x:80/y"),
            ("--dry-run", "--dry-run"),
            ("---", "'---'"),
        ];
        for (s, want) in cases {
            assert_eq!(scalar(s, false, 2), want, "{s:?}");
        }
    }

    #[test]
    fn multi_line_strings_are_literal_blocks_with_go_yamls_chomping() {
        let v = json!({"a": "one\ntwo", "b": "one\n", "c": "x\n\n", "d": {"e": " lead\nx"}});
        assert_eq!(
            to_go_yaml(&v),
            "a: |-\n  one\n  two\nb: |\n  one\nc: |+\n  x\n\nd:\n  e: |2-\n     lead\n    x\n"
        );
        // Trailing spaces before a break forbid the block: double quotes with escapes.
        assert_eq!(scalar("a \nb", false, 2), "\"a \\nb\"");
    }

    #[test]
    fn keys_sort_as_go_yaml_sorts_them() {
        let mut keys = vec!["b", "a10", "a9", "A", "_x", "a", "a-b", "ab"];
        keys.sort_by(|a, b| key_order(a, b));
        assert_eq!(keys, vec!["_x", "A", "a", "a-b", "a9", "a10", "ab", "b"]);
    }

    #[test]
    fn nested_sequences_and_numbers() {
        let v = json!({"m": [[1, 2], [], {}], "f": 0.5, "g": 1e21, "h": 1.5e-7, "n": -3});
        assert_eq!(
            to_go_yaml(&v),
            "f: 0.5\ng: 1e+21\nh: 1.5e-07\nm:\n- - 1\n  - 2\n- []\n- {}\n\"n\": -3\n"
        );
    }
}
