//! A rollout the console was following when it stopped: the journal has the action's
//! `RolloutFollowStarted` and no end of the follow after it (the process was killed), or
//! only the "abandoned at quit" outcome a quit writes. A resumed console follows it
//! again instead of leaving the rollout's end unknown (issue 15, point 3).

use serde::Serialize;

use super::journal::{Entry, Record};

/// The start of the outcome a console writes for an action it quit while it was under way.
pub const ABANDONED_AT_QUIT: &str = "abandoned at quit";

/// The followed action and the target it acted on, as journaled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnfinishedFollow {
    /// The kubectl command (`kubectl rollout undo deployment/web -n shop`).
    pub action: String,
    /// The target as `ClusterActionRequested` named it.
    pub target: String,
}

/// The follow left unfinished at the end of `records`, if any. A later action request,
/// the follow's own end (other than "abandoned at quit") or the session's close clears it.
pub fn unfinished_follow(records: &[Record]) -> Option<UnfinishedFollow> {
    let mut follow = FollowState::default();
    for r in records {
        follow.apply(r);
    }
    follow.open
}

/// The fold behind [`unfinished_follow`], part of the session state
/// ([`crate::domain::session_state::SessionState::follow`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FollowState {
    /// The action requested last.
    pub requested: Option<UnfinishedFollow>,
    /// The follow left unfinished so far.
    pub open: Option<UnfinishedFollow>,
}

impl FollowState {
    /// Folds one record.
    pub fn apply(&mut self, r: &Record) {
        match &r.entry {
            Entry::ClusterActionRequested { action, target, .. } => {
                self.requested = Some(UnfinishedFollow {
                    action: action.clone(),
                    target: target.clone(),
                });
                self.open = None;
            }
            Entry::RolloutFollowStarted { action } => {
                self.open = self.requested.clone().filter(|f| &f.action == action);
            }
            Entry::ClusterActionFinished {
                action, outcome, ..
            } if self.open.as_ref().is_some_and(|f| &f.action == action)
                && !outcome.starts_with(ABANDONED_AT_QUIT) =>
            {
                self.open = None;
            }
            Entry::SessionClosed => self.open = None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    const UNDO: &str = "kubectl rollout undo deployment/web -n shop";

    fn records(entries: Vec<Entry>) -> Vec<Record> {
        entries
            .into_iter()
            .enumerate()
            .map(|(i, entry)| Record {
                seq: i as u64 + 1,
                ts: Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, i as u32).unwrap(),
                actor: "dana".into(),
                entry,
                prev: String::new(),
                hash: String::new(),
            })
            .collect()
    }

    fn requested() -> Entry {
        Entry::ClusterActionRequested {
            action: UNDO.into(),
            target: "shop/web".into(),
            change: None,
        }
    }

    fn finished(outcome: &str, ok: bool) -> Entry {
        Entry::ClusterActionFinished {
            action: UNDO.into(),
            outcome: outcome.into(),
            ok,
        }
    }

    fn follow() -> Entry {
        Entry::RolloutFollowStarted {
            action: UNDO.into(),
        }
    }

    #[test]
    fn a_follow_without_its_end_is_unfinished() {
        let rs = records(vec![requested(), finished("rolled back", true), follow()]);
        assert_eq!(
            unfinished_follow(&rs),
            Some(UnfinishedFollow {
                action: UNDO.into(),
                target: "shop/web".into()
            })
        );
    }

    #[test]
    fn a_quit_that_abandoned_the_follow_leaves_it_unfinished() {
        let abandoned = format!("{ABANDONED_AT_QUIT} while following the rollout: rolled back");
        let rs = records(vec![
            requested(),
            finished("rolled back", true),
            follow(),
            finished(&abandoned, false),
        ]);
        assert!(unfinished_follow(&rs).is_some());
    }

    #[test]
    fn the_follows_end_a_new_action_or_the_close_clear_it() {
        let ended = records(vec![
            requested(),
            finished("rolled back", true),
            follow(),
            finished("rolled back; successfully rolled out", true),
        ]);
        assert_eq!(unfinished_follow(&ended), None);
        let superseded = records(vec![
            requested(),
            finished("rolled back", true),
            follow(),
            requested(),
        ]);
        assert_eq!(unfinished_follow(&superseded), None);
        let closed = records(vec![
            requested(),
            finished("rolled back", true),
            follow(),
            Entry::SessionClosed,
        ]);
        assert_eq!(unfinished_follow(&closed), None);
        let no_follow = records(vec![requested(), finished("rolled back", true)]);
        assert_eq!(unfinished_follow(&no_follow), None);
    }
}
