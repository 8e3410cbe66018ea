//! The controller loop: one pass of every controller per tick (a simulated second at most,
//! 10–100 ms real) or as soon as a client writes, then the simulated application's
//! traffic. Level-triggered: each pass reads the store and writes only what differs.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::controllers::{
    Pass, count_pods, deployment, garbage, namespace_defaults, pod_lifecycle, replicaset,
};
use super::{Shared, res};

/// Most events recorded per controller pass; the rest are dropped, like client-go's event
/// spam filter does for bursts (a 10,000-pod scale-up would otherwise create 40,000).
pub const EVENTS_PER_PASS: usize = 250;

/// What a pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Something was written (another pass may have follow-up work).
    pub wrote: bool,
    /// A timed transition is pending (a pod starting, a rollout in progress).
    pub pending: bool,
}

/// One pass of every controller.
pub fn pass(shared: &Shared, opts: Pass) -> Outcome {
    shared.reset_event_budget(EVENTS_PER_PASS);
    let before = shared.store.current_rv();
    namespace_defaults::sync(shared);
    let pods_pending = pod_lifecycle::sync(shared, opts);
    let (_, pods) = shared.store.list(res("", "pods"), None);
    let counts = count_pods(shared, &pods, opts.instant);
    replicaset::sync_all(shared, &pods, &counts);
    let (_, pods) = shared.store.list(res("", "pods"), None);
    let counts = count_pods(shared, &pods, opts.instant);
    let rollouts_pending = deployment::sync_all(shared, &counts, opts);
    let self_heal_pending = super::argocd::controller::sync_all(shared);
    super::services::sync(shared);
    garbage::collect_garbage(shared);
    super::event_series::sweep(shared);
    Outcome {
        wrote: shared.store.current_rv() != before,
        pending: pods_pending || rollouts_pending || self_heal_pending,
    }
}

/// Runs passes without delays until the cluster stops changing (initial set-up).
pub fn settle(shared: &Shared) {
    for _ in 0..64 {
        if !pass(shared, Pass { instant: true }).wrote {
            break;
        }
    }
}

/// The controller loop: one pass per tick (a simulated second at most, 10–100 ms real)
/// or as soon as a client writes, plus the application's traffic.
pub async fn run(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let speed = shared.clock.speed();
    // One simulated second per tick at most, between 10 and 100 real milliseconds.
    let tick = Duration::from_secs_f64((1.0 / speed).clamp(0.01, 0.1));
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_traffic = shared.clock.elapsed_secs();
    // Level-triggered, but idle when idle: a pass runs when the store changed since the
    // last one started, while a timed transition is pending, and every 5 s regardless.
    let mut seen_rv = 0u64;
    let mut pending = true;
    let mut last_pass = std::time::Instant::now();
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = interval.tick() => {}
            _ = shared.kicked() => {}
        }
        let sh = shared.clone();
        let now = sh.clock.elapsed_secs();
        let dt = now - last_traffic;
        last_traffic = now;
        // Controllers touch every pod: keep that work off the async workers.
        let rv = shared.store.current_rv();
        let due = rv != seen_rv || pending || last_pass.elapsed() >= Duration::from_secs(5);
        let joined = tokio::task::spawn_blocking(move || {
            let outcome = due.then(|| pass(&sh, Pass { instant: false }));
            let runs_pending = due && super::exec::runs::sync(&sh);
            let outcome = outcome.map(|o| Outcome {
                pending: o.pending || runs_pending,
                ..o
            });
            super::app::advance(&sh, dt);
            outcome
        })
        .await;
        match joined {
            Ok(Some(outcome)) => {
                seen_rv = rv;
                pending = outcome.pending;
                last_pass = std::time::Instant::now();
            }
            Ok(None) => {}
            Err(_) => tracing::error!("simulator controller pass panicked"),
        }
    }
}
