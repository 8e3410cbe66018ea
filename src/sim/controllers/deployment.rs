//! The deployment controller, following `pkg/controller/deployment`: one replica set per
//! pod-template hash, revisions and revision history, rolling updates bounded by
//! `maxSurge`/`maxUnavailable`, `Recreate`, `paused`, `revisionHistoryLimit`, status counts,
//! and the `Available`/`Progressing` conditions including `ProgressDeadlineExceeded`.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::deployment_conditions::{condition, set_condition};
use super::deployment_revisions::{
    DESIRED, MAX_REPLICAS, SKIP_COPY, revision, strip_hash, template_hash,
};
use super::deployment_rollout::{Rs, scale};
use super::{EventKind, Pass, PodCounts, controller_uid, record_event, replace, terminating};
use crate::sim::{Shared, res};

pub use super::deployment_revisions::{HASH_LABEL, REVISION, REVISION_HISTORY};
pub use super::deployment_rollout::fenceposts;

/// Syncs every deployment; returns whether a rollout is still in progress.
pub fn sync_all(shared: &Shared, counts: &HashMap<String, PodCounts>, opts: Pass) -> bool {
    let (_, deployments) = shared.store.list(res("apps", "deployments"), None);
    if deployments.is_empty() {
        return false;
    }
    let mut pending = false;
    let (_, rss) = shared.store.list(res("apps", "replicasets"), None);
    let mut owned: HashMap<String, Vec<Arc<Value>>> = HashMap::new();
    for rs in rss {
        if let Some(o) = controller_uid(&rs) {
            owned.entry(o.to_string()).or_default().push(rs.clone());
        }
    }
    for d in deployments {
        if terminating(&d) {
            continue;
        }
        let uid = d["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        pending |= sync_one(
            shared,
            &d,
            owned.remove(&uid).unwrap_or_default(),
            counts,
            opts,
        );
    }
    pending
}

/// The deployment controller's `ScalingReplicaSet` event
/// (`pkg/controller/deployment/sync.go`): `Scaled up replica set X to N` when it has just
/// created the replica set (`getNewReplicaSet`), else `Scaled up|down replica set X to N
/// from M` (`scaleReplicaSet`).
fn scale_event(shared: &Shared, d: &Value, rs_name: &str, from: i64, to: i64, created: bool) {
    let message = if created && from == 0 {
        format!("Scaled up replica set {rs_name} to {to}")
    } else {
        let dir = if to > from { "up" } else { "down" };
        format!("Scaled {dir} replica set {rs_name} to {to} from {from}")
    };
    record_event(
        shared,
        d,
        EventKind::Normal,
        "ScalingReplicaSet",
        &message,
        "deployment-controller",
    );
}

fn sync_one(
    shared: &Shared,
    d: &Arc<Value>,
    owned: Vec<Arc<Value>>,
    counts: &HashMap<String, PodCounts>,
    opts: Pass,
) -> bool {
    let rs_res = res("apps", "replicasets");
    let d_res = res("apps", "deployments");
    let now = shared.clock.now_rfc3339();
    let name = d["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let ns = d["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let replicas = d["spec"]["replicas"].as_i64().unwrap_or(1);
    let paused = d["spec"]["paused"].as_bool() == Some(true);
    let template = d["spec"]["template"].clone();
    let (surge, unavailable) = fenceposts(d);
    let mut status = d["status"].clone();
    if !status.is_object() {
        status = json!({});
    }
    let old_status = status.clone();

    let mut rss: Vec<Rs> = owned
        .into_iter()
        .filter(|r| !terminating(r))
        .map(|obj| {
            let uid = obj["metadata"]["uid"].as_str().unwrap_or_default();
            Rs {
                replicas: obj["spec"]["replicas"].as_i64().unwrap_or(0),
                counts: counts.get(uid).copied().unwrap_or_default(),
                annotations: obj["metadata"]["annotations"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                dirty: false,
                created: false,
                obj,
            }
        })
        .collect();
    // Oldest revision first (ties by creation).
    rss.sort_by_key(|r| {
        (
            revision(&r.obj),
            r.obj["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    });
    let want = strip_hash(&template);
    let mut new_idx = rss
        .iter()
        .position(|r| strip_hash(&r.obj["spec"]["template"]) == want);
    let max_old = rss
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != new_idx)
        .map(|(_, r)| revision(&r.obj))
        .max()
        .unwrap_or(0);
    let copied: Map<String, Value> = d["metadata"]["annotations"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !SKIP_COPY.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();

    // The new replica set: create it, or promote an old one (rollback) to the next revision.
    if !paused {
        match new_idx {
            None => {
                let collisions = status["collisionCount"].as_i64().unwrap_or(0);
                let hash = template_hash(&want, collisions);
                let rs_name = format!("{name}-{hash}");
                let mut tmpl = want.clone();
                tmpl["metadata"]["labels"][HASH_LABEL] = json!(hash);
                let mut selector = d["spec"]["selector"].clone();
                selector["matchLabels"][HASH_LABEL] = json!(hash);
                let mut labels = tmpl["metadata"]["labels"].clone();
                if !labels.is_object() {
                    labels = json!({HASH_LABEL: hash});
                }
                let mut annotations = copied.clone();
                annotations.insert(REVISION.into(), json!((max_old + 1).to_string()));
                annotations.insert(DESIRED.into(), json!(replicas.to_string()));
                annotations.insert(MAX_REPLICAS.into(), json!((replicas + surge).to_string()));
                let mut spec = json!({"replicas": 0, "selector": selector, "template": tmpl});
                if let Some(m) = d["spec"]["minReadySeconds"].as_i64() {
                    spec["minReadySeconds"] = json!(m);
                }
                let body = json!({
                    "kind": "ReplicaSet", "apiVersion": "apps/v1",
                    "metadata": {"name": rs_name, "namespace": ns, "labels": labels, "annotations": annotations,
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                            "uid": d["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true}]},
                    "spec": spec,
                });
                let created = shared
                    .prepare_create(rs_res, &ns, body)
                    .and_then(|o| shared.store.create(rs_res, o));
                match created {
                    Ok(obj) => {
                        set_condition(
                            &mut status,
                            "Progressing",
                            "True",
                            "NewReplicaSetCreated",
                            &format!("Created new replica set \"{rs_name}\""),
                            &now,
                        );
                        rss.push(Rs {
                            replicas: 0,
                            counts: PodCounts::default(),
                            dirty: false,
                            created: true,
                            annotations: obj["metadata"]["annotations"]
                                .as_object()
                                .cloned()
                                .unwrap_or_default(),
                            obj,
                        });
                        new_idx = Some(rss.len() - 1);
                    }
                    Err(crate::sim::ApiError::AlreadyExists { .. }) => {
                        // Hash collision with a replica set of a different template.
                        status["collisionCount"] = json!(collisions + 1);
                    }
                    Err(_) => {}
                }
            }
            Some(i) => {
                let r = &mut rss[i];
                let rev = revision(&r.obj);
                if rev <= max_old {
                    if rev > 0 {
                        let hist = r
                            .annotations
                            .get(REVISION_HISTORY)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        let hist = if hist.is_empty() {
                            rev.to_string()
                        } else {
                            format!("{hist},{rev}")
                        };
                        r.annotations.insert(REVISION_HISTORY.into(), json!(hist));
                    }
                    r.annotations
                        .insert(REVISION.into(), json!((max_old + 1).to_string()));
                    r.dirty = true;
                }
                for (k, v) in &copied {
                    if r.annotations.get(k) != Some(v) {
                        r.annotations.insert(k.clone(), v.clone());
                        r.dirty = true;
                    }
                }
                if condition(&status, "Progressing").is_none() {
                    set_condition(
                        &mut status,
                        "Progressing",
                        "True",
                        "FoundNewReplicaSet",
                        &format!("Found new replica set \"{}\"", r.name()),
                        &now,
                    );
                }
            }
        }
    }

    // Scaling.
    let total_spec = |rss: &[Rs]| rss.iter().map(|r| r.replicas).sum::<i64>();
    let recreate = d["spec"]["strategy"]["type"] == "Recreate";
    let desired = json!(replicas.to_string());
    let scaling_event = rss
        .iter()
        .any(|r| r.replicas > 0 && r.annotations.get(DESIRED).is_some_and(|a| *a != desired));
    if paused || (scaling_event && !recreate) {
        // `sync`: a paused deployment is only scaled, and a scaling event is handled
        // before any rollout step (the rollout continues on the next pass).
        scale(&mut rss, new_idx, replicas, surge);
    } else if let Some(ni) = new_idx {
        if recreate {
            let mut old_active = false;
            for (i, r) in rss.iter_mut().enumerate() {
                if i != ni && (r.replicas > 0 || r.counts.active > 0) {
                    old_active = true;
                    if r.replicas > 0 {
                        r.replicas = 0;
                        r.dirty = true;
                    }
                }
            }
            if !old_active && rss[ni].replicas != replicas {
                rss[ni].replicas = replicas;
                rss[ni].dirty = true;
            }
        } else {
            // Scale up the new replica set within maxSurge.
            let total = total_spec(&rss);
            let max_total = replicas + surge;
            let cur = rss[ni].replicas;
            let target = if cur > replicas {
                replicas
            } else if total < max_total {
                (cur + (max_total - total)).min(replicas)
            } else {
                cur
            };
            if target != cur {
                rss[ni].replicas = target;
                rss[ni].dirty = true;
            }
            // Scale down old replica sets within maxUnavailable.
            let all_pods = total_spec(&rss);
            let min_available = replicas - unavailable;
            let new_unavailable = rss[ni].replicas - rss[ni].counts.available;
            let mut budget = all_pods - min_available - new_unavailable;
            if budget > 0 {
                // First the unhealthy replicas of old replica sets.
                for (i, r) in rss.iter_mut().enumerate() {
                    if i == ni || budget <= 0 {
                        continue;
                    }
                    let unhealthy = (r.replicas - r.counts.available).max(0).min(budget);
                    if unhealthy > 0 {
                        r.replicas -= unhealthy;
                        r.dirty = true;
                        budget -= unhealthy;
                    }
                }
                // Then available ones, keeping minAvailable.
                let available: i64 = rss.iter().map(|r| r.counts.available.min(r.replicas)).sum();
                let mut scale_down = (available - min_available).min(budget);
                for (i, r) in rss.iter_mut().enumerate() {
                    if i == ni || scale_down <= 0 {
                        continue;
                    }
                    let n = r.replicas.min(scale_down);
                    if n > 0 {
                        r.replicas -= n;
                        r.dirty = true;
                        scale_down -= n;
                    }
                }
            }
        }
    }

    // Write replica sets whose spec or annotations changed.
    for (i, r) in rss.iter_mut().enumerate() {
        let is_new = Some(i) == new_idx;
        if r.replicas > 0 || is_new {
            let desired = json!(replicas.to_string());
            let max = json!((replicas + surge).to_string());
            if r.annotations.get(DESIRED) != Some(&desired)
                || r.annotations.get(MAX_REPLICAS) != Some(&max)
            {
                r.annotations.insert(DESIRED.into(), desired);
                r.annotations.insert(MAX_REPLICAS.into(), max);
                r.dirty = true;
            }
        }
        if !r.dirty {
            continue;
        }
        let from = r.obj["spec"]["replicas"].as_i64().unwrap_or(0);
        let mut o = (*r.obj).clone();
        o["spec"]["replicas"] = json!(r.replicas);
        o["metadata"]["annotations"] = Value::Object(r.annotations.clone());
        if let Ok(stored) = shared
            .prepare_update(rs_res, &r.obj, o, None)
            .and_then(|o| {
                let rv = r.obj["metadata"]["resourceVersion"]
                    .as_str()
                    .and_then(|s| s.parse().ok());
                shared.store.update(rs_res, o, rv)
            })
        {
            if from != r.replicas {
                scale_event(shared, d, &r.name(), from, r.replicas, r.created);
            }
            r.obj = stored;
        } else {
            r.replicas = from;
        }
    }

    // Keep at most revisionHistoryLimit old, empty replica sets.
    let limit = d["spec"]["revisionHistoryLimit"]
        .as_i64()
        .unwrap_or(10)
        .max(0) as usize;
    let old_empty: Vec<usize> = rss
        .iter()
        .enumerate()
        .filter(|(i, r)| Some(*i) != new_idx && r.replicas == 0 && r.counts.active == 0)
        .map(|(i, _)| i)
        .collect();
    if old_empty.len() > limit {
        for &i in old_empty.iter().take(old_empty.len() - limit) {
            let (rns, rname) = crate::sim::store::key_of(&rss[i].obj);
            let _ = shared.store.delete(rs_res, &rns, &rname);
        }
    }

    // Status.
    let sum = |f: fn(&Rs) -> i64| rss.iter().map(f).sum::<i64>();
    let actual = sum(|r| r.counts.active);
    let ready = sum(|r| r.counts.ready);
    let available = sum(|r| r.counts.available);
    let updated = new_idx.map_or(0, |i| rss[i].counts.active);
    let spec_total = sum(|r| r.replicas);
    let generation = d["metadata"]["generation"].as_i64().unwrap_or(1);
    status["observedGeneration"] = json!(generation);
    status["replicas"] = json!(actual);
    status["updatedReplicas"] = json!(updated);
    status["readyReplicas"] = json!(ready);
    status["availableReplicas"] = json!(available);
    status["unavailableReplicas"] = json!((spec_total - available).max(0));
    // The counts are `omitempty` in apps/v1 `DeploymentStatus`: zero is not written.
    if let Some(m) = status.as_object_mut() {
        for k in [
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
            "unavailableReplicas",
        ] {
            if m.get(k).and_then(Value::as_i64) == Some(0) {
                m.remove(k);
            }
        }
    }
    let max_unavailable = if d["spec"]["strategy"]["type"] == "Recreate" {
        0
    } else {
        unavailable
    };
    if available >= replicas - max_unavailable {
        set_condition(
            &mut status,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            &now,
        );
    } else {
        set_condition(
            &mut status,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            &now,
        );
    }
    let progressing_reason = condition(&status, "Progressing")
        .and_then(|c| c["reason"].as_str())
        .unwrap_or_default()
        .to_string();
    if paused {
        if progressing_reason != "DeploymentPaused" {
            set_condition(
                &mut status,
                "Progressing",
                "Unknown",
                "DeploymentPaused",
                "Deployment is paused",
                &now,
            );
        }
    } else {
        if progressing_reason == "DeploymentPaused" {
            set_condition(
                &mut status,
                "Progressing",
                "Unknown",
                "DeploymentResumed",
                "Deployment is resumed",
                &now,
            );
        }
        let new_name = new_idx.map(|i| rss[i].name()).unwrap_or_default();
        let has_deadline = d["spec"]["progressDeadlineSeconds"]
            .as_i64()
            .is_some_and(|s| s < i64::from(i32::MAX));
        let cur = condition(&status, "Progressing").cloned();
        let complete_already = actual == updated
            && cur
                .as_ref()
                .is_some_and(|c| c["reason"] == "NewReplicaSetAvailable");
        if has_deadline && !complete_already {
            let complete = updated == replicas && actual == replicas && available == replicas;
            let os = |k: &str| old_status[k].as_i64().unwrap_or(0);
            let progressed = updated != os("updatedReplicas")
                || ready > os("readyReplicas")
                || available > os("availableReplicas")
                || (os("replicas") - os("updatedReplicas")) > (actual - updated);
            let deadline = d["spec"]["progressDeadlineSeconds"]
                .as_f64()
                .unwrap_or(600.0);
            let timed_out = cur.as_ref().is_some_and(|c| {
                c["reason"] == "ProgressDeadlineExceeded"
                    || (c["reason"] != "NewReplicaSetAvailable"
                        && !opts.instant
                        && shared
                            .clock
                            .secs_since(c["lastUpdateTime"].as_str().unwrap_or_default())
                            > deadline)
            });
            if complete {
                set_condition(
                    &mut status,
                    "Progressing",
                    "True",
                    "NewReplicaSetAvailable",
                    &format!("ReplicaSet \"{new_name}\" has successfully progressed."),
                    &now,
                );
            } else if progressed {
                let transition = cur
                    .as_ref()
                    .filter(|c| c["status"] == "True")
                    .map(|c| c["lastTransitionTime"].clone())
                    .unwrap_or(json!(now));
                let mut conds: Vec<Value> = status["conditions"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|c| c["type"] != "Progressing")
                    .collect();
                conds.push(json!({"type": "Progressing", "status": "True", "lastUpdateTime": now, "lastTransitionTime": transition,
                    "reason": "ReplicaSetUpdated", "message": format!("ReplicaSet \"{new_name}\" is progressing.")}));
                status["conditions"] = json!(conds);
            } else if timed_out
                && set_condition(
                    &mut status,
                    "Progressing",
                    "False",
                    "ProgressDeadlineExceeded",
                    &format!("ReplicaSet \"{new_name}\" has timed out progressing."),
                    &now,
                )
            {
                record_event(
                    shared,
                    d,
                    EventKind::Warning,
                    "ProgressDeadlineExceeded",
                    &format!("Deployment \"{name}\" has timed out progressing."),
                    "deployment-controller",
                );
            }
        }
    }

    // Time-based work remains while a rollout is neither complete nor failed, or while
    // ready pods wait out minReadySeconds.
    let pending = (!paused
        && condition(&status, "Progressing").is_none_or(|c| {
            c["reason"] != "NewReplicaSetAvailable" && c["reason"] != "ProgressDeadlineExceeded"
        }))
        || rss.iter().any(|r| r.counts.ready > r.counts.available);

    // The deployment's revision follows its new replica set.
    let mut updated_d: Option<Value> = None;
    if let Some(i) = new_idx {
        let rev = revision(&rss[i].obj).to_string();
        if d["metadata"]["annotations"][REVISION].as_str() != Some(rev.as_str()) {
            let mut o = (**d).clone();
            if !o["metadata"]["annotations"].is_object() {
                o["metadata"]["annotations"] = json!({});
            }
            o["metadata"]["annotations"][REVISION] = json!(rev);
            updated_d = Some(o);
        }
    }
    let base = match updated_d {
        Some(o) => match replace(shared, d_res, d, o) {
            Some(stored) => stored,
            None => return true,
        },
        None => d.clone(),
    };
    if base["status"] != status {
        let mut o = (*base).clone();
        o["status"] = status;
        replace(shared, d_res, &base, o);
    }
    pending
}
