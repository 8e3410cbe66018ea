//! The console's verification probes: HTTP (with a drill's or `BACKOUT_VERIFY_CA_FILE`'s
//! CA), the cluster, and a Prometheus source serving the runbook's PromQL checks; the
//! monitor windows' time scale.

use std::path::Path;
use std::sync::Arc;

use super::ConsoleArgs;
use super::prometheus_url::prometheus_client;
use crate::adapters::metrics_source::MetricsSource;
use crate::adapters::prometheus::PrometheusSource;
use crate::adapters::verify::{ClusterProbe, Prober, TimeScale};
use crate::domain::runbook::Runbook;
use crate::runtime::cluster_exec::ClusterFeed;
use crate::runtime::metrics_task::MetricsFeed;
use crate::runtime::verification::VerifyFeed;

/// Environment variable scaling verification windows (check seconds per real second):
/// drills set it to their simulator's speed, so a 15-minute window takes 15 minutes of
/// simulated time. Unset or invalid: 1.
pub const VERIFY_TIME_SCALE_ENV: &str = "BACKOUT_VERIFY_TIME_SCALE";

/// Probes for the runbook's verification checks (`None` when it has none): HTTP with a
/// 10 s timeout, the cluster connection for pods and rollout checks, the metrics source
/// for PromQL checks.
/// What a drill sets for verification instead of the environment.
#[derive(Default)]
pub struct VerifyOverrides {
    pub scale: Option<f64>,
    pub ca_pem: Option<String>,
    pub sim_url: Option<String>,
    /// A drill's simulator model, when no Prometheus answers the checks.
    pub metrics: Option<Arc<dyn MetricsSource>>,
    /// A drill on the simulator: checks read only the simulator (its model, its Services),
    /// never the runbook's Prometheus or an outside URL.
    pub simulated_only: bool,
}

pub fn verify_feed(
    runbook: &Runbook,
    args: &ConsoleArgs,
    cluster: Option<&ClusterFeed>,
    metrics: Option<&MetricsFeed>,
    overrides: &VerifyOverrides,
) -> Option<VerifyFeed> {
    if runbook.checks.is_empty() {
        return None;
    }
    let scale = overrides.scale.unwrap_or_else(|| {
        std::env::var(VERIFY_TIME_SCALE_ENV)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .unwrap_or(1.0)
    });
    let mut prober = Prober::new(std::time::Duration::from_secs(10));
    let ca = match (&overrides.ca_pem, std::env::var_os(VERIFY_CA_FILE_ENV)) {
        (Some(pem), _) => Some(Ok(pem.as_bytes().to_vec())),
        (None, Some(path)) => Some(std::fs::read(&path).map_err(|e| {
            format!(
                "{VERIFY_CA_FILE_ENV}: cannot read {}: {e}",
                Path::new(&path).display()
            )
        })),
        (None, None) => None,
    };
    match ca.map(|pem| pem.and_then(|pem| verify_http_client(&pem))) {
        Some(Ok(client)) => prober.http = client,
        Some(Err(e)) => tracing::warn!("verification: {e}"),
        None => {}
    }
    prober.simulated_services = overrides.sim_url.clone();
    prober.cluster = cluster.map(|c| ClusterProbe::new(c.client.clone(), c.target.clone()));
    prober.simulated_only = overrides.simulated_only;
    let prometheus = if overrides.simulated_only {
        None
    } else {
        verify_metrics(runbook, args)
    };
    prober.metrics = prometheus
        .or_else(|| overrides.metrics.clone())
        .or_else(|| metrics.map(|m| Arc::clone(&m.source)));
    Some(VerifyFeed {
        prober,
        checks: runbook.checks.clone(),
        scale: TimeScale::new(scale),
    })
}

/// Environment variable naming a PEM file of an extra CA that HTTP checks trust (e.g. the
/// simulator's, written by `backout sim --ca-out`).
pub const VERIFY_CA_FILE_ENV: &str = "BACKOUT_VERIFY_CA_FILE";

fn verify_http_client(pem: &[u8]) -> Result<reqwest::Client, String> {
    let cert =
        reqwest::Certificate::from_pem(pem).map_err(|e| format!("not a PEM certificate: {e}"))?;
    reqwest::Client::builder()
        .add_root_certificate(cert)
        .build()
        .map_err(|e| e.to_string())
}

/// When ```promql blocks are checks, a Prometheus source serving their expressions as well
/// as `metrics.queries` (the console's own source serves only the latter).
fn verify_metrics(
    runbook: &Runbook,
    args: &ConsoleArgs,
) -> Option<Arc<dyn crate::adapters::metrics_source::MetricsSource>> {
    let mut queries = crate::domain::verify::check_queries(&runbook.checks);
    if queries.is_empty() {
        return None;
    }
    if let Some(m) = runbook.front.as_ref().and_then(|f| f.metrics.as_ref()) {
        queries.extend(m.queries.clone());
    }
    match prometheus_client(runbook, args.prometheus_url.as_deref()) {
        Ok(Some((client, _))) => Some(Arc::new(PrometheusSource::new(client, queries))),
        Ok(None) => None,
        Err(e) => {
            tracing::warn!("verification: prometheus: {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::runbook;

    const RUNBOOK: &str = "---\n\
        metrics:\n  prometheus: { url: \"http://127.0.0.1:9\" }\n  queries: { error_rate: \"sum(rate(e[2m]))\" }\n\
        verify:\n  - { name: errors, promql: \"error_rate < 0.01\" }\n\
        ---\n# R\n\n## Verify\n\n```promql\nsum(rate(x[5m])) < 0.5\n```\n";

    #[test]
    fn promql_block_checks_get_a_source_serving_their_expressions() {
        let book = runbook::parse(Path::new("r.md"), RUNBOOK).expect("loads");
        assert_eq!(book.checks.len(), 2);
        let source = verify_metrics(&book, &ConsoleArgs::default()).expect("a source");
        assert_eq!(source.names(), ["error_rate", "sum_rate_x_5m"]);
        let feed = verify_feed(
            &book,
            &ConsoleArgs::default(),
            None,
            None,
            &VerifyOverrides::default(),
        )
        .expect("a feed");
        assert_eq!(feed.checks, book.checks);
        assert!(feed.prober.metrics.is_some() && feed.prober.cluster.is_none());
        // Without Prometheus (none in the runbook, nor in PROMETHEUS_URL) nothing serves them.
        if std::env::var_os("PROMETHEUS_URL").is_some() {
            return;
        }
        let plain = RUNBOOK.replace("  prometheus: { url: \"http://127.0.0.1:9\" }\n", "");
        let book = runbook::parse(Path::new("r.md"), &plain).expect("loads");
        assert!(verify_metrics(&book, &ConsoleArgs::default()).is_none());
    }
}
