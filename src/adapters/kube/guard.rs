//! `--read-only`, enforced where requests leave the process: a tower layer in the kube
//! client's service stack refuses every request that could change the cluster before it
//! is sent.
//!
//! Allowed: `GET` (get, list, watch, discovery, `/version`) and `HEAD`, plus `POST` of a
//! `SelfSubjectAccessReview` (the RBAC preflight asks the server a question; it stores
//! nothing). Refused: everything else, including server-side dry-run requests — a dry-run
//! still runs admission webhooks, which may have side effects, and a read-only console
//! has no use for a diff of a change it cannot make.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Method, Request};
use tower::{BoxError, Layer, Service};

/// The error a refused request fails with (inside `kube::Error::Service`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("read-only mode: refused {method} {path} before sending it (started with --read-only)")]
pub struct ReadOnlyViolation {
    pub method: String,
    pub path: String,
}

/// Whether a request may leave a read-only client.
pub fn permitted(method: &Method, path: &str) -> bool {
    match *method {
        Method::GET | Method::HEAD => true,
        Method::POST => {
            let p = path.trim_end_matches('/');
            p == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
        }
        _ => false,
    }
}

/// Finds a [`ReadOnlyViolation`] inside a kube error.
pub fn violation(err: &kube::Error) -> Option<&ReadOnlyViolation> {
    match err {
        kube::Error::Service(e) => e.downcast_ref::<ReadOnlyViolation>(),
        _ => None,
    }
}

/// The layer; add it with `ClientBuilder::with_layer`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOnlyLayer;

impl<S> Layer<S> for ReadOnlyLayer {
    type Service = ReadOnly<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ReadOnly { inner }
    }
}

/// The service refusing mutating requests.
#[derive(Debug, Clone)]
pub struct ReadOnly<S> {
    inner: S,
}

impl<S, B> Service<Request<B>> for ReadOnly<S>
where
    S: Service<Request<B>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        if !permitted(req.method(), req.uri().path()) {
            let err = ReadOnlyViolation {
                method: req.method().to_string(),
                path: req.uri().path().to_string(),
            };
            return Box::pin(async move { Err(Box::new(err) as BoxError) });
        }
        let fut = self.inner.call(req);
        Box::pin(async move { fut.await.map_err(Into::into) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reads_and_access_reviews_pass() {
        let ssar = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
        assert!(permitted(
            &Method::GET,
            "/apis/apps/v1/namespaces/shop/deployments"
        ));
        assert!(permitted(&Method::POST, ssar));
        assert!(!permitted(&Method::POST, "/api/v1/namespaces/shop/pods"));
        assert!(!permitted(
            &Method::PATCH,
            "/apis/apps/v1/namespaces/shop/deployments/web"
        ));
        assert!(!permitted(
            &Method::PUT,
            "/apis/coordination.k8s.io/v1/namespaces/shop/leases/x"
        ));
        assert!(!permitted(
            &Method::DELETE,
            "/api/v1/namespaces/shop/pods/web-1"
        ));
        assert!(!permitted(
            &Method::POST,
            "/apis/authorization.k8s.io/v1/subjectaccessreviews"
        ));
    }
}
