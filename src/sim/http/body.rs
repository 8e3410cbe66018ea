//! Request and response bodies of resource requests: JSON or protobuf in, JSON out.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use crate::sim::status::{ApiError, json_response};

pub(super) fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.starts_with(b"k8s\0") {
        return crate::sim::protobuf::decode(body).map_err(|e| match e {
            crate::sim::protobuf::ProtoError::Unsupported(_) => {
                ApiError::UnsupportedMediaType(format!("application/json ({e})"))
            }
            other => ApiError::BadRequest(other.to_string()),
        });
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::BadRequest(format!("couldn't get version/kind; json parse error: {e}"))
    })
}

pub(super) fn ok_json(v: &Value) -> Result<Response, ApiError> {
    Ok(json_response(StatusCode::OK, v))
}
