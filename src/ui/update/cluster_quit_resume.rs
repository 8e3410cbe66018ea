//! A cluster action across a quit and a resume: what is journaled when the console quits
//! with an action under way, the notice shown on resume, and the rollout followed again.

use crate::domain::cluster::{Command, KubectlLine, ParsedLine, parse_kubectl_line};
use crate::domain::journal::Entry;
use crate::ui::effect::{ClusterEffect, Effect};
use crate::ui::state::cluster::{ClusterOp, OpStage};
use crate::ui::state::{App, FlashLevel, Then};

/// How the outcome of an action abandoned at quit starts (read back on resume).
pub use crate::domain::unfinished_follow::ABANDONED_AT_QUIT;

/// On resume, once the Deployment is seen: follows again the rollout the previous
/// console was following when it stopped (killed, or quit mid-follow), on the same
/// target, journaled as `RolloutFollowStarted` again; its end is journaled as any
/// follow's (`ClusterActionFinished`), and ticks the steps it did.
pub(super) fn reattach_follow(app: &mut App) -> Vec<Effect> {
    let Some(c) = app.cluster.as_mut() else {
        return Vec::new();
    };
    if c.op.is_some() || c.native.is_some() || c.rollout.is_none() {
        return Vec::new();
    }
    let Some(follow) = app.follow_to_reattach.take() else {
        return Vec::new();
    };
    let target = c.target().to_string();
    if follow.target != target {
        let text = format!(
            "`{}` was being followed on {} when the console stopped; this console watches {target}: check that rollout by hand.",
            follow.action, follow.target
        );
        app.flash(FlashLevel::Warning, &text);
        return Vec::new();
    }
    let ParsedLine::Parsed(KubectlLine {
        command: Command::Action(action),
        ..
    }) = parse_kubectl_line(&follow.action)
    else {
        return Vec::new();
    };
    let id = c.next_op;
    c.next_op += 1;
    let mut op = ClusterOp::new(id, action, follow.action.clone());
    op.stage = OpStage::Following;
    op.executed = Some("re-attached on resume".into());
    op.via = Some("resume".into());
    c.op = Some(op);
    let text = format!(
        "Following the rollout of `{}` again: it was being followed when the console stopped…",
        follow.action
    );
    app.flash(FlashLevel::Info, &text);
    vec![
        app.journal(
            Entry::RolloutFollowStarted {
                action: follow.action,
            },
            None,
            Then::Nothing,
        ),
        Effect::Cluster(ClusterEffect::Follow { op: id }),
    ]
}

/// Quitting with a cluster action under way: the records of how far it got (never `ok`),
/// and of a native step's run as cancelled. Empty when nothing is under way.
pub(super) fn entries_at_quit(app: &mut App) -> Vec<Entry> {
    let now = app.now;
    let Some(c) = app.cluster.as_mut() else {
        return Vec::new();
    };
    let op = c.op.take();
    let native = c.native.take();
    let mut entries = Vec::new();
    if let Some(o) = op {
        let outcome = match o.stage {
            OpStage::Following => Some(format!(
                "{ABANDONED_AT_QUIT} while following the rollout: {}; last seen: {}",
                o.executed.as_deref().unwrap_or("request applied"),
                o.progress.as_deref().unwrap_or("no progress seen yet")
            )),
            OpStage::Executing => Some(format!(
                "{ABANDONED_AT_QUIT} before the answer: the request may or may not have been applied"
            )),
            OpStage::Journaling => Some(format!(
                "{ABANDONED_AT_QUIT} before the request was sent: nothing was sent"
            )),
            // Nothing journaled yet, nothing sent.
            _ => None,
        };
        if let Some(outcome) = outcome {
            entries.push(Entry::ClusterActionFinished {
                action: o.kubectl,
                outcome,
                ok: false,
            });
        }
    }
    if let Some(r) = native {
        let duration_ms = (now - r.started).num_milliseconds().max(0) as u64;
        entries.push(Entry::CommandFinished {
            step: r.step,
            run: r.run,
            exit_code: None,
            duration_ms,
            cancelled: true,
        });
    }
    entries
}

/// On resume: what became of the last cluster action when the previous console quit
/// (or died) before it ended.
pub fn resume_notice(progress: &crate::domain::progress::Progress) -> Option<String> {
    let last = progress.cluster_actions.last()?;
    match &last.finished {
        None => Some(format!(
            "No outcome was recorded for `{}`: check the cluster before acting again.",
            last.action
        )),
        Some(f) if f.outcome.starts_with(ABANDONED_AT_QUIT) => {
            Some(format!("Last time `{}` was {}", last.action, f.outcome))
        }
        Some(_) => None,
    }
}
