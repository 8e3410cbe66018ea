//! The report's Commands section: every run of a runbook command and how it ended (the
//! runs folded by [`Progress`], the console's stops by
//! [`crate::domain::session_state::console_stops`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::markdown_text::{cell, code, heading_or_none, utc};
use crate::domain::duration_text::precise_ms;
use crate::domain::progress::{CommandRun, Progress};
use crate::domain::runbook::StepId;
use crate::domain::session_state::console_stops::ConsoleStops;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Succeeded,
    Failed,
    /// Ended by a signal.
    Killed,
    Cancelled,
    /// Started, and the console ended (crash or close) before it finished.
    Interrupted,
    /// Started, no outcome yet, and nothing says the console stopped.
    NoOutcome,
    /// A drill's rehearsal of a command that would reach beyond the simulator: journaled
    /// as a run, but nothing ran (no exit code, no duration).
    Rehearsed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandReport {
    pub run: u32,
    pub step: StepId,
    pub step_title: Option<String>,
    pub command: String,
    pub actor: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub exit_code: Option<i32>,
    pub duration_ms: Option<u64>,
    pub status: RunStatus,
    /// E.g. `exit 0`, `interrupted (session ended while running)`.
    pub result: String,
}

pub(super) const INTERRUPTED: &str = "interrupted (session ended while running)";

pub(super) fn commands(
    progress: &Progress,
    stops: &ConsoleStops,
    titles: &BTreeMap<StepId, String>,
) -> Vec<CommandReport> {
    // The console stopped after a run started if a later record resumed or closed
    // the session.
    let stopped_after =
        |run: &CommandRun| progress.closed_at.is_some() || stops.stopped_after(run.run);
    progress
        .runs
        .iter()
        .map(|run| {
            let (status, result) = match &run.finished {
                Some(_) if run.is_rehearsal() => (
                    RunStatus::Rehearsed,
                    "rehearsed in the drill: nothing ran".to_owned(),
                ),
                Some(o) if o.cancelled => (RunStatus::Cancelled, "cancelled".to_owned()),
                Some(o) => match o.exit_code {
                    // A block's line after which nothing more of the block ran.
                    Some(0)
                        if progress.last_run(run.step).is_some_and(|l| l.run == run.run)
                            && progress
                                .block_stopped(run.step)
                                .is_some_and(|b| b.interrupted.is_none()) =>
                    {
                        let stop = progress.block_stopped(run.step).expect("checked");
                        (
                            RunStatus::Succeeded,
                            format!(
                                "exit 0; the block stopped after line {}/{}: the lines after it did not run",
                                stop.ran, stop.total
                            ),
                        )
                    }
                    Some(0) => (RunStatus::Succeeded, "exit 0".to_owned()),
                    Some(code) => (RunStatus::Failed, format!("exit {code}")),
                    None => (RunStatus::Killed, "killed by a signal".to_owned()),
                },
                None if stopped_after(run) => (RunStatus::Interrupted, INTERRUPTED.to_owned()),
                None => (
                    RunStatus::NoOutcome,
                    "no outcome recorded (still running, or the console stopped)".to_owned(),
                ),
            };
            CommandReport {
                run: run.run,
                step: run.step,
                step_title: titles.get(&run.step).cloned(),
                command: run.command.clone(),
                actor: run.actor.clone(),
                started_at: run.started_at,
                finished_at: run.finished.as_ref().map(|o| o.at),
                exit_code: run
                    .finished
                    .as_ref()
                    .and_then(|o| o.exit_code)
                    .filter(|_| status != RunStatus::Rehearsed),
                duration_ms: run
                    .finished
                    .as_ref()
                    .map(|o| o.duration_ms)
                    .filter(|_| status != RunStatus::Rehearsed),
                status,
                result,
            }
        })
        .collect()
}

pub(super) fn commands_md(md: &mut String, commands: &[CommandReport]) {
    if heading_or_none(md, "Commands", commands.is_empty(), "No commands were run.") {
        return;
    }
    md.push_str(
        "| Run | Step | Command | By | Started (UTC) | Result | Duration |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for c in commands {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            c.run,
            c.step,
            code(&c.command),
            cell(&c.actor),
            utc(c.started_at),
            cell(&c.result),
            c.duration_ms.map(precise_ms).unwrap_or_else(|| "-".into())
        );
    }
    md.push('\n');
}
