//! The simulated application's endpoints: `GET /metrics` (Prometheus text exposition)
//! and `GET /sim/health/{namespace}/{app}`.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::sim::Shared;
use crate::sim::app::{health, render_metrics};
use crate::sim::status::json_response;

/// `GET /metrics`, `GET /sim/metrics`.
pub fn metrics_response(shared: &Shared) -> Response {
    let body = render_metrics(shared);
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// `GET /sim/health/{namespace}/{app}`.
pub fn health_response(shared: &Shared, namespace: &str, app: &str) -> Response {
    let (ok, body) = health(shared, namespace, app);
    let code = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_response(code, &body)
}
