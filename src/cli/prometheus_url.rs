//! `--prometheus-url`: the one override of the runbook's Prometheus, shared by the
//! console and `backout status`. The flag wins over the runbook's `metrics.prometheus`,
//! which wins over `PROMETHEUS_URL`.

use std::path::Path;

use crate::adapters::prometheus::{
    ClientConfig, ConfigError, DEFAULT_TIMEOUT, PrometheusClient, client_config,
};
use crate::domain::runbook::Runbook;

/// The Prometheus client configuration of a runbook with front matter, `flag` (a
/// non-blank `--prometheus-url`) replacing its URL. `Ok(None)` when no URL resolves.
pub fn config(runbook: &Runbook, flag: Option<&str>) -> Result<Option<ClientConfig>, ConfigError> {
    let Some(front) = &runbook.front else {
        return Ok(None);
    };
    let mut front = front.clone();
    if let Some(url) = flag.filter(|u| !u.trim().is_empty()) {
        let prom = front
            .metrics
            .get_or_insert_with(Default::default)
            .prometheus
            .get_or_insert_with(Default::default);
        prom.url = Some(url.trim().to_string());
        prom.url_env = None;
    }
    let dir = runbook.source.parent().unwrap_or_else(|| Path::new("."));
    client_config(Some(&front), |k| std::env::var(k).ok(), dir)
}

/// The Prometheus client the runbook and `--prometheus-url` configure, and its URL.
pub fn prometheus_client(
    runbook: &Runbook,
    flag: Option<&str>,
) -> Result<Option<(PrometheusClient, String)>, String> {
    let Some(config) = config(runbook, flag).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let client = config.client(DEFAULT_TIMEOUT).map_err(|e| e.to_string())?;
    Ok(Some((client, config.url)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::runbook;

    const RUNBOOK: &str = "---\nbackout: 1\nmetrics:\n  prometheus: { url: \"http://runbook:9090\" }\n  queries: { error_rate: \"sum(rate(e[2m]))\" }\n---\n# R\n\n## Verify\n\n- [ ] look\n";

    fn url(text: &str, flag: Option<&str>) -> Option<String> {
        let book = runbook::parse(Path::new("r.md"), text).expect("loads");
        config(&book, flag).expect("a configuration").map(|c| c.url)
    }

    #[test]
    fn the_flag_wins_over_the_runbook_and_a_blank_flag_is_no_flag() {
        assert_eq!(
            url(RUNBOOK, Some(" http://flag:9090 ")).as_deref(),
            Some("http://flag:9090")
        );
        assert_eq!(
            url(RUNBOOK, Some("  ")).as_deref(),
            Some("http://runbook:9090")
        );
        assert_eq!(url(RUNBOOK, None).as_deref(), Some("http://runbook:9090"));
        // Without front matter there is nothing to configure, flag or not.
        assert_eq!(url("# R\n\n- [ ] look\n", Some("http://flag:9090")), None);
    }
}
