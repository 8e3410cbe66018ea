//! Opt-in record of when the first frame was drawn, relative to the process start, for
//! the start → first frame benchmark (DESIGN.md §6). With `BACKOUT_FIRST_FRAME_FILE`
//! set, the console writes the figure there once; it also logs it. Nothing is written
//! otherwise.

use std::time::Duration;

pub const FIRST_FRAME_ENV: &str = "BACKOUT_FIRST_FRAME_FILE";

/// Time since the kernel started this process: `/proc/self/stat`'s `starttime` (clock
/// ticks since boot, usually 10 ms each) against `CLOCK_BOOTTIME`. `None` off Linux.
pub fn since_process_start() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces and parentheses: fields start after the last `)`.
    let rest = &stat[stat.rfind(')')? + 2..];
    // `rest` starts at field 3 (state); starttime is field 22.
    let start_ticks: u64 = rest.split_whitespace().nth(19)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz <= 0 {
        return None;
    }
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    if unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) } != 0 {
        return None;
    }
    let now = Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
    let started = Duration::from_nanos(start_ticks.saturating_mul(1_000_000_000) / hz as u64);
    Some(now.saturating_sub(started))
}

/// Called once, right after the first frame is drawn.
pub fn record() {
    let Some(elapsed) = since_process_start() else {
        return;
    };
    tracing::info!(
        "first frame drawn {:.1} ms after the process started",
        elapsed.as_secs_f64() * 1000.0
    );
    if let Some(path) = std::env::var_os(FIRST_FRAME_ENV)
        && let Err(e) = std::fs::write(&path, format!("{}\n", elapsed.as_micros()))
    {
        tracing::warn!("{FIRST_FRAME_ENV}: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_started_a_plausible_time_ago() {
        let d = since_process_start().expect("on Linux");
        // Started before now, and not before the machine booted a year ago.
        assert!(d < Duration::from_secs(365 * 86_400), "{d:?}");
    }
}
