//! A request to a resource path: authentication, fault injection, the query parameters,
//! authorization of the verb, then the verb's handler (`reads.rs`, `writes.rs`, the
//! watch in `sim/watch.rs`, `metrics.k8s.io` in `sim/metrics_api.rs`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::Response;

use super::body::parse_body;
use super::reads::{get_one, list};
use super::resource_path::{Route, Target, ns_of, route, verb_of};
use super::writes::{create, delete, delete_collection, patch_obj, update};
use crate::sim::Shared;
use crate::sim::auth::Attributes;
use crate::sim::params::Params;
use crate::sim::protobuf::negotiation::{self, Output};
use crate::sim::status::{ApiError, json_response};
use crate::sim::{table, watch};

pub(super) async fn handle(
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
    // The route decides the encoding of errors too (a protobuf client of pods gets its 404,
    // 403, … as a protobuf `Status`); its own error is answered after authentication.
    let target = uri.path_and_query().map_or(path, |p| p.as_str());
    shared.record_accept(method.as_str(), target, &headers);
    let route = route(path, &shared.server_address);
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    let output = match &route {
        Ok(Route::Resource(t)) => output_for(t, accept.as_deref(), shared.serves_protobuf()),
        _ => Ok(Output::Json),
    };
    let answer = serve(shared, method, route, uri, headers, body, output.clone()).await;
    match (output, answer) {
        (Ok(Output::Protobuf), Ok(r)) => Ok(r),
        (Ok(Output::Protobuf), Err(e)) => Ok(crate::sim::protobuf::response::error(&e)),
        // Negotiation fails on a success only: the real server writes an error's own
        // `Status` (as JSON) when it cannot negotiate (`WriteObjectNegotiated`).
        (Err(not_acceptable), Ok(r)) if r.status().is_success() => Err(not_acceptable),
        (_, answer) => answer,
    }
}

/// The encoding of the answers to a resource request: protobuf for pods (and the
/// subresources answering a `Pod`) when `Accept` puts it first; JSON for everything else,
/// or 406 when `Accept` offers only protobuf (`sim/protobuf/negotiation.rs`). Tables
/// (`as=Table`) are JSON.
fn output_for(t: &Target, accept: Option<&str>, protobuf: bool) -> Result<Output, ApiError> {
    if accept.is_some_and(table::wants_table) {
        return Ok(Output::Json);
    }
    let pod_typed = matches!(
        t.sub.as_deref(),
        None | Some("status" | "ephemeralcontainers")
    );
    if t.res.group.is_empty() && t.res.plural == "pods" && pod_typed {
        return negotiation::negotiate(accept, protobuf);
    }
    if t.sub.is_none() {
        return negotiation::negotiate(accept, false);
    }
    Ok(Output::Json)
}

#[allow(clippy::too_many_arguments)]
async fn serve(
    shared: Arc<Shared>,
    method: Method,
    route: Result<Route, ApiError>,
    uri: &Uri,
    headers: HeaderMap,
    body: Bytes,
    output: Result<Output, ApiError>,
) -> Result<Response, ApiError> {
    let proto = output == Ok(Output::Protobuf);
    shared.record_impersonation(&headers);
    shared.inject_faults().await?;
    let auth_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok());
    let user = shared.policy.authenticate_header(auth_header)?.clone();
    let t = match route? {
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
    let mut params = Params::parse(raw)?;
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
    let as_table = headers
        .get(header::ACCEPT)
        .and_then(|h| h.to_str().ok())
        .is_some_and(table::wants_table);
    if t.res.group == "metrics.k8s.io" {
        let (ns, name) = (t.namespace.as_deref(), t.name.as_deref());
        return crate::sim::metrics_api::serve(&shared, t.res.plural, ns, name, verb, &params);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("application/json");
    if matches!(verb, "create" | "update" | "patch") && !crate::sim::apply::is_apply(content_type) {
        let agent = headers
            .get(header::USER_AGENT)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let manager = params.raw.get("fieldManager").map(String::as_str);
        params.update_manager = Some(crate::sim::apply::updates::manager_of(manager, agent));
    }
    match verb {
        "list" => list(&shared, &t, &params, as_table, proto),
        "watch" => Ok(watch::serve(
            shared.clone(),
            t.res,
            t.namespace.clone(),
            params,
            match (as_table, proto) {
                (true, _) => watch::Wire::Table,
                (false, true) => watch::Wire::Protobuf,
                (false, false) => watch::Wire::Json,
            },
        )),
        // Every other answer is written as JSON, then re-encoded when it is a pod or a
        // `Status` and the client asked for protobuf.
        _ => {
            let json = answer(
                &shared,
                verb,
                &t,
                &params,
                as_table,
                content_type,
                &body,
                &user,
            )?;
            Ok(if proto {
                crate::sim::protobuf::response::reencode(json).await
            } else {
                json
            })
        }
    }
}

/// The answer to a verb other than `list` and `watch`, as JSON.
#[allow(clippy::too_many_arguments)]
fn answer(
    shared: &Arc<Shared>,
    verb: &str,
    t: &Target,
    params: &Params,
    as_table: bool,
    content_type: &str,
    body: &Bytes,
    user: &crate::sim::auth::User,
) -> Result<Response, ApiError> {
    match verb {
        "get" => get_one(shared, t, params, as_table),
        "create" => {
            if t.res.create_only() {
                let review = parse_body(body)?;
                let out = if t.res.plural == "selfsubjectaccessreviews" {
                    user.access_review(&review)
                } else {
                    user.rules_review(&review)
                };
                return Ok(json_response(StatusCode::CREATED, &out));
            }
            create(shared, t, params, body)
        }
        "update" => update(shared, t, params, body),
        // Server-side apply (`sim/apply/`): planned there, written as a create or update.
        "patch" if crate::sim::apply::is_apply(content_type) && t.sub.is_none() => {
            let name = t.name.clone().unwrap_or_default();
            match crate::sim::apply::plan(shared, t.res, ns_of(t), &name, &params.raw, body)? {
                crate::sim::apply::Plan::Create(obj) => {
                    let t = Target {
                        name: None,
                        namespace: t.namespace.clone(),
                        sub: t.sub.clone(),
                        res: t.res,
                    };
                    create(shared, &t, params, &obj)
                }
                crate::sim::apply::Plan::Update(obj) => update(shared, t, params, &obj),
                crate::sim::apply::Plan::Refused(resp) => Ok(resp),
            }
        }
        "patch" => patch_obj(shared, t, params, content_type, body),
        "delete" => delete(shared, t, params, body),
        "deletecollection" => delete_collection(shared, t, params),
        _ => Err(ApiError::MethodNotAllowed),
    }
}
