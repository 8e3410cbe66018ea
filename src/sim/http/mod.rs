//! The HTTP front: the router, the simulator's own paths (`/sim/*`, `/metrics`, health,
//! version, OpenAPI), the Argo CD and deploy-service APIs, and `/api`, `/apis` resource
//! requests (`resource_api.rs`). Handlers import the object semantics, the state and the
//! controllers' helpers; nothing below imports this folder.

pub mod app_routes;
pub mod body;
pub mod reads;
pub mod resource_api;
pub mod resource_path;
pub mod writes;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::sim::Shared;
use crate::sim::discovery;
use crate::sim::status::{ApiError, json_response};

/// The router. Everything goes through [`dispatch`]; API requests are identified by their
/// bearer token (`Authorization: Bearer …`, from the kubeconfig user), served over TLS.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        // exec, attach, portforward (WebSocket); other subresources go on to `dispatch`.
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}/{sub}",
            axum::routing::any(pod_stream),
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
    match serde_json::from_slice::<crate::sim::ApiFaults>(body) {
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

/// The route of `/api/v1/namespaces/{ns}/pods/{name}/{sub}`: `exec`, `attach` and
/// `portforward` are served by `sim/exec`, every other subresource by the ordinary
/// dispatch.
async fn pod_stream(
    State(shared): State<Arc<Shared>>,
    Path((ns, name, sub)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    if !matches!(sub.as_str(), "exec" | "attach" | "portforward") {
        return forward(shared, req).await;
    }
    match crate::sim::exec::stream(shared, &ns, &name, &sub, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
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
        "/metrics" | "/sim/metrics" if get => return app_routes::metrics_response(&shared),
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
        p if p.starts_with(crate::sim::argocd::api::ROOT_PATH)
            && p[crate::sim::argocd::api::ROOT_PATH.len()..].starts_with("/api/") =>
        {
            shared.count_request(method.as_str());
            let auth = headers
                .get(header::AUTHORIZATION)
                .and_then(|h| h.to_str().ok());
            let rest = &p[crate::sim::argocd::api::ROOT_PATH.len()..];
            return crate::sim::argocd::api::serve(
                &shared,
                &method,
                rest,
                uri.query(),
                auth,
                &body,
            );
        }
        p if p.starts_with(crate::sim::deploy_api::ROOT_PATH)
            && p[crate::sim::deploy_api::ROOT_PATH.len()..].starts_with('/') =>
        {
            shared.count_request(method.as_str());
            let auth = headers
                .get(header::AUTHORIZATION)
                .and_then(|h| h.to_str().ok());
            let rest = &p[crate::sim::deploy_api::ROOT_PATH.len()..];
            return crate::sim::deploy_api::serve(&shared, &method, rest, auth);
        }
        p if p.starts_with("/sim/health/") => {
            let mut parts = p.trim_start_matches("/sim/health/").splitn(2, '/');
            let (ns, app) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            return app_routes::health_response(&shared, ns, app);
        }
        _ => {}
    }
    match resource_api::handle(shared, method, path, &uri, headers, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}
