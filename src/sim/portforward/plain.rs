//! Plain SPDY/3.1 upgrades, without the WebSocket tunnel: what client-go's SPDY dialer
//! sends (apimachinery pkg/util/httpstream/spdy `roundtripper.go`: `Connection: Upgrade`,
//! `Upgrade: SPDY/3.1`, one `X-Stream-Protocol-Version` per protocol it speaks) and
//! kubectl 1.32 uses with `KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false` /
//! `KUBECTL_PORT_FORWARD_WEBSOCKETS=false`. The answer is `101 Switching Protocols`
//! with the protocol chosen (apimachinery pkg/util/httpstream `httpstream.go`,
//! `Handshake`: the first the client lists that the server supports); then the raw
//! connection carries SPDY frames both ways.

use std::future::Future;

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use super::session::{Out, Writer};
use crate::sim::status::ApiError;

/// `X-Stream-Protocol-Version`.
pub const PROTOCOL_HEADER: &str = "x-stream-protocol-version";

/// Whether the request asks for a plain SPDY/3.1 upgrade.
pub fn is_spdy(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("SPDY/3.1"))
}

/// The protocol both sides speak: the first of the client's (headers may repeat or list
/// several separated by commas) that `supported` has.
pub fn negotiate(headers: &HeaderMap, supported: &[&'static str]) -> Option<&'static str> {
    headers
        .get_all(PROTOCOL_HEADER)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find_map(|p| supported.iter().find(|s| **s == p).copied())
}

/// Answers the upgrade with `protocol` and runs `serve` on the connection: `serve` gets
/// the client's bytes and sends [`Out`]s; the connection closes when it returns.
pub fn upgrade<F, Fut>(parts: &mut Parts, protocol: &str, serve: F) -> Result<Response, ApiError>
where
    F: FnOnce(mpsc::Receiver<Vec<u8>>, mpsc::UnboundedSender<Out>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let on_upgrade = parts
        .extensions
        .remove::<hyper::upgrade::OnUpgrade>()
        .ok_or_else(|| ApiError::BadRequest("Upgrade request required".into()))?;
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let (mut rd, mut wr) = tokio::io::split(hyper_util::rt::TokioIo::new(upgraded));
        let (in_tx, in_rx) = mpsc::channel::<Vec<u8>>(64);
        let (out_tx, mut out_rx) = mpsc::unbounded_channel();
        let session = tokio::spawn(serve(in_rx, out_tx));
        let writer = tokio::spawn(async move {
            let mut w = Writer::default();
            while let Some(o) = out_rx.recv().await {
                let Ok(bytes) = w.bytes(o) else { break };
                if wr.write_all(&bytes).await.is_err() || wr.flush().await.is_err() {
                    return;
                }
            }
            let _ = wr.shutdown().await;
        });
        let mut buf = vec![0u8; 16 * 1024];
        let mut writer = writer;
        loop {
            tokio::select! {
                n = rd.read(&mut buf) => match n {
                    Ok(0) | Err(_) => break,
                    Ok(n) => if in_tx.send(buf[..n].to_vec()).await.is_err() { break },
                },
                _ = &mut writer => return,
            }
        }
        drop(in_tx);
        let _ = session.await;
        let _ = writer.await;
    });
    let mut res = Response::new(Body::empty());
    *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = res.headers_mut();
    h.insert(
        header::CONNECTION,
        header::HeaderValue::from_static("Upgrade"),
    );
    h.insert(
        header::UPGRADE,
        header::HeaderValue::from_static("SPDY/3.1"),
    );
    if let Ok(v) = header::HeaderValue::from_str(protocol) {
        h.insert(PROTOCOL_HEADER, v);
    }
    Ok(res)
}
