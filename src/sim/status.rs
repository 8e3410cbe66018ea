//! API errors and the `Status` objects the real API server answers them with.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error answered to a client as a `metav1.Status`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 404 for a named object.
    #[error("{qualified} \"{name}\" not found")]
    NotFound {
        qualified: String,
        plural: String,
        group: String,
        name: String,
    },
    /// 404 for a path that serves nothing.
    #[error("the server could not find the requested resource")]
    NoRoute,
    /// 409 on create of an existing name.
    #[error("{qualified} \"{name}\" already exists")]
    AlreadyExists {
        qualified: String,
        plural: String,
        group: String,
        name: String,
    },
    /// 409 on a stale `resourceVersion`.
    #[error(
        "Operation cannot be fulfilled on {qualified} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
    )]
    Conflict {
        qualified: String,
        plural: String,
        group: String,
        name: String,
    },
    /// 422 with field causes, each `field: body` (`field.Error`): the message lists them
    /// as apimachinery's `NewInvalid` does (one, or `[a, b]`).
    #[error("{kind} \"{name}\" is invalid: {}", aggregate(.causes))]
    Invalid {
        kind: String,
        name: String,
        causes: Vec<String>,
    },
    /// 400.
    #[error("{0}")]
    BadRequest(String),
    /// 401.
    #[error("Unauthorized")]
    Unauthorized,
    /// 403 with the exact wording of the RBAC authorizer.
    #[error("{0}")]
    Forbidden(String, String),
    /// 405.
    #[error("the server does not allow this method on the requested resource")]
    MethodNotAllowed,
    /// 410 for a resource version older than the kept history.
    #[error("too old resource version: {requested} ({oldest})")]
    Gone { requested: u64, oldest: u64 },
    /// 406: the `Accept` header lists no media type the sim serves for the resource
    /// (apiserver `negotiation.NewNotAcceptableError`); the argument lists those it serves.
    #[error("only the following media types are accepted: {0}")]
    NotAcceptable(String),
    /// 415.
    #[error("the body of the request was in an unknown format - accepted media types include: {0}")]
    UnsupportedMediaType(String),
    /// 504 for a resource version the store has not reached.
    #[error("Too large resource version: {requested}, current: {current}")]
    TooLargeResourceVersion { requested: u64, current: u64 },
    /// 500 (injected faults and internal errors).
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// HTTP status code.
    pub fn code(&self) -> u16 {
        match self {
            ApiError::NotFound { .. } | ApiError::NoRoute => 404,
            ApiError::AlreadyExists { .. } | ApiError::Conflict { .. } => 409,
            ApiError::Invalid { .. } => 422,
            ApiError::BadRequest(_) => 400,
            ApiError::Unauthorized => 401,
            ApiError::Forbidden(..) => 403,
            ApiError::MethodNotAllowed => 405,
            ApiError::Gone { .. } => 410,
            ApiError::NotAcceptable(_) => 406,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::TooLargeResourceVersion { .. } => 504,
            ApiError::Internal(_) => 500,
        }
    }

    fn reason(&self) -> &'static str {
        match self {
            ApiError::NotFound { .. } | ApiError::NoRoute => "NotFound",
            ApiError::AlreadyExists { .. } => "AlreadyExists",
            ApiError::Conflict { .. } => "Conflict",
            ApiError::Invalid { .. } => "Invalid",
            ApiError::BadRequest(_) => "BadRequest",
            ApiError::Unauthorized => "Unauthorized",
            ApiError::Forbidden(..) => "Forbidden",
            ApiError::MethodNotAllowed => "MethodNotAllowed",
            ApiError::Gone { .. } => "Expired",
            ApiError::NotAcceptable(_) => "NotAcceptable",
            ApiError::UnsupportedMediaType(_) => "UnsupportedMediaType",
            ApiError::TooLargeResourceVersion { .. } => "Timeout",
            ApiError::Internal(_) => "InternalError",
        }
    }

    /// The `Status` object.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.to_string(),
            "reason": self.reason(),
            "code": self.code(),
        });
        let details = match self {
            ApiError::NotFound {
                plural,
                group,
                name,
                ..
            }
            | ApiError::AlreadyExists {
                plural,
                group,
                name,
                ..
            }
            | ApiError::Conflict {
                plural,
                group,
                name,
                ..
            } => {
                let mut d = json!({"name": name, "kind": plural});
                if !group.is_empty() {
                    d["group"] = json!(group);
                }
                Some(d)
            }
            ApiError::Invalid { kind, name, causes } => {
                let (group, kind_only) = match kind.split_once('.') {
                    Some((k, g)) => (g.to_string(), k.to_string()),
                    None => (String::new(), kind.clone()),
                };
                let causes: Vec<Value> = causes.iter().map(|c| status_cause(c)).collect();
                let mut d = json!({"name": name, "kind": kind_only, "causes": causes});
                if !group.is_empty() {
                    d["group"] = json!(group);
                }
                Some(d)
            }
            // client-go reads `details` of every 404 (kubectl debug dereferences
            // `ErrStatus.Details.Name`: kubernetes/kubectl pkg/cmd/debug/debug.go); a path
            // that serves nothing names nothing, like `NewGenericServerResponse` with an
            // empty resource and name.
            ApiError::NoRoute => Some(json!({})),
            ApiError::Forbidden(_, plural) => Some(json!({"kind": plural})),
            ApiError::TooLargeResourceVersion { .. } => Some(json!({
                "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                "retryAfterSeconds": 1
            })),
            _ => None,
        };
        if let Some(d) = details {
            status["details"] = d;
        }
        status
    }

    /// The `Status` as a JSON HTTP response.
    pub fn into_response_json(self) -> Response {
        let code = StatusCode::from_u16(self.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_response(code, &self.to_status())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.into_response_json()
    }
}

/// A JSON response with the content type the API server uses.
pub fn json_response(code: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    bytes_response(code, bytes)
}

/// A pre-serialized JSON response.
pub fn bytes_response(code: StatusCode, bytes: Vec<u8>) -> Response {
    (
        code,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response()
}

/// A `Status` reporting success (deletes of resources that do not return the object).
pub fn success_status(plural: &str, group: &str, name: &str, uid: &str) -> Value {
    let mut details = json!({"name": name, "kind": plural, "uid": uid});
    if !group.is_empty() {
        details["group"] = json!(group);
    }
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}

/// apimachinery's `utilerrors.Aggregate` text: the one message, or `[a, b, …]`.
fn aggregate(causes: &[String]) -> String {
    match causes {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

/// A `StatusCause` from `field: body` (`field.Error`: `Field`, `ErrorBody()`, and the
/// type from the body: `Required value` → `FieldValueRequired`, …).
fn status_cause(cause: &str) -> Value {
    let (field, body) = cause.split_once(": ").unwrap_or(("", cause));
    let reason = [
        ("Required value", "FieldValueRequired"),
        ("Unsupported value", "FieldValueNotSupported"),
        ("Duplicate value", "FieldValueDuplicate"),
        ("Forbidden", "FieldValueForbidden"),
        ("Too long", "FieldValueTooLong"),
        ("Not found", "FieldValueNotFound"),
    ]
    .iter()
    .find(|(prefix, _)| body.starts_with(prefix))
    .map_or("FieldValueInvalid", |(_, r)| r);
    json!({"reason": reason, "message": body, "field": field})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_reads_like_the_api_server() {
        let e = ApiError::NotFound {
            qualified: "deployments.apps".into(),
            plural: "deployments".into(),
            group: "apps".into(),
            name: "web".into(),
        };
        let s = e.to_status();
        assert_eq!(s["message"], "deployments.apps \"web\" not found");
        assert_eq!(s["code"], 404);
        assert_eq!(s["details"]["group"], "apps");
    }

    #[test]
    fn every_not_found_has_details() {
        let s = ApiError::NoRoute.to_status();
        assert_eq!(s["code"], 404);
        assert_eq!(s["details"], json!({}));
    }

    #[test]
    fn gone_is_expired() {
        let s = ApiError::Gone {
            requested: 3,
            oldest: 10,
        }
        .to_status();
        assert_eq!(s["reason"], "Expired");
        assert_eq!(s["message"], "too old resource version: 3 (10)");
    }
}
