//! One `exec` or `attach` session over plain SPDY/3.1 (`Upgrade: SPDY/3.1`, what
//! client-go's SPDY executor and kubectl with `KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false`
//! dial): the kubelet's side of `v4.channel.k8s.io` (kubernetes/kubernetes
//! pkg/kubelet/cri/streaming/remotecommand/httpstream.go, `v4ProtocolHandler`;
//! client-go tools/remotecommand `v2.go`…`v4.go`). The client opens one stream per
//! `streamtype` header — `error`, then `stdin`, `stdout`, `stderr` (not with a TTY) as the
//! query asks, `resize` with a TTY — each answered by a SYN_REPLY; once all are there the
//! command runs. Its output goes out as DATA on `stdout`/`stderr`, stdin's DATA comes in
//! (FIN: end of input); at the end `stdout`/`stderr` get a FIN and the error stream the
//! command's `metav1.Status` (as over WebSocket, `session.rs`), then the connection ends.
//! Framing: `sim/portforward/frame.rs` (spdystream).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::StreamQuery;
use super::container::Container;
use super::runs::Run;
use super::session;
use super::shell::STDERR;
use crate::sim::Shared;
use crate::sim::portforward::frame::{
    self, FLAG_FIN, GOAWAY, Inflater, PING, RST_STREAM, RawFrame, SYN_STREAM,
};
use crate::sim::portforward::session::Out;

/// The remote-command protocols served over SPDY, preferred first (the kubelet's
/// `SupportedStreamingProtocols`; v5 is WebSocket only).
pub const PROTOCOLS: [&str; 1] = ["v4.channel.k8s.io"];

/// What the client sent, once the streams are set up.
enum In {
    Stdin(Option<Vec<u8>>),
    Gone,
}

/// Reads frames off `input`: SYN_STREAMs are answered and recorded in `streams` by
/// `streamtype`, PINGs answered, stdin's DATA passed on through `events`. Returns `false`
/// when the connection is over (input ended, GOAWAY, a broken frame).
struct Reader {
    inflater: Inflater,
    buf: Vec<u8>,
    streams: HashMap<String, u32>,
}

impl Reader {
    fn feed(
        &mut self,
        chunk: &[u8],
        out: &mpsc::UnboundedSender<Out>,
        events: &mut Vec<In>,
    ) -> bool {
        self.buf.extend_from_slice(chunk);
        loop {
            let (f, used) = match frame::parse(&self.buf) {
                Ok(Some(x)) => x,
                Ok(None) => return true,
                Err(e) => {
                    tracing::debug!("exec over SPDY: {e}");
                    return false;
                }
            };
            self.buf.drain(..used);
            match f {
                RawFrame::Data {
                    stream,
                    flags,
                    data,
                } if self.streams.get("stdin") == Some(&stream) => {
                    if !data.is_empty() {
                        events.push(In::Stdin(Some(data)));
                    }
                    if flags & FLAG_FIN != 0 {
                        events.push(In::Stdin(None));
                    }
                }
                RawFrame::Data { .. } => {}
                RawFrame::Control { kind, payload, .. } if kind == SYN_STREAM => {
                    let Ok((id, block)) = frame::syn_stream(&payload) else {
                        return false;
                    };
                    let Ok(headers) = self
                        .inflater
                        .inflate(block)
                        .and_then(|b| frame::header_pairs(&b))
                    else {
                        return false;
                    };
                    let kind = headers
                        .iter()
                        .find(|(k, _)| k == "streamtype")
                        .map(|(_, v)| v.split('\0').next().unwrap_or_default().to_string());
                    match kind {
                        Some(k) => {
                            self.streams.insert(k, id);
                            let _ = out.send(Out::Reply(id));
                        }
                        None => {
                            let _ =
                                out.send(Out::Bytes(frame::rst_stream(id, frame::PROTOCOL_ERROR)));
                        }
                    }
                }
                RawFrame::Control { kind, payload, .. } if kind == PING && payload.len() == 4 => {
                    let id = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]);
                    let _ = out.send(Out::Bytes(frame::ping(id)));
                }
                RawFrame::Control { kind, .. } if kind == GOAWAY => return false,
                RawFrame::Control { kind, payload, .. }
                    if kind == RST_STREAM && payload.len() >= 4 =>
                {
                    let id = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]])
                        & 0x7fff_ffff;
                    if self.streams.get("stdin") == Some(&id) {
                        events.push(In::Stdin(None));
                    }
                }
                RawFrame::Control { .. } => {}
            }
        }
    }
}

/// The stream types the client opens for `q` (client-go `streamProtocolV4.stream` via
/// `v2.createStreams`, `v3.createStreams`).
fn expected(q: &StreamQuery) -> Vec<&'static str> {
    let mut v = vec!["error"];
    if q.stdin {
        v.push("stdin");
    }
    if q.stdout {
        v.push("stdout");
    }
    if q.stderr && !q.tty {
        v.push("stderr");
    }
    if q.tty {
        v.push("resize");
    }
    v
}

/// Serves one connection: `input` yields the client's bytes, `out` takes what to send.
pub async fn serve(
    shared: Arc<Shared>,
    c: Container,
    sub: String,
    q: StreamQuery,
    run: Option<Arc<Run>>,
    mut input: mpsc::Receiver<Vec<u8>>,
    out: mpsc::UnboundedSender<Out>,
) {
    let mut reader = Reader {
        inflater: Inflater::default(),
        buf: Vec::new(),
        streams: HashMap::new(),
    };
    let want = expected(&q);
    let mut early = Vec::new();
    while !want.iter().all(|k| reader.streams.contains_key(*k)) {
        let Some(chunk) = input.recv().await else {
            return;
        };
        if !reader.feed(&chunk, &out, &mut early) {
            return;
        }
    }
    let streams = reader.streams.clone();
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel::<In>();
    for e in early {
        let _ = ev_tx.send(e);
    }
    let reply = out.clone();
    let input_task = tokio::spawn(async move {
        let mut events = Vec::new();
        loop {
            let more = match input.recv().await {
                Some(chunk) => reader.feed(&chunk, &reply, &mut events),
                None => false,
            };
            for e in events.drain(..) {
                let _ = ev_tx.send(e);
            }
            if !more {
                let _ = ev_tx.send(In::Gone);
                return;
            }
        }
    });
    let mut p = session::start(&shared, &c, &sub, &q, run);
    let send = |s: u8, b: Vec<u8>| {
        let name = if s == STDERR { "stderr" } else { "stdout" };
        if let (Some((_, b)), Some(id)) = (session::shown(&q, s, b), streams.get(name)) {
            let _ = out.send(Out::Bytes(frame::data(*id, false, &b)));
        }
    };
    loop {
        tokio::select! {
            chunk = p.recv() => match chunk {
                Some((s, b)) => send(s, b),
                None => break,
            },
            ev = ev_rx.recv() => match ev {
                Some(In::Stdin(data)) => p.stdin(data),
                Some(In::Gone) | None => {
                    p.hang_up();
                    input_task.abort();
                    return;
                }
            },
        }
    }
    for name in ["stdout", "stderr"] {
        if let Some(id) = streams.get(name) {
            let _ = out.send(Out::Bytes(frame::data(*id, true, &[])));
        }
    }
    if let Some(id) = streams.get("error") {
        let status = p.status(p.exit.unwrap_or(0)).to_string();
        let _ = out.send(Out::Bytes(frame::data(*id, true, status.as_bytes())));
    }
    input_task.abort();
}
