//! `get` (with the `scale` and `log` subresources) and `list` (selectors, `limit` and
//! `continue`, `resourceVersion` semantics), as JSON or as a `Table`; a list of pods also
//! in protobuf.

use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::body::ok_json;
use super::resource_path::{Target, fetch};
use crate::sim::Shared;
use crate::sim::params::Params;
use crate::sim::scale::scale_of;
use crate::sim::status::{ApiError, bytes_response};
use crate::sim::store::key_of;
use crate::sim::table;

pub(super) fn get_one(
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
            return crate::sim::logs::respond(shared, &obj, &params.raw);
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

pub(super) fn list(
    shared: &Shared,
    t: &Target,
    params: &Params,
    as_table: bool,
    protobuf: bool,
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
    if protobuf {
        let body = crate::sim::protobuf::objects::pod_list(&meta, &selected);
        return Ok(crate::sim::protobuf::response::ok(StatusCode::OK, body));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip_and_reject_garbage() {
        let k = ("default".to_string(), "web-1".to_string());
        assert_eq!(decode_continue(&encode_continue(&k)).expect("decode"), k);
        assert!(decode_continue("zz").is_err());
    }
}
