//! The deploy API of a runbook that declares none (no `deploy_api:` front matter), read
//! from its own `curl` lines: a team's HTTP-API rollback runbook names its deploy service
//! by a literal URL on every line (`curl -X POST http://localhost:8080/deployment/rollback`).
//!
//! A base URL is inferred when the `curl` lines [`parse_curl_line`] accepts call the deploy
//! service's own endpoints ([`INFERRED_FROM`]: `<base>/deployment/status`,
//! `<base>/deployment/rollback`) under one base. Two different bases infer none (the
//! runbook is told why); a URL with credentials, a query or a fragment is no source (a
//! base must be a plain `scheme://host[:port][/path]`). Under an inferred base only the
//! service's own endpoints ([`ENDPOINTS`], adding `/health`) are the deploy API's: a
//! request to any other path under it (`/api/…`, `/dist/…`) is the application's, and
//! the block holding it stays a shell block.

pub use super::base_inference::{BaseInference, InferredBase, lines_text};
use super::curl_line::parse_curl_line;
use super::status::STATUS_PATH;
use crate::domain::runbook::{Diagnostic, Level, Runbook, StepKind};

/// The rollback endpoint, under the deploy API's base.
pub const ROLLBACK_PATH: &str = "/deployment/rollback";

/// The endpoints a base is inferred from: the deploy service's own, that no other
/// service is likely to have.
pub const INFERRED_FROM: &[&str] = &[STATUS_PATH, ROLLBACK_PATH];

/// The endpoints that run through the console under an inferred base.
pub const ENDPOINTS: &[&str] = &[STATUS_PATH, ROLLBACK_PATH, "/health"];

/// The base URL of one line when it calls a deploy endpoint under a plain base.
pub fn base_of_line(line: &str) -> Option<String> {
    let call = parse_curl_line(line)?.ok()?;
    base_of_url(&call.url)
}

/// `http://localhost:8080` for `http://localhost:8080/deployment/status`; `None` for a
/// URL with credentials, a query or a fragment, or not ending in a deploy endpoint.
pub fn base_of_url(url: &str) -> Option<String> {
    if url.contains(['?', '#']) {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let authority = rest.split('/').next().unwrap_or(rest);
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let trimmed = url.trim_end_matches('/');
    INFERRED_FROM
        .iter()
        .find_map(|e| trimmed.strip_suffix(e))
        .map(|b| b.trim_end_matches('/').to_string())
}

/// The base from `(line number, text)` pairs (a runbook's command lines, continuations
/// joined).
pub fn infer_base<'a>(lines: impl IntoIterator<Item = (usize, &'a str)>) -> BaseInference {
    let mut bases: Vec<InferredBase> = Vec::new();
    for (n, text) in lines {
        let Some(url) = base_of_line(text) else {
            continue;
        };
        match bases.iter_mut().find(|b| b.url == url) {
            Some(b) => b.lines.push(n),
            None => bases.push(InferredBase {
                url,
                lines: vec![n],
            }),
        }
    }
    match bases.len() {
        0 => BaseInference::None,
        1 => BaseInference::Inferred(bases.remove(0)),
        _ => BaseInference::Ambiguous(bases),
    }
}

/// The base a runbook's command steps imply; `None` when its front matter declares
/// `deploy_api:` (the declaration wins, nothing is inferred).
///
/// The loader calls it once and keeps the answer on the runbook
/// ([`Runbook::deploy_api_inferred`]): read that, not this (it walks every command line).
pub fn infer_from_runbook(rb: &Runbook) -> BaseInference {
    if rb.front.as_ref().is_some_and(|f| f.deploy_api.is_some()) {
        return BaseInference::None;
    }
    infer_base(rb.steps().flat_map(|s| {
        match &s.kind {
            StepKind::Command(block) => block
                .lines
                .iter()
                .map(|l| (l.line, l.text.as_str()))
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        }
    }))
}

/// Infers the runbook's deploy API once ([`infer_from_runbook`]) and keeps it on the
/// runbook; one whose `curl` lines name the deploy endpoints under two bases is told so
/// among its warnings (kept sorted by position), since nothing is inferred.
pub fn infer_at_load(rb: &mut Runbook) {
    rb.deploy_api_inferred = infer_from_runbook(rb);
    let Some((line, message)) = rb.deploy_api_inferred.warning() else {
        return;
    };
    let at = rb
        .warnings
        .partition_point(|w| (w.line, w.col) <= (line, 1));
    rb.warnings.insert(
        at,
        Diagnostic {
            level: Level::Warning,
            file: rb.source.clone(),
            line,
            col: 1,
            message,
            hint: Some("declare the deploy API in front matter (`deploy_api: { url: … }`)".into()),
        },
    );
}

/// The path of `url` under `base` when it is one of the deploy service's [`ENDPOINTS`].
pub fn endpoint_under(base: &str, url: &str) -> Option<&'static str> {
    let rest = url.strip_prefix(base.trim_end_matches('/'))?;
    let rest = rest.trim_end_matches('/');
    ENDPOINTS.iter().find(|e| **e == rest).copied()
}

#[cfg(test)]
#[path = "inferred_base_tests.rs"]
mod tests;
