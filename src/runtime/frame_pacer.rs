//! When the console draws its next frame. A change the operator made or is waiting on (a
//! key, a line of output, a journal record, a timer) is drawn within [`FRAME`] of the
//! previous frame, i.e. at most 30 frames a second. A change of the watched cluster data
//! alone (pods, the rollout, events) is drawn within [`DATA_FRAME`] of the previous frame:
//! under churn the watchers send a batch every frame interval, and drawing the whole
//! screen for each was a fifth of the console's CPU (docs/performance.md, issue 19),
//! while a pane refreshed ten times a second is still far quicker than any polling
//! dashboard. Messages are applied to the state as they arrive either way; only the
//! drawing is paced.

use std::time::{Duration, Instant};

use crate::domain::cluster::ClusterEvent;
use crate::ui::msg::Msg;

/// Shortest interval between two frames (30 frames a second).
pub const FRAME: Duration = Duration::from_millis(33);
/// Longest wait before a change of the watched cluster data alone is drawn.
pub const DATA_FRAME: Duration = Duration::from_millis(100);

/// How soon a change must be drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Input, output, anything but watch data: drawn at the frame rate.
    Prompt,
    /// Watch data (pods, rollout, events): drawn within [`DATA_FRAME`].
    WatchData,
}

impl Change {
    /// How a message's change is drawn.
    pub fn of(msg: &Msg) -> Change {
        match msg {
            Msg::Cluster(
                ClusterEvent::PodsChanged { .. }
                | ClusterEvent::PodUpserted(_)
                | ClusterEvent::PodDeleted(_)
                | ClusterEvent::PodsResynced(_)
                | ClusterEvent::Rollout(_)
                | ClusterEvent::RolloutMissing
                | ClusterEvent::Events(_),
            ) => Change::WatchData,
            _ => Change::Prompt,
        }
    }

    fn interval(self) -> Duration {
        match self {
            Change::Prompt => FRAME,
            Change::WatchData => DATA_FRAME,
        }
    }
}

/// The time the next frame is owed, if one is.
#[derive(Debug, Clone)]
pub struct FramePacer {
    last_draw: Option<Instant>,
    due: Option<Instant>,
}

impl FramePacer {
    /// Nothing drawn yet: the first frame is due at `now`.
    pub fn new(now: Instant) -> Self {
        Self {
            last_draw: None,
            due: Some(now),
        }
    }

    /// Something of `kind` changed at `now`: a frame is owed at the previous frame plus
    /// the kind's interval (at once if that has passed), or earlier if one already was.
    pub fn changed(&mut self, kind: Change, now: Instant) {
        let at = self
            .last_draw
            .map_or(now, |last| (last + kind.interval()).max(now));
        self.due = Some(self.due.map_or(at, |due| due.min(at)));
    }

    /// When the next frame is owed; `None` when the screen is up to date.
    pub fn due(&self) -> Option<Instant> {
        self.due
    }

    /// Whether a frame is owed by `now`.
    pub fn is_due(&self, now: Instant) -> bool {
        self.due.is_some_and(|due| due <= now)
    }

    /// A frame was drawn at `at`.
    pub fn drawn(&mut self, at: Instant) {
        self.last_draw = Some(at);
        self.due = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cluster::{PodChanges, Stream, WatchState};

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_first_frame_is_due_at_once() {
        let t0 = Instant::now();
        let p = FramePacer::new(t0);
        assert!(p.is_due(t0));
    }

    #[test]
    fn nothing_changed_nothing_owed() {
        let t0 = Instant::now();
        let mut p = FramePacer::new(t0);
        p.drawn(t0);
        assert_eq!(p.due(), None);
        assert!(!p.is_due(t0 + ms(10_000)));
    }

    #[test]
    fn a_prompt_change_is_drawn_one_frame_after_the_last() {
        let t0 = Instant::now();
        let mut p = FramePacer::new(t0);
        p.drawn(t0);
        p.changed(Change::Prompt, t0 + ms(5));
        assert_eq!(p.due(), Some(t0 + FRAME));
        // Long after the last frame: at once.
        let mut p = FramePacer::new(t0);
        p.drawn(t0);
        p.changed(Change::Prompt, t0 + ms(500));
        assert_eq!(p.due(), Some(t0 + ms(500)));
    }

    #[test]
    fn watch_data_waits_for_the_data_interval_but_input_does_not() {
        let t0 = Instant::now();
        let mut p = FramePacer::new(t0);
        p.drawn(t0);
        p.changed(Change::WatchData, t0 + ms(1));
        assert_eq!(p.due(), Some(t0 + DATA_FRAME));
        // More data does not postpone the frame …
        p.changed(Change::WatchData, t0 + ms(90));
        assert_eq!(p.due(), Some(t0 + DATA_FRAME));
        // … and a key pressed meanwhile brings it forward to the frame rate.
        p.changed(Change::Prompt, t0 + ms(20));
        assert_eq!(p.due(), Some(t0 + FRAME));
        // A batch every 33 ms for a second: ten frames, where input would draw 31.
        assert_eq!(frames_in_a_second(Change::WatchData), 10);
        assert_eq!(frames_in_a_second(Change::Prompt), 31);
    }

    /// Frames drawn over 1,000 ms by a loop that wakes when a frame is due (checked every
    /// millisecond) and receives a change of `kind` every 33 ms.
    fn frames_in_a_second(kind: Change) -> usize {
        let t0 = Instant::now();
        let mut p = FramePacer::new(t0);
        let mut frames = 0;
        for t in 0..1000u64 {
            let now = t0 + ms(t);
            if p.is_due(now) {
                p.drawn(now);
                frames += 1;
            }
            if t % 33 == 0 {
                p.changed(kind, now);
            }
        }
        frames
    }

    #[test]
    fn watch_data_messages_are_told_from_the_rest() {
        let pods = Msg::Cluster(ClusterEvent::PodsChanged {
            changes: PodChanges::new().drain(),
        });
        assert_eq!(Change::of(&pods), Change::WatchData);
        assert_eq!(
            Change::of(&Msg::Cluster(ClusterEvent::RolloutMissing)),
            Change::WatchData
        );
        assert_eq!(
            Change::of(&Msg::Cluster(ClusterEvent::Events(Vec::new()))),
            Change::WatchData
        );
        // A stream going stale is shown at the frame rate.
        let stale = Msg::Cluster(ClusterEvent::WatchState {
            stream: Stream::Pods,
            state: WatchState::Connecting,
        });
        assert_eq!(Change::of(&stale), Change::Prompt);
        assert_eq!(Change::of(&Msg::Terminate), Change::Prompt);
    }
}
