//! `create`, `update`, `patch` (JSON, merge and strategic merge; the `scale` and `status`
//! subresources), `delete` and `deletecollection`, with `dryRun`, preconditions and
//! `fieldValidation`.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::body::{ok_json, parse_body};
use super::resource_path::{Target, fetch, ns_of};
use crate::sim::Shared;
use crate::sim::deletion::delete_object;
use crate::sim::discovery::ResourceInfo;
use crate::sim::params::Params;
use crate::sim::patch::{self, PatchType};
use crate::sim::scale::scale_of;
use crate::sim::status::{ApiError, json_response};
use crate::sim::store::{self, key_of};

pub(super) fn create(
    shared: &Shared,
    t: &Target,
    params: &Params,
    body: &[u8],
) -> Result<Response, ApiError> {
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
    let mut obj = shared.prepare_create(t.res, &ns, incoming)?;
    if let Some(manager) = &params.update_manager {
        let now = shared.clock.now_rfc3339();
        crate::sim::apply::updates::record(None, &mut obj, manager, None, &now);
    }
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
        crate::sim::field_validation::add_warnings(&mut resp, &warnings);
        return Ok(resp);
    }
    let stored = shared.store.create(t.res, obj)?;
    shared.kick();
    let mut resp = json_response(StatusCode::CREATED, &stored);
    crate::sim::field_validation::add_warnings(&mut resp, &warnings);
    Ok(resp)
}

/// `fieldValidation` (`sim/field_validation.rs`): unknown fields dropped, warned about or
/// refused.
fn field_checked(
    res: &'static ResourceInfo,
    params: &Params,
    obj: &mut Value,
) -> Result<Vec<String>, ApiError> {
    let directive = crate::sim::field_validation::Directive::parse(
        params.raw.get("fieldValidation").map(String::as_str),
    )?;
    crate::sim::field_validation::check(res, obj, directive)
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
    params: &Params,
) -> Result<Arc<Value>, ApiError> {
    let dry_run = params.dry_run;
    let mut merged = shared.prepare_update(res, current, new, sub)?;
    if let Some(manager) = &params.update_manager {
        let now = shared.clock.now_rfc3339();
        crate::sim::apply::updates::record(Some(current), &mut merged, manager, sub, &now);
    }
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

pub(super) fn update(
    shared: &Shared,
    t: &Target,
    params: &Params,
    body: &[u8],
) -> Result<Response, ApiError> {
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
            Some("scale"),
            precondition,
            params,
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
        params,
    )?;
    let mut resp = ok_json(&stored)?;
    crate::sim::field_validation::add_warnings(&mut resp, &warnings);
    Ok(resp)
}

pub(super) fn patch_obj(
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
            params,
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

pub(super) fn delete(
    shared: &Shared,
    t: &Target,
    params: &Params,
    body: &[u8],
) -> Result<Response, ApiError> {
    if t.sub.is_some() {
        return Err(ApiError::MethodNotAllowed);
    }
    let obj = fetch(shared, t)?;
    let (grace, prop, dry) = grace_from(params, body);
    let out = delete_object(shared, t.res, &obj, grace, prop.as_deref(), dry)?;
    ok_json(&out)
}

pub(super) fn delete_collection(
    shared: &Shared,
    t: &Target,
    params: &Params,
) -> Result<Response, ApiError> {
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
