//! The pieces `kubectl describe` writes with (kubernetes/kubectl `pkg/describe/describe.go`
//! at v0.32): its `PrefixWriter` ([`Writer`]), string and time fields of an object's JSON,
//! and the multi-line label, annotation and toleration lists, shared by
//! [`super::describe_pod`], [`super::describe_container`] and
//! [`super::describe_pod_template`].

use chrono::{DateTime, Utc};
use serde_json::Value;

pub(super) fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .fold(v, |v, k| &v[*k])
        .as_str()
        .unwrap_or_default()
}

pub(super) fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// Go's `time.RFC1123Z` (a missing time is Go's zero time).
pub(super) fn rfc1123z(v: &Value) -> String {
    time(v).map_or_else(
        || "Mon, 01 Jan 0001 00:00:00 +0000".to_string(),
        |t| t.format("%a, %d %b %Y %H:%M:%S %z").to_string(),
    )
}

pub(super) fn go_bool(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// kubectl's `PrefixWriter`: two spaces per level, terminal escapes made visible
/// (`printers.WriteEscaped`: ESC as `^[`, CR as `\r`).
pub(super) struct Writer(pub(super) String);

impl Writer {
    pub(super) fn w(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.0.push_str("  ");
        }
        self.0
            .push_str(&text.replace('\x1b', "^[").replace('\r', "\\r"));
    }
}

pub(super) fn seccomp(w: &mut Writer, level: usize, security_context: &Value) {
    let profile = &security_context["seccompProfile"];
    if profile.is_object() {
        let t = s(profile, &["type"]);
        w.w(level, &format!("SeccompProfile:\t{t}\n"));
        if t == "Localhost" {
            w.w(
                level + 1,
                &format!("LocalhostProfile:\t{}\n", s(profile, &["localhostProfile"])),
            );
        }
    }
}

/// `printLabelsMultilineWithIndent`: sorted `key=value`, `<none>` when empty.
pub(super) fn labels_multiline(w: &mut Writer, title: &str, map: &Value) {
    w.w(0, &format!("{title}:\t"));
    let Some(map) = map.as_object().filter(|m| !m.is_empty()) else {
        w.w(0, "<none>\n");
        return;
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for (i, k) in keys.into_iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        w.w(0, &format!("{k}={}\n", map[k].as_str().unwrap_or_default()));
    }
}

/// `printAnnotationsMultiline`: kubectl's last-applied annotation skipped, a long or
/// multi-line value on its own lines, cut at 140 bytes.
pub(super) fn annotations_multiline(w: &mut Writer, title: &str, map: &Value) {
    const MAX: usize = 140;
    w.w(0, &format!("{title}:\t"));
    let mut keys: Vec<&String> = map
        .as_object()
        .map(|m| {
            m.keys()
                .filter(|k| *k != "kubectl.kubernetes.io/last-applied-configuration")
                .collect()
        })
        .unwrap_or_default();
    if keys.is_empty() {
        w.w(0, "<none>\n");
        return;
    }
    keys.sort();
    for (i, k) in keys.into_iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        let value = map[k].as_str().unwrap_or_default();
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + k.len() + 2 > MAX || value.contains('\n') {
            w.w(0, &format!("{k}:\n"));
            for line in value.split('\n') {
                w.w(0, &format!("\t  {}\n", shorten(line, MAX - 2)));
            }
        } else {
            w.w(0, &format!("{k}: {value}\n"));
        }
    }
}

/// Go's `s[:max] + "..."` on bytes (kept on a character boundary here).
fn shorten(s: &str, max: usize) -> String {
    crate::domain::text_cut::cut_with_mark(s, max, "...")
}

/// `printPodTolerationsMultiline`: sorted by key.
pub(super) fn tolerations(w: &mut Writer, title: &str, list: &Value) {
    w.w(0, &format!("{title}:\t"));
    let Some(list) = list.as_array().filter(|l| !l.is_empty()) else {
        w.w(0, "<none>\n");
        return;
    };
    let mut list = list.clone();
    list.sort_by(|a, b| s(a, &["key"]).cmp(s(b, &["key"])));
    for (i, t) in list.iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        let (key, value, effect) = (s(t, &["key"]), s(t, &["value"]), s(t, &["effect"]));
        let mut line = key.to_string();
        if !value.is_empty() {
            line.push_str(&format!("={value}"));
        }
        if !effect.is_empty() {
            line.push_str(&format!(":{effect}"));
        }
        if s(t, &["operator"]) == "Exists" && value.is_empty() {
            line.push_str(if key.is_empty() && effect.is_empty() {
                "op=Exists"
            } else {
                " op=Exists"
            });
        }
        if let Some(secs) = t["tolerationSeconds"].as_i64() {
            line.push_str(&format!(" for {secs}s"));
        }
        w.w(0, &format!("{line}\n"));
    }
}
