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
use crate::ui::state::verification::{VerifyEffect, VerifyMsg};

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
            VerifyEffect::Start { check, run, probe } => {
                let Some(mut bound) = self.feed.checks.get(check).cloned() else {
                    tracing::error!("verification: no check {check}");
                    return;
                };
                bound.probe = probe;
                if let Some(old) = self.windows.remove(&check) {
                    old.task.abort();
                }
                let (control, mut rx) = mpsc::channel(4);
                let feed = Arc::clone(&self.feed);
                let task = tokio::spawn(async move {
                    let progress_tx = tx.clone();
                    let outcome = run_window(&feed.prober, &bound, feed.scale, &mut rx, |p| {
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::domain::runbook::StepId;
    use crate::domain::verify::{CheckSource, Outcome, Probe, ShellProbe};

    fn shell_check(command: &str, window_secs: u64) -> Check {
        Check {
            name: "smoke".into(),
            probe: Probe::Shell(ShellProbe {
                command: command.into(),
            }),
            window: Some(Duration::from_secs(window_secs)),
            every: Duration::from_secs(60),
            source: CheckSource::FrontMatter { index: 1 },
            step: StepId(0),
        }
    }

    fn start(check: &Check, run: u64) -> VerifyEffect {
        VerifyEffect::Start {
            check: 0,
            run,
            probe: check.probe.clone(),
        }
    }

    fn exec(check: Check, scale: f64) -> VerifyExec {
        VerifyExec::new(VerifyFeed {
            prober: Prober::new(Duration::from_secs(10)),
            checks: vec![check],
            scale: TimeScale::new(scale),
        })
    }

    async fn next_finish(rx: &mut mpsc::Receiver<Msg>) -> (u64, Outcome, u32) {
        let mut samples = 0;
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(60), rx.recv())
                .await
                .expect("a message in time")
                .expect("channel open");
            match msg {
                Msg::Verify(VerifyMsg::Sample { .. }) => samples += 1,
                Msg::Verify(VerifyMsg::Finished { run, outcome, .. }) => {
                    return (run, outcome, samples);
                }
                _ => {}
            }
        }
    }

    #[tokio::test]
    async fn a_compressed_window_reports_each_sample_then_its_outcome() {
        // Five minutes, a sample a minute, at 600x: half a second.
        // The probe the effect carries (placeholders filled) is the one that runs.
        let mut exec = exec(shell_check("exit 9", 300), 600.0);
        let (tx, mut rx) = mpsc::channel(64);
        exec.run(start(&shell_check("true", 300), 1), tx);
        let (run, outcome, samples) = next_finish(&mut rx).await;
        assert_eq!(run, 1);
        assert!(
            matches!(outcome, Outcome::Passed { samples: 6, .. }),
            "{outcome:?}"
        );
        assert_eq!(samples, 6);
    }

    #[tokio::test]
    async fn a_failing_command_ends_the_window_with_its_exit() {
        let check = shell_check("echo broken >&2; exit 3", 300);
        let mut exec = exec(check.clone(), 600.0);
        let (tx, mut rx) = mpsc::channel(64);
        exec.run(start(&check, 4), tx);
        let (run, outcome, _) = next_finish(&mut rx).await;
        assert_eq!(run, 4);
        let detail = outcome.detail();
        assert!(
            detail.starts_with("sample 1 at ")
                && detail.ends_with(": exit 3: broken (limit: exit 0)"),
            "{detail}"
        );
    }

    #[tokio::test]
    async fn cut_short_reaches_the_running_window() {
        // Real time: the second sample is a minute away.
        let check = shell_check("true", 900);
        let mut exec = exec(check.clone(), 1.0);
        let (tx, mut rx) = mpsc::channel(64);
        exec.run(start(&check, 2), tx.clone());
        let first = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("a first sample");
        assert!(matches!(
            first,
            Some(Msg::Verify(VerifyMsg::Sample {
                run: 2,
                sample: 1,
                ..
            }))
        ));
        // A cut short for another run is not passed on.
        exec.run(
            VerifyEffect::CutShort {
                check: 0,
                run: 1,
                reason: "stale".into(),
            },
            tx.clone(),
        );
        exec.run(
            VerifyEffect::CutShort {
                check: 0,
                run: 2,
                reason: "all clear from support".into(),
            },
            tx,
        );
        let (run, outcome, _) = next_finish(&mut rx).await;
        assert_eq!(run, 2);
        assert_eq!(outcome.cut_short(), Some("all clear from support"));
        assert!(outcome.passed());
        exec.stop_all();
    }
}
