//! The HTTP front: routing of `/api` and `/apis` paths to resources, authentication and
//! authorization, fault injection, and the verbs (get, list, watch, create, update, patch,
//! delete, deletecollection) with their query parameters.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::auth::Attributes;
use super::discovery::{self, ResourceInfo};
use super::patch::{self, PatchType};
use super::selectors::{FieldSelector, LabelSelector};
use super::status::{ApiError, bytes_response, json_response, success_status};
use super::store::{self, key_of};
use super::table::{self, IncludeObject};
use super::watch;

/// Query parameters of a resource request.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pub label: LabelSelector,
    pub field: FieldSelector,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
    pub resource_version: Option<String>,
    pub watch: bool,
    pub bookmarks: bool,
    pub timeout_secs: Option<u64>,
    pub dry_run: bool,
    pub include: IncludeObject,
    pub grace_period: Option<i64>,
    pub propagation: Option<String>,
    pub send_initial_events: bool,
    pub raw: HashMap<String, String>,
}

fn truthy(v: Option<&String>) -> bool {
    matches!(v.map(String::as_str), Some("1" | "true" | "True"))
}

impl Params {
    /// Parses and validates the query string.
    pub fn parse(raw: HashMap<String, String>) -> Result<Self, ApiError> {
        let bad = |e: super::selectors::SelectorError| ApiError::BadRequest(e.to_string());
        let label = LabelSelector::parse(raw.get("labelSelector").map_or("", String::as_str))
            .map_err(bad)?;
        let field = FieldSelector::parse(raw.get("fieldSelector").map_or("", String::as_str))
            .map_err(bad)?;
        let num = |k: &str| -> Result<Option<i64>, ApiError> {
            match raw.get(k) {
                None => Ok(None),
                Some(v) if v.is_empty() => Ok(None),
                Some(v) => v
                    .parse::<i64>()
                    .map(Some)
                    .map_err(|_| ApiError::BadRequest(format!("invalid value for {k}: {v:?}"))),
            }
        };
        let limit = num("limit")?.filter(|l| *l > 0).map(|l| l as usize);
        let timeout_secs = num("timeoutSeconds")?.filter(|t| *t > 0).map(|t| t as u64);
        let grace_period = num("gracePeriodSeconds")?;
        let dry_run = match raw.get("dryRun").map(String::as_str) {
            None | Some("") => false,
            Some("All") => true,
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "dryRun: Unsupported value: \"{other}\": supported values: \"All\""
                )));
            }
        };
        Ok(Params {
            label,
            field,
            limit,
            continue_token: raw.get("continue").filter(|c| !c.is_empty()).cloned(),
            resource_version: raw
                .get("resourceVersion")
                .filter(|c| !c.is_empty())
                .cloned(),
            watch: truthy(raw.get("watch")),
            bookmarks: truthy(raw.get("allowWatchBookmarks")),
            timeout_secs,
            dry_run,
            include: IncludeObject::parse(raw.get("includeObject").map(String::as_str)),
            grace_period,
            propagation: raw.get("propagationPolicy").cloned(),
            send_initial_events: truthy(raw.get("sendInitialEvents")),
            raw,
        })
    }

    /// Whether an object passes both selectors.
    pub fn selects(&self, obj: &Value) -> bool {
        self.label.matches(obj) && self.field.matches(obj)
    }
}

/// The router. Everything goes through [`dispatch`]; API requests are identified by their
/// bearer token (`Authorization: Bearer …`, from the kubeconfig user), served over TLS.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        // exec, attach, portforward (WebSocket); other subresources go on to `dispatch`.
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}/{sub}",
            axum::routing::any(super::exec::route),
        )
        .fallback(dispatch)
        .with_state(shared)
}

/// Serves a request the ordinary way (for routes that only take some of their paths).
pub async fn forward(shared: Arc<Shared>, req: axum::extract::Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 64 << 20).await else {
        return ApiError::BadRequest("request body too large or unreadable".into()).into_response();
    };
    dispatch(State(shared), parts.method, parts.uri, parts.headers, body).await
}

fn sim_time(shared: &Shared) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"now": shared.clock.now_rfc3339(), "elapsedSeconds": shared.clock.elapsed_secs(), "speed": shared.clock.speed(),
                "apiRequests": shared.requests.load(std::sync::atomic::Ordering::Relaxed)}),
    )
}

fn faults_get(shared: &Shared) -> Response {
    let f = shared.faults();
    json_response(
        StatusCode::OK,
        &serde_json::to_value(&f).unwrap_or_default(),
    )
}

fn faults_put(shared: &Shared, body: &[u8]) -> Response {
    match serde_json::from_slice::<super::ApiFaults>(body) {
        Ok(f) => {
            shared.set_faults(f.clone());
            json_response(
                StatusCode::OK,
                &serde_json::to_value(&f).unwrap_or_default(),
            )
        }
        Err(e) => ApiError::BadRequest(e.to_string()).into_response(),
    }
}

/// A parsed resource path.
#[derive(Debug)]
struct Target {
    res: &'static ResourceInfo,
    namespace: Option<String>,
    name: Option<String>,
    sub: Option<String>,
}

enum Route {
    Doc(Value),
    Resource(Target),
}

fn route(path: &str, server_address: &str) -> Result<Route, ApiError> {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api"] => return Ok(Route::Doc(discovery::core_versions(server_address))),
        ["apis"] => return Ok(Route::Doc(discovery::group_list())),
        ["apis", g] => return discovery::group(g).map(Route::Doc).ok_or(ApiError::NoRoute),
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Err(ApiError::NoRoute),
    };
    if rest.is_empty() {
        return discovery::resource_list(group, version)
            .map(Route::Doc)
            .ok_or(ApiError::NoRoute);
    }
    let (namespace, rest) = match rest {
        ["namespaces", ns, plural, more @ ..]
            if !(more.is_empty() && matches!(*plural, "status" | "finalize")) =>
        {
            (Some(ns.to_string()), [&[*plural][..], more].concat())
        }
        _ => (None, rest.to_vec()),
    };
    let res = discovery::find(group, version, rest[0]).ok_or(ApiError::NoRoute)?;
    if namespace.is_some() && !res.namespaced {
        return Err(ApiError::NoRoute);
    }
    let name = rest.get(1).map(|s| s.to_string());
    let sub = rest.get(2).map(|s| s.to_string());
    if rest.len() > 3 {
        return Err(ApiError::NoRoute);
    }
    if let Some(s) = &sub
        && !res.subresources.contains(&s.as_str())
    {
        return Err(ApiError::NoRoute);
    }
    Ok(Route::Resource(Target {
        res,
        namespace,
        name,
        sub,
    }))
}

fn verb_of(method: &Method, t: &Target, params: &Params) -> Result<&'static str, ApiError> {
    Ok(match (method.as_str(), t.name.is_some()) {
        ("GET", true) => "get",
        ("GET", false) if params.watch => "watch",
        ("GET", false) => "list",
        ("POST", false) => "create",
        ("PUT", true) => "update",
        ("PATCH", true) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => return Err(ApiError::MethodNotAllowed),
    })
}

async fn dispatch(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    let get = method == Method::GET;
    match path {
        "/healthz" | "/readyz" | "/livez" if get => return (StatusCode::OK, "ok").into_response(),
        "/version" | "/version/" if get => {
            return json_response(StatusCode::OK, &discovery::version());
        }
        "/metrics" | "/sim/metrics" if get => return super::app::metrics_response(&shared),
        "/sim/time" if get => return sim_time(&shared),
        "/sim/timeline" if get => {
            return json_response(
                StatusCode::OK,
                &serde_json::to_value(shared.timeline_played()).unwrap_or_default(),
            );
        }
        "/sim/faults" if get => return faults_get(&shared),
        "/sim/faults" if method == Method::PUT => return faults_put(&shared, &body),
        // An OpenAPI v3 index with no group-versions: kubectl then skips client-side schema
        // validation and relies on the server (`fieldValidation`), as with CRDs lacking one.
        "/openapi/v3" if get => return json_response(StatusCode::OK, &json!({"paths": {}})),
        // An empty OpenAPI v2 document (kubectl reads it as protobuf; zero bytes is a valid
        // empty message): no schemas, so kubectl leaves validation to the server.
        "/openapi/v2" if get => {
            return (
                StatusCode::OK,
                [(
                    header::CONTENT_TYPE,
                    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
                )],
                Vec::<u8>::new(),
            )
                .into_response();
        }
        p if p.starts_with("/openapi/") => return ApiError::NoRoute.into_response(),
        p if p.starts_with(super::argocd::api::ROOT_PATH)
            && p[super::argocd::api::ROOT_PATH.len()..].starts_with("/api/") =>
        {
            shared.count_request(method.as_str());
            let auth = headers
                .get(header::AUTHORIZATION)
                .and_then(|h| h.to_str().ok());
            let rest = &p[super::argocd::api::ROOT_PATH.len()..];
            return super::argocd::api::serve(&shared, &method, rest, uri.query(), auth, &body);
        }
        p if p.starts_with(super::deploy_api::ROOT_PATH)
            && p[super::deploy_api::ROOT_PATH.len()..].starts_with('/') =>
        {
            shared.count_request(method.as_str());
            let auth = headers
                .get(header::AUTHORIZATION)
                .and_then(|h| h.to_str().ok());
            let rest = &p[super::deploy_api::ROOT_PATH.len()..];
            return super::deploy_api::serve(&shared, &method, rest, auth);
        }
        p if p.starts_with("/sim/health/") => {
            let mut parts = p.trim_start_matches("/sim/health/").splitn(2, '/');
            let (ns, app) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            return super::app::health_response(&shared, ns, app);
        }
        _ => {}
    }
    match handle(shared, method, path, &uri, headers, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn handle(
    shared: Arc<Shared>,
    method: Method,
    path: &str,
    uri: &Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !(path.starts_with("/api/") || path == "/api" || path.starts_with("/apis")) {
        return Err(ApiError::NoRoute);
    }
    shared.count_request(method.as_str());
    tracing::debug!(method = %method, path, "sim request");
    shared.record_impersonation(&headers);
    shared.inject_faults().await?;
    let auth_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok());
    let user = shared.policy.authenticate_header(auth_header)?.clone();
    let route = route(path, &shared.server_address)?;
    let t = match route {
        Route::Doc(doc) => {
            if method != Method::GET {
                return Err(ApiError::MethodNotAllowed);
            }
            return Ok(json_response(StatusCode::OK, &doc));
        }
        Route::Resource(t) => t,
    };
    let raw: HashMap<String, String> = Query::<HashMap<String, String>>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|e| ApiError::BadRequest(format!("invalid query string: {e}")))?;
    let params = Params::parse(raw)?;
    let verb = verb_of(&method, &t, &params)?;
    if t.res.create_only() && verb != "create" {
        return Err(ApiError::MethodNotAllowed);
    }
    user.authorize(&Attributes {
        verb: verb.into(),
        group: t.res.group.into(),
        resource: t.res.plural.into(),
        subresource: t.sub.clone().unwrap_or_default(),
        namespace: t.namespace.clone().unwrap_or_default(),
        name: t.name.clone().unwrap_or_default(),
    })?;
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("application/json");
    let as_table = table::wants_table(accept);
    if t.res.group == "metrics.k8s.io" {
        let (ns, name) = (t.namespace.as_deref(), t.name.as_deref());
        return super::metrics_api::serve(&shared, t.res.plural, ns, name, verb, &params);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("application/json");
    match verb {
        "get" => get_one(&shared, &t, &params, as_table),
        "list" => list(&shared, &t, &params, as_table),
        "watch" => Ok(watch::serve(
            shared.clone(),
            t.res,
            t.namespace.clone(),
            params,
            as_table,
        )),
        "create" => {
            if t.res.create_only() {
                let review = parse_body(&body)?;
                let out = if t.res.plural == "selfsubjectaccessreviews" {
                    user.access_review(&review)
                } else {
                    user.rules_review(&review)
                };
                return Ok(json_response(StatusCode::CREATED, &out));
            }
            create(&shared, &t, &params, &body)
        }
        "update" => update(&shared, &t, &params, &body),
        // Server-side apply (`sim/apply/`): planned there, written as a create or update.
        "patch" if super::apply::is_apply(content_type) && t.sub.is_none() => {
            let name = t.name.clone().unwrap_or_default();
            match super::apply::plan(&shared, t.res, ns_of(&t), &name, &params.raw, &body)? {
                super::apply::Plan::Create(obj) => {
                    let t = Target { name: None, ..t };
                    create(&shared, &t, &params, &obj)
                }
                super::apply::Plan::Update(obj) => update(&shared, &t, &params, &obj),
                super::apply::Plan::Refused(resp) => Ok(resp),
            }
        }
        "patch" => patch_obj(&shared, &t, &params, content_type, &body),
        "delete" => delete(&shared, &t, &params, &body),
        "deletecollection" => delete_collection(&shared, &t, &params),
        _ => Err(ApiError::MethodNotAllowed),
    }
}

fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.starts_with(b"k8s\0") {
        return super::protobuf::decode(body).map_err(|e| match e {
            super::protobuf::ProtoError::Unsupported(_) => {
                ApiError::UnsupportedMediaType(format!("application/json ({e})"))
            }
            other => ApiError::BadRequest(other.to_string()),
        });
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::BadRequest(format!("couldn't get version/kind; json parse error: {e}"))
    })
}

fn ns_of(t: &Target) -> &str {
    t.namespace.as_deref().unwrap_or_default()
}

fn fetch(shared: &Shared, t: &Target) -> Result<Arc<Value>, ApiError> {
    let name = t.name.as_deref().unwrap_or_default();
    shared
        .store
        .get(t.res, ns_of(t), name)
        .ok_or_else(|| store::not_found(t.res, name))
}

fn ok_json(v: &Value) -> Result<Response, ApiError> {
    Ok(json_response(StatusCode::OK, v))
}

/// The `autoscaling/v1` `Scale` view of a deployment or replica set.
pub fn scale_of(obj: &Value) -> Value {
    let meta = &obj["metadata"];
    let selector = LabelSelector::from_object(&obj["spec"]["selector"]).to_string();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"], "creationTimestamp": meta["creationTimestamp"]
        },
        "spec": {"replicas": obj["spec"]["replicas"].as_i64().unwrap_or(0)},
        "status": {"replicas": obj["status"]["replicas"].as_i64().unwrap_or(0), "selector": selector}
    })
}

fn get_one(
    shared: &Arc<Shared>,
    t: &Target,
    params: &Params,
    as_table: bool,
) -> Result<Response, ApiError> {
    let obj = fetch(shared, t)?;
    match t.sub.as_deref() {
        Some("scale") => return ok_json(&scale_of(&obj)),
        Some("log") => {
            // A run-to-completion pod's log is its command's output (`sim/exec/runs.rs`).
            if let Some(run) = obj["metadata"]["uid"]
                .as_str()
                .and_then(|u| shared.exec_runs.get(u))
            {
                let text = run.log_text();
                return Ok(
                    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], text).into_response(),
                );
            }
            return super::logs::respond(shared, &obj, &params.raw);
        }
        _ => {}
    }
    if as_table {
        let meta = json!({"resourceVersion": obj["metadata"]["resourceVersion"]});
        return ok_json(&table::table(
            t.res,
            &[&obj],
            meta,
            &shared.clock,
            params.include,
        ));
    }
    ok_json(&obj)
}

fn encode_continue(key: &(String, String)) -> String {
    hex::encode(format!("{}\u{0}{}", key.0, key.1))
}

fn decode_continue(token: &str) -> Result<(String, String), ApiError> {
    let bad = || ApiError::BadRequest("continue key is not valid: invalid continue token".into());
    let bytes = hex::decode(token).map_err(|_| bad())?;
    let s = String::from_utf8(bytes).map_err(|_| bad())?;
    let (ns, name) = s.split_once('\u{0}').ok_or_else(bad)?;
    Ok((ns.to_string(), name.to_string()))
}

fn list(
    shared: &Shared,
    t: &Target,
    params: &Params,
    as_table: bool,
) -> Result<Response, ApiError> {
    let after = params
        .continue_token
        .as_deref()
        .map(decode_continue)
        .transpose()?;
    let (rv, items) = match &after {
        Some(a) => shared.store.list_after(t.res, t.namespace.as_deref(), a),
        None => shared.store.list(t.res, t.namespace.as_deref()),
    };
    check_list_version(params, rv)?;
    let mut selected: Vec<&Value> = Vec::new();
    let mut remaining = 0usize;
    let mut next: Option<String> = None;
    for item in &items {
        if !params.selects(item) {
            continue;
        }
        if let Some(limit) = params.limit
            && selected.len() >= limit
        {
            remaining += 1;
            continue;
        }
        selected.push(item);
    }
    if remaining > 0
        && let Some(last) = selected.last()
    {
        next = Some(encode_continue(&key_of(last)));
    }
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if let Some(n) = &next {
        meta["continue"] = json!(n);
        meta["remainingItemCount"] = json!(remaining);
    }
    if as_table {
        return ok_json(&table::table(
            t.res,
            &selected,
            meta,
            &shared.clock,
            params.include,
        ));
    }
    // Serialize directly: no intermediate Value for the whole list.
    let mut out = Vec::with_capacity(selected.len() * 2048 + 256);
    out.extend_from_slice(
        format!(
            "{{\"kind\":\"{}List\",\"apiVersion\":\"{}\",\"metadata\":",
            t.res.kind,
            t.res.api_version()
        )
        .as_bytes(),
    );
    serde_json::to_writer(&mut out, &meta).map_err(|e| ApiError::Internal(e.to_string()))?;
    out.extend_from_slice(b",\"items\":[");
    for (i, item) in selected.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, item).map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    out.extend_from_slice(b"]}");
    Ok(bytes_response(StatusCode::OK, out))
}

/// `resourceVersion` + `resourceVersionMatch` on a list. The store keeps no snapshots, so
/// it serves the current state: fine for "not older than" any version it has reached; an
/// exact older version is gone (410), a version it has not reached yet is 504, as the real
/// server answers after waiting for it.
fn check_list_version(params: &Params, current: u64) -> Result<(), ApiError> {
    let Some(requested) = params.resource_version.as_deref().filter(|v| *v != "0") else {
        return Ok(());
    };
    let requested: u64 = requested
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("invalid resource version: {requested:?}")))?;
    if requested > current {
        return Err(ApiError::TooLargeResourceVersion { requested, current });
    }
    match params.raw.get("resourceVersionMatch").map(String::as_str) {
        Some("Exact") if requested != current => Err(ApiError::Gone {
            requested,
            oldest: current,
        }),
        None | Some("") | Some("NotOlderThan") | Some("Exact") => Ok(()),
        Some(other) => Err(ApiError::BadRequest(format!(
            "resourceVersionMatch: Unsupported value: \"{other}\": supported values: \"Exact\", \"NotOlderThan\""
        ))),
    }
}

fn create(shared: &Shared, t: &Target, params: &Params, body: &[u8]) -> Result<Response, ApiError> {
    if t.name.is_some() {
        return Err(ApiError::MethodNotAllowed);
    }
    if t.res.namespaced && t.namespace.is_none() {
        return Err(ApiError::BadRequest(
            "a namespace is required to create this resource".into(),
        ));
    }
    let ns = ns_of(t).to_string();
    if t.res.namespaced && shared.store.get(shared.namespaces(), "", &ns).is_none() {
        return Err(store::not_found(shared.namespaces(), &ns));
    }
    let mut incoming = parse_body(body)?;
    let warnings = field_checked(t.res, params, &mut incoming)?;
    let obj = shared.prepare_create(t.res, &ns, incoming)?;
    if params.dry_run {
        let (kns, kname) = key_of(&obj);
        if shared.store.get(t.res, &kns, &kname).is_some() {
            return Err(ApiError::AlreadyExists {
                qualified: t.res.qualified(),
                plural: t.res.plural.into(),
                group: t.res.group.into(),
                name: kname,
            });
        }
        let mut resp = json_response(StatusCode::CREATED, &obj);
        super::field_validation::add_warnings(&mut resp, &warnings);
        return Ok(resp);
    }
    let stored = shared.store.create(t.res, obj)?;
    shared.kick();
    let mut resp = json_response(StatusCode::CREATED, &stored);
    super::field_validation::add_warnings(&mut resp, &warnings);
    Ok(resp)
}

/// `fieldValidation` (`sim/field_validation.rs`): unknown fields dropped, warned about or
/// refused.
fn field_checked(
    res: &'static ResourceInfo,
    params: &Params,
    obj: &mut Value,
) -> Result<Vec<String>, ApiError> {
    let directive = super::field_validation::Directive::parse(
        params.raw.get("fieldValidation").map(String::as_str),
    )?;
    super::field_validation::check(res, obj, directive)
}

fn expected_rv(v: &Value) -> Option<u64> {
    v["metadata"]["resourceVersion"]
        .as_str()
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
}

/// Stores `new` as the next version of `current` (or only validates it under dry run).
fn commit(
    shared: &Shared,
    res: &'static ResourceInfo,
    current: &Value,
    new: Value,
    sub: Option<&str>,
    precondition: Option<u64>,
    dry_run: bool,
) -> Result<Arc<Value>, ApiError> {
    let merged = shared.prepare_update(res, current, new, sub)?;
    // A write that changes nothing is not written: no new resourceVersion, no watch
    // event (the registry's `GuaranteedUpdate` skips identical bytes), so kubectl sees
    // the object it had and prints `(no change)`.
    if unchanged(current, &merged) && precondition.is_none_or(|p| expected_rv(current) == Some(p)) {
        return Ok(Arc::new(current.clone()));
    }
    if dry_run {
        if let Some(p) = precondition
            && expected_rv(current) != Some(p)
        {
            let (_, name) = key_of(current);
            return Err(ApiError::Conflict {
                qualified: res.qualified(),
                plural: res.plural.into(),
                group: res.group.into(),
                name,
            });
        }
        return Ok(Arc::new(merged));
    }
    let stored = shared.store.update(res, merged, precondition)?;
    shared.kick();
    Ok(stored)
}

/// True when `new` is `current` but for the resource version it was based on.
fn unchanged(current: &Value, new: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v["metadata"].as_object_mut() {
            m.remove("resourceVersion");
        }
        v
    };
    strip(current) == strip(new)
}

fn update(shared: &Shared, t: &Target, params: &Params, body: &[u8]) -> Result<Response, ApiError> {
    let current = fetch(shared, t)?;
    let mut incoming = parse_body(body)?;
    if t.sub.as_deref() == Some("scale") {
        let replicas = incoming["spec"]["replicas"].as_i64().unwrap_or(0);
        let precondition = expected_rv(&incoming);
        let mut new = (*current).clone();
        new["spec"]["replicas"] = json!(replicas);
        let stored = commit(
            shared,
            t.res,
            &current,
            new,
            None,
            precondition,
            params.dry_run,
        )?;
        return ok_json(&scale_of(&stored));
    }
    let precondition = expected_rv(&incoming);
    if !incoming.is_object() {
        return Err(ApiError::BadRequest(
            "the body of the request must be a JSON object".into(),
        ));
    }
    if !incoming["metadata"].is_object() {
        incoming["metadata"] = json!({});
    }
    if incoming["metadata"]["name"].is_null() {
        incoming["metadata"]["name"] = current["metadata"]["name"].clone();
    }
    let warnings = if t.sub.is_none() {
        field_checked(t.res, params, &mut incoming)?
    } else {
        Vec::new()
    };
    let stored = commit(
        shared,
        t.res,
        &current,
        incoming,
        t.sub.as_deref(),
        precondition,
        params.dry_run,
    )?;
    let mut resp = ok_json(&stored)?;
    super::field_validation::add_warnings(&mut resp, &warnings);
    Ok(resp)
}

fn patch_obj(
    shared: &Shared,
    t: &Target,
    params: &Params,
    content_type: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    let kind = PatchType::from_content_type(content_type).ok_or_else(|| {
        ApiError::UnsupportedMediaType(
            "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json".into(),
        )
    })?;
    // Like the real server, retry when a controller wrote in between.
    for _ in 0..8 {
        let current = fetch(shared, t)?;
        let is_scale = t.sub.as_deref() == Some("scale");
        let base = if is_scale {
            scale_of(&current)
        } else {
            (*current).clone()
        };
        let patched = patch::apply(kind, &base, body).map_err(|e| match e {
            patch::PatchError::Json(m) => ApiError::BadRequest(m),
            other => ApiError::Invalid {
                kind: t.res.qualified_kind(),
                name: t.name.clone().unwrap_or_default(),
                causes: vec![other.to_string()],
            },
        })?;
        let explicit = expected_rv(&patched).filter(|rv| Some(*rv) != expected_rv(&base));
        let precondition = explicit.or_else(|| expected_rv(&current));
        let new = if is_scale {
            let mut n = (*current).clone();
            n["spec"]["replicas"] = json!(patched["spec"]["replicas"].as_i64().unwrap_or(0));
            n
        } else {
            patched
        };
        match commit(
            shared,
            t.res,
            &current,
            new,
            t.sub.as_deref(),
            precondition,
            params.dry_run,
        ) {
            Ok(stored) => {
                return if is_scale {
                    ok_json(&scale_of(&stored))
                } else {
                    ok_json(&stored)
                };
            }
            Err(ApiError::Conflict { .. }) if explicit.is_none() => continue,
            Err(e) => return Err(e),
        }
    }
    Err(ApiError::Internal(
        "too many concurrent writes; try again".into(),
    ))
}

fn grace_from(params: &Params, body: &[u8]) -> (Option<i64>, Option<String>, bool) {
    let opts: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let grace = params
        .grace_period
        .or_else(|| opts["gracePeriodSeconds"].as_i64());
    let prop = params
        .propagation
        .clone()
        .or_else(|| opts["propagationPolicy"].as_str().map(String::from));
    let dry = params.dry_run
        || opts["dryRun"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == "All"));
    (grace, prop, dry)
}

/// Deletes one object with the API server's semantics; returns the response body.
pub fn delete_object(
    shared: &Shared,
    res: &'static ResourceInfo,
    obj: &Arc<Value>,
    grace: Option<i64>,
    propagation: Option<&str>,
    dry_run: bool,
) -> Result<Value, ApiError> {
    let (ns, name) = key_of(obj);
    let uid = obj["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if res.plural == "pods" && res.group.is_empty() {
        let spec_grace = obj["spec"]["terminationGracePeriodSeconds"]
            .as_i64()
            .unwrap_or(30);
        let grace = grace.unwrap_or(spec_grace).max(0);
        let scheduled = obj["spec"]["nodeName"]
            .as_str()
            .is_some_and(|n| !n.is_empty());
        if grace > 0 && scheduled {
            if obj["metadata"]["deletionTimestamp"].is_string() || dry_run {
                return Ok((**obj).clone());
            }
            let mut o = (**obj).clone();
            let when = shared.clock.now() + chrono::Duration::seconds(grace);
            o["metadata"]["deletionTimestamp"] =
                json!(when.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            o["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
            let stored = shared.store.update(res, o, None)?;
            crate::sim::controllers::kubelet_events::killing(shared, &stored);
            shared.kick();
            return Ok((*stored).clone());
        }
    }
    if dry_run {
        return Ok(success_status(res.plural, res.group, &name, &uid));
    }
    if propagation == Some("Orphan") {
        shared.orphan_dependents(&uid);
    }
    if res.plural == "namespaces" {
        shared.delete_namespace_contents(&name);
    }
    let removed = shared.store.delete(res, &ns, &name)?;
    shared.kick();
    if res.plural == "services" || res.plural == "pods" {
        return Ok((*removed).clone());
    }
    Ok(success_status(res.plural, res.group, &name, &uid))
}

fn delete(shared: &Shared, t: &Target, params: &Params, body: &[u8]) -> Result<Response, ApiError> {
    if t.sub.is_some() {
        return Err(ApiError::MethodNotAllowed);
    }
    let obj = fetch(shared, t)?;
    let (grace, prop, dry) = grace_from(params, body);
    let out = delete_object(shared, t.res, &obj, grace, prop.as_deref(), dry)?;
    ok_json(&out)
}

fn delete_collection(shared: &Shared, t: &Target, params: &Params) -> Result<Response, ApiError> {
    let (rv, items) = shared.store.list(t.res, t.namespace.as_deref());
    let mut deleted = Vec::new();
    for item in items.iter().filter(|i| params.selects(i)) {
        match delete_object(
            shared,
            t.res,
            item,
            params.grace_period,
            params.propagation.as_deref(),
            params.dry_run,
        ) {
            Ok(_) => deleted.push((**item).clone()),
            Err(ApiError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    ok_json(&json!({
        "kind": format!("{}List", t.res.kind),
        "apiVersion": t.res.api_version(),
        "metadata": {"resourceVersion": rv.to_string()},
        "items": deleted,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_namespaced_and_cluster_paths() {
        let Ok(Route::Resource(t)) = route("/api/v1/namespaces/default/pods/web/log", "x") else {
            panic!("route");
        };
        assert_eq!(
            (
                t.res.plural,
                t.namespace.as_deref(),
                t.name.as_deref(),
                t.sub.as_deref()
            ),
            ("pods", Some("default"), Some("web"), Some("log"))
        );
        let Ok(Route::Resource(t)) = route("/api/v1/namespaces/default", "x") else {
            panic!("ns")
        };
        assert_eq!(
            (t.res.plural, t.name.as_deref()),
            ("namespaces", Some("default"))
        );
        let Ok(Route::Resource(t)) = route("/apis/apps/v1/deployments", "x") else {
            panic!("all")
        };
        assert!(t.namespace.is_none());
        assert!(route("/apis/apps/v1/namespaces/x/bogus", "x").is_err());
        assert!(route("/apis/apps/v1/namespaces/x/deployments/a/nope", "x").is_err());
    }

    #[test]
    fn continue_tokens_round_trip_and_reject_garbage() {
        let k = ("default".to_string(), "web-1".to_string());
        assert_eq!(decode_continue(&encode_continue(&k)).expect("decode"), k);
        assert!(decode_continue("zz").is_err());
    }

    #[test]
    fn bad_dry_run_value_is_400() {
        let mut raw = HashMap::new();
        raw.insert("dryRun".to_string(), "Some".to_string());
        assert_eq!(Params::parse(raw).expect_err("bad").code(), 400);
    }
}
