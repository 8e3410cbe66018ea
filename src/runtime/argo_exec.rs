//! The Argo CD executor: runs each stage of an `argocd app` line through Argo CD's API
//! (`adapters::argocd`) and answers with `Msg::Argo`; watches the application managing the
//! console's target and sends `Msg::ArgoStatus` when it changes.
//!
//! The server and token come from the environment as the CLI takes them (`ARGOCD_SERVER`,
//! `ARGOCD_AUTH_TOKEN`, `--server` on the line), else from the runbook's front matter
//! (`argocd: { server, token_env, insecure }`); a drill on the simulator sets the
//! environment's to the simulator's Argo CD and trusts its CA.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::adapters::argocd::{self, ArgoError, ArgoServer};
use crate::adapters::secret::Secret;
use crate::domain::argocd::{parse_argocd_line, status};
use crate::ui::effect::ArgoEffect;
use crate::ui::msg::Msg;
use crate::ui::state::argo::{ArgoAnswer, ArgoCall};

/// How often a followed operation and the watched application are read.
const POLL: Duration = Duration::from_millis(500);
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// Where Argo CD is: environment values that win over the process's, and a CA to trust.
#[derive(Debug, Clone, Default)]
pub struct ArgoSetup {
    pub env: Vec<(String, String)>,
    pub ca_pem: Option<String>,
    /// The runbook's front matter `argocd:`, used where the environment names no server.
    pub runbook: Option<ArgoFromRunbook>,
}

/// The front matter's `argocd:` with its token read from the variable `token_env` names.
#[derive(Debug, Clone, Default)]
pub struct ArgoFromRunbook {
    /// `argocd.server`.
    pub server: String,
    /// The value of the variable `argocd.token_env` names, when set.
    pub token: Option<Secret>,
    /// `argocd.insecure`.
    pub insecure: bool,
}

impl ArgoSetup {
    /// `key`'s value: the setup's, else the process environment's.
    pub fn env_value(&self, key: &str) -> Option<String> {
        self.env(key)
    }

    /// `key`'s value as the Argo CD client reads it for a line with `line_server` on it:
    /// the environment's `ARGOCD_SERVER` / `ARGOCD_AUTH_TOKEN` (set and not blank) win
    /// over the front matter's; the front matter's token goes only to its own server
    /// (as the CLI's config keeps a token per server), never to one named by `--server`
    /// or `ARGOCD_SERVER`.
    fn argo_value(&self, key: &str, line_server: Option<&str>) -> Option<String> {
        if let Some(v) = self.env(key).filter(|v| !v.trim().is_empty()) {
            return Some(v);
        }
        let fm = self.runbook.as_ref()?;
        match key {
            "ARGOCD_SERVER" => Some(fm.server.clone()),
            "ARGOCD_AUTH_TOKEN" if self.front_matters_server(line_server) => {
                fm.token.as_ref().map(|t| t.expose().to_string())
            }
            _ => None,
        }
    }

    /// Whether a line with `line_server` on it talks to the front matter's server.
    fn front_matters_server(&self, line_server: Option<&str>) -> bool {
        self.runbook.is_some()
            && line_server.is_none()
            && self
                .env("ARGOCD_SERVER")
                .is_none_or(|s| s.trim().is_empty())
    }

    /// `--insecure` on the line, or the front matter's `insecure` for its own server.
    fn insecure(&self, line: Option<&crate::domain::argocd::ArgoLine>) -> bool {
        line.is_some_and(|l| l.insecure)
            || (self.front_matters_server(line.and_then(|l| l.server.as_deref()))
                && self.runbook.as_ref().is_some_and(|r| r.insecure))
    }

    fn env(&self, key: &str) -> Option<String> {
        self.env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var(key).ok())
    }
}

pub struct ArgoExec {
    setup: ArgoSetup,
    watch: Option<tokio::task::JoinHandle<()>>,
}

impl ArgoExec {
    pub fn new(setup: ArgoSetup) -> ArgoExec {
        ArgoExec { setup, watch: None }
    }

    /// One stage of line `op`.
    pub fn run(&self, op: u64, text: String, call: ArgoCall, tx: mpsc::Sender<Msg>) {
        let setup = self.setup.clone();
        tokio::spawn(async move {
            let answer = stage(&setup, &text, call).await;
            let _ = tx.send(Msg::Argo { op, answer }).await;
        });
    }

    /// Watches the application managing `namespace/deployment` (replacing the last watch).
    /// Without an Argo CD server configured there is nothing to watch.
    pub fn watch(&mut self, namespace: String, deployment: String, tx: mpsc::Sender<Msg>) {
        if let Some(w) = self.watch.take() {
            w.abort();
        }
        let setup = self.setup.clone();
        let Ok(server) = ArgoServer::from_env_with(
            |k| setup.argo_value(k, None),
            setup.insecure(None),
            setup.ca_pem.as_deref(),
        ) else {
            return;
        };
        self.watch = Some(tokio::spawn(async move {
            let mut last: Option<Option<status::ArgoAppStatus>> = None;
            loop {
                let now = match server.list_apps().await {
                    Ok(list) => status::managing(&list, &namespace, &deployment),
                    Err(e) => {
                        tracing::warn!("argocd: watching the application: {e}");
                        None
                    }
                };
                if last.as_ref() != Some(&now) {
                    if tx.send(Msg::ArgoStatus(now.clone())).await.is_err() {
                        return;
                    }
                    last = Some(now);
                }
                tokio::time::sleep(WATCH_EVERY).await;
            }
        }));
    }

    pub fn stop(&mut self) {
        if let Some(w) = self.watch.take() {
            w.abort();
        }
    }
}

async fn stage(setup: &ArgoSetup, text: &str, call: ArgoCall) -> ArgoAnswer {
    let line = match parse_argocd_line(text) {
        Some(Ok(l)) => l,
        Some(Err(e)) => return ArgoAnswer::Failed(e),
        None => return ArgoAnswer::Failed(format!("not an argocd line: {text}")),
    };
    let insecure = setup.insecure(Some(&line));
    let server = match ArgoServer::connect_with(
        &line,
        |k| setup.argo_value(k, line.server.as_deref()),
        insecure,
        setup.ca_pem.as_deref(),
    ) {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    match call {
        ArgoCall::Read => printed(argocd::run_read(&server, &line, POLL).await),
        ArgoCall::Execute => printed(argocd::execute(&server, &line, POLL).await),
        ArgoCall::Prepare => match argocd::prepare(&server, &line.command).await {
            Ok(p) => ArgoAnswer::Preview {
                lines: p.lines,
                change: p.change,
            },
            Err(e) => failed(e),
        },
    }
}

fn printed(r: Result<argocd::Outcome, ArgoError>) -> ArgoAnswer {
    match r {
        Ok(o) => ArgoAnswer::Printed {
            output: o.output,
            ok: o.ok,
        },
        Err(e) => failed(e),
    }
}

/// As the CLI fails: `FATA[0000] rpc error: …` (the message without the log prefix).
fn failed(e: ArgoError) -> ArgoAnswer {
    ArgoAnswer::Failed(e.to_string())
}

impl ArgoExec {
    /// The Argo CD family's effects.
    pub fn execute(&mut self, effect: ArgoEffect, tx: &mpsc::Sender<Msg>) {
        match effect {
            ArgoEffect::Run { op, text, call } => self.run(op, text, call, tx.clone()),
            ArgoEffect::Watch {
                namespace,
                deployment,
            } => self.watch(namespace, deployment, tx.clone()),
        }
    }
}
