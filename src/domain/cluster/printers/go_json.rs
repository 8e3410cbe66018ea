//! JSON as Go's `encoding/json` writes an unstructured object (`map[string]interface{}`),
//! which is what kubectl prints: `kubectl get -o json` is cli-runtime's `JSONPrinter`
//! (`pkg/printers/json.go`: `json.MarshalIndent(obj, "", "    ")` and a newline), and
//! `-o jsonpath` prints a map or a list found by the template with `json.Marshal`
//! (client-go `util/jsonpath/jsonpath.go`, `PrintResults`). What that means:
//!
//! - object keys sorted by their bytes (Go sorts map keys when it encodes a map);
//! - strings escaped as `encode.go`'s `appendString` does with HTML escaping on: `"`, `\`,
//!   `\n`, `\r`, `\t`, `\b`, `\f`, other control characters as `\u00XX`, `<`, `>`, `&` as
//!   `\u003c`, `\u003e`, `\u0026`, and U+2028, U+2029 as `\u2028`, `\u2029`;
//! - empty objects and arrays as `{}` and `[]` even when indented;
//! - integers as decimals; other numbers as `floatEncoder` writes them (`'f'` format,
//!   `'e'` below 1e-6 or from 1e21 with a two-digit exponent at least).

use serde_json::{Map, Value};

/// `json.Marshal`: no white space.
pub fn marshal(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v, None, 0);
    out
}

/// `json.MarshalIndent(v, "", "    ")` followed by a newline, as kubectl prints `-o json`.
pub fn marshal_indent(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v, Some("    "), 0);
    out.push('\n');
    out
}

fn newline(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(unit) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(unit);
        }
    }
}

fn write(out: &mut String, v: &Value, indent: Option<&str>, depth: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => string(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write(out, item, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push(']');
        }
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Object(m) => {
            out.push('{');
            for (i, (k, item)) in sorted(m).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                string(out, k);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write(out, item, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push('}');
        }
    }
}

/// The entries of `m` in Go's order for map keys: by bytes.
pub fn sorted(m: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = m.iter().collect();
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    entries
}

/// An integer as a decimal; a float as Go's `floatEncoder` writes a float64.
pub fn number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or_default();
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Go: 'e' format, then "e-07" shortened to "e-7".
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ("-", d),
            None => ("+", exp),
        };
        let digits = if digits.len() < 2 && sign == "+" {
            format!("0{digits}")
        } else {
            digits.to_string()
        };
        return format!("{mantissa}e{sign}{digits}");
    }
    // Rust's shortest round-trip digits in positional notation, as Go's 'f' with -1.
    format!("{f}")
}

fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Go: `json.MarshalIndent(map[string]interface{}{…}, "", "    ")`.
    #[test]
    fn indented_with_sorted_keys_and_compact_empties() {
        let v = json!({"spec": {"b": [], "a": {}}, "kind": "Deployment", "n": [1, 2]});
        assert_eq!(
            marshal_indent(&v),
            "{\n    \"kind\": \"Deployment\",\n    \"n\": [\n        1,\n        2\n    ],\n    \"spec\": {\n        \"a\": {},\n        \"b\": []\n    }\n}\n"
        );
        assert_eq!(
            marshal(&v),
            r#"{"kind":"Deployment","n":[1,2],"spec":{"a":{},"b":[]}}"#
        );
    }

    /// `encode.go` `appendString` with `escapeHTML` on.
    #[test]
    fn strings_are_escaped_as_go_escapes_them() {
        let v = json!("a<b>&\"\\\n\t\u{1}\u{8}\u{2028}é");
        assert_eq!(
            marshal(&v),
            r#""a\u003cb\u003e\u0026\"\\\n\t\u0001\b\u2028é""#
        );
    }

    /// `floatEncoder`: `0.5`, `1e-07`, `1e+21`.
    #[test]
    fn floats_as_go_writes_them() {
        assert_eq!(marshal(&json!(0.5)), "0.5");
        assert_eq!(marshal(&json!(1.5e-7)), "1.5e-7");
        assert_eq!(marshal(&json!(2e21)), "2e+21");
        assert_eq!(marshal(&json!(-3)), "-3");
    }
}
