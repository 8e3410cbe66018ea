//! One `exec` or `attach` session over a WebSocket: the stream-id framing of
//! `v4.channel.k8s.io`/`v5.channel.k8s.io` (client-go tools/remotecommand `websocket.go`),
//! the command's exit as a `metav1.Status` on the error stream (`v4.go`,
//! `errorDecoderV4`: `NonZeroExitCode` with an `ExitCode` cause), then a normal close.
//! With a TTY, stderr joins stdout, newlines become `\r\n`, and an interactive shell
//! echoes what is typed and prompts with `# `.
//!
//! Output waits until the client can take it. client-go before 1.34 (kubectl 1.32) starts
//! its WebSocket read loop and creates its streams at the same moment (client-go
//! tools/remotecommand `websocket.go` v0.32.1, `StreamWithContext`: `go
//! creator.readDemuxLoop(…)` then `streamer.stream(creator)`), and the read loop drops a
//! message for a stream not created yet (`readDemuxLoop`: "Unknown stream id %d,
//! discarding message"). A real API server only has output after it dialled the kubelet
//! and opened the SPDY streams (several round trips); the simulator's shell answers at
//! once, so a command's first chunk could be dropped (a CI run lost `OK\n` of
//! `redis-cli FLUSHALL && echo flushed`). So the session first pings the client and
//! holds output until the pong plus [`STREAMS_GRACE`]: the pong shows the read loop runs
//! (from client-go 1.34 it starts only once every stream exists, commit 2f016580e "make
//! sure all streams are created before starting demux websocket"), the grace covers
//! older clients creating their streams beside it. Empty chunks are not sent: client-go
//! writes nothing for one (`if nr > 0`), so they only cost a frame.

use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use serde_json::json;
use tokio::sync::mpsc;

use super::StreamQuery;
use super::container::Container;
use super::runs::{self, Run};
use super::shell::{self, Ctx, STDERR, STDOUT, Stdin};
use crate::sim::Shared;

const STDIN: u8 = 0;
const ERROR: u8 = 3;
const RESIZE: u8 = 4;
const CLOSE: u8 = 255;

/// The payload of the ping that asks whether the client reads yet.
const READY_PING: &[u8] = b"backout: streams ready?";
/// How long output waits after the pong for a client-go before 1.34 to finish creating
/// its streams (a few map inserts; this bounds a descheduled client thread).
pub const STREAMS_GRACE: std::time::Duration = std::time::Duration::from_millis(20);
/// How long output waits for the pong of a client that does not answer pings (RFC 6455
/// 5.5.2 says it must) before it goes out anyway.
const PONG_DEADLINE: std::time::Duration = std::time::Duration::from_secs(2);

/// The error stream's `Status` for an exit code (kubelet `pkg/kubelet/cri/streaming/
/// remotecommand/httpstream.go`, `writeStatus`: `NonZeroExitCode`, cause `ExitCode`).
pub fn exit_status(code: i32, argv: &[String]) -> serde_json::Value {
    if code == 0 {
        return json!({"metadata": {}, "status": "Success"});
    }
    json!({
        "metadata": {}, "status": "Failure",
        "message": format!("command terminated with non-zero exit code: error executing command [{}], exit code {code}", argv.join(" ")),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]}
    })
}

struct ChanStdin {
    rx: std::sync::mpsc::Receiver<Option<Vec<u8>>>,
}

impl Stdin for ChanStdin {
    fn read_all(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Ok(Some(chunk)) = self.rx.recv() {
            out.extend(chunk);
        }
        out
    }
}

fn frame(stream: u8, data: &[u8]) -> Message {
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(stream);
    v.extend_from_slice(data);
    Message::Binary(v.into())
}

/// TTY output: one stream, `\r\n` line ends.
fn tty_bytes(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 8);
    let mut prev = 0u8;
    for &b in data {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

/// Where a session's stdin goes: the attached run, or the command the session started.
enum StdinTarget {
    Run(Arc<Run>),
    Command(std::sync::mpsc::Sender<Option<Vec<u8>>>),
}

/// The process a session talks to, whatever the transport (WebSocket here, SPDY in
/// `spdy.rs`): its output as `(stream, bytes)`, its exit code once it ends, its stdin.
pub struct Process {
    pub output: mpsc::UnboundedReceiver<(u8, Vec<u8>)>,
    pub done: tokio::sync::watch::Receiver<Option<i32>>,
    stdin: StdinTarget,
    /// The command line (for the error stream's message).
    pub argv: Vec<String>,
    /// An attach: the error stream says `Success` whatever the process's exit code
    /// (kubelet pkg/kubelet/cri/streaming/remotecommand/attach.go, `ServeAttach`).
    pub attach: bool,
    /// The exit code, once the process ended.
    pub exit: Option<i32>,
    done_open: bool,
}

impl Process {
    /// The next piece of output; `None` once the process ended and all it wrote was
    /// taken. Pends forever for a process that never ends (an attach to a long-running
    /// container). Cancel-safe.
    pub async fn recv(&mut self) -> Option<(u8, Vec<u8>)> {
        loop {
            if self.exit.is_some() {
                return self.output.try_recv().ok();
            }
            tokio::select! {
                chunk = self.output.recv() => match chunk {
                    Some(chunk) => return Some(chunk),
                    None if !self.done_open => std::future::pending::<()>().await,
                    None => {
                        if self.done.changed().await.is_err() {
                            self.done_open = false;
                        }
                        self.exit = *self.done.borrow();
                    }
                },
                changed = self.done.changed(), if self.done_open => match changed {
                    Ok(()) => self.exit = *self.done.borrow(),
                    Err(_) => self.done_open = false,
                },
            }
        }
    }

    /// Feeds the process's stdin (`None`: end of input).
    pub fn stdin(&self, data: Option<Vec<u8>>) {
        match &self.stdin {
            StdinTarget::Run(r) => r.stdin(data),
            StdinTarget::Command(tx) => {
                let _ = tx.send(data);
            }
        }
    }

    /// The client left: a command it started loses its stdin; a container's own process
    /// keeps running.
    pub fn hang_up(&self) {
        if let StdinTarget::Command(tx) = &self.stdin {
            let _ = tx.send(None);
        }
    }

    /// The error stream's `Status` for the process's end.
    pub fn status(&self, code: i32) -> serde_json::Value {
        exit_status(if self.attach { 0 } else { code }, &self.argv)
    }
}

/// Starts what a session of `sub` (`exec` or `attach`) talks to: joins `run` (an attach
/// to a container's own process), waits for the client to leave (an attach to a
/// long-running container), or runs the command in the simulated shell.
pub fn start(
    shared: &Arc<Shared>,
    c: &Container,
    sub: &str,
    q: &StreamQuery,
    run: Option<Arc<Run>>,
) -> Process {
    let (out_tx, out_rx) = mpsc::unbounded_channel::<(u8, Vec<u8>)>();
    let (stdin_tx, stdin_rx) = std::sync::mpsc::channel::<Option<Vec<u8>>>();
    let (done_tx, done_rx) = tokio::sync::watch::channel::<Option<i32>>(None);
    let argv = q.command.clone();
    let stdin = match &run {
        Some(r) => StdinTarget::Run(r.clone()),
        None => StdinTarget::Command(stdin_tx),
    };
    match (run, sub) {
        (Some(run), _) => {
            // Attach (or exec into a run-to-completion pod: the same process).
            let (so_far, mut output) = run.join();
            let mut done = run.done.subscribe();
            runs::start(shared, &run, c);
            let tx = out_tx.clone();
            for chunk in so_far {
                let _ = tx.send(chunk);
            }
            tokio::spawn(async move {
                // `wait_for` sees a run that ended before this attach too.
                let finished =
                    async move { done.wait_for(Option::is_some).await.ok().and_then(|v| *v) };
                tokio::pin!(finished);
                loop {
                    tokio::select! {
                        chunk = output.recv() => match chunk {
                            Ok(chunk) => { let _ = tx.send(chunk); }
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                            Err(_) => break,
                        },
                        code = &mut finished => {
                            while let Ok(chunk) = output.try_recv() { let _ = tx.send(chunk); }
                            if let Some(code) = code {
                                let _ = done_tx.send(Some(code));
                            }
                            break;
                        }
                    }
                }
            });
        }
        (None, "attach") => {
            // A long-running container: nothing to say until the client leaves.
            drop(done_tx);
        }
        (None, _) => {
            let (shared, c, tty, stdin) = (shared.clone(), c.clone(), q.tty, q.stdin);
            let argv = argv.clone();
            std::thread::spawn(move || {
                let mut ctx = Ctx::new(&shared, &c);
                let mut sink = |s: u8, b: &[u8]| {
                    let _ = out_tx.send((s, b.to_vec()));
                };
                let is_shell = argv.len() == 1
                    && matches!(argv[0].rsplit('/').next(), Some("sh" | "bash" | "ash"));
                let code = if is_shell && tty && stdin {
                    super::tty_shell::interactive(&mut ctx, stdin_rx, &mut sink)
                } else if stdin {
                    shell::run_argv(&mut ctx, argv, &mut ChanStdin { rx: stdin_rx }, &mut sink)
                } else {
                    shell::run_argv(&mut ctx, argv, &mut shell::NoStdin, &mut sink)
                };
                let _ = done_tx.send(Some(code));
            });
        }
    }
    Process {
        output: out_rx,
        done: done_rx,
        stdin,
        argv,
        attach: sub == "attach",
        exit: None,
        done_open: true,
    }
}

/// A chunk of output as the client gets it: with a TTY one stream and `\r\n` line ends;
/// `None` when the client did not ask for that stream or there is nothing in it (an empty
/// frame is a no-op for client-go over WebSocket, `readDemuxLoop`'s `if nr > 0`, and for
/// spdystream, `handleDataFrame`'s `if len(frame.Data) > 0`).
pub fn shown(q: &StreamQuery, s: u8, b: Vec<u8>) -> Option<(u8, Vec<u8>)> {
    let (s, b) = if q.tty {
        (STDOUT, tty_bytes(&b))
    } else {
        (s, b)
    };
    let wanted = if s == STDERR {
        q.stderr || q.tty
    } else {
        q.stdout
    };
    (wanted && !b.is_empty()).then_some((s, b))
}

/// Serves one session until the command ends or the client goes.
pub async fn serve(
    shared: Arc<Shared>,
    c: Container,
    sub: String,
    q: StreamQuery,
    run: Option<Arc<Run>>,
    mut socket: WebSocket,
) {
    let mut p = start(&shared, &c, &sub, &q, run);
    // Output is held until the client's streams exist (see the module docs).
    let mut ready = false;
    let hold = tokio::time::sleep(PONG_DEADLINE);
    tokio::pin!(hold);
    if socket
        .send(Message::Ping(READY_PING.to_vec().into()))
        .await
        .is_err()
    {
        p.hang_up();
        return;
    }
    loop {
        tokio::select! {
            () = &mut hold, if !ready => ready = true,
            chunk = p.recv(), if ready => match chunk {
                Some((s, b)) => {
                    if let Some((s, b)) = shown(&q, s, b)
                        && socket.send(frame(s, &b)).await.is_err()
                    {
                        return;
                    }
                }
                None => break,
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Binary(b))) if !b.is_empty() => match b[0] {
                    STDIN => p.stdin(Some(b[1..].to_vec())),
                    CLOSE if b.get(1) == Some(&STDIN) => p.stdin(None),
                    RESIZE => {}
                    _ => {}
                },
                Some(Ok(Message::Pong(b))) if !ready && b.as_ref() == READY_PING => {
                    hold.as_mut().reset(tokio::time::Instant::now() + STREAMS_GRACE);
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    p.hang_up();
                    return;
                }
                Some(Ok(_)) => {}
            },
        }
    }
    let status = p.status(p.exit.unwrap_or(0));
    let _ = socket
        .send(frame(ERROR, status.to_string().as_bytes()))
        .await;
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: 1000,
            reason: "".into(),
        })))
        .await;
}
