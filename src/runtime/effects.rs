//! Where each effect goes: one executor per family — the journal writer, the shell, the
//! cluster, the metrics task (baseline requests), the notifier, verification, and the
//! drill's start. Nothing here writes `App`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc;

use crate::ui::effect::Effect;
use crate::ui::msg::Msg;

use super::cluster_connect::Connector;
use super::cluster_exec::ClusterExec;
use super::journal_writer::JournalWriter;
use super::notify_feed::{NotifyTask, refuse};
use super::shell_exec::ShellExec;
use super::verification::VerifyExec;

pub struct Executors {
    pub journal: JournalWriter,
    pub shell: ShellExec,
    /// `None` without a cluster connection.
    pub cluster: Option<ClusterExec>,
    /// Connects to another target while the console runs (`None`: not possible here).
    pub connector: Option<Connector>,
    /// Set to ask the metrics task for offset baselines at its next refresh.
    pub baseline_request: Arc<AtomicBool>,
    /// `None` without message sinks.
    pub notifier: Option<NotifyTask>,
    /// `None` when the runbook has no verification checks.
    pub verify: Option<VerifyExec>,
    /// Starts the drill's timeline, once.
    pub drill_start: Option<Box<dyn FnOnce() + Send>>,
    /// Drafts without a sink: the clipboard and the session directory.
    pub drafts: super::drafts::DraftExec,
    /// `argocd` lines through Argo CD's API, and the watch of the target's application.
    pub argo: super::argo_exec::ArgoExec,
    /// `curl` lines to the deploy API.
    pub deploy_api: super::deploy_api_exec::DeployApiExec,
    /// Where every answer goes.
    pub tx: mpsc::Sender<Msg>,
}

impl Executors {
    /// Carries effects out, in order (the reducer set `App::quitting` with `Quit`).
    pub fn execute(&mut self, effects: Vec<Effect>) {
        let tx = &self.tx;
        for effect in effects {
            match effect {
                Effect::ReadBaselines => self.baseline_request.store(true, Ordering::SeqCst),
                Effect::Verify(v) => match self.verify.as_mut() {
                    Some(exec) => exec.run(v, tx.clone()),
                    None => tracing::error!("verification effect without probes: {v:?}"),
                },
                Effect::ClusterPreflight { .. }
                | Effect::ClusterDryRun { .. }
                | Effect::ClusterLock { .. }
                | Effect::ClusterExecute { .. }
                | Effect::ClusterFollow { .. }
                | Effect::ClusterRelease { .. } => match &self.cluster {
                    Some(a) => a.run(effect, tx.clone()),
                    None => tracing::error!("cluster effect without a cluster: {effect:?}"),
                },
                Effect::ClusterConnect { generation, target } => match &self.connector {
                    Some(c) => c.connect(generation, target, tx.clone()),
                    None => {
                        let _ = tx.try_send(Msg::ClusterConnectFailed {
                            generation,
                            error: "this console cannot connect to a cluster".into(),
                        });
                    }
                },
                Effect::Journal { req, entry } => self.journal.send(req, entry),
                Effect::Spawn { run, script, env } => self.shell.spawn(run, &script, env, tx),
                Effect::Cancel { run } => self.shell.cancel(run),
                Effect::ShellLine {
                    block,
                    run,
                    text,
                    every_secs,
                    env,
                } => self.shell.run_line(block, run, &text, every_secs, env, tx),
                Effect::EndShell { block } => self.shell.end_block(block),
                Effect::Deliver { sink, msg } => match &self.notifier {
                    Some(n) => n.send(sink, *msg, tx),
                    None => refuse(tx, sink, *msg, "no message sinks in this console"),
                },
                Effect::DraftMessage {
                    key,
                    template,
                    text,
                } => self.drafts.draft(key, template, text, tx),
                Effect::ClusterRead { view, read } => match &self.cluster {
                    Some(a) => a.read(view, read, tx.clone()),
                    None => tracing::error!("cluster read without a cluster: {read:?}"),
                },
                Effect::NativeRead { run, query } => match &self.cluster {
                    Some(a) => a.native_read(run, query, tx.clone()),
                    None => {
                        let _ =
                            tx.try_send(Msg::NativeRead {
                                run,
                                printed: Err(
                                    "error: this console is not connected to a cluster".into()
                                ),
                            });
                    }
                },
                Effect::StopRead { view } => {
                    if let Some(a) = &self.cluster {
                        a.stop_read(view);
                    }
                }
                Effect::PreviewLine {
                    block,
                    line,
                    preview,
                } => self.shell.preview_line(block, line, preview, tx),
                Effect::Argo { op, text, call } => self.argo.run(op, text, call, tx.clone()),
                Effect::ArgoWatch {
                    namespace,
                    deployment,
                } => self.argo.watch(namespace, deployment, tx.clone()),
                Effect::DeployApi { op, call, token } => {
                    self.deploy_api.run(op, call, token, tx.clone())
                }
                Effect::Quit => {}
                Effect::StartDrill => {
                    if let Some(start) = self.drill_start.take() {
                        start();
                    }
                }
            }
        }
    }
}
