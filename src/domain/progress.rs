//! Where a session stands: the state every journal record moves forward.
//!
//! `Progress` is derived only by applying journal records in order, both live (after a
//! record is on disk) and on resume, so replay equals live state by construction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{Entry, Record};
use crate::domain::runbook::StepId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StepState {
    Done {
        at: DateTime<Utc>,
        actor: String,
    },
    Skipped {
        at: DateTime<Utc>,
        actor: String,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandRun {
    pub run: u32,
    pub step: StepId,
    pub command: String,
    pub started_at: DateTime<Utc>,
    pub actor: String,
    /// `None` while running (or when the session died while it ran).
    pub finished: Option<CommandOutcome>,
}

/// A line of a block (`line 2/4: …`, 1-based) that is not the block's last.
fn stopped_mid_block(run: &CommandRun) -> Option<(usize, usize)> {
    crate::domain::runbook::line_of(&run.command).filter(|(line, total)| line < total)
}

/// A block that stopped part-way (see [`Progress::block_stopped`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockStop {
    /// The block's logical lines.
    pub total: usize,
    /// Lines 1..=ran finished (exit 0).
    pub ran: usize,
    /// The line (1-based) that was running when the session ended, when one was.
    pub interrupted: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandOutcome {
    pub at: DateTime<Utc>,
    pub exit_code: Option<i32>,
    pub duration_ms: u64,
    pub cancelled: bool,
}

impl CommandOutcome {
    pub fn succeeded(&self) -> bool {
        self.exit_code == Some(0) && !self.cancelled
    }
}

/// A change requested of the cluster (`ClusterActionRequested`) and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterActionRun {
    /// The equivalent kubectl command.
    pub action: String,
    pub target: String,
    pub requested_at: DateTime<Utc>,
    pub actor: String,
    /// `None` while in flight (or when the session died before the outcome was written:
    /// the request may or may not have reached the cluster).
    pub finished: Option<ClusterActionOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterActionOutcome {
    pub at: DateTime<Utc>,
    pub outcome: String,
    pub ok: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub text: String,
    pub step: Option<StepId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeverityChange {
    pub at: DateTime<Utc>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub rule: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseVisit {
    pub phase: usize,
    pub title: String,
    pub at: DateTime<Utc>,
}

/// The member chosen in a group of alternatives (the latest choice wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlternativeChoice {
    /// The member's key (`B`, `2`).
    pub member: String,
    pub title: String,
    /// The member chosen before, when the choice was changed.
    pub previous: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A step completed by a cluster action made elsewhere (`StepDoneByAction`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoneByAction {
    /// The equivalent kubectl command.
    pub action: String,
    /// The action's number in [`Progress::cluster_actions`] (1-based: "action #2"); `None`
    /// when the journal holds no request of that action.
    pub number: Option<usize>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub started_at: Option<DateTime<Utc>>,
    pub title: String,
    pub runbook_path: String,
    pub runbook_sha256: String,
    pub mode: String,
    pub steps: BTreeMap<StepId, StepState>,
    /// Placeholder values. Secret ones are not restored on replay (they were never journaled).
    pub bindings: BTreeMap<String, String>,
    pub notes: Vec<Note>,
    pub runs: Vec<CommandRun>,
    pub cluster_actions: Vec<ClusterActionRun>,
    pub phase_visits: Vec<PhaseVisit>,
    /// Every change of the decision matrix's highest severity, in order.
    pub severity_changes: Vec<SeverityChange>,
    /// When metric baselines were (re-)captured.
    pub baselines_captured_at: Vec<DateTime<Utc>>,
    pub resumed_at: Vec<DateTime<Utc>>,
    /// The member chosen in each alternative group, by group id (`alt-1`).
    pub choices: BTreeMap<String, AlternativeChoice>,
    /// Steps ticked because a cluster action did what they describe (also `Done` in
    /// `steps`); unticking removes them.
    pub done_by_action: BTreeMap<StepId, DoneByAction>,
    pub closed_at: Option<DateTime<Utc>>,
    pub last_seq: u64,
    pub last_at: Option<DateTime<Utc>>,
}

impl Progress {
    /// Replays records from the start.
    pub fn replay<'a>(records: impl IntoIterator<Item = &'a Record>) -> Self {
        let mut p = Progress::default();
        for r in records {
            p.apply(r);
        }
        p
    }

    /// Moves the state forward by one record. Pure and total: an entry that refers to
    /// something unknown is recorded as far as it makes sense, never a panic.
    pub fn apply(&mut self, r: &Record) {
        self.last_seq = r.seq;
        self.last_at = Some(r.ts);
        match &r.entry {
            Entry::SessionStarted {
                runbook_path,
                runbook_sha256,
                title,
                mode,
                ..
            } => {
                self.started_at = Some(r.ts);
                self.runbook_path = runbook_path.clone();
                self.runbook_sha256 = runbook_sha256.clone();
                self.title = title.clone();
                self.mode = mode.clone();
            }
            Entry::SessionResumed { .. } => {
                self.resumed_at.push(r.ts);
                self.closed_at = None;
            }
            Entry::PhaseEntered { phase, title } => self.phase_visits.push(PhaseVisit {
                phase: *phase,
                title: title.clone(),
                at: r.ts,
            }),
            Entry::StepTicked { step, .. } => {
                self.done_by_action.remove(step);
                self.steps.insert(
                    *step,
                    StepState::Done {
                        at: r.ts,
                        actor: r.actor.clone(),
                    },
                );
            }
            Entry::StepUnticked { step, .. } => {
                self.steps.remove(step);
                self.done_by_action.remove(step);
            }
            Entry::StepSkipped { step, reason, .. } => {
                self.done_by_action.remove(step);
                self.steps.insert(
                    *step,
                    StepState::Skipped {
                        at: r.ts,
                        actor: r.actor.clone(),
                        reason: reason.clone(),
                    },
                );
            }
            Entry::NoteAdded { text, step } => self.notes.push(Note {
                at: r.ts,
                actor: r.actor.clone(),
                text: text.clone(),
                step: *step,
            }),
            Entry::PlaceholderBound {
                name,
                value,
                secret,
            } => {
                if *secret {
                    self.bindings.remove(name);
                } else {
                    self.bindings.insert(name.clone(), value.clone());
                }
            }
            Entry::CommandStarted { step, run, command } => self.runs.push(CommandRun {
                run: *run,
                step: *step,
                command: command.clone(),
                started_at: r.ts,
                actor: r.actor.clone(),
                finished: None,
            }),
            Entry::CommandFinished {
                run,
                exit_code,
                duration_ms,
                cancelled,
                ..
            } => {
                if let Some(cr) = self.runs.iter_mut().rev().find(|c| c.run == *run) {
                    cr.finished = Some(CommandOutcome {
                        at: r.ts,
                        exit_code: *exit_code,
                        duration_ms: *duration_ms,
                        cancelled: *cancelled,
                    });
                }
            }
            Entry::ClusterActionRequested { action, target, .. } => {
                self.cluster_actions.push(ClusterActionRun {
                    action: action.clone(),
                    target: target.clone(),
                    requested_at: r.ts,
                    actor: r.actor.clone(),
                    finished: None,
                })
            }
            Entry::ClusterActionFinished {
                action,
                outcome,
                ok,
            } => {
                // The latest request of that action; a later outcome (the rollout
                // followed to its end, or abandoned at quit) replaces the request's.
                if let Some(run) = self
                    .cluster_actions
                    .iter_mut()
                    .rev()
                    .find(|c| &c.action == action)
                {
                    run.finished = Some(ClusterActionOutcome {
                        at: r.ts,
                        outcome: outcome.clone(),
                        ok: *ok,
                    });
                }
            }
            Entry::SessionClosed => self.closed_at = Some(r.ts),
            Entry::SeverityChanged { from, to, rule } => {
                self.severity_changes.push(SeverityChange {
                    at: r.ts,
                    from: from.clone(),
                    to: to.clone(),
                    rule: rule.clone(),
                })
            }
            Entry::BaselineCaptured { .. } => self.baselines_captured_at.push(r.ts),
            Entry::AlternativeChosen {
                group,
                member,
                title,
                previous,
                by,
            } => {
                self.choices.insert(
                    group.clone(),
                    AlternativeChoice {
                        member: member.clone(),
                        title: title.clone(),
                        previous: previous.clone(),
                        by: by.clone(),
                        at: r.ts,
                    },
                );
            }
            Entry::StepDoneByAction { step, action, .. } => {
                let number = self
                    .cluster_actions
                    .iter()
                    .rposition(|c| &c.action == action)
                    .map(|i| i + 1);
                self.steps.insert(
                    *step,
                    StepState::Done {
                        at: r.ts,
                        actor: r.actor.clone(),
                    },
                );
                self.done_by_action.insert(
                    *step,
                    DoneByAction {
                        action: action.clone(),
                        number,
                        at: r.ts,
                    },
                );
            }
            // Verification, messages and drill events are read by the report and the
            // scorecard straight from the records; they do not change step progress.
            Entry::SeverityAcknowledged { .. }
            | Entry::VerificationStarted { .. }
            | Entry::VerificationFinished { .. }
            | Entry::MessageQueued { .. }
            | Entry::MessageDelivered { .. }
            | Entry::MessageFailed { .. }
            | Entry::DrillEvent { .. }
            | Entry::SeverityDeclared { .. }
            | Entry::ApprovalRecorded { .. }
            | Entry::ConnectionSet { .. }
            | Entry::MessageDrafted { .. }
            | Entry::MessagePostedByHand { .. }
            | Entry::CommandDeclined { .. }
            | Entry::RolloutFollowStarted { .. } => {}
        }
    }

    pub fn state(&self, step: StepId) -> Option<&StepState> {
        self.steps.get(&step)
    }

    /// Whether a step counts as finished: ticked, skipped, or (for a command step) its
    /// latest run succeeded. The console's progress and the report both use this.
    pub fn is_finished(&self, step: StepId, is_command: bool) -> bool {
        self.steps.contains_key(&step) || (is_command && self.last_success(step).is_some())
    }

    /// The latest run of a step, when it succeeded. A block's line that is not its last
    /// (`line 2/4: …`) is not the step's success even when it exited 0: the block stopped
    /// after it (the console ended between two lines, or the next line was declined).
    pub fn last_success(&self, step: StepId) -> Option<&CommandRun> {
        self.last_run(step)
            .filter(|r| r.finished.as_ref().is_some_and(CommandOutcome::succeeded))
            .filter(|r| stopped_mid_block(r).is_none())
    }

    /// Where a step's block stopped part-way: the latest run is a line of a block that is
    /// not its last and exited 0, or a line that never got an outcome (the session ended
    /// while it ran). `None` when the latest run is not such a line.
    pub fn block_stopped(&self, step: StepId) -> Option<BlockStop> {
        let run = self.last_run(step)?;
        match &run.finished {
            None => {
                let (line, total) = crate::domain::runbook::line_of(&run.command)?;
                Some(BlockStop {
                    total,
                    ran: line - 1,
                    interrupted: Some(line),
                })
            }
            Some(o) if o.succeeded() => stopped_mid_block(run).map(|(line, total)| BlockStop {
                total,
                ran: line,
                interrupted: None,
            }),
            Some(_) => None,
        }
    }

    /// The most recent run of a step's command.
    pub fn last_run(&self, step: StepId) -> Option<&CommandRun> {
        self.runs.iter().rev().find(|r| r.step == step)
    }

    /// The number the next command run gets.
    pub fn next_run_number(&self) -> u32 {
        self.runs.iter().map(|r| r.run).max().unwrap_or(0) + 1
    }

    /// The key of the member chosen in alternative group `group` (`alt-1`), if any.
    pub fn chosen(&self, group: &str) -> Option<&str> {
        self.choices.get(group).map(|c| c.member.as_str())
    }

    /// When a phase was first entered.
    pub fn phase_entered_at(&self, phase: usize) -> Option<DateTime<Utc>> {
        self.phase_visits
            .iter()
            .find(|v| v.phase == phase)
            .map(|v| v.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::journal::testing::{build, t0, varied};
    use crate::domain::redact::REDACTED;

    fn replay(entries: Vec<Entry>) -> Progress {
        let (records, _) = build(entries.into_iter().map(|e| ("alice@ops", e)).collect());
        Progress::replay(&records)
    }

    fn tick(n: u32) -> Entry {
        Entry::StepTicked {
            step: StepId(n),
            title: format!("step {n}"),
        }
    }

    #[test]
    fn applying_one_by_one_equals_replay() {
        let (records, _) = varied();
        let mut live = Progress::default();
        for r in &records {
            live.apply(r);
        }
        assert_eq!(live, Progress::replay(&records));
        assert_eq!(live.last_seq, records.len() as u64);
    }

    #[test]
    fn tick_untick_and_skip() {
        let p = replay(vec![
            tick(0),
            tick(1),
            Entry::StepUnticked {
                step: StepId(1),
                title: "step 1".into(),
            },
            Entry::StepSkipped {
                step: StepId(2),
                title: "step 2".into(),
                reason: "n/a".into(),
            },
        ]);
        assert!(
            matches!(p.state(StepId(0)), Some(StepState::Done { actor, .. }) if actor == "alice@ops")
        );
        assert_eq!(p.state(StepId(1)), None);
        assert!(
            matches!(p.state(StepId(2)), Some(StepState::Skipped { reason, .. }) if reason == "n/a")
        );
    }

    #[test]
    fn command_runs_are_matched_by_run_number() {
        let p = replay(vec![
            Entry::CommandStarted {
                step: StepId(3),
                run: 1,
                command: "a".into(),
            },
            Entry::CommandStarted {
                step: StepId(4),
                run: 2,
                command: "b".into(),
            },
            Entry::CommandFinished {
                step: StepId(3),
                run: 1,
                exit_code: Some(0),
                duration_ms: 5,
                cancelled: false,
            },
        ]);
        assert!(
            p.runs[0]
                .finished
                .as_ref()
                .is_some_and(CommandOutcome::succeeded)
        );
        assert_eq!(p.runs[1].finished, None);
        assert_eq!(p.last_run(StepId(4)).map(|r| r.run), Some(2));
        assert_eq!(p.next_run_number(), 3);
    }

    #[test]
    fn secret_bindings_are_never_restored() {
        let p = replay(vec![
            Entry::PlaceholderBound {
                name: "service-name".into(),
                value: "checkout-api".into(),
                secret: false,
            },
            Entry::PlaceholderBound {
                name: "TOKEN".into(),
                value: REDACTED.into(),
                secret: true,
            },
        ]);
        assert_eq!(
            p.bindings.get("service-name").map(String::as_str),
            Some("checkout-api")
        );
        assert!(!p.bindings.contains_key("TOKEN"));
    }

    #[test]
    fn a_resume_reopens_a_closed_session() {
        let closed = replay(vec![tick(0), Entry::SessionClosed]);
        assert!(closed.closed_at.is_some());
        let reopened = replay(vec![
            tick(0),
            Entry::SessionClosed,
            Entry::SessionResumed { host: "h".into() },
        ]);
        assert_eq!(reopened.closed_at, None);
        assert_eq!(reopened.resumed_at.len(), 1);
    }

    #[test]
    fn phases_remember_their_first_entry() {
        let p = replay(vec![
            Entry::PhaseEntered {
                phase: 0,
                title: "Prepare".into(),
            },
            Entry::PhaseEntered {
                phase: 1,
                title: "Execute".into(),
            },
            Entry::PhaseEntered {
                phase: 0,
                title: "Prepare".into(),
            },
        ]);
        assert_eq!(p.phase_entered_at(0), Some(t0()));
        assert_eq!(p.phase_visits.len(), 3);
        assert_eq!(p.phase_entered_at(4), None);
    }

    fn choose(member: &str, previous: Option<&str>) -> Entry {
        Entry::AlternativeChosen {
            group: "alt-1".into(),
            member: member.into(),
            title: format!("Option {member}"),
            previous: previous.map(str::to_string),
            by: "alice@ops".into(),
        }
    }

    #[test]
    fn the_latest_choice_of_a_group_wins_and_remembers_the_one_before() {
        let p = replay(vec![choose("B", None), choose("A", Some("B"))]);
        assert_eq!(p.chosen("alt-1"), Some("A"));
        assert_eq!(p.chosen("alt-2"), None);
        let c = &p.choices["alt-1"];
        assert_eq!(c.previous.as_deref(), Some("B"));
        assert_eq!(c.by, "alice@ops");
        assert_eq!(c.title, "Option A");
    }

    fn line(run: u32, command: &str) -> Entry {
        Entry::CommandStarted {
            step: StepId(4),
            run,
            command: command.into(),
        }
    }

    fn exit0(run: u32) -> Entry {
        Entry::CommandFinished {
            step: StepId(4),
            run,
            exit_code: Some(0),
            duration_ms: 5,
            cancelled: false,
        }
    }

    /// The console died between two lines of a three-line block: line 1/3 exited 0, but
    /// the step is not done, and where the block stopped is known for resume.
    #[test]
    fn a_block_that_stopped_after_a_middle_line_is_not_done() {
        let p = replay(vec![line(1, "line 1/3: echo a"), exit0(1)]);
        assert!(!p.is_finished(StepId(4), true));
        assert_eq!(p.last_success(StepId(4)), None);
        assert_eq!(
            p.block_stopped(StepId(4)),
            Some(BlockStop {
                total: 3,
                ran: 1,
                interrupted: None
            })
        );

        // Died while line 2/3 ran: line 2 is where it was interrupted.
        let p = replay(vec![
            line(1, "line 1/3: echo a"),
            exit0(1),
            line(2, "line 2/3 (follow): kubectl get pods -w"),
        ]);
        assert!(!p.is_finished(StepId(4), true));
        assert_eq!(
            p.block_stopped(StepId(4)),
            Some(BlockStop {
                total: 3,
                ran: 1,
                interrupted: Some(2)
            })
        );

        // Every line ran: done, nothing stopped.
        let p = replay(vec![
            line(1, "line 1/2: echo a"),
            exit0(1),
            line(2, "line 2/2: echo b"),
            exit0(2),
        ]);
        assert!(p.is_finished(StepId(4), true));
        assert_eq!(p.block_stopped(StepId(4)), None);

        // A one-line block (journaled as its command) is done when it exits 0.
        let p = replay(vec![line(1, "echo a"), exit0(1)]);
        assert!(p.is_finished(StepId(4), true));
        assert_eq!(p.block_stopped(StepId(4)), None);
    }

    #[test]
    fn a_step_done_by_action_is_done_with_the_action_number_until_unticked() {
        let undo = "kubectl rollout undo deployment/web -n shop";
        let done = Entry::StepDoneByAction {
            step: StepId(4),
            title: "Roll back".into(),
            action: undo.into(),
        };
        let mut entries = vec![
            Entry::ClusterActionRequested {
                action: "kubectl rollout pause deployment/web -n shop".into(),
                target: "ctx/shop/web".into(),
                change: None,
            },
            Entry::ClusterActionRequested {
                action: undo.into(),
                target: "ctx/shop/web".into(),
                change: None,
            },
            Entry::ClusterActionFinished {
                action: undo.into(),
                outcome: "deployment.apps/web rolled back".into(),
                ok: true,
            },
            done,
        ];
        let p = replay(entries.clone());
        assert!(p.is_finished(StepId(4), true));
        assert!(matches!(p.state(StepId(4)), Some(StepState::Done { .. })));
        let by = &p.done_by_action[&StepId(4)];
        assert_eq!(by.number, Some(2));
        assert_eq!(by.action, undo);
        entries.push(Entry::StepUnticked {
            step: StepId(4),
            title: "Roll back".into(),
        });
        let p = replay(entries);
        assert_eq!(p.state(StepId(4)), None);
        assert!(p.done_by_action.is_empty());
    }
}
