//! Protobuf HTTP responses: a body with the protobuf content type, and errors as a
//! protobuf `Status` (k8s.io/apiserver `pkg/endpoints/handlers/responsewriters/writers.go`:
//! `ErrorNegotiated` writes the `Status` with the negotiated serializer, so a protobuf
//! client gets its 404, 403, 410 … in protobuf).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::negotiation::PROTOBUF;
use super::objects;
use crate::sim::status::ApiError;

/// A protobuf body.
pub fn ok(code: StatusCode, body: Vec<u8>) -> Response {
    (code, [(header::CONTENT_TYPE, PROTOBUF)], body).into_response()
}

/// An error as a protobuf `Status`.
pub fn error(e: &ApiError) -> Response {
    let code = StatusCode::from_u16(e.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    ok(code, objects::status(&e.to_status()))
}

/// A JSON answer re-encoded in protobuf when it is a pod, a pod list or a `Status` (what
/// writes and deletes of pods answer); any other answer as it is.
pub async fn reencode(answer: Response) -> Response {
    let json = answer
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/json");
    if !json {
        return answer;
    }
    let (mut parts, body) = answer.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return error(&ApiError::Internal("unreadable response body".into()));
    };
    let encoded = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| objects::object(&v));
    match encoded {
        Some(pb) => {
            parts.headers.insert(
                header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static(PROTOBUF),
            );
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, axum::body::Body::from(pb))
        }
        None => Response::from_parts(parts, axum::body::Body::from(bytes)),
    }
}
