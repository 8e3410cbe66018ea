//! Waiting on state outside the screen and the journal (a file, a server's answer): a
//! bounded poll whose deadline only bounds a failure.

#![allow(dead_code)]

use std::time::{Duration, Instant};

/// How long a poll waits before failing: generous, for a slow and loaded CI machine.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Polls `probe` every 100 ms until it answers `Ok`; panics naming `what` (and the last
/// `Err` it gave) after [`PATIENCE`].
pub fn until<T>(what: &str, mut probe: impl FnMut() -> Result<T, String>) -> T {
    let start = Instant::now();
    loop {
        match probe() {
            Ok(v) => return v,
            Err(last) if start.elapsed() > PATIENCE => {
                panic!("waited {PATIENCE:?} for {what}; last: {last}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}
