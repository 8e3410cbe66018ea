//! One port-forward connection: the kubelet's side of the `portforward.k8s.io` protocol
//! over SPDY (kubernetes/kubernetes pkg/kubelet/cri/streaming/portforward/httpstream.go).
//! Each local connection kubectl accepts becomes two streams with the same `requestid`
//! header — `streamtype: error`, then `streamtype: data`, both with `port` — each
//! answered by an empty SYN_REPLY (apimachinery httpstream/spdy `connection.go`,
//! `newSpdyStream`). Once both are there the data stream carries the TCP bytes to the
//! pod's port: here the simulated application's HTTP server (`sim/exec/http.rs`), one
//! HTTP/1.1 exchange per connection (`Connection: close`). At the end the error stream
//! and then the data stream are closed (FIN), as `portForward`'s defers do; a port no
//! container listens on gets the runtime's "connection refused" message on the error
//! stream first. PINGs (kubectl sends one every 10 s) are answered.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use sha2::Digest;
use tokio::sync::mpsc;

use super::frame::{self, Deflater, FLAG_FIN, GOAWAY, Inflater, PING, RawFrame, SYN_STREAM};
use crate::sim::exec::http::{self, Peer};
use crate::sim::{Shared, res};

/// What goes out on the connection, in order.
#[derive(Debug)]
pub enum Out {
    /// A SYN_REPLY with no headers.
    Reply(u32),
    /// Raw frame bytes that need no compression.
    Bytes(Vec<u8>),
}

/// The frame bytes to write for `Out`s, compressing SYN_REPLY header blocks in order.
#[derive(Default)]
pub struct Writer(Deflater);

impl Writer {
    pub fn bytes(&mut self, out: Out) -> Result<Vec<u8>, frame::SpdyError> {
        match out {
            Out::Reply(id) => Ok(frame::syn_reply(
                id,
                &self.0.deflate(&frame::header_block(&[]))?,
            )),
            Out::Bytes(b) => Ok(b),
        }
    }
}

#[derive(Default)]
struct Pair {
    error: Option<u32>,
    data: Option<u32>,
}

/// Serves one connection: `input` yields what the client sent (in any chunking), `out`
/// takes what to send. Ends when the input ends or the client says GOAWAY.
pub async fn serve(
    shared: Arc<Shared>,
    pod: Arc<Value>,
    mut input: mpsc::Receiver<Vec<u8>>,
    out: mpsc::UnboundedSender<Out>,
) {
    let mut inflater = Inflater::default();
    let mut buf: Vec<u8> = Vec::new();
    let mut pairs: HashMap<String, Pair> = HashMap::new();
    let mut inbound: HashMap<u32, mpsc::UnboundedSender<Option<Vec<u8>>>> = HashMap::new();
    while let Some(chunk) = input.recv().await {
        buf.extend_from_slice(&chunk);
        loop {
            let (f, used) = match frame::parse(&buf) {
                Ok(Some(x)) => x,
                Ok(None) => break,
                Err(e) => {
                    tracing::debug!("port-forward: {e}");
                    return;
                }
            };
            buf.drain(..used);
            match f {
                RawFrame::Data {
                    stream,
                    flags,
                    data,
                } => {
                    if let Some(tx) = inbound.get(&stream) {
                        if !data.is_empty() {
                            let _ = tx.send(Some(data));
                        }
                        if flags & FLAG_FIN != 0 {
                            let _ = tx.send(None);
                        }
                    }
                }
                RawFrame::Control { kind, payload, .. } if kind == SYN_STREAM => {
                    let Ok((id, block)) = frame::syn_stream(&payload) else {
                        return;
                    };
                    let headers = match inflater
                        .inflate(block)
                        .and_then(|b| frame::header_pairs(&b))
                    {
                        Ok(h) => h,
                        Err(e) => {
                            tracing::debug!("port-forward: {e}");
                            return;
                        }
                    };
                    let get = |n: &str| {
                        headers
                            .iter()
                            .find(|(k, _)| k == n)
                            .map(|(_, v)| v.split('\0').next().unwrap_or_default().to_string())
                    };
                    // httpStreamReceived: `port` and `streamtype` are required, a port is > 0.
                    let port = get("port")
                        .and_then(|p| p.parse::<u16>().ok())
                        .filter(|p| *p > 0);
                    let kind = get("streamtype");
                    let (Some(port), Some(kind)) = (port, kind) else {
                        let _ = out.send(Out::Bytes(frame::rst_stream(id, frame::PROTOCOL_ERROR)));
                        continue;
                    };
                    // requestID: the header, else (old clients) the error stream's id.
                    let request = get("requestid").unwrap_or_else(|| {
                        if kind == "data" {
                            id.saturating_sub(2)
                        } else {
                            id
                        }
                        .to_string()
                    });
                    let pair = pairs.entry(request.clone()).or_default();
                    match kind.as_str() {
                        "error" => pair.error = Some(id),
                        "data" => pair.data = Some(id),
                        _ => {
                            let _ =
                                out.send(Out::Bytes(frame::rst_stream(id, frame::PROTOCOL_ERROR)));
                            continue;
                        }
                    }
                    let _ = out.send(Out::Reply(id));
                    if let (Some(error), Some(data)) = (pair.error, pair.data) {
                        pairs.remove(&request);
                        let (tx, rx) = mpsc::unbounded_channel();
                        inbound.insert(data, tx);
                        tokio::spawn(forward(
                            shared.clone(),
                            pod.clone(),
                            port,
                            error,
                            data,
                            rx,
                            out.clone(),
                        ));
                    }
                }
                RawFrame::Control { kind, payload, .. } if kind == PING && payload.len() == 4 => {
                    let id = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]);
                    let _ = out.send(Out::Bytes(frame::ping(id)));
                }
                RawFrame::Control { kind, .. } if kind == GOAWAY => return,
                RawFrame::Control { kind, payload, .. }
                    if kind == frame::RST_STREAM && payload.len() >= 4 =>
                {
                    let id = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]])
                        & 0x7fff_ffff;
                    if let Some(tx) = inbound.remove(&id) {
                        let _ = tx.send(None);
                    }
                }
                // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do.
                RawFrame::Control { .. } => {}
            }
        }
    }
}

/// The runtime's answer for a port nothing listens on (containerd
/// internal/cri/server/sandbox_portforward_linux.go, wrapped by the kubelet's
/// "error forwarding port %d to pod %s, uid %v: %v" with the sandbox id and no uid).
pub fn refused_message(pod: &Value, port: u16) -> String {
    let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
    let sandbox = hex::encode(sha2::Sha256::digest(uid.as_bytes()));
    let netns = format!(
        "{}-{}-{}-{}-{}",
        &sandbox[..8],
        &sandbox[8..12],
        &sandbox[12..16],
        &sandbox[16..20],
        &sandbox[20..32]
    );
    format!(
        "error forwarding port {port} to pod {sandbox}, uid : failed to execute portforward in network namespace \"/var/run/netns/cni-{netns}\": failed to connect to localhost:{port} inside namespace \"{sandbox}\", IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6 [::1]:{port}: connect: connection refused"
    )
}

/// Whether a running container of the pod declares `port`.
pub fn listens(pod: &Value, port: u16) -> bool {
    let running = |name: &Value| {
        pod["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| &s["name"] == name && s["state"]["running"].is_object())
    };
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| {
            running(&c["name"])
                && c["ports"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["containerPort"].as_i64() == Some(i64::from(port)))
        })
}

/// A complete HTTP/1.x request at the start of `buf`: its path and length in bytes, or
/// `Err(())` when the bytes are not HTTP.
fn request(buf: &[u8]) -> Option<Result<(String, usize), ()>> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let (Some(_method), Some(path), Some(proto)) = (first.next(), first.next(), first.next())
    else {
        return Some(Err(()));
    };
    if !proto.starts_with("HTTP/1.") || !path.starts_with('/') {
        return Some(Err(()));
    }
    let body = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    if buf.len() < end + body {
        return None;
    }
    Some(Ok((path.to_string(), end + body)))
}

/// Go net/http's answer to bytes that are not a request.
const BAD_REQUEST: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request";

async fn forward(
    shared: Arc<Shared>,
    pod: Arc<Value>,
    port: u16,
    error: u32,
    data: u32,
    mut rx: mpsc::UnboundedReceiver<Option<Vec<u8>>>,
    out: mpsc::UnboundedSender<Out>,
) {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let current = shared.store.get(res("", "pods"), ns, name);
    let pod = current.unwrap_or(pod);
    if !listens(&pod, port) {
        let msg = refused_message(&pod, port);
        let _ = out.send(Out::Bytes(frame::data(error, true, msg.as_bytes())));
        let _ = out.send(Out::Bytes(frame::data(data, true, &[])));
        return;
    }
    let mut buf = Vec::new();
    loop {
        match request(&buf) {
            Some(Ok((path, _))) => {
                let answer = http::get(&shared, &Peer::Pod((*pod).clone()), &path);
                let _ = out.send(Out::Bytes(frame::data(
                    data,
                    false,
                    &http::response_bytes(&answer),
                )));
                break;
            }
            Some(Err(())) => {
                let _ = out.send(Out::Bytes(frame::data(data, false, BAD_REQUEST)));
                break;
            }
            None => match rx.recv().await {
                Some(Some(chunk)) => buf.extend_from_slice(&chunk),
                _ => break,
            },
        }
    }
    // portForward's defers: the error stream closes, then the data stream.
    let _ = out.send(Out::Bytes(frame::data(error, true, &[])));
    let _ = out.send(Out::Bytes(frame::data(data, true, &[])));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_complete_once_head_and_body_arrived() {
        assert_eq!(request(b"GET /healthz HTTP/1.1\r\nHost: x"), None);
        assert_eq!(
            request(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
            Some(Ok(("/healthz".into(), 34)))
        );
        assert_eq!(
            request(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab"),
            None
        );
        assert_eq!(
            request(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"),
            Some(Ok(("/".into(), 41)))
        );
        assert_eq!(request(b"\x16\x03\x01 hello\r\n\r\n"), Some(Err(())));
    }
}
