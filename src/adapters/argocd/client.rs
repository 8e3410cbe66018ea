//! The HTTP client of Argo CD's API (grpc-gateway JSON, bearer token).

use reqwest::Method;
use serde_json::{Value, json};

use crate::adapters::secret::Secret;
use crate::domain::argocd::ArgoLine;

/// Why an Argo CD request failed.
#[derive(Debug, thiserror::Error)]
pub enum ArgoError {
    #[error("argocd: no server: set ARGOCD_SERVER (or --server on the line)")]
    NoServer,
    #[error("argocd: no auth token: set ARGOCD_AUTH_TOKEN")]
    NoToken,
    /// The server's gRPC status, as the CLI prints it (`rpc error: code = … desc = …`).
    #[error("rpc error: code = {code} desc = {message}")]
    Api { code: &'static str, message: String },
    #[error("argocd: {0}")]
    Transport(String),
    /// A failure of the command itself (as the CLI's `log.Fatal` lines say it).
    #[error("{0}")]
    Command(String),
}

/// The name of a gRPC status code (`google.golang.org/grpc/codes`).
fn code_name(code: i64) -> &'static str {
    match code {
        1 => "Canceled",
        3 => "InvalidArgument",
        4 => "DeadlineExceeded",
        5 => "NotFound",
        6 => "AlreadyExists",
        7 => "PermissionDenied",
        9 => "FailedPrecondition",
        12 => "Unimplemented",
        13 => "Internal",
        14 => "Unavailable",
        16 => "Unauthenticated",
        _ => "Unknown",
    }
}

/// A connection to one Argo CD API server.
#[derive(Debug, Clone)]
pub struct ArgoServer {
    /// `https://host:port[/root]`, without a trailing slash.
    base: String,
    /// The address as the CLI shows it in URLs (`host:port[/root]`).
    pub address: String,
    token: Secret,
    http: reqwest::Client,
}

impl ArgoServer {
    /// From the line's flags and the environment (`env("ARGOCD_SERVER")`, …); `extra_ca`
    /// is a PEM CA to trust besides the system's (the drill's simulator).
    pub fn connect(
        line: &ArgoLine,
        env: impl Fn(&str) -> Option<String>,
        extra_ca: Option<&str>,
    ) -> Result<ArgoServer, ArgoError> {
        Self::connect_with(line, env, false, extra_ca)
    }

    /// As [`ArgoServer::connect`]; `insecure` also skips the certificate check (the front
    /// matter's `argocd.insecure`, for its own server).
    pub fn connect_with(
        line: &ArgoLine,
        env: impl Fn(&str) -> Option<String>,
        insecure: bool,
        extra_ca: Option<&str>,
    ) -> Result<ArgoServer, ArgoError> {
        Self::build(
            line.server.clone(),
            line.root_path.as_deref(),
            line.insecure || insecure,
            env,
            extra_ca,
        )
    }

    /// From the environment alone (`ARGOCD_SERVER`, `ARGOCD_AUTH_TOKEN`): the console's
    /// watch of the application managing its target.
    pub fn from_env(
        env: impl Fn(&str) -> Option<String>,
        extra_ca: Option<&str>,
    ) -> Result<ArgoServer, ArgoError> {
        Self::from_env_with(env, false, extra_ca)
    }

    /// As [`ArgoServer::from_env`], skipping the certificate check when `insecure`.
    pub fn from_env_with(
        env: impl Fn(&str) -> Option<String>,
        insecure: bool,
        extra_ca: Option<&str>,
    ) -> Result<ArgoServer, ArgoError> {
        Self::build(None, None, insecure, env, extra_ca)
    }

    fn build(
        server: Option<String>,
        root_path: Option<&str>,
        insecure: bool,
        env: impl Fn(&str) -> Option<String>,
        extra_ca: Option<&str>,
    ) -> Result<ArgoServer, ArgoError> {
        let server = server
            .or_else(|| env("ARGOCD_SERVER"))
            .filter(|s| !s.trim().is_empty())
            .ok_or(ArgoError::NoServer)?;
        let token = env("ARGOCD_AUTH_TOKEN")
            .filter(|t| !t.is_empty())
            .ok_or(ArgoError::NoToken)?;
        let crate::domain::argocd::server::ServerAddress { mut base, address } =
            crate::domain::argocd::server::server_address(&server);
        if let Some(root) = root_path
            .map(|r| r.trim_matches('/'))
            .filter(|r| !r.is_empty())
        {
            base = format!("{base}/{root}");
        }
        let mut b = reqwest::Client::builder().timeout(std::time::Duration::from_secs(30));
        if let Some(pem) = extra_ca {
            let cert = reqwest::Certificate::from_pem(pem.as_bytes())
                .map_err(|e| ArgoError::Transport(format!("CA certificate: {e}")))?;
            b = b.add_root_certificate(cert);
        }
        if insecure {
            b = b.danger_accept_invalid_certs(true);
        }
        let http = b.build().map_err(|e| ArgoError::Transport(e.to_string()))?;
        Ok(ArgoServer {
            base,
            address,
            token: Secret::new(token),
            http,
        })
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, ArgoError> {
        let url = format!("{}{path}", self.base);
        let mut req = self
            .http
            .request(method, &url)
            .bearer_auth(self.token.expose());
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| ArgoError::Transport(format!("{}: {}", self.address, e.without_url())))?;
        let status = resp.status();
        let v: Value = resp
            .json()
            .await
            .map_err(|e| ArgoError::Transport(format!("{status}: {}", e.without_url())))?;
        if status.is_success() {
            return Ok(v);
        }
        Err(ArgoError::Api {
            code: code_name(v["code"].as_i64().unwrap_or(2)),
            message: v["message"]
                .as_str()
                .or(v["error"].as_str())
                .unwrap_or(status.as_str())
                .to_string(),
        })
    }

    fn app_path(name: &str) -> String {
        format!("/api/v1/applications/{name}")
    }

    /// `GET /api/v1/applications`: every application the token may see.
    pub async fn list_apps(&self) -> Result<Value, ArgoError> {
        self.call(Method::GET, "/api/v1/applications", None).await
    }

    pub async fn get_app(&self, name: &str) -> Result<Value, ArgoError> {
        self.call(Method::GET, &Self::app_path(name), None).await
    }

    pub async fn update_spec(&self, name: &str, spec: Value) -> Result<Value, ArgoError> {
        self.call(
            Method::PUT,
            &format!("{}/spec", Self::app_path(name)),
            Some(spec),
        )
        .await
    }

    pub async fn sync(
        &self,
        name: &str,
        revision: Option<&str>,
        prune: bool,
        dry_run: bool,
    ) -> Result<Value, ArgoError> {
        let mut body = json!({"name": name, "prune": prune, "dryRun": dry_run});
        if let Some(r) = revision {
            body["revision"] = json!(r);
        }
        self.call(
            Method::POST,
            &format!("{}/sync", Self::app_path(name)),
            Some(body),
        )
        .await
    }

    pub async fn rollback(&self, name: &str, id: i64, prune: bool) -> Result<Value, ArgoError> {
        let body = json!({"name": name, "id": id, "prune": prune});
        self.call(
            Method::POST,
            &format!("{}/rollback", Self::app_path(name)),
            Some(body),
        )
        .await
    }

    pub async fn revision_metadata(&self, name: &str, revision: &str) -> Result<Value, ArgoError> {
        self.call(
            Method::GET,
            &format!("{}/revisions/{revision}/metadata", Self::app_path(name)),
            None,
        )
        .await
    }

    pub async fn manifests(&self, name: &str, revision: &str) -> Result<Value, ArgoError> {
        self.call(
            Method::GET,
            &format!("{}/manifests?revision={revision}", Self::app_path(name)),
            None,
        )
        .await
    }
}
