//! Every change to the cluster, from whichever path made it (the Rollout pane, the actions
//! menu, a runbook step's native kubectl line, `backout undo`, or a mutating command run in
//! the shell), with where from, the revision and image before and after, who confirmed,
//! what was previewed, the outcome and whether the rollout was followed to the end. The
//! report's *Changes made* and *Impact* read them ([`Changes::made`]).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{Entry, Record};
use crate::domain::runbook::{StepId, command_change};

/// How a change was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangePath {
    /// Natively, through the API (`ClusterActionRequested`).
    ClusterAction,
    /// A runbook command whose lines change something, run in the shell.
    Command,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeReport {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub path: ChangePath,
    /// The kubectl command (or the shell command) as journaled.
    pub action: String,
    /// `context/namespace/deployment` for a cluster action.
    pub target: Option<String>,
    /// What it changes in a few words, for a command (`rollout undo → revision 42`).
    pub summary: Option<String>,
    /// Where it was made from (`rollout pane`, `actions menu`, `step #4`, `backout undo`).
    pub via: Option<String>,
    pub from_revision: Option<i64>,
    pub to_revision: Option<i64>,
    pub from_image: Option<String>,
    pub to_image: Option<String>,
    pub confirmed_by: Option<String>,
    /// What the operator saw before confirming (`server dry-run + diff`).
    pub previewed: Option<String>,
    /// The final outcome line; `None` when the journal has none.
    pub outcome: Option<String>,
    /// `None` when no outcome was journaled.
    pub ok: Option<bool>,
    /// For a change that starts a rollout: whether it was followed until the rollout
    /// completed (`Some(false)`: it failed, timed out or was never followed).
    pub rollout_followed: Option<bool>,
}

impl ChangeReport {
    /// `revision 3 (web:1.6.0) → revision 2 (web:1.5.2)`; `None` when nothing is known.
    pub fn from_to(&self) -> Option<String> {
        let side = |rev: Option<i64>, image: &Option<String>| match (rev, image) {
            (Some(r), Some(i)) => Some(format!("revision {r} ({i})")),
            (Some(r), None) => Some(format!("revision {r}")),
            (None, Some(i)) => Some(i.clone()),
            (None, None) => None,
        };
        let from = side(self.from_revision, &self.from_image);
        let to = side(self.to_revision, &self.to_image);
        match (from, to) {
            (None, None) => None,
            (f, t) => Some(format!(
                "{} → {}",
                f.unwrap_or_else(|| "?".into()),
                t.unwrap_or_else(|| "?".into())
            )),
        }
    }

    /// Whether this change is a rollback (an undo, or any change to an earlier revision).
    pub fn is_rollback(&self) -> bool {
        self.action.contains("rollout undo")
            || matches!((self.from_revision, self.to_revision), (Some(f), Some(t)) if t < f)
            || self
                .summary
                .as_deref()
                .is_some_and(|s| s.contains("rollback") || s.contains("rollout undo"))
    }
}

/// Kubectl's words for a rollout that ended well (`deployment "web" successfully rolled
/// out`).
const ROLLED_OUT: &str = "successfully rolled out";

/// The outcome a declined command's row shows.
const DECLINED: &str = "not run (declined)";

/// Whether an action starts a rollout that can be followed.
fn starts_rollout(action: &str) -> bool {
    ["rollout undo", "rollout restart", "set image", "set env"]
        .iter()
        .any(|v| action.contains(v))
}

/// A runbook command's row, before it is confirmed or has an outcome.
fn command_row(r: &Record, step: StepId, command: &str, summary: String) -> ChangeReport {
    ChangeReport {
        at: r.ts,
        actor: r.actor.clone(),
        path: ChangePath::Command,
        action: command.to_owned(),
        target: None,
        summary: Some(summary),
        via: Some(format!("step {step}")),
        from_revision: None,
        to_revision: None,
        from_image: None,
        to_image: None,
        confirmed_by: None,
        previewed: None,
        outcome: None,
        ok: None,
        rollout_followed: None,
    }
}

/// A changing command started in the shell and not finished yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenRun {
    pub step: StepId,
    pub run: u32,
    /// Its row in [`Changes::rows`].
    pub row: usize,
}

/// Every change row in journal order, and the shell runs still open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// One row per cluster action requested and per changing command started or declined,
    /// in journal order (shell rows a native run told again included: see [`Self::made`]).
    pub rows: Vec<ChangeReport>,
    /// The changing commands started and not finished, oldest first.
    pub open: Vec<OpenRun>,
}

impl Changes {
    /// Folds one record.
    pub fn apply(&mut self, r: &Record) {
        match &r.entry {
            Entry::ClusterActionRequested {
                action,
                target,
                change,
            } => {
                let c = change.clone().unwrap_or_default();
                self.rows.push(ChangeReport {
                    at: r.ts,
                    actor: r.actor.clone(),
                    path: ChangePath::ClusterAction,
                    action: action.clone(),
                    target: Some(target.clone()).filter(|t| !t.is_empty()),
                    summary: None,
                    via: c.via,
                    from_revision: c.from_revision,
                    to_revision: c.to_revision,
                    from_image: c.from_image,
                    to_image: c.to_image,
                    confirmed_by: c.confirmed_by,
                    previewed: c.previewed,
                    outcome: None,
                    ok: None,
                    rollout_followed: starts_rollout(action).then_some(false),
                });
            }
            Entry::ClusterActionFinished {
                action,
                outcome,
                ok,
            } => {
                let Some(c) = self
                    .rows
                    .iter_mut()
                    .rev()
                    .find(|c| c.path == ChangePath::ClusterAction && c.action == *action)
                else {
                    return;
                };
                c.outcome = Some(outcome.clone());
                c.ok = Some(*ok);
                if c.rollout_followed.is_some() {
                    c.rollout_followed = Some(*ok && outcome.contains(ROLLED_OUT));
                }
            }
            Entry::CommandStarted { step, run, command } => {
                let Some(summary) = command_change(command) else {
                    return;
                };
                self.open.push(OpenRun {
                    step: *step,
                    run: *run,
                    row: self.rows.len(),
                });
                self.rows.push(ChangeReport {
                    // A command runs after the operator confirmed it.
                    confirmed_by: Some(r.actor.clone()),
                    ..command_row(r, *step, command, summary)
                });
            }
            Entry::CommandFinished {
                step,
                run,
                exit_code,
                cancelled,
                ..
            } => {
                let Some(pos) = self
                    .open
                    .iter()
                    .position(|o| o.step == *step && o.run == *run)
                else {
                    return;
                };
                let open = self.open.remove(pos);
                let c = &mut self.rows[open.row];
                let (text, ok) = match (cancelled, exit_code) {
                    (true, _) => ("cancelled".to_string(), false),
                    (false, Some(0)) => ("exit 0".to_string(), true),
                    (false, Some(code)) => (format!("exit {code}"), false),
                    (false, None) => ("killed by a signal".to_string(), false),
                };
                c.outcome = Some(text);
                c.ok = Some(ok);
            }
            Entry::CommandDeclined { step, command } => {
                if let Some(summary) = command_change(command) {
                    self.rows.push(ChangeReport {
                        outcome: Some(DECLINED.into()),
                        ..command_row(r, *step, command, summary)
                    });
                }
            }
            _ => {}
        }
    }

    /// Every change made, in journal order. A step whose kubectl lines ran natively
    /// journaled each line as a cluster action of its own ("via step #N"): its shell-level
    /// row would tell the same change twice, and is left out.
    pub fn made(&self) -> Vec<ChangeReport> {
        let native: Vec<(&String, DateTime<Utc>)> = self
            .rows
            .iter()
            .filter(|c| c.path == ChangePath::ClusterAction)
            .filter_map(|c| Some((c.via.as_ref()?, c.at)))
            .collect();
        self.rows
            .iter()
            .filter(|c| {
                c.path != ChangePath::Command
                    || c.outcome.as_deref() == Some(DECLINED)
                    || !native
                        .iter()
                        .any(|(via, at)| Some(*via) == c.via.as_ref() && *at >= c.at)
            })
            .cloned()
            .collect()
    }
}
