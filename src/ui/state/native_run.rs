//! Command steps whose `kubectl` lines run natively: which blocks qualify, the run in
//! progress, and the read-only answers (`rollout status`, `rollout history`, `get
//! deployment`) rendered from the live watch instead of a request (the object forms, `-o
//! json|yaml|jsonpath=|custom-columns=` and `--revision=N`, are read through the API:
//! `ClusterEffect::NativeRead`).
//!
//! A block runs natively only when every line is a kubectl line of a known verb about
//! the console's own target; otherwise the whole block runs in the shell, after the
//! usual exact-command confirmation, and the step pane says why.

use std::collections::VecDeque;

use crate::domain::cluster::printers;
use crate::domain::cluster::{
    Command, ParsedLine, ReadOnlyQuery, RolloutView, Target, parse_kubectl_line,
};
use crate::domain::runbook::StepId;

/// One line of a block run line by line: as written (placeholders filled) and what it
/// asks for; `None` runs it in `/bin/sh`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeLine {
    pub text: String,
    pub command: Option<Command>,
}

/// How a step's block will run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockPlan {
    /// Every line natively.
    Native(Vec<NativeLine>),
    /// Every line is a kubectl command, some understood: those natively, the others in
    /// `/bin/sh`, in order (after the shell's exact-command confirmation).
    Mixed(Vec<NativeLine>),
    /// In `/bin/sh`, and why not natively (`None`: no kubectl line at all).
    Shell(Option<ShellReason>),
}

/// Why a block runs in `/bin/sh`: the first line that cannot run natively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellReason {
    /// Which of the block's logical lines (0-based; comments and blank lines left out,
    /// continuations joined), so the step pane can name its line in the runbook.
    pub index: usize,
    /// The line as filled.
    pub command: String,
    pub why: String,
}

impl ShellReason {
    fn at(index: usize, command: &str, why: impl Into<String>) -> ShellReason {
        ShellReason {
            index,
            command: command.to_string(),
            why: why.into(),
        }
    }
}

/// The step whose native lines are running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeRun {
    pub step: StepId,
    pub run: u32,
    pub started: chrono::DateTime<chrono::Utc>,
    pub pending: VecDeque<NativeLine>,
    /// Every line so far succeeded.
    pub ok: bool,
    /// A `kubectl rollout status` line waiting, as kubectl does, for the rollout to end.
    pub waiting: Option<RolloutWait>,
    /// A line that never ends by design (`kubectl get -w`, `kubectl logs -f`) is running:
    /// Enter stops it, as a success, and the run goes on.
    pub follow: Option<NativeFollow>,
    /// Where the next shell line that changes something is on its way to running.
    pub gate: LineGate,
    /// A line read through the API (`ClusterEffect::NativeRead`) awaits its answer.
    pub reading: bool,
}

/// A native run's shell line that changes something: previewed by the server, then its
/// typed name when guarded, before it runs. Reset when a line runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineGate {
    /// The preview asked for, keyed by the lines left (the line included).
    pub previewing: Option<usize>,
    /// The operator accepted the line's preview (or it had none to show).
    pub previewed: bool,
    /// The operator typed the line's object name.
    pub cleared: bool,
}

/// How a native run's follow line runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NativeFollow {
    /// In `/bin/sh`, streaming; `stop_requested` once Enter asked it to stop.
    Process { stop_requested: bool },
    /// `kubectl get pods -w` on the console's target: the live Pods pane is the stream.
    PodsPane,
}

/// `rollout status` waiting on the live watch: until the rollout completes (the line
/// succeeds), fails with `ProgressDeadlineExceeded` or outlasts `--timeout` (it fails).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutWait {
    pub since: chrono::DateTime<chrono::Utc>,
    /// `--timeout`; `None` (kubectl's default 0) waits until Ctrl-C.
    pub timeout: Option<chrono::Duration>,
    /// The last progress line printed (a new one is printed only when it changes).
    pub last_message: String,
    /// `LiveCluster::rollout_events` when the line started.
    pub events_at_start: u64,
}

/// The block's lines as the shell reads them (comments, continuations, quotes).
fn logical_lines(script: &str) -> Vec<String> {
    crate::domain::runbook::shell_lines::logical_lines(script)
}

fn is_kubectl(line: &str) -> bool {
    let first = line
        .strip_prefix("$ ")
        .unwrap_or(line)
        .split_whitespace()
        .next()
        .unwrap_or("");
    first == "kubectl" || first.ends_with("/kubectl")
}

/// Why a kubectl line cannot run natively against `target`, or its command.
fn native_command(text: &str, target: &Target) -> Result<Command, String> {
    let parsed = match parse_kubectl_line(text) {
        ParsedLine::Parsed(l) => l,
        ParsedLine::NotUnderstood(r) => return Err(r),
    };
    let t = parsed.target(target);
    if t.namespace != target.namespace
        || t.deployment != target.deployment
        || (t.context.is_some() && t.context != target.context)
    {
        return Err(format!("acts on {t}, not the console's target {target}"));
    }
    if let Command::Query(ReadOnlyQuery::GetPods { .. }) = parsed.command {
        return Err("get pods lists more than the watched Deployment's pods".into());
    }
    Ok(parsed.command)
}

/// Decides how a filled block runs against `target`. A block with a line that is not a
/// kubectl command runs whole in the shell (its lines may share shell state); a block of
/// kubectl commands runs line by line, natively where understood.
pub fn plan_block(script: &str, target: &Target) -> BlockPlan {
    let lines = logical_lines(script);
    if !lines.iter().any(|l| is_kubectl(l)) {
        return BlockPlan::Shell(None);
    }
    if let Some(n) = lines.iter().position(|l| !is_kubectl(l)) {
        return BlockPlan::Shell(Some(ShellReason::at(n, &lines[n], "not a kubectl command")));
    }
    let mut first_shell: Option<ShellReason> = None;
    let planned: Vec<NativeLine> = lines
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let command = native_command(text, target)
                .map_err(|why| {
                    first_shell.get_or_insert(ShellReason::at(i, text, why));
                })
                .ok();
            NativeLine {
                text: text.clone(),
                command,
            }
        })
        .collect();
    match planned.iter().filter(|l| l.command.is_some()).count() {
        0 => BlockPlan::Shell(first_shell),
        n if n == planned.len() => BlockPlan::Native(planned),
        _ => BlockPlan::Mixed(planned),
    }
}

/// A read-only query answered from the live watch, as kubectl prints it (byte for byte:
/// `domain::cluster::printers`); `Err` when the watch has nothing to answer with. The
/// lines are kubectl's output split at its newlines.
pub fn answer(
    q: &ReadOnlyQuery,
    rollout: Option<&RolloutView>,
    deployment: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<String>, String> {
    let Some(r) = rollout else {
        return Err(format!(
            "Error from server (NotFound): deployments.apps \"{deployment}\" not found (or not seen yet)"
        ));
    };
    let printed = match q {
        // In a native run this line waits (`ui::update::native_runs::check_rollout_wait`);
        // asked once, it answers with where the rollout is now.
        ReadOnlyQuery::RolloutStatus { .. } => format!("{}\n", r.status.message()),
        ReadOnlyQuery::RolloutHistory { revision: None } => printers::print_rollout_history(r),
        // Printed from objects read through the API (`adapters::kube::native_read`,
        // `ClusterEffect::NativeRead`), never from the watch.
        ReadOnlyQuery::RolloutHistory { revision: Some(_) }
        | ReadOnlyQuery::GetDeploymentAs { .. } => {
            return Err("this line is answered from the API, not the watch".into());
        }
        ReadOnlyQuery::GetDeployment {
            output,
            label_columns,
            show_labels,
        } => printers::print_get_deployment(r, *output, label_columns, *show_labels, now),
        ReadOnlyQuery::GetPods { .. } => return Err("get pods runs in the shell".into()),
    };
    Ok(output_lines(&printed))
}

/// kubectl's output as the output pane's lines: split at each `\n` (the last one ends
/// the last line; an empty line kubectl prints stays an empty line).
pub fn output_lines(printed: &str) -> Vec<String> {
    let body = printed.strip_suffix('\n').unwrap_or(printed);
    body.split('\n').map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cluster::ClusterAction;

    fn target() -> Target {
        Target {
            context: Some("sim".into()),
            namespace: "checkout".into(),
            deployment: "checkout-api".into(),
        }
    }

    #[test]
    fn a_block_of_known_kubectl_lines_on_the_target_runs_natively() {
        let plan = plan_block(
            "# roll back\nkubectl rollout undo deployment/checkout-api -n checkout \\\n  --to-revision=2\nkubectl -n checkout rollout status deploy checkout-api --timeout=120s\n",
            &target(),
        );
        let BlockPlan::Native(lines) = plan else {
            panic!("{plan:?}");
        };
        assert_eq!(
            lines[0].command,
            Some(Command::Action(ClusterAction::Undo {
                to_revision: Some(2)
            }))
        );
        assert!(matches!(
            lines[1].command,
            Some(Command::Query(ReadOnlyQuery::RolloutStatus { .. }))
        ));
    }

    #[test]
    fn anything_else_makes_the_block_a_shell_block_and_says_why() {
        let t = target();
        assert_eq!(plan_block("echo hi\nls", &t), BlockPlan::Shell(None));
        let why = |s: &str| match plan_block(s, &t) {
            BlockPlan::Shell(Some(w)) => w,
            other => panic!("{other:?}"),
        };
        let piped = why("kubectl get pods -n checkout | grep Crash");
        assert_eq!(
            (piped.index, piped.command.as_str()),
            (0, "kubectl get pods -n checkout | grep Crash")
        );
        // The index counts logical lines: the comment and the continuation do not count.
        assert_eq!(
            why(
                "# undo\nkubectl rollout undo deployment/checkout-api \\\n  -n checkout\n\necho done"
            ),
            ShellReason::at(1, "echo done", "not a kubectl command")
        );
        assert!(
            why("kubectl rollout undo deployment/other -n checkout")
                .why
                .contains("not the console's target")
        );
        assert!(
            why("kubectl rollout undo deployment/checkout-api -n checkout --context prod")
                .why
                .contains("not the console's target")
        );
        // kubectl lines only, some understood: those natively, the rest in the shell.
        let plan = plan_block(
            "kubectl -n checkout rollout undo deployment/checkout-api\nkubectl -n checkout annotate deployment/checkout-api --overwrite a=b",
            &t,
        );
        let BlockPlan::Mixed(lines) = plan else {
            panic!("{plan:?}");
        };
        assert!(lines[0].command.is_some() && lines[1].command.is_none());
    }
}
