//! The verification executor: runs each started check's monitor window in an owned task,
//! reports every sample and the end as `Msg::Verify`, and passes the operator's "cut
//! short" on to the running window.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::adapters::verify::{Control, Prober, TimeScale, run_window};
use crate::domain::verify::Check;
use crate::ui::msg::Msg;
use crate::ui::verify::{VerifyEffect, VerifyMsg};

/// What verification needs: the probes, the runbook's checks (indexed like
/// `App::verification`), and the clock's speed (1 live; a drill's speed in drills).
pub struct VerifyFeed {
    pub prober: Prober,
    pub checks: Vec<Check>,
    pub scale: TimeScale,
}

struct Window {
    run: u64,
    control: mpsc::Sender<Control>,
    task: JoinHandle<()>,
}

/// Owns the running windows, one per check at most.
pub struct VerifyExec {
    feed: Arc<VerifyFeed>,
    windows: HashMap<usize, Window>,
}

impl VerifyExec {
    pub fn new(feed: VerifyFeed) -> VerifyExec {
        VerifyExec {
            feed: Arc::new(feed),
            windows: HashMap::new(),
        }
    }

    pub fn run(&mut self, effect: VerifyEffect, tx: mpsc::Sender<Msg>) {
        match effect {
            VerifyEffect::Start { check, run } => {
                if self.feed.checks.get(check).is_none() {
                    tracing::error!("verification: no check {check}");
                    return;
                }
                if let Some(old) = self.windows.remove(&check) {
                    old.task.abort();
                }
                let (control, mut rx) = mpsc::channel(4);
                let feed = Arc::clone(&self.feed);
                let task = tokio::spawn(async move {
                    let c = &feed.checks[check];
                    let progress_tx = tx.clone();
                    let outcome = run_window(&feed.prober, c, feed.scale, &mut rx, |p| {
                        let _ = progress_tx.try_send(Msg::Verify(VerifyMsg::Sample {
                            check,
                            run,
                            sample: p.sample.index,
                            observation: p.sample.observation,
                            time_left: p.time_left,
                            passed: p.passed,
                            expected: p.expected,
                        }));
                    })
                    .await;
                    if let Some(outcome) = outcome {
                        let _ = tx
                            .send(Msg::Verify(VerifyMsg::Finished {
                                check,
                                run,
                                outcome,
                            }))
                            .await;
                    }
                });
                self.windows.insert(check, Window { run, control, task });
            }
            VerifyEffect::CutShort { check, run, reason } => match self.windows.get(&check) {
                Some(w) if w.run == run => {
                    let _ = w.control.try_send(Control::CutShort(reason));
                }
                _ => tracing::warn!("verification: cut short of a window that is not running"),
            },
        }
    }

    /// Stops every window (the console is leaving; unfinished windows stay unrecorded).
    pub fn stop_all(&mut self) {
        for (_, w) in self.windows.drain() {
            w.task.abort();
        }
    }
}
