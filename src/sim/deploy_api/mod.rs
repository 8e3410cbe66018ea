//! A simulated in-house deploy service with an HTTP API: a blue/green controller over two
//! Deployments and the Service that selects one of them (its `track` label), served under
//! `/deploy-api` on the simulator's HTTPS listener:
//!
//! - `GET /deploy-api/deployment/status` → `{"currentEnvironment", "previousEnvironment",
//!   "version", "environments": {blue|green: {deployment, version, readyReplicas}},
//!   "history": [{environment, version, switchedAt, by}]}`
//! - `POST /deploy-api/deployment/rollback` → switches the Service back to the previous
//!   environment: `{"status": "rolled_back", "currentEnvironment", "previousEnvironment"}`;
//!   `409 {"error": …}` when the scenario refuses rollbacks
//! - `GET /deploy-api/health` → `{"health": "healthy"|"degraded"}` (the simulated app's
//!   health through the Service, or degraded when the scenario says it stays so)
//!
//! Requests need a bearer token of the simulator's policy (`401 {"error": "unauthorized"}`);
//! a rollback needs a user who may patch services (`403`).

use std::sync::Mutex;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Attributes;
use super::status::json_response;
use super::{Shared, res};

/// Where the deploy API is served.
pub const ROOT_PATH: &str = "/deploy-api";

/// `deploy_api:` in a scenario.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployApiSpec {
    /// The Service switched between the environments.
    pub service: String,
    #[serde(default)]
    pub namespace: Option<String>,
    /// The Deployment of each environment.
    pub blue: String,
    pub green: String,
    /// Refuse rollbacks with this message (a failure mode to rehearse).
    #[serde(default)]
    pub rollback_refused: Option<String>,
    /// `/health` says degraded whatever the pods do.
    #[serde(default)]
    pub health_stays_degraded: bool,
}

/// Timeline `deploy_api_faults:` — the deploy service's failure modes from then on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsAction {
    #[serde(default)]
    pub rollback_refused: Option<String>,
    #[serde(default)]
    pub health_stays_degraded: bool,
}

/// The deploy service's state: its configuration and switch history.
#[derive(Debug, Default)]
pub struct DeployApiState {
    inner: Mutex<Option<Running>>,
}

#[derive(Debug, Clone)]
struct Running {
    spec: DeployApiSpec,
    namespace: String,
    history: Vec<Value>,
}

impl DeployApiState {
    fn get(&self) -> Option<Running> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set(&self, r: Running) {
        *self.inner.lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
    }

    /// Sets the service up for a scenario (the current environment is the Service's).
    pub fn setup(&self, shared: &Shared, spec: &DeployApiSpec, default_ns: &str) {
        let namespace = spec
            .namespace
            .clone()
            .unwrap_or_else(|| default_ns.to_string());
        let mut r = Running {
            spec: spec.clone(),
            namespace,
            history: Vec::new(),
        };
        if let Some(env) = current(shared, &r) {
            let v = version(shared, &r, &env);
            r.history.push(json!({"environment": env, "version": v, "switchedAt": shared.clock.now_rfc3339(), "by": "release"}));
        }
        self.set(r);
    }

    /// Changes the failure modes (timeline `deploy_api:` entries).
    pub fn set_faults(&self, rollback_refused: Option<String>, health_stays_degraded: bool) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = g.as_mut() {
            r.spec.rollback_refused = rollback_refused;
            r.spec.health_stays_degraded = health_stays_degraded;
        }
    }

    /// Records a switch made outside the API (the scenario's release), for the history.
    pub fn record_switch(&self, shared: &Shared, by: &str) {
        let Some(mut r) = self.get() else { return };
        if let Some(env) = current(shared, &r)
            && r.history.last().and_then(|h| h["environment"].as_str()) != Some(env.as_str())
        {
            let v = version(shared, &r, &env);
            r.history.push(json!({"environment": env, "version": v, "switchedAt": shared.clock.now_rfc3339(), "by": by}));
            self.set(r);
        }
    }
}

fn current(shared: &Shared, r: &Running) -> Option<String> {
    let svc = shared
        .store
        .get(res("", "services"), &r.namespace, &r.spec.service)?;
    svc["spec"]["selector"]["track"]
        .as_str()
        .map(str::to_string)
}

fn deployment_of<'a>(r: &'a Running, env: &str) -> &'a str {
    if env == "blue" {
        &r.spec.blue
    } else {
        &r.spec.green
    }
}

fn version(shared: &Shared, r: &Running, env: &str) -> String {
    shared
        .store
        .get(
            res("apps", "deployments"),
            &r.namespace,
            deployment_of(r, env),
        )
        .and_then(|d| {
            d["spec"]["template"]["spec"]["containers"][0]["image"]
                .as_str()
                .map(str::to_string)
        })
        .and_then(|i| i.rsplit_once(':').map(|(_, t)| t.to_string()))
        .unwrap_or_default()
}

fn error(code: StatusCode, message: &str) -> Response {
    json_response(code, &json!({"error": message}))
}

/// Serves one request under [`ROOT_PATH`] (`path` without it).
pub fn serve(shared: &Shared, method: &Method, path: &str, auth: Option<&str>) -> Response {
    let Some(r) = shared.deploy_api.get() else {
        return error(StatusCode::NOT_FOUND, "no deploy service in this scenario");
    };
    let Some(user) = auth
        .and_then(|h| h.strip_prefix("Bearer "))
        .and_then(|t| shared.policy.authenticate(t.trim()))
        .cloned()
    else {
        return error(StatusCode::UNAUTHORIZED, "unauthorized");
    };
    let env = current(shared, &r).unwrap_or_default();
    let previous = if env == "blue" { "green" } else { "blue" };
    match (method.as_str(), path.trim_end_matches('/')) {
        ("GET", "/deployment/status") => {
            let envs: serde_json::Map<String, Value> = ["blue", "green"]
                .iter()
                .map(|e| {
                    let d = shared.store.get(res("apps", "deployments"), &r.namespace, deployment_of(&r, e));
                    let ready = d.as_ref().and_then(|d| d["status"]["readyReplicas"].as_i64()).unwrap_or(0);
                    (e.to_string(), json!({"deployment": deployment_of(&r, e), "version": version(shared, &r, e), "readyReplicas": ready}))
                })
                .collect();
            json_response(
                StatusCode::OK,
                &json!({
                    "service": r.spec.service, "currentEnvironment": env, "previousEnvironment": previous,
                    "version": version(shared, &r, &env), "environments": envs, "history": r.history,
                }),
            )
        }
        ("GET", "/health") => {
            let (healthy, _) = super::app::health(shared, &r.namespace, &r.spec.service);
            let health = if healthy && !r.spec.health_stays_degraded {
                "healthy"
            } else {
                "degraded"
            };
            json_response(
                StatusCode::OK,
                &json!({"health": health, "environment": env}),
            )
        }
        ("POST", "/deployment/rollback") => rollback(shared, r, &user, &env, previous),
        _ => error(StatusCode::NOT_FOUND, &format!("no route {method} {path}")),
    }
}

fn rollback(
    shared: &Shared,
    mut r: Running,
    user: &super::auth::User,
    env: &str,
    previous: &str,
) -> Response {
    let allowed = user.allows(&Attributes {
        verb: "patch".into(),
        group: String::new(),
        resource: "services".into(),
        subresource: String::new(),
        namespace: r.namespace.clone(),
        name: r.spec.service.clone(),
    });
    if !allowed {
        return error(
            StatusCode::FORBIDDEN,
            &format!("user {} may not roll back {}", user.name, r.spec.service),
        );
    }
    if let Some(m) = &r.spec.rollback_refused {
        return error(StatusCode::CONFLICT, m);
    }
    let svcs = res("", "services");
    let Some(cur) = shared.store.get(svcs, &r.namespace, &r.spec.service) else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("service {} not found", r.spec.service),
        );
    };
    let mut o = (*cur).clone();
    o["spec"]["selector"]["track"] = json!(previous);
    if super::controllers::replace(shared, svcs, &cur, o).is_none() {
        return error(
            StatusCode::CONFLICT,
            "the service changed meanwhile: try again",
        );
    }
    shared.kick();
    r.history.push(
        json!({"environment": previous, "version": version(shared, &r, previous),
                          "switchedAt": shared.clock.now_rfc3339(), "by": user.name}),
    );
    shared.deploy_api.set(r);
    json_response(
        StatusCode::OK,
        &json!({"status": "rolled_back", "currentEnvironment": previous, "previousEnvironment": env}),
    )
}
