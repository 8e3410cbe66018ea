//! How often the console's tokio worker may wake up. Under churn the API server sends a
//! watch event every few hundred microseconds, each in its own TLS record; a worker that
//! parks in `epoll_wait` as soon as it has nothing to do is woken by the kernel for every
//! one of them, each wake-up paying the scheduler, a socket read, a TLS record, hyper's
//! chunk and the watcher's poll for one event; the kernel's share led the churn profiles
//! of issue 19 (docs/performance.md, "Churn").
//!
//! The worker's park hook therefore rests until [`WAKE_SLICE`] has passed since it last
//! woke before it parks: meanwhile the kernel queues what arrives in the sockets without
//! waking anyone, and the next wake reads all of it at once (larger reads, fewer
//! syscalls, fewer task polls). A worker that was idle for longer than the slice parks at
//! once, so an idle console wakes exactly as often as before and a lone event or key is
//! handled at once; under a stream of events, a change reaches the console at most one
//! slice later (10 ms, against the 33 ms the pod watcher batches over and the 100 ms a
//! data frame waits).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Shortest time between two wake-ups of a busy worker.
pub const WAKE_SLICE: Duration = Duration::from_millis(10);

/// No wake-up recorded yet.
const NEVER: u64 = u64::MAX;

/// The time of the worker's last wake-up, shared by its park and unpark hooks.
#[derive(Debug)]
pub struct WakePacer {
    base: Instant,
    slice: Duration,
    /// Nanoseconds from `base` to the last wake-up, or [`NEVER`].
    last_wake: AtomicU64,
}

impl WakePacer {
    /// A pacer that keeps a busy worker's wake-ups `slice` apart.
    pub fn new(slice: Duration, now: Instant) -> Self {
        Self {
            base: now,
            slice,
            last_wake: AtomicU64::new(NEVER),
        }
    }

    fn nanos(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.base).as_nanos()).unwrap_or(NEVER - 1)
    }

    /// The worker woke up (it left its park) at `now`.
    pub fn woke(&self, now: Instant) {
        self.last_wake.store(self.nanos(now), Ordering::Relaxed);
    }

    /// How long the worker should rest before parking at `now`: what is left of the slice
    /// that began at its last wake-up, or nothing when it has none left (or never woke).
    pub fn rest_before_park(&self, now: Instant) -> Option<Duration> {
        let last = self.last_wake.load(Ordering::Relaxed);
        if last == NEVER {
            return None;
        }
        let awake = Duration::from_nanos(self.nanos(now).saturating_sub(last));
        self.slice.checked_sub(awake).filter(|d| !d.is_zero())
    }

    /// The park and unpark hooks for a tokio runtime builder
    /// (`on_thread_park`, `on_thread_unpark`).
    pub fn hooks(
        self: Arc<Self>,
    ) -> (
        impl Fn() + Send + Sync + 'static,
        impl Fn() + Send + Sync + 'static,
    ) {
        let unpark = self.clone();
        let park = move || {
            if let Some(rest) = self.rest_before_park(Instant::now()) {
                std::thread::sleep(rest);
            }
        };
        (park, move || unpark.woke(Instant::now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_worker_that_never_woke_parks_at_once() {
        let t0 = Instant::now();
        let p = WakePacer::new(ms(10), t0);
        assert_eq!(p.rest_before_park(t0), None);
        assert_eq!(p.rest_before_park(t0 + ms(3)), None);
    }

    #[test]
    fn a_busy_worker_rests_until_the_slice_is_over() {
        let t0 = Instant::now();
        let p = WakePacer::new(ms(10), t0);
        p.woke(t0 + ms(100));
        assert_eq!(p.rest_before_park(t0 + ms(100)), Some(ms(10)));
        assert_eq!(p.rest_before_park(t0 + ms(102)), Some(ms(8)));
        assert_eq!(p.rest_before_park(t0 + ms(109)), Some(ms(1)));
        // The next wake-up starts the next slice.
        p.woke(t0 + ms(111));
        assert_eq!(p.rest_before_park(t0 + ms(112)), Some(ms(9)));
    }

    #[test]
    fn a_worker_awake_for_a_slice_or_more_parks_at_once() {
        let t0 = Instant::now();
        let p = WakePacer::new(ms(10), t0);
        p.woke(t0);
        assert_eq!(p.rest_before_park(t0 + ms(10)), None);
        assert_eq!(p.rest_before_park(t0 + ms(1_000)), None);
        // An idle worker woken by a lone event (or key) a second later: handled at once,
        // and it rests only for the rest of its slice after handling it.
        p.woke(t0 + ms(2_000));
        assert_eq!(p.rest_before_park(t0 + ms(2_001)), Some(ms(9)));
    }

    /// The hooks on a real runtime: the unpark hook records wake-ups, and a runtime built
    /// with both still runs tasks, timers and channels from another thread.
    #[test]
    fn the_hooks_record_wake_ups_and_the_runtime_still_runs() {
        let pacer = Arc::new(WakePacer::new(ms(10), Instant::now()));
        let (park, unpark) = pacer.clone().hooks();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .on_thread_park(park)
            .on_thread_unpark(unpark)
            .build()
            .expect("runtime");
        let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(4);
        let sender = std::thread::spawn(move || {
            for i in 0..20 {
                if tx.blocking_send(i).is_err() {
                    break;
                }
                std::thread::sleep(ms(1));
            }
        });
        let got = rt.block_on(async {
            let task = tokio::spawn(async move {
                let mut got = Vec::new();
                while let Some(i) = rx.recv().await {
                    got.push(i);
                }
                tokio::time::sleep(ms(1)).await;
                got
            });
            task.await.expect("task")
        });
        sender.join().expect("sender");
        assert_eq!(got, (0..20).collect::<Vec<_>>());
        assert_ne!(pacer.last_wake.load(Ordering::Relaxed), NEVER);
    }
}
