//! The command runs of a session: each run of a step's command (or of one line of its
//! block) and its outcome, and what they say about a step — its latest run, its latest
//! success, where its block stopped.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Progress;
use crate::domain::runbook::StepId;

/// How a simulated drill's rehearsal of a command that would reach beyond the simulator
/// starts its run's command text: the run is journaled (started and finished at once, exit
/// 0, so the step counts as worked in the drill), but nothing ran.
pub const REHEARSAL_PREFIX: &str = "rehearsed (drill, not run): ";

/// How a natively run block's command text starts (see `ui/update/native_runs.rs`).
pub const NATIVE_PREFIX: &str = "natively: ";

/// The line of a run's command text that says what it does: the first line that is
/// neither blank nor a shell comment (the first non-blank one when every line is a
/// comment), after the label the text starts with ([`NATIVE_PREFIX`] or another
/// `natively (…): `, [`REHEARSAL_PREFIX`]), which is kept. `natively: # Roll back ↵ kubectl rollout undo
/// deployment/app` reads `natively: kubectl rollout undo deployment/app`.
pub fn command_headline(command: &str) -> String {
    let label = if command.starts_with(REHEARSAL_PREFIX) {
        REHEARSAL_PREFIX
    } else if command.starts_with("natively") {
        // `natively: `, `natively (deploy API): `, `natively (Argo CD API): `.
        command
            .lines()
            .next()
            .and_then(|l| l.find(": "))
            .map_or("", |at| &command[..at + 2])
    } else {
        ""
    };
    let body = &command[label.len()..];
    let mut lines = body.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.clone().next().unwrap_or_default();
    let line = lines.find(|l| !l.starts_with('#')).unwrap_or(first);
    format!("{label}{line}")
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

impl CommandRun {
    /// A drill's rehearsal: journaled as run, but nothing ran (see [`REHEARSAL_PREFIX`]).
    pub fn is_rehearsal(&self) -> bool {
        self.command.starts_with(REHEARSAL_PREFIX)
    }
}

impl CommandOutcome {
    pub fn succeeded(&self) -> bool {
        self.exit_code == Some(0) && !self.cancelled
    }
}

impl Progress {
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

    /// Run number `run` of `step`.
    pub fn run(&self, step: StepId, run: u32) -> Option<&CommandRun> {
        self.runs
            .iter()
            .rev()
            .find(|r| r.step == step && r.run == run)
    }

    /// The number the next command run gets.
    pub fn next_run_number(&self) -> u32 {
        self.runs.iter().map(|r| r.run).max().unwrap_or(0) + 1
    }
}

#[cfg(test)]
mod headline_tests {
    use super::*;

    #[test]
    fn the_headline_skips_comments_and_blanks_and_keeps_the_label() {
        assert_eq!(
            command_headline(
                "natively: # Rollback to previous version\nkubectl rollout undo deployment/app -n production\n\nkubectl rollout status deployment/app"
            ),
            "natively: kubectl rollout undo deployment/app -n production"
        );
        assert_eq!(
            command_headline(&format!(
                "{REHEARSAL_PREFIX}\n  # page\n  curl -X POST https://x"
            )),
            format!("{REHEARSAL_PREFIX}curl -X POST https://x")
        );
        assert_eq!(
            command_headline(
                "natively (deploy API): # 2. Roll back\ncurl -X POST http://localhost:8080/deployment/rollback"
            ),
            "natively (deploy API): curl -X POST http://localhost:8080/deployment/rollback"
        );
        assert_eq!(command_headline("kubectl get pods"), "kubectl get pods");
        assert_eq!(
            command_headline("# only a comment\n# and another"),
            "# only a comment"
        );
        assert_eq!(command_headline(""), "");
    }
}
