//! How a rollout sizes a deployment's replica sets: `maxSurge`/`maxUnavailable` resolved
//! against the replica count (`ResolveFenceposts`), and `dc.scale` spreading a size change
//! over the active replica sets. [`Rs`] is the controller's working view of one replica
//! set.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::PodCounts;
use super::deployment_revisions::MAX_REPLICAS;

/// Resolves an int-or-percent against `total` (`GetScaledValueFromIntOrPercent`).
fn scaled(v: &Value, total: i64, round_up: bool) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => {
            let pct: f64 = s.trim_end_matches('%').parse().unwrap_or(0.0);
            let raw = pct * total as f64 / 100.0;
            if round_up {
                raw.ceil() as i64
            } else {
                raw.floor() as i64
            }
        }
        _ => 0,
    }
}

/// `(maxSurge, maxUnavailable)` as numbers (`ResolveFenceposts`).
pub fn fenceposts(d: &Value) -> (i64, i64) {
    let r = d["spec"]["replicas"].as_i64().unwrap_or(1);
    if d["spec"]["strategy"]["type"] == "Recreate" {
        return (0, 0);
    }
    let ru = &d["spec"]["strategy"]["rollingUpdate"];
    let surge = scaled(&ru["maxSurge"], r, true);
    let mut unavailable = scaled(&ru["maxUnavailable"], r, false);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable.min(r))
}

pub(super) struct Rs {
    pub(super) obj: Arc<Value>,
    pub(super) replicas: i64,
    pub(super) counts: PodCounts,
    pub(super) dirty: bool,
    /// Created by this pass (its first scale-up is reported as a creation).
    pub(super) created: bool,
    pub(super) annotations: Map<String, Value>,
}

impl Rs {
    pub(super) fn name(&self) -> String {
        self.obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// `dc.scale`: one active replica set takes the new size; a saturated new replica set
/// lets the old ones go; otherwise the change (within `replicas + maxSurge`) is spread
/// over the active replica sets in proportion to their size, as the real controller does
/// so that scaling in the middle of a rollout keeps its old/new ratio.
pub(super) fn scale(rss: &mut [Rs], new_idx: Option<usize>, replicas: i64, surge: i64) {
    let active: Vec<usize> = rss
        .iter()
        .enumerate()
        .filter(|(_, r)| r.replicas > 0)
        .map(|(i, _)| i)
        .collect();
    let set = |r: &mut Rs, n: i64| {
        if r.replicas != n {
            r.replicas = n;
            r.dirty = true;
        }
    };
    let only = match (active.as_slice(), new_idx) {
        ([], Some(i)) => Some(i),
        ([i], _) => Some(*i),
        ([], None) => return,
        _ => None,
    };
    if let Some(i) = only {
        set(&mut rss[i], replicas);
        return;
    }
    if let Some(ni) = new_idx
        && rss[ni].replicas == replicas
        && rss[ni].counts.available >= replicas
    {
        for (i, r) in rss.iter_mut().enumerate() {
            if i != ni {
                set(r, 0);
            }
        }
        return;
    }
    let total: i64 = active.iter().map(|i| rss[*i].replicas).sum();
    let allowed = if replicas > 0 { replicas + surge } else { 0 };
    let to_add = allowed - total;
    if to_add == 0 {
        return;
    }
    // Largest first; ties: newest first when adding, oldest first when removing.
    let mut order = active.clone();
    order.sort_by(|a, b| {
        rss[*b]
            .replicas
            .cmp(&rss[*a].replicas)
            .then_with(|| if to_add > 0 { b.cmp(a) } else { a.cmp(b) })
    });
    let mut added = 0i64;
    let mut sizes: Vec<(usize, i64)> = Vec::new();
    for &i in &order {
        let r = &rss[i];
        let annotated = r
            .annotations
            .get(MAX_REPLICAS)
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|m| *m > 0)
            .unwrap_or(total.max(1));
        let fraction = if replicas == 0 {
            -r.replicas
        } else {
            ((r.replicas * allowed) as f64 / annotated as f64).round() as i64 - r.replicas
        };
        let allowed_left = to_add - added;
        let proportion = if to_add > 0 {
            fraction.min(allowed_left).max(0)
        } else {
            fraction.max(allowed_left).min(0)
        };
        added += proportion;
        sizes.push((i, r.replicas + proportion));
    }
    // Leftovers go to the largest replica set.
    if let Some(first) = sizes.first_mut() {
        first.1 = (first.1 + to_add - added).max(0);
    }
    for (i, n) in sizes {
        set(&mut rss[i], n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fenceposts_round_like_kubernetes() {
        let d = json!({"spec": {"replicas": 4, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}});
        assert_eq!(fenceposts(&d), (1, 1));
        let d = json!({"spec": {"replicas": 3, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}});
        assert_eq!(fenceposts(&d), (1, 0));
        let d = json!({"spec": {"replicas": 3, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}}});
        assert_eq!(fenceposts(&d), (0, 1));
    }
}
