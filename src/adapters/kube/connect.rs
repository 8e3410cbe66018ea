//! Connecting like kubectl: kubeconfig from `--kubeconfig`, else `KUBECONFIG` (a
//! colon-separated list, merged with kubectl's first-wins rules), else
//! `~/.kube/config`, else the in-cluster service account; `--context` and `-n` override,
//! and a runbook's `target` fills in what the flags leave out.
//!
//! Exec credential plugins (`users[].user.exec`, e.g. `aws eks get-token`, `gke-gcloud-
//! auth-plugin`, `kubelogin`) are run by kube-rs on the first request, not when the client
//! is built. A plugin that prompts (a browser login, an MFA code) must do so while the
//! terminal still belongs to it, so the console calls [`Connection::preflight`] — one
//! cheap `GET /version` — before it takes the terminal over.

use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use super::guard::ReadOnlyLayer;

/// How to connect (command-line flags, the runbook's target, settings).
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// `--kubeconfig FILE`.
    pub kubeconfig: Option<PathBuf>,
    /// `--context NAME`.
    pub context: Option<String>,
    /// `-n/--namespace NAME`.
    pub namespace: Option<String>,
    /// The runbook front matter's `target.context`, used when `--context` is absent.
    pub target_context: Option<String>,
    /// The runbook front matter's `target.namespace`, used when `-n` is absent.
    pub target_namespace: Option<String>,
    /// Context name patterns that mean production (`*` wildcards; a pattern without one
    /// matches as a substring). Empty: the default, `prod`.
    pub production_patterns: Vec<String>,
    /// `--read-only`: the client refuses every mutating request.
    pub read_only: bool,
    /// `--request-timeout`: how long one request may take (connect, send, answer), like
    /// kubectl's; `None` (kubectl's `0`) waits as long as the server takes.
    pub request_timeout: Option<std::time::Duration>,
    /// `--as`: the user to impersonate (`Impersonate-User`), over the kubeconfig's `as`.
    pub impersonate: Option<String>,
    /// `--as-group`: the groups to impersonate (`Impersonate-Group`, one header each).
    pub impersonate_groups: Vec<String>,
}

/// A client and what it is connected to.
#[derive(Clone)]
pub struct Connection {
    /// For requests (access review, dry-run, patch, Lease, probes): with the request
    /// timeout, if any.
    pub client: Client,
    /// For watches: a watch is one long read that may be quiet for minutes, so it gets the
    /// connect timeout only (kube-rs's default read timeout, 295 s, otherwise); a silent
    /// server is caught by the watchers' liveness probe instead.
    pub watch_client: Client,
    /// The kubeconfig context name (`in-cluster` for a service account).
    pub context: String,
    pub namespace: String,
    /// The API server URL.
    pub server: String,
    pub is_production: bool,
    pub read_only: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("context", &self.context)
            .field("namespace", &self.namespace)
            .field("server", &self.server)
            .field("is_production", &self.is_production)
            .field("read_only", &self.read_only)
            .finish()
    }
}

/// Why no connection could be made.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot read kubeconfig: {0}")]
    Kubeconfig(#[source] kube::config::KubeconfigError),
    #[error(
        "no kubeconfig found (tried --kubeconfig, KUBECONFIG and ~/.kube/config) and not running in a cluster: {0}"
    )]
    NoConfig(String),
    #[error("context {context:?} not found in the kubeconfig (contexts: {available})")]
    NoContext { context: String, available: String },
    #[error("cannot build a client: {0}")]
    Client(#[source] kube::Error),
    #[error("cannot reach the API server at {server}: {source}")]
    Unreachable {
        server: String,
        #[source]
        source: kube::Error,
    },
}

/// The console's request timeout when `--request-timeout` is not given: connect, send and
/// answer of one request (the access review, dry-run, patch, Lease) within 10 s.
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The default production pattern.
pub const DEFAULT_PRODUCTION_PATTERN: &str = "prod";

/// Whether a context name matches one of the production patterns (case-insensitive).
pub fn is_production(context: &str, patterns: &[String]) -> bool {
    let default = [DEFAULT_PRODUCTION_PATTERN.to_string()];
    let patterns = if patterns.is_empty() {
        &default[..]
    } else {
        patterns
    };
    let ctx = context.to_lowercase();
    patterns.iter().any(|p| {
        let p = p.to_lowercase();
        if p.contains('*') {
            glob(&p, &ctx)
        } else {
            ctx.contains(&p)
        }
    })
}

fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) {
        return false;
    }
    let mut rest = &text[first.len()..];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

fn load_kubeconfig(opts: &ConnectOptions) -> Result<Option<Kubeconfig>, ConnectError> {
    if let Some(p) = &opts.kubeconfig {
        return Kubeconfig::read_from(p)
            .map(Some)
            .map_err(ConnectError::Kubeconfig);
    }
    if let Some(kc) = Kubeconfig::from_env().map_err(ConnectError::Kubeconfig)? {
        return Ok(Some(kc));
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match home.map(|h| h.join(".kube").join("config")) {
        Some(p) if p.exists() => Kubeconfig::read_from(&p)
            .map(Some)
            .map_err(ConnectError::Kubeconfig),
        _ => Ok(None),
    }
}

/// Resolves the configuration and builds a client (no request is made yet).
pub async fn connect(opts: &ConnectOptions) -> Result<Connection, ConnectError> {
    let (config, context) = match load_kubeconfig(opts)? {
        Some(kc) => {
            let context = opts
                .context
                .clone()
                .or_else(|| opts.target_context.clone())
                .or_else(|| kc.current_context.clone())
                .unwrap_or_default();
            if !kc.contexts.iter().any(|c| c.name == context) {
                let available = kc
                    .contexts
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(ConnectError::NoContext { context, available });
            }
            let kopts = KubeConfigOptions {
                context: Some(context.clone()),
                ..KubeConfigOptions::default()
            };
            let config = Config::from_custom_kubeconfig(kc, &kopts)
                .await
                .map_err(ConnectError::Kubeconfig)?;
            (config, context)
        }
        None => {
            let config = Config::incluster().map_err(|e| ConnectError::NoConfig(e.to_string()))?;
            (config, "in-cluster".to_string())
        }
    };
    let mut config = config;
    let mut watch_config = config.clone();
    if let Some(t) = opts.request_timeout {
        watch_config.connect_timeout = Some(t);
        config.connect_timeout = Some(t);
        config.read_timeout = Some(t);
        config.write_timeout = Some(t);
        // The timeout counts from each request, not from when a pooled connection idled.
        config.reset_reader_on_write = true;
    }
    if let Some(user) = &opts.impersonate {
        config.auth_info.impersonate = Some(user.clone());
    }
    if !opts.impersonate_groups.is_empty() {
        config.auth_info.impersonate_groups = Some(opts.impersonate_groups.clone());
    }
    let namespace = opts
        .namespace
        .clone()
        .or_else(|| opts.target_namespace.clone())
        .unwrap_or_else(|| config.default_namespace.clone());
    let server = config
        .cluster_url
        .to_string()
        .trim_end_matches('/')
        .to_string();
    let build = |config: Config| -> Result<Client, ConnectError> {
        let builder =
            kube::client::ClientBuilder::try_from(config).map_err(ConnectError::Client)?;
        Ok(if opts.read_only {
            builder.with_layer(&ReadOnlyLayer).build()
        } else {
            builder.build()
        })
    };
    if let Some(user) = &opts.impersonate {
        watch_config.auth_info.impersonate = Some(user.clone());
    }
    if !opts.impersonate_groups.is_empty() {
        watch_config.auth_info.impersonate_groups = Some(opts.impersonate_groups.clone());
    }
    let client = build(config)?;
    let watch_client = build(watch_config)?;
    Ok(Connection {
        client,
        watch_client,
        is_production: is_production(&context, &opts.production_patterns),
        context,
        namespace,
        server,
        read_only: opts.read_only,
    })
}

impl Connection {
    /// One `GET /version`: runs exec credential plugins (and their prompts) now, and
    /// proves the server answers. Returns the server's `gitVersion`.
    pub async fn preflight(&self) -> Result<String, ConnectError> {
        self.client
            .apiserver_version()
            .await
            .map(|v| v.git_version)
            .map_err(|source| ConnectError::Unreachable {
                server: self.server.clone(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_patterns() {
        assert!(is_production("prod-eu", &[]));
        assert!(is_production("gke_acme_europe-west1_PROD", &[]));
        assert!(!is_production("staging", &[]));
        let p = vec!["*-live".to_string(), "eks-*-critical".to_string()];
        assert!(is_production("checkout-live", &p));
        assert!(is_production("eks-eu-critical", &p));
        assert!(!is_production("prod-eu", &p));
        assert!(!is_production("checkout-live-test", &p));
    }
}
