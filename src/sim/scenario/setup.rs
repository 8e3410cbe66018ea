//! Setting a scenario's initial cluster up: namespaces, config maps, each application's
//! revisions rolled out through the deployment controller at their stated times,
//! services, the deploy service and Argo CD; and the deployment edits the timeline reuses.

use serde_json::{Value, json};

use super::format::{HistoryEntry, Scenario};
use crate::sim::cluster_basics::ensure_namespace;
use crate::sim::{ApiError, Shared, res, tick};

impl Scenario {
    /// Creates the initial cluster; each historical version is rolled out through the
    /// deployment controller, so replica sets, revisions and events are real.
    pub fn setup(&self, shared: &Shared) -> Result<(), ApiError> {
        let result = self.setup_at_stated_times(shared);
        shared.clock.set_rewind_secs(0.0);
        result?;
        if let Some(d) = &self.deploy_api {
            shared.deploy_api.setup(shared, d, &self.namespace);
        }
        match &self.argocd {
            Some(a) => a.setup(shared, &self.apps, &self.namespace),
            None => Ok(()),
        }
    }

    /// The namespace an object of the scenario goes in (`namespace`, else the scenario's),
    /// created when it does not exist yet.
    fn namespace_made(
        &self,
        shared: &Shared,
        namespace: &Option<String>,
    ) -> Result<String, ApiError> {
        let ns = namespace.clone().unwrap_or_else(|| self.namespace.clone());
        ensure_namespace(shared, &ns)?;
        Ok(ns)
    }

    /// [`Scenario::setup`], with the clock set back to when each revision happened.
    fn setup_at_stated_times(&self, shared: &Shared) -> Result<(), ApiError> {
        let earliest = self
            .apps
            .iter()
            .filter_map(|a| a.revision_times().ok()?.first().copied())
            .fold(0.0, f64::max);
        shared.clock.set_rewind_secs(earliest);
        ensure_namespace(shared, &self.namespace)?;
        for cm in &self.configmaps {
            let ns = self.namespace_made(shared, &cm.namespace)?;
            let obj = json!({"metadata": {"name": cm.name}, "data": cm.data});
            let obj = shared.prepare_create(res("", "configmaps"), &ns, obj)?;
            shared.store.create(res("", "configmaps"), obj)?;
        }
        for a in &self.apps {
            let ns = self.namespace_made(shared, &a.namespace)?;
            let label = a.app.clone().unwrap_or_else(|| a.name.clone());
            let container = a.container.clone().unwrap_or_else(|| "app".into());
            let versions: Vec<&str> = a
                .history
                .iter()
                .map(HistoryEntry::version)
                .chain(std::iter::once(a.version.as_str()))
                .collect();
            let times = a.revision_times().map_err(ApiError::BadRequest)?;
            shared.clock.set_rewind_secs(times[0]);
            let env: Vec<Value> = a
                .env
                .iter()
                .map(|(k, v)| json!({"name": k, "value": v}))
                .collect();
            let mut strategy = json!({"type": "RollingUpdate", "rollingUpdate": {}});
            if let Some(s) = &a.max_surge {
                strategy["rollingUpdate"]["maxSurge"] = int_or_string(s);
            }
            if let Some(s) = &a.max_unavailable {
                strategy["rollingUpdate"]["maxUnavailable"] = int_or_string(s);
            }
            let mut labels = json!({"app": label});
            for (k, v) in &a.labels {
                labels[k] = json!(v);
            }
            let mut spec = json!({
                "replicas": a.replicas,
                "selector": {"matchLabels": labels},
                "strategy": strategy,
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{
                        "name": container,
                        "image": format!("{}:{}", a.image, versions[0]),
                        "ports": [{"containerPort": a.port, "name": "http"}],
                        "env": env,
                    }]}
                }
            });
            if let Some(p) = a.progress_deadline_seconds {
                spec["progressDeadlineSeconds"] = json!(p);
            }
            if let Some(m) = a.min_ready_seconds {
                spec["minReadySeconds"] = json!(m);
            }
            if let Some(l) = a.revision_history_limit {
                spec["revisionHistoryLimit"] = json!(l);
            }
            let d = json!({
                "metadata": {"name": a.name, "labels": labels,
                    "annotations": {"kubernetes.io/change-cause": format!("deploy {} {}", a.name, versions[0])}},
                "spec": spec,
            });
            let d = shared.prepare_create(res("apps", "deployments"), &ns, d)?;
            shared.store.create(res("apps", "deployments"), d)?;
            tick::settle(shared);
            for (v, ago) in versions.iter().zip(&times).skip(1) {
                shared.clock.set_rewind_secs(*ago);
                set_version(
                    shared,
                    &ns,
                    &a.name,
                    v,
                    Some(&format!("deploy {} {v}", a.name)),
                )?;
                tick::settle(shared);
            }
            // The service came with the first revision.
            shared.clock.set_rewind_secs(times[0]);
            if a.service {
                let svc = json!({
                    "metadata": {"name": a.name, "labels": {"app": label}},
                    "spec": {"selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": a.port}],
                             "clusterIP": format!("10.96.{}.{}", shared.random_bytes::<1>()[0], shared.random_bytes::<1>()[0] % 250 + 2)}
                });
                let svc = shared.prepare_create(res("", "services"), &ns, svc)?;
                shared.store.create(res("", "services"), svc)?;
            }
            shared
                .app
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .register(&ns, &a.name, &label, a.rps);
        }
        for svc in &self.services {
            let ns = self.namespace_made(shared, &svc.namespace)?;
            let ip = shared.random_bytes::<2>();
            let obj = json!({
                "metadata": {"name": svc.name},
                "spec": {"selector": svc.selector, "ports": [{"name": "http", "port": 80, "targetPort": svc.target_port}],
                         "clusterIP": format!("10.96.{}.{}", ip[0], ip[1] % 250 + 2)}
            });
            let obj = shared.prepare_create(res("", "services"), &ns, obj)?;
            shared.store.create(res("", "services"), obj)?;
            let label = svc
                .selector
                .get("app")
                .cloned()
                .unwrap_or_else(|| svc.name.clone());
            shared
                .app
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .register_service(&ns, &svc.name, &label, svc.rps);
        }
        Ok(())
    }
}

fn int_or_string(s: &str) -> Value {
    s.parse::<i64>()
        .map(|n| json!(n))
        .unwrap_or_else(|_| json!(s))
}

pub(super) fn edit_deployment(
    shared: &Shared,
    ns: &str,
    name: &str,
    f: impl Fn(&mut Value),
) -> Result<(), ApiError> {
    let r = res("apps", "deployments");
    for _ in 0..8 {
        let cur = shared
            .store
            .get(r, ns, name)
            .ok_or_else(|| crate::sim::store::not_found(r, name))?;
        let mut o = (*cur).clone();
        f(&mut o);
        let o = shared.prepare_update(r, &cur, o, None)?;
        let rv = cur["metadata"]["resourceVersion"]
            .as_str()
            .and_then(|s| s.parse().ok());
        match shared.store.update(r, o, rv) {
            Ok(_) => {
                shared.kick();
                return Ok(());
            }
            Err(ApiError::Conflict { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(ApiError::Internal(format!(
        "could not update deployment {name}: too many conflicts"
    )))
}

/// Sets the image tag of a deployment's first container (like `kubectl set image`).
pub fn set_version(
    shared: &Shared,
    ns: &str,
    name: &str,
    version: &str,
    cause: Option<&str>,
) -> Result<(), ApiError> {
    edit_deployment(shared, ns, name, |o| {
        let image = o["spec"]["template"]["spec"]["containers"][0]["image"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let repo = match image.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => r.to_string(),
            _ => image.clone(),
        };
        o["spec"]["template"]["spec"]["containers"][0]["image"] =
            json!(format!("{repo}:{version}"));
        if let Some(c) = cause {
            if !o["metadata"]["annotations"].is_object() {
                o["metadata"]["annotations"] = json!({});
            }
            o["metadata"]["annotations"]["kubernetes.io/change-cause"] = json!(c);
        }
    })
}
