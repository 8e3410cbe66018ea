//! Authentication (bearer token → user) and authorization (a small policy of allowed verbs
//! and resources per user), with the RBAC authorizer's wording for denials.

use serde::Deserialize;
use serde_json::{Value, json};

use super::status::ApiError;

/// Token of the default, all-powerful user written to generated kubeconfigs.
pub const ADMIN_TOKEN: &str = "backout-sim-admin";
/// Token of the default read-only user.
pub const VIEWER_TOKEN: &str = "backout-sim-viewer";

/// One authorization rule: verbs on resources, optionally limited to groups and namespaces.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub resources: Vec<String>,
    /// API groups (`""` core, `"apps"`, `"*"`); empty means any group.
    #[serde(default, rename = "apiGroups")]
    pub api_groups: Vec<String>,
    /// Namespaces; empty means every namespace and cluster-scoped resources.
    #[serde(default)]
    pub namespaces: Vec<String>,
}

/// A user, its token and its rules.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    pub token: String,
    #[serde(default)]
    pub groups: Vec<String>,
    pub rules: Vec<Rule>,
}

/// The authorization policy (`--policy FILE`, YAML).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub users: Vec<User>,
}

/// A policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid policy {path}: {message}")]
    Parse { path: String, message: String },
}

impl Default for Policy {
    /// `admin` may do everything; `viewer` may get, list and watch.
    fn default() -> Self {
        let all = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Policy {
            users: vec![
                User {
                    name: "admin".into(),
                    token: ADMIN_TOKEN.into(),
                    groups: all(&["system:masters", "system:authenticated"]),
                    rules: vec![Rule {
                        verbs: all(&["*"]),
                        resources: all(&["*"]),
                        api_groups: vec![],
                        namespaces: vec![],
                    }],
                },
                User {
                    name: "viewer".into(),
                    token: VIEWER_TOKEN.into(),
                    groups: all(&["system:authenticated"]),
                    rules: vec![Rule {
                        verbs: all(&["get", "list", "watch"]),
                        resources: all(&["*"]),
                        api_groups: vec![],
                        namespaces: vec![],
                    }],
                },
            ],
        }
    }
}

/// What a request wants to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
}

impl Policy {
    /// Loads a YAML policy file.
    pub fn load(path: &std::path::Path) -> Result<Self, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            path: path.display().to_string(),
            source,
        })?;
        serde_saphyr::from_str(&text).map_err(|e| PolicyError::Parse {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// The user holding `token`.
    pub fn authenticate(&self, token: &str) -> Option<&User> {
        self.users.iter().find(|u| u.token == token)
    }

    /// The user from an `Authorization` header value; 401 when missing or unknown.
    pub fn authenticate_header(&self, header: Option<&str>) -> Result<&User, ApiError> {
        let token = header
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthorized)?;
        self.authenticate(token).ok_or(ApiError::Unauthorized)
    }
}

fn matches(list: &[String], v: &str) -> bool {
    list.iter().any(|x| x == "*" || x == v)
}

impl User {
    /// Whether this user may do `a`.
    pub fn allows(&self, a: &Attributes) -> bool {
        // Like `system:basic-user`: every user may ask what it may do.
        if a.group == "authorization.k8s.io"
            && a.verb == "create"
            && a.resource.starts_with("selfsubject")
        {
            return true;
        }
        let res = if a.subresource.is_empty() {
            a.resource.clone()
        } else {
            format!("{}/{}", a.resource, a.subresource)
        };
        self.rules.iter().any(|r| {
            matches(&r.verbs, &a.verb)
                && (matches(&r.resources, &res)
                    || (!a.subresource.is_empty()
                        && matches(&r.resources, &format!("{}/*", a.resource))))
                && (r.api_groups.is_empty() || matches(&r.api_groups, &a.group))
                && (r.namespaces.is_empty()
                    || (!a.namespace.is_empty() && matches(&r.namespaces, &a.namespace)))
        })
    }

    /// Ok, or the 403 the RBAC authorizer answers.
    pub fn authorize(&self, a: &Attributes) -> Result<(), ApiError> {
        if self.allows(a) {
            return Ok(());
        }
        let qualified = if a.group.is_empty() {
            a.resource.clone()
        } else {
            format!("{}.{}", a.resource, a.group)
        };
        let subject = if a.name.is_empty() {
            qualified
        } else {
            format!("{qualified} \"{}\"", a.name)
        };
        let res = if a.subresource.is_empty() {
            a.resource.clone()
        } else {
            format!("{}/{}", a.resource, a.subresource)
        };
        let scope = if a.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{}\"", a.namespace)
        };
        Err(ApiError::Forbidden(
            format!(
                "{subject} is forbidden: User \"{}\" cannot {} resource \"{res}\" in API group \"{}\" {scope}",
                self.name, a.verb, a.group
            ),
            a.resource.clone(),
        ))
    }

    /// Answers a `SelfSubjectAccessReview` body.
    pub fn access_review(&self, review: &Value) -> Value {
        let spec = review.get("spec").cloned().unwrap_or_else(|| json!({}));
        let s = |k: &str| {
            spec.get("resourceAttributes")
                .and_then(|r| r.get(k))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let allowed = if spec.get("resourceAttributes").is_some() {
            self.allows(&Attributes {
                verb: s("verb"),
                group: s("group"),
                resource: s("resource"),
                subresource: s("subresource"),
                namespace: s("namespace"),
                name: s("name"),
            })
        } else {
            // Non-resource URLs (discovery, /version, /healthz) are open to every user.
            true
        };
        let mut status = json!({"allowed": allowed});
        if allowed {
            status["reason"] = json!(format!(
                "allowed by backout-sim policy for user \"{}\"",
                self.name
            ));
        }
        json!({
            "kind": "SelfSubjectAccessReview",
            "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": null},
            "spec": spec,
            "status": status,
        })
    }

    /// Answers a `SelfSubjectRulesReview` body (`kubectl auth can-i --list`).
    pub fn rules_review(&self, review: &Value) -> Value {
        let ns = review
            .get("spec")
            .and_then(|s| s.get("namespace"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let rules: Vec<Value> = self
            .rules
            .iter()
            .filter(|r| r.namespaces.is_empty() || matches(&r.namespaces, ns))
            .map(|r| {
                let groups = if r.api_groups.is_empty() {
                    vec!["*".to_string()]
                } else {
                    r.api_groups.clone()
                };
                json!({"verbs": r.verbs, "apiGroups": groups, "resources": r.resources})
            })
            .collect();
        json!({
            "kind": "SelfSubjectRulesReview",
            "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": null},
            "spec": {"namespace": ns},
            "status": {
                "resourceRules": rules,
                "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["*"]}],
                "incomplete": false
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_denial_reads_like_rbac() {
        let p = Policy::default();
        let viewer = p.authenticate(VIEWER_TOKEN).expect("viewer");
        let a = Attributes {
            verb: "delete".into(),
            resource: "pods".into(),
            namespace: "default".into(),
            ..Default::default()
        };
        let err = viewer.authorize(&a).expect_err("denied");
        assert_eq!(
            err.to_string(),
            "pods is forbidden: User \"viewer\" cannot delete resource \"pods\" in API group \"\" in the namespace \"default\""
        );
        assert_eq!(err.code(), 403);
        let admin = p.authenticate(ADMIN_TOKEN).expect("admin");
        assert!(admin.authorize(&a).is_ok());
    }

    #[test]
    fn header_auth() {
        let p = Policy::default();
        assert!(
            p.authenticate_header(Some("Bearer backout-sim-admin"))
                .is_ok()
        );
        assert_eq!(
            p.authenticate_header(None).expect_err("no token").code(),
            401
        );
        assert_eq!(
            p.authenticate_header(Some("Bearer nope"))
                .expect_err("bad")
                .code(),
            401
        );
    }
}
