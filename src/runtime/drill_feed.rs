//! The drill timeline feed: what the scenario did, as it happens, forwarded to the
//! console as `Msg::DrillEvent` (the reducer journals each as `DrillEvent`).

use std::time::Duration;

use tokio::sync::mpsc;

use crate::ui::effect::DrillEffect;
use crate::ui::msg::Msg;

/// Timeline events, in the order they happened.
pub struct DrillFeed {
    pub events: mpsc::UnboundedReceiver<String>,
    /// Called once when the operator leaves the intro: starts the scenario's timeline (or,
    /// on a real cluster, the clock), so nothing happens while they are still reading.
    pub on_start: Option<Box<dyn FnOnce() + Send>>,
}

impl DrillFeed {
    /// A feed and the sender its producer writes to.
    pub fn channel() -> (mpsc::UnboundedSender<String>, DrillFeed) {
        let (tx, events) = mpsc::unbounded_channel();
        (
            tx,
            DrillFeed {
                events,
                on_start: None,
            },
        )
    }
}

/// The drill family's executor: starts the timeline once (`DrillFeed::on_start`).
#[derive(Default)]
pub struct DrillStart(pub Option<Box<dyn FnOnce() + Send>>);

impl DrillStart {
    pub fn execute(&mut self, effect: DrillEffect) {
        match effect {
            DrillEffect::Start => {
                if let Some(start) = self.0.take() {
                    start();
                }
            }
        }
    }
}

/// Forwards every event until the producer or the console is gone.
pub fn spawn_drill(tx: mpsc::Sender<Msg>, mut feed: DrillFeed) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(what) = feed.events.recv().await {
            if tx.send(Msg::DrillEvent(what)).await.is_err() {
                break;
            }
        }
    })
}

/// Polls `played` (the simulator's timeline log: everything played so far, in order)
/// every `every` and sends what is new, until the receiver is gone.
pub async fn follow_timeline<F>(played: F, out: mpsc::UnboundedSender<String>, every: Duration)
where
    F: Fn() -> Vec<String>,
{
    let mut sent = 0usize;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let all = played();
        for what in all.iter().skip(sent) {
            if out.send(what.clone()).is_err() {
                return;
            }
        }
        sent = sent.max(all.len());
        if out.is_closed() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[tokio::test]
    async fn new_timeline_entries_are_sent_once_in_order_and_reach_the_console() {
        let log = Arc::new(Mutex::new(vec!["first".to_string()]));
        let (out, feed) = DrillFeed::channel();
        let reader = log.clone();
        let follow = tokio::spawn(follow_timeline(
            move || reader.lock().unwrap().clone(),
            out,
            Duration::from_millis(5),
        ));
        let (tx, mut rx) = mpsc::channel::<Msg>(8);
        let forward = spawn_drill(tx, feed);
        let next = |rx: &mut mpsc::Receiver<Msg>| {
            let got = rx.try_recv();
            got.ok()
        };
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while seen.len() < 2 && tokio::time::Instant::now() < deadline {
            if seen.len() == 1 {
                log.lock().unwrap().push("second".into());
            }
            match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
                Ok(Some(Msg::DrillEvent(w))) => seen.push(w),
                Ok(other) => panic!("unexpected {other:?}"),
                Err(_) => {}
            }
        }
        assert_eq!(seen, ["first", "second"]);
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(next(&mut rx).is_none(), "nothing sent twice");
        drop(rx);
        forward.abort();
        follow.abort();
    }
}
