//! Which resource an `/api` or `/apis` path names (group, version, namespace, name,
//! subresource), or which discovery document; and which verb a method asks for.

use std::sync::Arc;

use axum::http::Method;
use serde_json::Value;

use crate::sim::Shared;
use crate::sim::discovery::{self, ResourceInfo};
use crate::sim::params::Params;
use crate::sim::status::ApiError;
use crate::sim::store;

/// A parsed resource path.
#[derive(Debug)]
pub(super) struct Target {
    pub(super) res: &'static ResourceInfo,
    pub(super) namespace: Option<String>,
    pub(super) name: Option<String>,
    pub(super) sub: Option<String>,
}

pub(super) enum Route {
    Doc(Value),
    Resource(Target),
}

pub(super) fn route(path: &str, server_address: &str) -> Result<Route, ApiError> {
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

pub(super) fn verb_of(
    method: &Method,
    t: &Target,
    params: &Params,
) -> Result<&'static str, ApiError> {
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

pub(super) fn ns_of(t: &Target) -> &str {
    t.namespace.as_deref().unwrap_or_default()
}

pub(super) fn fetch(shared: &Shared, t: &Target) -> Result<Arc<Value>, ApiError> {
    let name = t.name.as_deref().unwrap_or_default();
    shared
        .store
        .get(t.res, ns_of(t), name)
        .ok_or_else(|| store::not_found(t.res, name))
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
}
