//! Connecting the console to a target while it runs (the target read from the runbook
//! and accepted, or switched with `T`): `ClusterEffect::Connect` connects in a task,
//! keeps the new feed for the event loop, and answers `Msg::ClusterConnected` (the loop
//! then replaces the watchers and the action executor) or `Msg::ClusterConnectFailed`.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use crate::adapters::kube::{ConnectOptions, connect};
use crate::domain::cluster::Target;
use crate::ui::msg::Msg;

use super::cluster_exec::ClusterFeed;

/// How to reach the cluster (kubeconfig, read-only, timeouts, impersonation); each
/// target fills in its context and namespace.
pub struct Connector {
    base: ConnectOptions,
    ready: Arc<Mutex<Option<(u64, ClusterFeed)>>>,
    pin: Option<ShellPin>,
}

/// The environment pinning kubectl in shell steps to a context and namespace.
pub type ShellPin = Box<dyn Fn(&str, &str) -> Option<Vec<(String, String)>> + Send>;

impl Connector {
    pub fn new(base: ConnectOptions) -> Connector {
        Connector {
            base,
            ready: Arc::default(),
            pin: None,
        }
    }

    /// How shell steps are pinned to a newly connected context and namespace.
    pub fn with_shell_pin(mut self, pin: ShellPin) -> Connector {
        self.pin = Some(pin);
        self
    }

    /// The shell steps' environment for a newly connected target.
    pub fn shell_env(&self, context: &str, namespace: &str) -> Option<Vec<(String, String)>> {
        self.pin.as_ref().and_then(|p| p(context, namespace))
    }

    /// Connects to `target` (an empty namespace: the context's) and makes the first
    /// request, in a task; answers over `tx`.
    pub fn connect(&self, generation: u64, target: Target, tx: mpsc::Sender<Msg>) {
        let mut options = self.base.clone();
        options.context = target.context.clone().or(options.context);
        options.namespace = Some(target.namespace.clone()).filter(|n| !n.is_empty());
        options.target_context = None;
        options.target_namespace = None;
        let ready = self.ready.clone();
        tokio::spawn(async move {
            let answer = match connect(&options).await {
                Ok(conn) => match conn.preflight().await {
                    Ok(_) => Ok(conn),
                    Err(e) => Err(e.to_string()),
                },
                Err(e) => Err(e.to_string()),
            };
            let msg = match answer {
                Ok(conn) => {
                    let msg = Msg::ClusterConnected {
                        generation,
                        context: conn.context.clone(),
                        namespace: conn.namespace.clone(),
                        deployment: target.deployment.clone(),
                        production: conn.is_production,
                        read_only: conn.read_only,
                    };
                    let feed = ClusterFeed {
                        target: Target {
                            context: Some(conn.context.clone()),
                            namespace: conn.namespace.clone(),
                            deployment: target.deployment,
                        },
                        read_only: conn.read_only,
                        server: conn.server.clone(),
                        client: conn.client,
                        watch_client: conn.watch_client,
                    };
                    if let Ok(mut slot) = ready.lock() {
                        *slot = Some((generation, feed));
                    }
                    msg
                }
                Err(error) => Msg::ClusterConnectFailed { generation, error },
            };
            let _ = tx.send(msg).await;
        });
    }

    /// The feed connected for `generation`, once.
    pub fn take(&self, generation: u64) -> Option<ClusterFeed> {
        let mut slot = self.ready.lock().ok()?;
        match slot.take() {
            Some((g, feed)) if g == generation => Some(feed),
            other => {
                *slot = other;
                None
            }
        }
    }
}
