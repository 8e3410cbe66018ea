//! The Argo CD REST API subset the `argocd` CLI and the console use, served under
//! `/argocd` (Argo CD's `--rootpath`) on the simulator's HTTPS listener:
//!
//! | method | path | upstream (`server/application/application.proto`, `server/session/session.proto`) |
//! |---|---|---|
//! | POST | `/api/v1/session` | `Create`: `{"username","password"}` → `{"token"}` |
//! | GET | `/api/v1/session/userinfo` | `GetUserInfo` |
//! | GET | `/api/v1/applications` | `List` |
//! | GET | `/api/v1/applications/{name}` | `Get` |
//! | PUT | `/api/v1/applications/{name}/spec` | `UpdateSpec` (body: the spec) |
//! | POST | `/api/v1/applications/{name}/sync` | `Sync` |
//! | POST | `/api/v1/applications/{name}/rollback` | `Rollback` |
//! | GET | `/api/v1/applications/{name}/resource-tree` | `ResourceTree` |
//! | GET | `/api/v1/applications/{name}/revisions/{revision}/metadata` | `RevisionMetadata` |
//! | GET | `/api/v1/applications/{name}/manifests?revision=` | `GetManifests` |
//!
//! Bearer tokens are the simulator policy's tokens; a session is created with a policy
//! user's name and its token as password. Errors are grpc-gateway v1 bodies
//! (`{"error","code","message"}`) with the gRPC code's HTTP status, worded as Argo CD.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::NAMESPACE;
use super::controller::{applications, automated, target_revision};
use crate::sim::auth::{Attributes, User};
use crate::sim::status::json_response;
use crate::sim::{Shared, res};

/// The path prefix Argo CD is served under.
pub const ROOT_PATH: &str = "/argocd";

/// A gRPC status as grpc-gateway v1 returns it over HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrpcError {
    pub code: u16,
    pub message: String,
}

impl GrpcError {
    fn new(code: u16, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `codes.InvalidArgument`.
    pub fn invalid_argument(m: impl Into<String>) -> Self {
        Self::new(3, m)
    }

    /// `codes.NotFound`.
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(5, m)
    }

    /// `codes.PermissionDenied`.
    pub fn permission_denied(m: impl Into<String>) -> Self {
        Self::new(7, m)
    }

    /// `codes.FailedPrecondition`.
    pub fn failed_precondition(m: impl Into<String>) -> Self {
        Self::new(9, m)
    }

    /// `codes.Unauthenticated`.
    pub fn unauthenticated(m: impl Into<String>) -> Self {
        Self::new(16, m)
    }

    /// `codes.Unimplemented` (a path Argo CD does not serve here).
    pub fn unimplemented(m: impl Into<String>) -> Self {
        Self::new(12, m)
    }

    /// The HTTP status grpc-gateway maps the code to (`runtime.HTTPStatusFromCode`).
    pub fn http_status(&self) -> StatusCode {
        match self.code {
            3 | 9 | 11 => StatusCode::BAD_REQUEST,
            5 => StatusCode::NOT_FOUND,
            7 => StatusCode::FORBIDDEN,
            12 => StatusCode::NOT_IMPLEMENTED,
            16 => StatusCode::UNAUTHORIZED,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn into_response(self) -> Response {
        json_response(
            self.http_status(),
            &json!({"error": self.message, "code": self.code, "message": self.message}),
        )
    }
}

/// Serves one request under [`ROOT_PATH`] (`path` without it).
pub fn serve(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: Option<&str>,
    auth: Option<&str>,
    body: &[u8],
) -> Response {
    match handle(shared, method, path, query, auth, body) {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => e.into_response(),
    }
}

fn handle(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: Option<&str>,
    auth: Option<&str>,
    body: &[u8],
) -> Result<Value, GrpcError> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    if let ["api", "v1", "session"] = segs.as_slice()
        && method == Method::POST
    {
        return create_session(shared, body);
    }
    // `server.go` `getClaims`: no or unknown token.
    let token = auth
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| GrpcError::unauthenticated("no session information"))?;
    let user = shared
        .policy
        .authenticate(token)
        .ok_or_else(|| GrpcError::unauthenticated("invalid session: token is malformed"))?
        .clone();
    let body_json = || -> Result<Value, GrpcError> {
        if body.is_empty() {
            return Ok(json!({}));
        }
        serde_json::from_slice(body).map_err(|e| GrpcError::invalid_argument(e.to_string()))
    };
    match (method.as_str(), segs.as_slice()) {
        ("GET", ["api", "v1", "session", "userinfo"]) => Ok(
            json!({"loggedIn": true, "username": user.name, "iss": "argocd", "groups": user.groups}),
        ),
        ("GET", ["api", "v1", "applications"]) => list(shared, &user),
        ("GET", ["api", "v1", "applications", name]) => get(shared, &user, name, "get"),
        ("PUT", ["api", "v1", "applications", name, "spec"]) => {
            update_spec(shared, &user, name, body_json()?)
        }
        ("POST", ["api", "v1", "applications", name, "sync"]) => {
            sync(shared, &user, name, body_json()?)
        }
        ("POST", ["api", "v1", "applications", name, "rollback"]) => {
            rollback(shared, &user, name, body_json()?)
        }
        ("GET", ["api", "v1", "applications", name, "resource-tree"]) => {
            resource_tree(shared, &user, name)
        }
        (
            "GET",
            [
                "api",
                "v1",
                "applications",
                name,
                "revisions",
                revision,
                "metadata",
            ],
        ) => revision_metadata(shared, &user, name, revision),
        ("GET", ["api", "v1", "applications", name, "manifests"]) => {
            let revision = query
                .unwrap_or_default()
                .split('&')
                .find_map(|kv| kv.strip_prefix("revision="))
                .unwrap_or_default();
            manifests(shared, &user, name, revision)
        }
        _ => Err(GrpcError::unimplemented(format!(
            "Method Not Allowed: {method} {path}"
        ))),
    }
}

fn create_session(shared: &Shared, body: &[u8]) -> Result<Value, GrpcError> {
    let req: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let (u, p) = (
        req["username"].as_str().unwrap_or_default(),
        req["password"].as_str().unwrap_or_default(),
    );
    // `util/session/sessionmanager.go` `invalidLoginError`.
    match shared
        .policy
        .users
        .iter()
        .find(|x| x.name == u && x.token == p)
    {
        Some(user) => Ok(json!({"token": user.token})),
        None => Err(GrpcError::unauthenticated("Invalid username or password")),
    }
}

/// Kubernetes verb the Argo CD action needs on the Application (`get` to read, `patch`
/// to sync, roll back or update).
fn allowed(user: &User, verb: &str, name: &str) -> bool {
    user.allows(&Attributes {
        verb: verb.into(),
        group: "argoproj.io".into(),
        resource: "applications".into(),
        subresource: String::new(),
        namespace: NAMESPACE.into(),
        name: name.into(),
    })
}

/// `getApplicationEnforceRBACClient`: an unknown application is 404 for a user who may
/// read applications (`applications.argoproj.io "x" not found`); a user who may not gets
/// "permission denied" either way; a denied action names it (`rbac.go` `EnforceErr`).
fn get(shared: &Shared, user: &User, name: &str, action: &str) -> Result<Value, GrpcError> {
    if !allowed(user, "get", name) {
        return Err(GrpcError::permission_denied("permission denied"));
    }
    let app = shared
        .store
        .get(applications(), NAMESPACE, name)
        .ok_or_else(|| {
            GrpcError::not_found(format!("applications.argoproj.io \"{name}\" not found"))
        })?;
    if action != "get" && !allowed(user, "patch", name) {
        let project = app["spec"]["project"].as_str().unwrap_or("default");
        return Err(GrpcError::permission_denied(format!(
            "permission denied: applications, {action}, {project}/{name}, sub: {}",
            user.name
        )));
    }
    Ok((*app).clone())
}

fn list(shared: &Shared, user: &User) -> Result<Value, GrpcError> {
    let (rv, apps) = shared.store.list(applications(), Some(NAMESPACE));
    let items: Vec<Value> = apps
        .iter()
        .filter(|a| {
            allowed(
                user,
                "get",
                a["metadata"]["name"].as_str().unwrap_or_default(),
            )
        })
        .map(|a| (**a).clone())
        .collect();
    Ok(json!({"metadata": {"resourceVersion": rv.to_string()}, "items": items}))
}

fn save(shared: &Shared, old: &Value, new: Value) -> Result<Value, GrpcError> {
    let r = applications();
    let new = shared
        .prepare_update(r, old, new, None)
        .map_err(|e| GrpcError::invalid_argument(e.to_string()))?;
    let rv = old["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|s| s.parse().ok());
    let out = shared
        .store
        .update(r, new, rv)
        .map_err(|e| GrpcError::failed_precondition(e.to_string()))?;
    shared.kick();
    Ok((*out).clone())
}

fn update_spec(shared: &Shared, user: &User, name: &str, spec: Value) -> Result<Value, GrpcError> {
    let app = get(shared, user, name, "update")?;
    if !spec.is_object() || !spec["source"].is_object() {
        return Err(GrpcError::invalid_argument(
            "error updating application spec: spec is nil in request",
        ));
    }
    let mut new = app.clone();
    new["spec"] = spec;
    let saved = save(shared, &app, new)?;
    Ok(saved["spec"].clone())
}

/// `argo.SetAppOperation`: refuses while another operation runs.
fn set_operation(shared: &Shared, app: &Value, op: Value) -> Result<Value, GrpcError> {
    if app["operation"].is_object() {
        return Err(GrpcError::failed_precondition(
            "another operation is already in progress",
        ));
    }
    let mut new = app.clone();
    new["operation"] = op;
    save(shared, app, new)
}

fn sync(shared: &Shared, user: &User, name: &str, req: Value) -> Result<Value, GrpcError> {
    let app = get(shared, user, name, "sync")?;
    let target = target_revision(&app);
    let revision = req["revision"].as_str().unwrap_or_default();
    let dry_run = req["dryRun"].as_bool() == Some(true);
    // `resolveSourceRevisions`.
    if !revision.is_empty() && revision != target && automated(&app) && !dry_run {
        return Err(GrpcError::failed_precondition(format!(
            "Cannot sync to {revision}: auto-sync currently set to {}",
            app["spec"]["source"]["targetRevision"]
                .as_str()
                .unwrap_or_default()
        )));
    }
    let url = app["spec"]["source"]["repoURL"]
        .as_str()
        .unwrap_or_default();
    let repo = shared
        .argocd
        .repo(url)
        .ok_or_else(|| GrpcError::failed_precondition(format!("repository not found: {url}")))?;
    let wanted = if revision.is_empty() {
        target.as_str()
    } else {
        revision
    };
    let commit = repo
        .resolve(wanted)
        .map_err(|e| GrpcError::failed_precondition(e.to_string()))?;
    let op = json!({
        "sync": {"revision": commit.sha, "prune": req["prune"].as_bool().unwrap_or(false), "dryRun": dry_run,
                 "source": app["spec"]["source"]},
        "initiatedBy": {"username": user.name},
    });
    set_operation(shared, &app, op)
}

fn rollback(shared: &Shared, user: &User, name: &str, req: Value) -> Result<Value, GrpcError> {
    let app = get(shared, user, name, "sync")?;
    if automated(&app) {
        return Err(GrpcError::failed_precondition(
            "rollback cannot be initiated when auto-sync is enabled",
        ));
    }
    // `id` is an int64, which grpc-gateway also accepts as a string.
    let id = match &req["id"] {
        Value::String(s) => s.parse::<i64>().ok(),
        v => v.as_i64(),
    }
    .unwrap_or(0);
    let entry = app["status"]["history"]
        .as_array()
        .and_then(|h| h.iter().find(|e| e["id"].as_i64() == Some(id)))
        .cloned()
        .ok_or_else(|| {
            GrpcError::invalid_argument(format!(
                "application {NAMESPACE}/{name} does not have deployment with id {id}"
            ))
        })?;
    let op = json!({
        "sync": {"revision": entry["revision"], "prune": req["prune"].as_bool().unwrap_or(false),
                 "dryRun": req["dryRun"].as_bool().unwrap_or(false),
                 "syncStrategy": {"apply": {}}, "source": entry["source"]},
        "initiatedBy": {"username": user.name},
    });
    set_operation(shared, &app, op)
}

/// The Deployment, its replica sets and their pods as `ApplicationTree` nodes.
fn resource_tree(shared: &Shared, user: &User, name: &str) -> Result<Value, GrpcError> {
    let app = get(shared, user, name, "get")?;
    let url = app["spec"]["source"]["repoURL"]
        .as_str()
        .unwrap_or_default();
    let Some(repo) = shared.argocd.repo(url) else {
        return Ok(json!({"nodes": []}));
    };
    let mut nodes = Vec::new();
    let Some(d) = shared.store.get(
        res("apps", "deployments"),
        &repo.namespace,
        &repo.deployment,
    ) else {
        return Ok(json!({"nodes": []}));
    };
    let node = |o: &Value, kind: &str, group: &str, parent: Option<&Value>| {
        let mut n = json!({
            "group": group, "version": "v1", "kind": kind,
            "namespace": o["metadata"]["namespace"], "name": o["metadata"]["name"],
            "uid": o["metadata"]["uid"], "resourceVersion": o["metadata"]["resourceVersion"],
            "createdAt": o["metadata"]["creationTimestamp"],
        });
        if let Some(p) = parent {
            n["parentRefs"] = json!([{
                "group": "apps", "kind": p["kind"], "namespace": p["metadata"]["namespace"],
                "name": p["metadata"]["name"], "uid": p["metadata"]["uid"],
            }]);
        }
        n
    };
    let mut dn = node(&d, "Deployment", "apps", None);
    let (h, m) = super::controller::deployment_health(&d);
    dn["health"] = match m {
        Some(m) => json!({"status": h, "message": m}),
        None => json!({"status": h}),
    };
    dn["info"] = json!([{"name": "Revision", "value": format!("Rev:{}", d["metadata"]["annotations"]["deployment.kubernetes.io/revision"].as_str().unwrap_or_default())}]);
    nodes.push(dn);
    let uid = d["metadata"]["uid"].as_str().unwrap_or_default();
    let (_, rss) = shared
        .store
        .list(res("apps", "replicasets"), Some(&repo.namespace));
    let (_, pods) = shared.store.list(res("", "pods"), Some(&repo.namespace));
    for rs in rss
        .iter()
        .filter(|rs| crate::sim::controllers::controller_uid(rs) == Some(uid))
    {
        let mut rn = node(rs, "ReplicaSet", "apps", Some(&d));
        rn["info"] = json!([{"name": "Revision", "value": format!("Rev:{}", rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"].as_str().unwrap_or_default())}]);
        nodes.push(rn);
        let rs_uid = rs["metadata"]["uid"].as_str();
        for p in pods
            .iter()
            .filter(|p| crate::sim::controllers::controller_uid(p) == rs_uid)
        {
            let mut pn = node(p, "Pod", "", Some(rs));
            pn["parentRefs"][0]["group"] = json!("apps");
            pn["images"] = json!(
                p["spec"]["containers"]
                    .as_array()
                    .map(|cs| cs.iter().map(|c| c["image"].clone()).collect::<Vec<_>>())
                    .unwrap_or_default()
            );
            pn["info"] = json!([{"name": "Status Reason", "value": p["status"]["phase"]}]);
            nodes.push(pn);
        }
    }
    Ok(json!({"nodes": nodes}))
}

fn repo_of(shared: &Shared, app: &Value) -> Result<super::GitRepo, GrpcError> {
    let url = app["spec"]["source"]["repoURL"]
        .as_str()
        .unwrap_or_default();
    shared
        .argocd
        .repo(url)
        .ok_or_else(|| GrpcError::failed_precondition(format!("repository not found: {url}")))
}

/// `RevisionMetadata` (`pkg/apis/application/v1alpha1/types.go`: author, date, tags,
/// message).
fn revision_metadata(
    shared: &Shared,
    user: &User,
    name: &str,
    revision: &str,
) -> Result<Value, GrpcError> {
    let app = get(shared, user, name, "get")?;
    let repo = repo_of(shared, &app)?;
    let c = repo
        .resolve(revision)
        .map_err(|e| GrpcError::failed_precondition(e.to_string()))?;
    Ok(json!({"author": c.author, "date": c.date, "message": c.message}))
}

/// `GetManifests`: the rendered Deployment of a revision (default: the target), each
/// manifest a JSON string as the repo server returns them.
fn manifests(shared: &Shared, user: &User, name: &str, revision: &str) -> Result<Value, GrpcError> {
    let app = get(shared, user, name, "get")?;
    let repo = repo_of(shared, &app)?;
    let revision = if revision.is_empty() {
        target_revision(&app)
    } else {
        revision.to_string()
    };
    let c = repo
        .resolve(&revision)
        .map_err(|e| GrpcError::failed_precondition(e.to_string()))?;
    let r = repo.render(c);
    let env: Vec<Value> = r
        .env
        .iter()
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect();
    let manifest = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": r.deployment, "namespace": r.namespace},
        "spec": {"template": {"spec": {"containers": [{"name": r.container, "image": r.image, "env": env}]}}},
    });
    Ok(json!({
        "manifests": [manifest.to_string()], "namespace": r.namespace,
        "server": "https://kubernetes.default.svc", "revision": c.sha, "sourceType": "Directory",
    }))
}
