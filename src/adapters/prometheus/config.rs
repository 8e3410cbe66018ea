//! Where Prometheus is and how to authenticate, from the runbook's front matter and the
//! environment.
//!
//! URL: `metrics.prometheus.url`, else the variable named by `metrics.prometheus.url_env`,
//! else `PROMETHEUS_URL`. (A `--prometheus-url` flag, when given, wins over all of them;
//! that precedence belongs to the caller.) A `url_env` naming an unset variable is an
//! error, not a fall-through to `PROMETHEUS_URL`: silently querying a different
//! Prometheus than the runbook asked for could show another environment's numbers.
//!
//! Token: the variable named by `token_env`, or the file `token_file` (relative to the
//! runbook's directory), sent as a bearer token. Basic auth comes from credentials in
//! the URL (`https://user:pass@host`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use thiserror::Error;

use super::client::{Auth, PrometheusClient, Secret};
use super::error::PromError;
use crate::domain::runbook::front_matter::FrontMatter;

/// The environment variable consulted when the runbook names no URL.
pub const PROMETHEUS_URL_ENV: &str = "PROMETHEUS_URL";

/// A client timeout suited to a console refreshing every few seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the URL came from, to say so on screen and in `backout check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlSource {
    /// `metrics.prometheus.url`.
    FrontMatter,
    /// The variable named by `metrics.prometheus.url_env`.
    FrontMatterEnv(String),
    /// `PROMETHEUS_URL`.
    DefaultEnv,
}

/// Everything needed to build a [`PrometheusClient`]. Debug never shows the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    pub url: String,
    pub url_source: UrlSource,
    pub auth: Option<Auth>,
}

impl ClientConfig {
    /// Builds the client with the given timeout.
    pub fn client(&self, timeout: Duration) -> Result<PrometheusClient, PromError> {
        PrometheusClient::new(&self.url, self.auth.clone(), timeout)
    }
}

/// Why the configuration cannot be completed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error(
        "metrics.prometheus.url_env names `{0}`, which is not set (set it, or give the URL with `url`)"
    )]
    UrlEnvUnset(String),
    #[error("metrics.prometheus.token_env names `{0}`, which is not set")]
    TokenEnvUnset(String),
    #[error("cannot read metrics.prometheus.token_file {}: {reason}", path.display())]
    TokenFile { path: PathBuf, reason: String },
    #[error("metrics.prometheus.token_file {} is empty", path.display())]
    TokenFileEmpty { path: PathBuf },
    #[error("metrics.prometheus sets both token_env and token_file; keep one")]
    TwoTokens,
}

/// The Prometheus client configuration for a runbook, or `None` when neither the runbook
/// nor the environment names a Prometheus (the console then shows metrics as
/// unconfigured, or feeds them from the simulator).
///
/// `env` looks up environment variables (pass `|k| std::env::var(k).ok()`); empty values
/// count as unset. `runbook_dir` anchors a relative `token_file`.
pub fn client_config(
    front: Option<&FrontMatter>,
    env: impl Fn(&str) -> Option<String>,
    runbook_dir: &Path,
) -> Result<Option<ClientConfig>, ConfigError> {
    let env = |k: &str| {
        env(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let prom = front
        .and_then(|f| f.metrics.as_ref())
        .and_then(|m| m.prometheus.as_ref());
    let located = match prom {
        Some(p) if p.url.as_deref().is_some_and(|u| !u.trim().is_empty()) => p
            .url
            .as_deref()
            .map(|u| (u.trim().to_string(), UrlSource::FrontMatter)),
        Some(p) if p.url_env.is_some() => {
            let name = p.url_env.clone().unwrap_or_default();
            match env(&name) {
                Some(url) => Some((url, UrlSource::FrontMatterEnv(name))),
                None => return Err(ConfigError::UrlEnvUnset(name)),
            }
        }
        _ => env(PROMETHEUS_URL_ENV).map(|url| (url, UrlSource::DefaultEnv)),
    };
    let Some((url, url_source)) = located else {
        return Ok(None);
    };
    let token = match prom.map(|p| (&p.token_env, &p.token_file)) {
        Some((Some(_), Some(_))) => return Err(ConfigError::TwoTokens),
        Some((Some(name), None)) => Some(
            env(name)
                .map(Secret::new)
                .ok_or_else(|| ConfigError::TokenEnvUnset(name.clone()))?,
        ),
        Some((None, Some(file))) => {
            let path = runbook_dir.join(file);
            let text =
                crate::adapters::secret_file::read(&path).map_err(|e| ConfigError::TokenFile {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            let token = text.trim();
            if token.is_empty() {
                return Err(ConfigError::TokenFileEmpty { path });
            }
            Some(Secret::new(token))
        }
        _ => None,
    };
    Ok(Some(ClientConfig {
        url,
        url_source,
        auth: token.map(Auth::Bearer),
    }))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::domain::runbook::front_matter::{Metrics, PrometheusConfig};

    fn front(p: PrometheusConfig) -> FrontMatter {
        FrontMatter {
            metrics: Some(Metrics {
                prometheus: Some(p),
                queries: BTreeMap::new(),
                baseline_offset: None,
            }),
            ..FrontMatter::default()
        }
    }

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| vars.get(k).cloned()
    }

    fn url_of(
        f: Option<&FrontMatter>,
        vars: &[(&str, &str)],
    ) -> Result<Option<(String, UrlSource)>, ConfigError> {
        client_config(f, env(vars), Path::new(".")).map(|c| c.map(|c| (c.url, c.url_source)))
    }

    #[test]
    fn url_precedence() {
        let with_url = front(PrometheusConfig {
            url: Some("http://front:9090".into()),
            url_env: Some("PROM_PROD".into()),
            ..Default::default()
        });
        let with_env = front(PrometheusConfig {
            url_env: Some("PROM_PROD".into()),
            ..Default::default()
        });
        let bare = FrontMatter::default();
        let all = [
            ("PROM_PROD", "http://prod:9090"),
            ("PROMETHEUS_URL", "http://default:9090"),
        ];
        assert_eq!(
            url_of(Some(&with_url), &all),
            Ok(Some(("http://front:9090".into(), UrlSource::FrontMatter)))
        );
        assert_eq!(
            url_of(Some(&with_env), &all),
            Ok(Some((
                "http://prod:9090".into(),
                UrlSource::FrontMatterEnv("PROM_PROD".into())
            )))
        );
        assert_eq!(
            url_of(
                Some(&with_env),
                &[("PROMETHEUS_URL", "http://default:9090")]
            ),
            Err(ConfigError::UrlEnvUnset("PROM_PROD".into()))
        );
        assert_eq!(
            url_of(Some(&with_env), &[("PROM_PROD", "  ")]),
            Err(ConfigError::UrlEnvUnset("PROM_PROD".into()))
        );
        assert_eq!(
            url_of(Some(&bare), &all),
            Ok(Some(("http://default:9090".into(), UrlSource::DefaultEnv)))
        );
        assert_eq!(
            url_of(None, &[("PROMETHEUS_URL", " http://default:9090\n")]),
            Ok(Some(("http://default:9090".into(), UrlSource::DefaultEnv)))
        );
        assert_eq!(url_of(Some(&bare), &[]), Ok(None));
        assert_eq!(url_of(None, &[("PROMETHEUS_URL", "")]), Ok(None));
    }

    #[test]
    fn tokens_from_env_or_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "file-token-123\n").unwrap();
        std::fs::write(dir.path().join("empty"), "\n").unwrap();
        let cfg = |p: PrometheusConfig, vars: &[(&str, &str)]| {
            client_config(
                Some(&front(PrometheusConfig {
                    url: Some("http://p:9090".into()),
                    ..p
                })),
                env(vars),
                dir.path(),
            )
        };
        let c = cfg(
            PrometheusConfig {
                token_env: Some("PROM_TOKEN".into()),
                ..Default::default()
            },
            &[("PROM_TOKEN", "env-token-123")],
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.auth, Some(Auth::Bearer(Secret::new("env-token-123"))));
        assert!(!format!("{c:?}").contains("env-token-123"));

        let c = cfg(
            PrometheusConfig {
                token_file: Some("token".into()),
                ..Default::default()
            },
            &[],
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.auth, Some(Auth::Bearer(Secret::new("file-token-123"))));

        let errors: Vec<String> = [
            (PrometheusConfig {
                token_env: Some("NOPE".into()),
                ..Default::default()
            }),
            (PrometheusConfig {
                token_file: Some("empty".into()),
                ..Default::default()
            }),
            (PrometheusConfig {
                token_file: Some("missing".into()),
                ..Default::default()
            }),
            (PrometheusConfig {
                token_env: Some("A".into()),
                token_file: Some("token".into()),
                ..Default::default()
            }),
        ]
        .into_iter()
        .map(|p| {
            cfg(p, &[])
                .unwrap_err()
                .to_string()
                .replace(&dir.path().display().to_string(), "DIR")
        })
        .collect();
        assert_eq!(
            errors,
            [
                "metrics.prometheus.token_env names `NOPE`, which is not set",
                "metrics.prometheus.token_file DIR/empty is empty",
                "cannot read metrics.prometheus.token_file DIR/missing: No such file or directory (os error 2)",
                "metrics.prometheus sets both token_env and token_file; keep one",
            ]
        );
    }
}
