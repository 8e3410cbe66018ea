//! TEMPORARY until the loader and journal branches merge: minimal stand-ins for
//! `domain::runbook::fill` and `domain::redact::is_secret_name`.

use crate::domain::runbook::{Bindings, Placeholder, PlaceholderForm};

pub fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    ["TOKEN", "SECRET", "PASSWORD", "KEY", "WEBHOOK"]
        .iter()
        .any(|w| n.contains(w))
}

pub fn fill(script: &str, bindings: &Bindings) -> Result<String, Vec<Placeholder>> {
    let mut out = script.to_string();
    let mut missing = Vec::new();
    let mut i = 0;
    while let Some(s) = out[i..].find('<') {
        let s = i + s;
        if let Some(e) = out[s..].find('>') {
            let name = &out[s + 1..s + e];
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                if let Some(v) = bindings.get(name) {
                    let v = v.clone();
                    out.replace_range(s..s + e + 1, &v);
                    i = s + v.len();
                    continue;
                }
                missing.push(Placeholder {
                    name: name.to_string(),
                    form: PlaceholderForm::Angle,
                });
            }
            i = s + 1;
        } else {
            break;
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}
