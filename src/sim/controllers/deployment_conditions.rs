//! The `Available` and `Progressing` conditions of a deployment's status.

use serde_json::{Value, json};

pub(super) fn set_condition(
    status: &mut Value,
    ty: &str,
    st: &str,
    reason: &str,
    message: &str,
    now: &str,
) -> bool {
    let conds = status["conditions"].as_array().cloned().unwrap_or_default();
    let current = conds.iter().find(|c| c["type"] == ty).cloned();
    if let Some(c) = &current
        && c["status"] == st
        && c["reason"] == reason
    {
        return false;
    }
    let transition = match &current {
        Some(c) if c["status"] == st => c["lastTransitionTime"].clone(),
        _ => json!(now),
    };
    let mut out: Vec<Value> = conds.into_iter().filter(|c| c["type"] != ty).collect();
    out.push(json!({"type": ty, "status": st, "lastUpdateTime": now, "lastTransitionTime": transition, "reason": reason, "message": message}));
    status["conditions"] = json!(out);
    true
}

pub(super) fn condition<'a>(status: &'a Value, ty: &str) -> Option<&'a Value> {
    status["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)
}
