//! The replica-set controller: keeps `spec.replicas` pods (owner references, template
//! labels), deletes surplus pods least-useful first, and reports status counts.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{EventKind, PodCounts, controller_uid, pod_ready, record_event, replace, terminating};
use crate::sim::deletion::delete_object;
use crate::sim::{Shared, res};

/// Most pods one replica set creates per pass (the real controller's slow start batches).
const CREATE_BURST: i64 = 500;

fn rank_for_deletion(p: &Value) -> (u8, u8, u8, i64, std::cmp::Reverse<String>) {
    let scheduled = p["spec"]["nodeName"]
        .as_str()
        .is_some_and(|n| !n.is_empty());
    let running = p["status"]["phase"] == "Running";
    let ready = pod_ready(p);
    let restarts: i64 = p["status"]["containerStatuses"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| c["restartCount"].as_i64().unwrap_or(0))
                .sum()
        })
        .unwrap_or(0);
    let created = p["metadata"]["creationTimestamp"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (
        u8::from(scheduled),
        u8::from(running),
        u8::from(ready),
        -restarts,
        std::cmp::Reverse(created),
    )
}

fn new_pod(rs: &Value, min_ready: i64) -> Value {
    let meta = &rs["metadata"];
    let tmpl = &rs["spec"]["template"];
    let mut annotations = tmpl["metadata"]["annotations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if min_ready > 0 {
        annotations.insert(
            "backout.sim/min-ready-seconds".into(),
            json!(min_ready.to_string()),
        );
    }
    let rs_name = meta["name"].as_str().unwrap_or_default();
    json!({
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            "generateName": format!("{rs_name}-"),
            "namespace": meta["namespace"],
            "labels": tmpl["metadata"]["labels"],
            "annotations": annotations,
            "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs_name,
                "uid": meta["uid"], "controller": true, "blockOwnerDeletion": true
            }]
        },
        "spec": tmpl["spec"],
    })
}

/// Syncs every replica set.
pub fn sync_all(shared: &Shared, pods: &[Arc<Value>], counts: &HashMap<String, PodCounts>) {
    let rs_res = res("apps", "replicasets");
    let pod_res = res("", "pods");
    let (_, rss) = shared.store.list(rs_res, None);
    let mut by_owner: HashMap<&str, Vec<&Arc<Value>>> = HashMap::new();
    for p in pods {
        if let Some(o) = controller_uid(p)
            && !terminating(p)
        {
            by_owner.entry(o).or_default().push(p);
        }
    }
    for rs in rss {
        if terminating(&rs) {
            continue;
        }
        let uid = rs["metadata"]["uid"].as_str().unwrap_or_default();
        let want = rs["spec"]["replicas"].as_i64().unwrap_or(1);
        let min_ready = rs["spec"]["minReadySeconds"].as_i64().unwrap_or(0);
        let mut own: Vec<&Arc<Value>> = by_owner.get(uid).cloned().unwrap_or_default();
        let have = own.len() as i64;
        if have < want {
            let n = (want - have).min(CREATE_BURST);
            let ns = rs["metadata"]["namespace"].as_str().unwrap_or_default();
            for _ in 0..n {
                match shared.prepare_create(pod_res, ns, new_pod(&rs, min_ready)) {
                    Ok(p) => {
                        let pname = p["metadata"]["name"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        if shared.store.create(pod_res, p).is_ok() {
                            record_event(
                                shared,
                                &rs,
                                EventKind::Normal,
                                "SuccessfulCreate",
                                &format!("Created pod: {pname}"),
                                "replicaset-controller",
                            );
                        }
                    }
                    Err(e) => {
                        record_event(
                            shared,
                            &rs,
                            EventKind::Warning,
                            "FailedCreate",
                            &format!("Error creating: {e}"),
                            "replicaset-controller",
                        );
                        break;
                    }
                }
            }
        } else if have > want {
            own.sort_by_key(|p| rank_for_deletion(p));
            for p in own.iter().take((have - want) as usize) {
                let pname = p["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if delete_object(shared, pod_res, p, None, None, false).is_ok() {
                    record_event(
                        shared,
                        &rs,
                        EventKind::Normal,
                        "SuccessfulDelete",
                        &format!("Deleted pod: {pname}"),
                        "replicaset-controller",
                    );
                }
            }
        }
        let c = counts.get(uid).copied().unwrap_or_default();
        let generation = rs["metadata"]["generation"].as_i64().unwrap_or(1);
        let mut status = json!({
            "replicas": c.active,
            "fullyLabeledReplicas": c.active,
            "readyReplicas": c.ready,
            "availableReplicas": c.available,
            "observedGeneration": generation,
        });
        // The real API omits zero counts (omitempty) except `replicas`.
        if let Some(m) = status.as_object_mut() {
            m.retain(|k, v| k == "replicas" || k == "observedGeneration" || v.as_i64() != Some(0));
        }
        if rs["status"] != status {
            let mut updated = (*rs).clone();
            updated["status"] = status;
            replace(shared, rs_res, &rs, updated);
        }
    }
}
