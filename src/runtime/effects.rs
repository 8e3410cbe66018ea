//! Where each effect goes: the family named by the effect picks its executor — the
//! journal writer, the shell, the cluster, verification, the metrics task, the notifier
//! and drafts, Argo CD, the deploy API, and the drill's start. Nothing here writes `App`.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tokio::sync::mpsc;

use crate::ui::effect::Effect;
use crate::ui::msg::Msg;

use super::cluster_effects::ClusterEffects;
use super::drill_feed::DrillStart;
use super::journal_writer::JournalWriter;
use super::notify_exec::NotifyExec;
use super::shell_exec::ShellExec;
use super::verification::VerifyExec;

pub struct Executors {
    pub journal: JournalWriter,
    pub shell: ShellExec,
    /// The connected target's executor and the connector.
    pub cluster: ClusterEffects,
    /// Set to ask the metrics task for offset baselines at its next refresh.
    pub baseline_request: Arc<AtomicBool>,
    /// Deliveries to the message sinks, and drafts without one.
    pub notify: NotifyExec,
    /// `None` when the runbook has no verification checks.
    pub verify: Option<VerifyExec>,
    /// Starts the drill's timeline, once.
    pub drill: DrillStart,
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
                Effect::Drill(e) => self.drill.execute(e),
                Effect::Journal(e) => self.journal.execute(e),
                Effect::Shell(e) => self.shell.execute(e, tx),
                Effect::Cluster(e) => self.cluster.execute(e, tx),
                Effect::Verify(v) => match self.verify.as_mut() {
                    Some(exec) => exec.run(v, tx.clone()),
                    None => tracing::error!("verification effect without probes: {v:?}"),
                },
                Effect::Metrics(e) => super::metrics_task::execute(&self.baseline_request, e),
                Effect::Notify(e) => self.notify.execute(e, tx),
                Effect::Quit => {}
                Effect::Argo(e) => self.argo.execute(e, tx),
                Effect::DeployApi(e) => self.deploy_api.execute(e, tx),
            }
        }
    }
}

#[cfg(test)]
#[path = "effects_tests.rs"]
mod tests;
