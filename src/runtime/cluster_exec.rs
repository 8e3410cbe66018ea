//! The cluster executor: the watchers' events forwarded as `Msg::Cluster`, and each step
//! of a cluster action (preflight, dry-run, lock, execute, follow, release) in its own
//! task, answered with `Msg::ClusterStep`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::adapters::identity;
use crate::adapters::kube::lease::{DEFAULT_DURATION, LeaseError, holder_identity};
use crate::adapters::kube::native_read;
use crate::adapters::kube::reads::Reader;
use crate::adapters::kube::watch::{WatchHandle, spawn_watchers};
use crate::adapters::kube::{ActionError, ActionRunner, LeaseGuard};
use crate::domain::cluster::{ClusterEvent, ClusterRead, ReadAnswer, ReadOnlyQuery, Target};
use crate::ui::effect::ClusterEffect;
use crate::ui::msg::Msg;
use crate::ui::state::cluster::{ClusterStep, LockRefusal};

/// The cluster the console watches (and acts on): a connected client and the target.
pub struct ClusterFeed {
    /// For requests, with the request timeout.
    pub client: kube::Client,
    /// For the watchers (connect timeout only; see `Connection::watch_client`).
    pub watch_client: kube::Client,
    pub target: Target,
    pub read_only: bool,
    /// The API server's URL, named when a request times out.
    pub server: String,
}

/// Carries out the steps of cluster actions, each in its own task, answering with
/// `Msg::ClusterStep`. Holds the Lease locks taken, by action.
pub struct ClusterExec {
    runner: ActionRunner,
    client: kube::Client,
    namespace: String,
    deployment: String,
    holder: String,
    /// The API server's URL, named when a request times out.
    server: String,
    leases: Arc<tokio::sync::Mutex<HashMap<u64, LeaseGuard>>>,
    follow_timeout: Duration,
    /// The drill-down views' reads under way, by view (aborted by `StopRead`).
    reads: std::sync::Mutex<HashMap<u64, tokio::task::AbortHandle>>,
}

impl ClusterExec {
    pub fn new(feed: ClusterFeed, session: &str) -> ClusterExec {
        ClusterExec {
            runner: ActionRunner::new(feed.client.clone(), feed.target.clone(), feed.read_only),
            client: feed.client,
            namespace: feed.target.namespace,
            deployment: feed.target.deployment,
            holder: holder_identity(&identity::user_name(), &identity::host_name(), session),
            server: feed.server,
            leases: Arc::default(),
            follow_timeout: Duration::from_secs(300),
            reads: std::sync::Mutex::default(),
        }
    }

    /// Starts a drill-down view's read; its answers come back as `Msg::ClusterRead`. A log
    /// stream runs until the view stops it ([`ClusterExec::stop_read`]), ends, or the
    /// console's channel closes.
    pub fn read(&self, view: u64, read: ClusterRead, tx: mpsc::Sender<Msg>) {
        let reader = Reader::new(self.client.clone(), &self.namespace, &self.deployment);
        let task = tokio::spawn(async move {
            if matches!(read, ClusterRead::Logs { .. }) {
                let (out, mut answers) = mpsc::channel::<ReadAnswer>(8);
                let forward = async {
                    while let Some(answer) = answers.recv().await {
                        if tx.send(Msg::ClusterRead { view, answer }).await.is_err() {
                            break;
                        }
                    }
                };
                tokio::join!(reader.logs(&read, out), forward);
            } else {
                let answer = match reader.once(&read).await {
                    Ok(text) => ReadAnswer::Text(text),
                    Err(e) => ReadAnswer::Ended(Some(e.to_string())),
                };
                let _ = tx.send(Msg::ClusterRead { view, answer }).await;
            }
        });
        let mut reads = self.reads.lock().unwrap_or_else(|e| e.into_inner());
        reads.retain(|_, h| !h.is_finished());
        reads.insert(view, task.abort_handle());
    }

    /// Stops a view's read (its log stream's request is dropped with the task).
    pub fn stop_read(&self, view: u64) {
        let handle = self
            .reads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&view);
        if let Some(h) = handle {
            h.abort();
        }
    }

    /// Prints a native run's read-only line the watch cannot answer, as kubectl prints
    /// it (`native_read::print_query`); answered with `Msg::NativeRead`: stdout, or
    /// kubectl's message for the failure.
    pub fn native_read(&self, run: u32, query: ReadOnlyQuery, tx: mpsc::Sender<Msg>) {
        let client = self.client.clone();
        let target = Target {
            context: None,
            namespace: self.namespace.clone(),
            deployment: self.deployment.clone(),
        };
        tokio::spawn(async move {
            let printed = native_read::print_query(&client, &target, &query)
                .await
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::NativeRead { run, printed }).await;
        });
    }

    /// Reads still under way (finished ones are not counted).
    pub fn reads_running(&self) -> usize {
        self.reads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter(|h| !h.is_finished())
            .count()
    }

    /// The cluster family's effects on this target (connecting to another one is the
    /// connector's: `runtime::cluster_effects`).
    pub fn execute(&self, effect: ClusterEffect, tx: mpsc::Sender<Msg>) {
        let runner = self.runner.clone();
        let server = self.server.clone();
        // A time-out names the server it was waiting for (issue 15 point 1).
        let said = move |e: ActionError| e.at_server(&server).to_string();
        let leases = self.leases.clone();
        let send = move |tx: mpsc::Sender<Msg>, op: u64, step: ClusterStep| async move {
            let _ = tx.send(Msg::ClusterStep { op, step }).await;
        };
        match effect {
            ClusterEffect::Preflight { op, action } => {
                tokio::spawn(async move {
                    let r = runner.preflight(&action).await.map_err(said);
                    send(tx, op, ClusterStep::Preflight(r)).await;
                });
            }
            ClusterEffect::DryRun { op, action } => {
                tokio::spawn(async move {
                    let r = runner.dry_run(&action).await.map_err(said);
                    send(tx, op, ClusterStep::Planned(r)).await;
                });
            }
            ClusterEffect::Lock { op } => {
                let (client, ns, name, holder, server) = (
                    self.client.clone(),
                    self.namespace.clone(),
                    self.deployment.clone(),
                    self.holder.clone(),
                    self.server.clone(),
                );
                tokio::spawn(async move {
                    let r = match LeaseGuard::acquire(client, &ns, &name, &holder, DEFAULT_DURATION)
                        .await
                    {
                        Ok(guard) => {
                            leases.lock().await.insert(op, guard);
                            Ok(())
                        }
                        Err(e @ LeaseError::Held(_)) => Err(LockRefusal::Held(e.to_string())),
                        Err(e) => Err(LockRefusal::Failed(e.at_server(&server).to_string())),
                    };
                    send(tx, op, ClusterStep::Locked(r)).await;
                });
            }
            ClusterEffect::Execute { op, action } => {
                tokio::spawn(async move {
                    let held = leases.lock().await;
                    let r = match held.get(&op) {
                        Some(guard) => runner.execute(&action, guard).await.map_err(said),
                        None => Err("the lock was not held; nothing was sent".to_string()),
                    };
                    drop(held);
                    send(tx, op, ClusterStep::Executed(r)).await;
                });
            }
            ClusterEffect::Follow { op } => {
                let timeout = self.follow_timeout;
                tokio::spawn(async move {
                    let progress = tx.clone();
                    let r = runner
                        .follow(timeout, |p| {
                            // Progress is best effort: a full queue drops an observation,
                            // never the outcome.
                            let _ = progress.try_send(Msg::ClusterStep {
                                op,
                                step: ClusterStep::Progress(p),
                            });
                        })
                        .await
                        .map_err(said);
                    send(tx, op, ClusterStep::Followed(r)).await;
                });
            }
            ClusterEffect::Release { op } => {
                tokio::spawn(async move {
                    let guard = leases.lock().await.remove(&op);
                    if let Some(g) = guard
                        && let Err(e) = g.release().await
                    {
                        tracing::warn!("releasing the lock: {e} (it expires by itself)");
                    }
                });
            }
            ClusterEffect::Read { view, read } => self.read(view, read, tx),
            ClusterEffect::StopRead { view } => self.stop_read(view),
            ClusterEffect::NativeRead { run, query } => self.native_read(run, query, tx),
            ClusterEffect::Connect { target, .. } => {
                tracing::error!("connecting to {target:?} is the connector's, not the executor's")
            }
        }
    }

    /// Releases every lock still held (quitting).
    pub async fn release_all(self) {
        let guards: Vec<LeaseGuard> = self.leases.lock().await.drain().map(|(_, g)| g).collect();
        for g in guards {
            if let Err(e) = g.release().await {
                tracing::warn!("releasing the lock: {e} (it expires by itself)");
            }
        }
    }
}

/// Starts the pod, rollout and event watchers of the target and forwards what they
/// report as `Msg::Cluster`, over the same bounded channel (a slow console slows the
/// watchers; nothing grows). The watchers stop when the handle is stopped or dropped.
pub fn spawn_cluster(
    tx: mpsc::Sender<Msg>,
    feed: &ClusterFeed,
) -> (WatchHandle, tokio::task::JoinHandle<()>) {
    let (ctx, mut crx) = mpsc::channel::<ClusterEvent>(256);
    let handle = spawn_watchers(feed.watch_client.clone(), &feed.target, ctx);
    let forward = tokio::spawn(async move {
        while let Some(ev) = crx.recv().await {
            if tx.send(Msg::Cluster(ev)).await.is_err() {
                break;
            }
        }
    });
    (handle, forward)
}
