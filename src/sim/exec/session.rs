//! One `exec` or `attach` session over a WebSocket: the stream-id framing of
//! `v4.channel.k8s.io`/`v5.channel.k8s.io` (client-go tools/remotecommand `websocket.go`),
//! the command's exit as a `metav1.Status` on the error stream (`v4.go`,
//! `errorDecoderV4`: `NonZeroExitCode` with an `ExitCode` cause), then a normal close.
//! With a TTY, stderr joins stdout, newlines become `\r\n`, and an interactive shell
//! echoes what is typed and prompts with `# `.

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

/// An interactive shell on a TTY: echo, line editing (backspace, ^C, ^D), a `# ` prompt.
fn interactive(
    ctx: &mut Ctx,
    rx: std::sync::mpsc::Receiver<Option<Vec<u8>>>,
    sink: &mut dyn FnMut(u8, &[u8]),
) -> i32 {
    let mut line: Vec<u8> = Vec::new();
    sink(STDOUT, b"# ");
    while let Ok(Some(chunk)) = rx.recv() {
        for b in chunk {
            match b {
                b'\r' | b'\n' => {
                    sink(STDOUT, b"\r\n");
                    let text = String::from_utf8_lossy(&line).into_owned();
                    line.clear();
                    shell::run_line(ctx, &text, &mut shell::NoStdin, sink);
                    if ctx.exited {
                        return ctx.last_status;
                    }
                    sink(STDOUT, b"# ");
                }
                0x7f | 0x08 => {
                    if line.pop().is_some() {
                        sink(STDOUT, b"\x08 \x08");
                    }
                }
                0x03 => {
                    line.clear();
                    sink(STDOUT, b"^C\r\n# ");
                }
                0x04 if line.is_empty() => {
                    sink(STDOUT, b"\r\n");
                    return ctx.last_status;
                }
                b => {
                    line.push(b);
                    sink(STDOUT, &[b]);
                }
            }
        }
    }
    ctx.last_status
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
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<(u8, Vec<u8>)>();
    let (stdin_tx, stdin_rx) = std::sync::mpsc::channel::<Option<Vec<u8>>>();
    let (done_tx, mut done_rx) = tokio::sync::watch::channel::<Option<i32>>(None);
    let argv = q.command.clone();
    match (&run, sub.as_str()) {
        (Some(run), _) => {
            // Attach (or exec into a run-to-completion pod: the same process).
            let (so_far, mut output) = run.join();
            let mut done = run.done.subscribe();
            runs::start(&shared, run, &c);
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
                let mut ctx = Ctx {
                    shared: &shared,
                    container: &c,
                    last_status: 0,
                    scripted: &shared.exec_runs.scripts,
                    exited: false,
                };
                let mut sink = |s: u8, b: &[u8]| {
                    let _ = out_tx.send((s, b.to_vec()));
                };
                let is_shell = argv.len() == 1
                    && matches!(argv[0].rsplit('/').next(), Some("sh" | "bash" | "ash"));
                let code = if is_shell && tty && stdin {
                    interactive(&mut ctx, stdin_rx, &mut sink)
                } else if stdin {
                    shell::run_argv(&mut ctx, argv, &mut ChanStdin { rx: stdin_rx }, &mut sink)
                } else {
                    shell::run_argv(&mut ctx, argv, &mut shell::NoStdin, &mut sink)
                };
                let _ = done_tx.send(Some(code));
            });
        }
    }
    let tty = q.tty;
    let mut exit: Option<i32> = None;
    let mut done_open = true;
    loop {
        tokio::select! {
            chunk = out_rx.recv() => match chunk {
                Some((s, b)) => {
                    let (s, b) = if tty { (STDOUT, tty_bytes(&b)) } else { (s, b) };
                    let wanted = if s == STDERR { q.stderr || tty } else { q.stdout };
                    if wanted && socket.send(frame(s, &b)).await.is_err() {
                        return;
                    }
                }
                None => if exit.is_some() { break },
            },
            changed = done_rx.changed(), if exit.is_none() && done_open => {
                match changed {
                    Ok(()) => exit = *done_rx.borrow(),
                    Err(_) => done_open = false,
                }
                if exit.is_some() {
                    // Drain what the command wrote before it ended.
                    while let Ok((s, b)) = out_rx.try_recv() {
                        let (s, b) = if tty { (STDOUT, tty_bytes(&b)) } else { (s, b) };
                        let wanted = if s == STDERR { q.stderr || tty } else { q.stdout };
                        if wanted && socket.send(frame(s, &b)).await.is_err() {
                            return;
                        }
                    }
                    break;
                }
            }
            msg = socket.recv() => match msg {
                Some(Ok(Message::Binary(b))) if !b.is_empty() => match b[0] {
                    STDIN => {
                        let data = b[1..].to_vec();
                        match &run { Some(r) => r.stdin(Some(data)), None => { let _ = stdin_tx.send(Some(data)); } }
                    }
                    CLOSE if b.get(1) == Some(&STDIN) => {
                        match &run { Some(r) => r.stdin(None), None => { let _ = stdin_tx.send(None); } }
                    }
                    RESIZE => {}
                    _ => {}
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    let _ = stdin_tx.send(None);
                    return;
                }
                Some(Ok(_)) => {}
            },
        }
    }
    let code = exit.unwrap_or(0);
    let status = exit_status(code, &argv);
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
