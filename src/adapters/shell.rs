//! Runs a confirmed shell command in its own process group and streams its output.
//!
//! The command runs as `/bin/sh -c SCRIPT` with stdin closed. Cancelling sends SIGTERM to
//! the whole process group, then SIGKILL after a grace period, so `kubectl … | tee` and
//! other pipelines stop together.

use std::io;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

/// How long a cancelled command gets between SIGTERM and SIGKILL.
pub const CANCEL_GRACE: Duration = Duration::from_secs(3);
/// How long to keep reading output after the shell exited (background children may hold
/// the pipes open).
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(2);
/// Longest output line kept; longer lines are cut with a marker.
const MAX_LINE: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputStream {
    Stdout,
    Stderr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellEvent {
    Line {
        stream: OutputStream,
        text: String,
    },
    Exited {
        exit_code: Option<i32>,
        signal: Option<i32>,
        duration: Duration,
    },
}

/// A running command: its process group, to cancel it.
#[derive(Debug, Clone)]
pub struct CommandHandle {
    pgid: i32,
    exited: Arc<AtomicBool>,
}

impl CommandHandle {
    /// SIGTERM to the process group now, SIGKILL after [`CANCEL_GRACE`] if still running.
    pub fn cancel(&self) {
        terminate_group(self.pgid, &self.exited);
    }

    pub fn pgid(&self) -> i32 {
        self.pgid
    }
}

/// Unless `exited`: SIGTERM to the process group now, SIGKILL after [`CANCEL_GRACE`] if
/// it has still not exited.
pub(crate) fn terminate_group(pgid: i32, exited: &Arc<AtomicBool>) {
    if exited.load(Ordering::SeqCst) {
        return;
    }
    signal_group(pgid, libc::SIGTERM);
    let exited = exited.clone();
    tokio::spawn(async move {
        tokio::time::sleep(CANCEL_GRACE).await;
        if !exited.load(Ordering::SeqCst) {
            signal_group(pgid, libc::SIGKILL);
        }
    });
}

pub(crate) fn signal_group(pgid: i32, sig: i32) {
    if pgid > 1 {
        // SAFETY: killpg has no memory-safety preconditions; an error (ESRCH when the
        // group is already gone) is harmless here.
        unsafe {
            libc::killpg(pgid, sig);
        }
    }
}

/// Starts `script` under `/bin/sh -c` in a new process group. Events arrive on `events`
/// until a final [`ShellEvent::Exited`].
pub fn spawn(
    script: &str,
    env: &[(String, String)],
    events: mpsc::Sender<ShellEvent>,
) -> io::Result<CommandHandle> {
    let (mut child, pgid, started) = spawn_sh(&["-c", script], Stdio::null(), env)?;
    let exited = Arc::new(AtomicBool::new(false));
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out_task = stdout.map(|s| tokio::spawn(pump(s, OutputStream::Stdout, events.clone())));
    let err_task = stderr.map(|s| tokio::spawn(pump(s, OutputStream::Stderr, events.clone())));
    let flag = exited.clone();
    tokio::spawn(async move {
        let status = child.wait().await;
        flag.store(true, Ordering::SeqCst);
        let duration = started.elapsed();
        for task in [out_task, err_task].into_iter().flatten() {
            let abort = task.abort_handle();
            if tokio::time::timeout(DRAIN_AFTER_EXIT, task).await.is_err() {
                abort.abort();
            }
        }
        let (exit_code, signal) = code_and_signal(status);
        let _ = events
            .send(ShellEvent::Exited {
                exit_code,
                signal,
                duration,
            })
            .await;
    });
    Ok(CommandHandle { pgid, exited })
}

/// Starts `/bin/sh ARGS` in a new process group with `env` added to its environment,
/// stdout and stderr piped: the child, its process group and when it started.
pub(crate) fn spawn_sh(
    args: &[&str],
    stdin: Stdio,
    env: &[(String, String)],
) -> io::Result<(Child, i32, Instant)> {
    let mut cmd = Command::new("/bin/sh");
    cmd.args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(false);
    for (k, v) in env {
        cmd.env(k, v);
    }
    // An ignored signal stays ignored across exec: when backout itself was started with
    // SIGINT/SIGQUIT ignored (`nohup … &`, a script's background job, a CI runner), the
    // operator's interrupt of a command would never reach it. The command starts with the
    // default dispositions, as a shell's foreground job does.
    // SAFETY: between fork and exec only `signal`, which is async-signal-safe, is called.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            Ok(())
        });
    }
    let started = Instant::now();
    let child = cmd.spawn()?;
    let pgid = child.id().map(|p| p as i32).unwrap_or(0);
    Ok((child, pgid, started))
}

/// How a process ended: its exit code, or the signal that killed it (neither when
/// waiting for it failed).
pub(crate) fn code_and_signal(status: io::Result<ExitStatus>) -> (Option<i32>, Option<i32>) {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Ok(s) => (s.code(), s.signal()),
        Err(_) => (None, None),
    }
}

async fn pump(
    reader: impl AsyncRead + Unpin,
    stream: OutputStream,
    events: mpsc::Sender<ShellEvent>,
) {
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let text = clean_line(&buf);
                if events
                    .send(ShellEvent::Line { stream, text })
                    .await
                    .is_err()
                {
                    break;
                }
            }
        }
    }
}

/// Makes a line of terminal output safe to draw: lossy UTF-8, ANSI escape sequences
/// removed, carriage-return progress bars reduced to their last state, tabs expanded,
/// other control characters dropped, and very long lines cut.
pub fn clean_line(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let text = text.trim_end_matches(['\n', '\r']);
    let text = text.rsplit('\r').next().unwrap_or("");
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                // CSI: ESC [ params final; OSC: ESC ] … BEL or ESC \ ; others: ESC + one char.
                match chars.peek() {
                    Some('[') => {
                        chars.next();
                        for c in chars.by_ref() {
                            if ('@'..='~').contains(&c) {
                                break;
                            }
                        }
                    }
                    Some(']') => {
                        chars.next();
                        while let Some(c) = chars.next() {
                            if c == '\u{7}' || (c == '\u{1b}' && chars.peek() == Some(&'\\')) {
                                if c == '\u{1b}' {
                                    chars.next();
                                }
                                break;
                            }
                        }
                    }
                    Some(_) => {
                        chars.next();
                    }
                    None => {}
                }
            }
            '\t' => {
                let n = 8 - (out.chars().count() % 8);
                out.extend(std::iter::repeat_n(' ', n));
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
        if out.len() > MAX_LINE {
            // `str::floor_char_boundary` is newer than the MSRV.
            let mut cut = MAX_LINE;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push_str(" …(line cut)");
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_line_strips_escapes_and_control_characters() {
        assert_eq!(clean_line(b"\x1b[32mok\x1b[0m\n"), "ok");
        assert_eq!(clean_line(b"10%\r50%\r100%\r\n"), "100%");
        assert_eq!(clean_line(b"a\tb"), "a       b");
        assert_eq!(clean_line(b"\x1b]0;title\x07text"), "text");
        assert_eq!(clean_line(b"bad \xff byte"), "bad \u{fffd} byte");
        assert_eq!(clean_line(b"bell\x07"), "bell");
    }

    async fn collect(mut rx: mpsc::Receiver<ShellEvent>) -> Vec<ShellEvent> {
        let mut out = Vec::new();
        while let Some(ev) = rx.recv().await {
            let done = matches!(ev, ShellEvent::Exited { .. });
            out.push(ev);
            if done {
                break;
            }
        }
        out
    }

    #[tokio::test]
    async fn streams_both_outputs_and_the_exit_code() {
        let (tx, rx) = mpsc::channel(64);
        spawn("echo out; echo err >&2; exit 3", &[], tx).expect("spawn");
        let events = collect(rx).await;
        assert!(events.contains(&ShellEvent::Line {
            stream: OutputStream::Stdout,
            text: "out".into()
        }));
        assert!(events.contains(&ShellEvent::Line {
            stream: OutputStream::Stderr,
            text: "err".into()
        }));
        match events.last() {
            Some(ShellEvent::Exited {
                exit_code, signal, ..
            }) => {
                assert_eq!(*exit_code, Some(3));
                assert_eq!(*signal, None);
            }
            other => panic!("no exit event: {other:?}"),
        }
    }

    #[tokio::test]
    async fn env_values_reach_the_command() {
        let (tx, rx) = mpsc::channel(64);
        spawn(
            "echo \"ns=$NAMESPACE\"",
            &[("NAMESPACE".into(), "checkout".into())],
            tx,
        )
        .expect("spawn");
        let events = collect(rx).await;
        assert_eq!(
            events[0],
            ShellEvent::Line {
                stream: OutputStream::Stdout,
                text: "ns=checkout".into()
            }
        );
    }

    #[tokio::test]
    async fn cancel_stops_the_whole_process_group() {
        let dir = tempfile::tempdir().expect("tempdir");
        let marker = dir.path().join("grandchild-survived");
        let script = format!("(sleep 5; touch {}) & sleep 30; wait", marker.display());
        let (tx, rx) = mpsc::channel(64);
        let handle = spawn(&script, &[], tx).expect("spawn");
        tokio::time::sleep(Duration::from_millis(200)).await;
        handle.cancel();
        let events = collect(rx).await;
        match events.last() {
            Some(ShellEvent::Exited {
                exit_code, signal, ..
            }) => {
                assert_eq!(*exit_code, None);
                assert_eq!(*signal, Some(libc::SIGTERM));
            }
            other => panic!("no exit event: {other:?}"),
        }
        // The backgrounded grandchild was in the same group: the group empties (its members
        // may need a moment to be reaped by init).
        let mut alive = true;
        for _ in 0..50 {
            // SAFETY: signal 0 only checks for existence.
            alive = unsafe { libc::killpg(handle.pgid(), 0) } == 0;
            if !alive {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(!alive, "process group {} still has members", handle.pgid());
        assert!(!marker.exists());
    }

    #[tokio::test]
    async fn a_command_that_ignores_sigterm_is_killed_after_the_grace_period() {
        let (tx, rx) = mpsc::channel(64);
        let handle = spawn("trap '' TERM; sleep 20", &[], tx).expect("spawn");
        tokio::time::sleep(Duration::from_millis(200)).await;
        handle.cancel();
        let events = collect(rx).await;
        match events.last() {
            Some(ShellEvent::Exited { signal, .. }) => assert_eq!(*signal, Some(libc::SIGKILL)),
            other => panic!("no exit event: {other:?}"),
        }
    }
}
