//! Playing a scenario's timeline: each entry (deploy, set env, scale, selector switch,
//! config map change, fault window, dropped watches, Argo CD commit, …) applied at its
//! simulated time, and recorded for drill scoring.

use std::sync::Arc;

use serde_json::json;
use tokio::sync::watch;

use super::format::{Scenario, TimelineEntry, parse_duration};
use super::setup::{edit_deployment, set_version};
use crate::sim::{ApiError, ApiFaults, Shared, res};

/// Applies one timeline entry now.
pub fn apply(shared: &Arc<Shared>, scenario: &Scenario, e: &TimelineEntry) -> Result<(), ApiError> {
    let ns_of = |app: &str| {
        scenario
            .app(app)
            .and_then(|a| a.namespace.clone())
            .unwrap_or_else(|| scenario.namespace.clone())
    };
    if let Some(d) = &e.deploy {
        set_version(
            shared,
            &ns_of(&d.app),
            &d.app,
            &d.version,
            Some(
                d.change_cause
                    .as_deref()
                    .unwrap_or(&format!("deploy {} {}", d.app, d.version)),
            ),
        )?;
    }
    if let Some(s) = &e.set_env {
        edit_deployment(shared, &ns_of(&s.app), &s.app, |o| {
            let c = &mut o["spec"]["template"]["spec"]["containers"][0];
            if !c["env"].is_array() {
                c["env"] = json!([]);
            }
            if let Some(env) = c["env"].as_array_mut() {
                match env.iter_mut().find(|v| v["name"] == s.name.as_str()) {
                    Some(v) => *v = json!({"name": s.name, "value": s.value}),
                    None => env.push(json!({"name": s.name, "value": s.value})),
                }
            }
        })?;
    }
    if let Some(s) = &e.scale {
        edit_deployment(shared, &ns_of(&s.app), &s.app, |o| {
            o["spec"]["replicas"] = json!(s.replicas)
        })?;
    }
    if let Some(b) = &e.behaviour {
        shared.add_behaviour(b.clone());
    }
    if let Some(cm) = &e.configmap {
        let ns = cm
            .namespace
            .clone()
            .unwrap_or_else(|| scenario.namespace.clone());
        let r = res("", "configmaps");
        match shared.store.get(r, &ns, &cm.name) {
            Some(cur) => {
                let mut o = (*cur).clone();
                o["data"] = json!(cm.data);
                shared.store.update(r, o, None)?;
            }
            None => {
                let o = shared.prepare_create(
                    r,
                    &ns,
                    json!({"metadata": {"name": cm.name}, "data": cm.data}),
                )?;
                shared.store.create(r, o)?;
            }
        }
    }
    if let Some(sel) = &e.service_selector {
        let ns = scenario.namespace.clone();
        let r = res("", "services");
        let cur = shared
            .store
            .get(r, &ns, &sel.service)
            .ok_or_else(|| crate::sim::store::not_found(r, &sel.service))?;
        let mut o = (*cur).clone();
        o["spec"]["selector"] = json!(sel.selector);
        shared.store.update(r, o, None)?;
        shared.deploy_api.record_switch(shared, "release");
    }
    if let Some(f) = &e.api_faults {
        shared.set_faults(ApiFaults {
            latency_ms: f.latency_ms,
            error_ratio: f.error_ratio,
        });
        let secs = parse_duration(&f.duration).unwrap_or(0.0);
        let sh = shared.clone();
        let real = shared.clock.real_duration(secs);
        let window = shared.faults_generation();
        tokio::spawn(async move {
            tokio::time::sleep(real).await;
            // A later window (or a manual change) owns the faults now.
            if sh.faults_generation() == window {
                sh.set_faults(ApiFaults::default());
            }
        });
    }
    if e.drop_watches == Some(true) {
        shared.drop_watches();
    }
    if e.force_410 == Some(true) {
        shared.force_gone();
    }
    if let Some(c) = &e.commit {
        crate::sim::argocd::spec::push(shared, c)?;
    }
    if let Some(f) = &e.deploy_api_faults {
        shared
            .deploy_api
            .set_faults(f.rollback_refused.clone(), f.health_stays_degraded);
    }
    Ok(())
}

/// Plays the timeline in simulated time.
pub async fn run_timeline(
    shared: Arc<Shared>,
    scenario: Scenario,
    mut stop: watch::Receiver<bool>,
    mut go: watch::Receiver<bool>,
) {
    // A held timeline starts when released; its entries are timed from then.
    tokio::select! {
        _ = stop.wait_for(|s| *s) => return,
        released = go.wait_for(|g| *g) => if released.is_err() { return },
    }
    let offset = shared.clock.elapsed_secs();
    let mut entries: Vec<(f64, TimelineEntry)> = scenario
        .timeline
        .iter()
        .map(|e| (parse_duration(&e.at).unwrap_or(0.0), e.clone()))
        .collect();
    entries.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (at, e) in entries {
        let wait = shared
            .clock
            .real_duration(offset + at - shared.clock.elapsed_secs());
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = tokio::time::sleep(wait) => {}
        }
        let result = apply(&shared, &scenario, &e);
        if let Err(err) = &result {
            tracing::warn!(scenario = %scenario.name, at, "timeline entry failed: {err}");
        }
        shared.log_timeline(crate::sim::TimelineRecord {
            at_secs: shared.clock.elapsed_secs(),
            wall_time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            what: e.describe(),
            error: result.err().map(|err| err.to_string()),
        });
    }
}
