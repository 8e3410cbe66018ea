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
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("application/json");
    let as_table = table::wants_table(accept);
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
        "patch" if crate::sim::apply::is_apply(content_type) && t.sub.is_none() => {
            let name = t.name.clone().unwrap_or_default();
            match crate::sim::apply::plan(&shared, t.res, ns_of(&t), &name, &params.raw, &body)? {
                crate::sim::apply::Plan::Create(obj) => {
                    let t = Target { name: None, ..t };
                    create(&shared, &t, &params, &obj)
                }
                crate::sim::apply::Plan::Update(obj) => update(&shared, &t, &params, &obj),
                crate::sim::apply::Plan::Refused(resp) => Ok(resp),
            }
        }
        "patch" => patch_obj(&shared, &t, &params, content_type, &body),
        "delete" => delete(&shared, &t, &params, &body),
        "deletecollection" => delete_collection(&shared, &t, &params),
        _ => Err(ApiError::MethodNotAllowed),
    }
}
