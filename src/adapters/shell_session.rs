//! One `/bin/sh` per command block, fed one logical line at a time through its stdin, so
//! variables and `cd` carry over from line to line while each line gets its own exit
//! status.
//!
//! After each line the shell prints a sentinel with a random nonce (fresh for every
//! session, never in the environment or a command line) and the line's `$?`, on stdout
//! and on stderr: the line is over when both have arrived, so none of its output is
//! taken for the next line's. A line cannot forge the sentinel without the nonce.
//!
//! Each line runs as `{ LINE\n} </dev/null` in the shell itself (so `cd` and variables
//! stay), its stdin closed (a command waiting on stdin would otherwise eat the next
//! line). The shell traps SIGINT, so interrupting the line's process group stops the
//! line's commands and the shell goes on to print the sentinel (exit 130); a line that
//! ignores SIGINT is killed with the whole group after [`CANCEL_GRACE`].

use std::io;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use super::shell::{
    CANCEL_GRACE, OutputStream, clean_line, code_and_signal, signal_group, spawn_sh,
    terminate_group,
};

/// What a block's shell reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    Line {
        stream: OutputStream,
        text: String,
    },
    /// A repeated line (`watch`) starts its next round: its output replaces the last.
    Frame,
    /// The line fed last ended with this status (`$?`: 127 not found, 130 interrupted).
    LineDone {
        exit_code: i32,
        duration_ms: u64,
    },
    /// The shell itself ended (an `exit` in a line, a kill, a syntax error): the line
    /// running then ended with it.
    ShellExited {
        exit_code: Option<i32>,
        signal: Option<i32>,
        duration_ms: u64,
    },
}

/// A block's running shell.
#[derive(Debug)]
pub struct ShellSession {
    pgid: i32,
    nonce: String,
    lines: mpsc::Sender<String>,
    exited: Arc<AtomicBool>,
    /// Lines fed so far; an interrupt escalates only if the same line still runs.
    fed: Arc<AtomicU64>,
    done: Arc<AtomicU64>,
}

/// Sets up the shell: SIGINT stops a line, not the shell.
const PRELUDE: &str = "trap '__backout_interrupted=1' INT\n";

impl ShellSession {
    /// Starts `/bin/sh -s` in a new process group with `env` added to its environment.
    pub fn start(
        env: &[(String, String)],
        events: mpsc::Sender<SessionEvent>,
    ) -> io::Result<ShellSession> {
        let nonce = format!("backout-{:032x}", rand::random::<u128>());
        let (mut child, pgid, started) = spawn_sh(&["-s"], Stdio::piped(), env)?;
        let exited = Arc::new(AtomicBool::new(false));
        let fed = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicU64::new(0));
        let (raw_tx, mut raw_rx) = mpsc::channel::<Raw>(256);
        if let Some(out) = child.stdout.take() {
            tokio::spawn(pump(
                out,
                OutputStream::Stdout,
                nonce.clone(),
                raw_tx.clone(),
            ));
        }
        if let Some(err) = child.stderr.take() {
            tokio::spawn(pump(
                err,
                OutputStream::Stderr,
                nonce.clone(),
                raw_tx.clone(),
            ));
        }
        let (line_tx, mut line_rx) = mpsc::channel::<String>(4);
        let stdin = child.stdin.take();
        // The channel is empty: the prelude always fits.
        let _ = line_tx.try_send(PRELUDE.to_string());
        tokio::spawn(async move {
            let Some(mut stdin) = stdin else { return };
            while let Some(text) = line_rx.recv().await {
                if stdin.write_all(text.as_bytes()).await.is_err() || stdin.flush().await.is_err() {
                    break;
                }
            }
            // Dropping stdin: the shell reads end of file and exits.
        });
        // The merger: output lines as they come; a line is done when both sentinels came.
        let flag = exited.clone();
        let done_count = done.clone();
        tokio::spawn(async move {
            let mut out_status: Option<i32> = None;
            let mut err_seen = false;
            let mut line_started = Instant::now();
            let mut open_pipes = 2;
            while open_pipes > 0 {
                let Some(raw) = raw_rx.recv().await else {
                    break;
                };
                let ev = match raw {
                    Raw::Line(stream, text) => SessionEvent::Line { stream, text },
                    Raw::Frame => SessionEvent::Frame,
                    Raw::Closed => {
                        open_pipes -= 1;
                        continue;
                    }
                    Raw::Sentinel(OutputStream::Stdout, status) => {
                        out_status = Some(status);
                        if !err_seen {
                            continue;
                        }
                        SessionEvent::LineDone {
                            exit_code: status,
                            duration_ms: line_started.elapsed().as_millis() as u64,
                        }
                    }
                    Raw::Sentinel(OutputStream::Stderr, _) => {
                        err_seen = true;
                        let Some(status) = out_status else { continue };
                        SessionEvent::LineDone {
                            exit_code: status,
                            duration_ms: line_started.elapsed().as_millis() as u64,
                        }
                    }
                };
                if let SessionEvent::LineDone { .. } = ev {
                    out_status = None;
                    err_seen = false;
                    line_started = Instant::now();
                    done_count.fetch_add(1, Ordering::SeqCst);
                }
                if events.send(ev).await.is_err() {
                    break;
                }
            }
            let status = child.wait().await;
            flag.store(true, Ordering::SeqCst);
            let (exit_code, signal) = code_and_signal(status);
            let _ = events
                .send(SessionEvent::ShellExited {
                    exit_code,
                    signal,
                    duration_ms: started.elapsed().as_millis() as u64,
                })
                .await;
        });
        Ok(ShellSession {
            pgid,
            nonce,
            lines: line_tx,
            exited,
            fed,
            done,
        })
    }

    /// Whether the shell has ended.
    pub fn is_gone(&self) -> bool {
        self.exited.load(Ordering::SeqCst) || self.lines.is_closed()
    }

    /// Feeds one logical line; `every_secs` runs it again and again (`watch`), each round
    /// announced by [`SessionEvent::Frame`], until interrupted. `false` when the shell is
    /// gone.
    pub fn run_line(&self, line: &str, every_secs: Option<u64>) -> bool {
        let nonce = &self.nonce;
        let body = match every_secs {
            None => format!("{{ {line}\n}} </dev/null\n"),
            Some(n) => format!(
                "__backout_interrupted=\nwhile [ -z \"$__backout_interrupted\" ]; do\n\
                 printf '%s:frame\\n' '{nonce}'\n{{ {line}\n}} </dev/null\n\
                 [ -n \"$__backout_interrupted\" ] && break\nsleep {n} </dev/null\ndone\n\
                 [ -n \"$__backout_interrupted\" ] && (exit 130)\n"
            ),
        };
        let script = format!(
            "{body}__backout_status=$?\nprintf '%s:%s\\n' '{nonce}' \"$__backout_status\"\n\
             printf '%s:%s\\n' '{nonce}' \"$__backout_status\" >&2\n"
        );
        if self.is_gone() {
            return false;
        }
        self.fed.fetch_add(1, Ordering::SeqCst);
        self.lines.try_send(script).is_ok()
    }

    /// Stops the running line: SIGINT to the group (the shell survives it); if the same
    /// line still runs after [`CANCEL_GRACE`], SIGKILL to the whole group.
    pub fn interrupt(&self) {
        if self.exited.load(Ordering::SeqCst) {
            return;
        }
        signal_group(self.pgid, libc::SIGINT);
        let (pgid, exited, done) = (self.pgid, self.exited.clone(), self.done.clone());
        let line = self.fed.load(Ordering::SeqCst);
        tokio::spawn(async move {
            tokio::time::sleep(CANCEL_GRACE).await;
            if !exited.load(Ordering::SeqCst) && done.load(Ordering::SeqCst) < line {
                signal_group(pgid, libc::SIGKILL);
            }
        });
    }

    /// Ends the shell after the line running: its stdin closes.
    pub fn end(self) {}

    /// Ends everything now: SIGTERM to the group, SIGKILL after [`CANCEL_GRACE`].
    pub fn kill(&self) {
        terminate_group(self.pgid, &self.exited);
    }

    pub fn pgid(&self) -> i32 {
        self.pgid
    }
}

enum Raw {
    Line(OutputStream, String),
    Sentinel(OutputStream, i32),
    Frame,
    Closed,
}

async fn pump(
    reader: impl AsyncRead + Unpin,
    stream: OutputStream,
    nonce: String,
    tx: mpsc::Sender<Raw>,
) {
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    let marker = format!("{nonce}:");
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let text = String::from_utf8_lossy(&buf);
                let text = text.trim_end_matches(['\n', '\r']);
                // The sentinel is the end of a line: output without a final newline
                // comes before it.
                let raws = match text.rfind(&marker) {
                    Some(at) => {
                        let (before, tail) = text.split_at(at);
                        let tail = &tail[marker.len()..];
                        let mark = if tail == "frame" {
                            Some(Raw::Frame)
                        } else {
                            tail.parse::<i32>().ok().map(|s| Raw::Sentinel(stream, s))
                        };
                        match mark {
                            Some(mark) if before.is_empty() => vec![mark],
                            Some(mark) => {
                                vec![Raw::Line(stream, clean_line(before.as_bytes())), mark]
                            }
                            None => vec![Raw::Line(stream, clean_line(&buf))],
                        }
                    }
                    None => vec![Raw::Line(stream, clean_line(&buf))],
                };
                for raw in raws {
                    if tx.send(raw).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
    let _ = tx.send(Raw::Closed).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Events up to and including the next line end (or the shell's end).
    async fn until_done(rx: &mut mpsc::Receiver<SessionEvent>) -> Vec<SessionEvent> {
        let mut out = Vec::new();
        while let Some(ev) = rx.recv().await {
            let done = matches!(
                ev,
                SessionEvent::LineDone { .. } | SessionEvent::ShellExited { .. }
            );
            out.push(ev);
            if done {
                break;
            }
        }
        out
    }

    fn status(events: &[SessionEvent]) -> Option<i32> {
        match events.last() {
            Some(SessionEvent::LineDone { exit_code, .. }) => Some(*exit_code),
            _ => None,
        }
    }

    fn texts(events: &[SessionEvent]) -> Vec<String> {
        events
            .iter()
            .filter_map(|e| match e {
                SessionEvent::Line { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[tokio::test]
    async fn each_line_has_its_status_and_shell_state_carries_over() {
        let (tx, mut rx) = mpsc::channel(64);
        let dir = tempfile::tempdir().expect("tempdir");
        let s = ShellSession::start(&[("GREETING".into(), "hi".into())], tx).expect("start");
        assert!(s.run_line(&format!("cd {} && X=42", dir.path().display()), None));
        assert_eq!(status(&until_done(&mut rx).await), Some(0));
        assert!(s.run_line("echo \"$GREETING $X $(pwd)\"; printf 'no newline'", None));
        let ev = until_done(&mut rx).await;
        assert_eq!(status(&ev), Some(0));
        assert_eq!(
            texts(&ev),
            vec![
                format!("hi 42 {}", dir.path().display()),
                "no newline".into()
            ]
        );
        assert!(s.run_line("echo out; echo err >&2; false", None));
        let ev = until_done(&mut rx).await;
        assert_eq!(status(&ev), Some(1));
        assert_eq!(texts(&ev), vec!["out".to_string(), "err".to_string()]);
        // A program that is not installed: 127, and the shell says so.
        assert!(s.run_line("argocd app get shop", None));
        let ev = until_done(&mut rx).await;
        assert_eq!(status(&ev), Some(127));
        assert!(texts(&ev).iter().any(|t| t.ends_with("argocd: not found")));
        // A line that reads stdin gets end of file, not the next line.
        assert!(s.run_line("cat", None));
        assert_eq!(status(&until_done(&mut rx).await), Some(0));
        // A here-document is the line's own stdin.
        assert!(s.run_line("cat <<EOF\nfrom the doc\nEOF", None));
        assert_eq!(texts(&until_done(&mut rx).await), vec!["from the doc"]);
    }

    #[tokio::test]
    async fn printing_something_like_the_sentinel_does_not_end_the_line() {
        let (tx, mut rx) = mpsc::channel(64);
        let s = ShellSession::start(&[], tx).expect("start");
        assert!(s.run_line(
            "echo 'backout-0000:0'; echo still; exit_code=3; (exit 3)",
            None
        ));
        let ev = until_done(&mut rx).await;
        assert_eq!(status(&ev), Some(3));
        assert_eq!(texts(&ev), vec!["backout-0000:0", "still"]);
    }

    #[tokio::test]
    async fn interrupting_a_line_stops_that_line_only() {
        let (tx, mut rx) = mpsc::channel(64);
        let s = ShellSession::start(&[], tx).expect("start");
        assert!(s.run_line("X=kept; echo started; sleep 30", None));
        // Wait for the line to be running.
        while let Some(ev) = rx.recv().await {
            if matches!(ev, SessionEvent::Line { .. }) {
                break;
            }
        }
        // Give the shell the moment it needs to start `sleep` after `echo`.
        tokio::time::sleep(Duration::from_millis(200)).await;
        s.interrupt();
        assert_eq!(status(&until_done(&mut rx).await), Some(130));
        assert!(s.run_line("echo \"$X\"", None));
        let ev = until_done(&mut rx).await;
        assert_eq!(status(&ev), Some(0));
        assert_eq!(texts(&ev), vec!["kept"]);
    }

    /// Started with SIGINT and SIGQUIT ignored (`nohup … &`, a script's background job, a
    /// CI runner), backout still interrupts a line: an ignored signal would stay ignored
    /// across exec, so `spawn_sh` gives the shell the default dispositions. The test runs
    /// the interrupt test above in a copy of this test binary whose SIGINT and SIGQUIT are
    /// ignored (`trap '' INT QUIT` before `exec`); it failed so before the reset.
    #[test]
    fn a_line_is_interrupted_even_when_backout_was_started_ignoring_sigint() {
        let exe = std::env::current_exe().expect("test binary");
        let out = std::process::Command::new("/bin/sh")
            .args([
                "-c",
                "trap '' INT QUIT; exec \"$0\" --exact --test-threads 1 \
                 adapters::shell_session::tests::interrupting_a_line_stops_that_line_only",
            ])
            .arg(&exe)
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[tokio::test]
    async fn a_repeated_line_announces_each_round_until_interrupted() {
        let (tx, mut rx) = mpsc::channel(64);
        let s = ShellSession::start(&[], tx).expect("start");
        assert!(s.run_line("echo round", Some(1)));
        let mut frames = 0;
        let mut rounds = 0;
        while rounds < 2 {
            match rx.recv().await {
                Some(SessionEvent::Frame) => frames += 1,
                Some(SessionEvent::Line { text, .. }) if text == "round" => rounds += 1,
                Some(other) => panic!("unexpected {other:?}"),
                None => panic!("shell gone"),
            }
        }
        assert_eq!(frames, 2);
        s.interrupt();
        let ev = until_done(&mut rx).await;
        assert_eq!(status(&ev), Some(130));
    }

    #[tokio::test]
    async fn an_exit_in_a_line_ends_the_shell_with_its_status() {
        let (tx, mut rx) = mpsc::channel(64);
        let s = ShellSession::start(&[], tx).expect("start");
        assert!(s.run_line("exit 4", None));
        let ev = until_done(&mut rx).await;
        assert!(matches!(
            ev.last(),
            Some(SessionEvent::ShellExited {
                exit_code: Some(4),
                ..
            })
        ));
        for _ in 0..50 {
            if s.is_gone() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(!s.run_line("echo never", None));
    }
}
