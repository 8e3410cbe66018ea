//! `kubectl port-forward` (`GET …/pods/NAME/portforward`). kubectl 1.32 first upgrades to
//! a WebSocket with the subprotocol `SPDY/3.1+portforward.k8s.io` and runs SPDY/3.1 through
//! its binary messages (client-go tools/portforward `tunneling_dialer.go`,
//! `tunneling_connection.go`; apimachinery pkg/util/portforward `constants.go`); the
//! simulator accepts that upgrade, and the plain SPDY/3.1 upgrade older clients and
//! kubectl with `KUBECTL_PORT_FORWARD_WEBSOCKETS=false` send (`plain.rs`). The SPDY side
//! is the kubelet's (`session.rs`), the framing spdystream's (`frame.rs`).

pub mod dictionary;
pub mod frame;
pub mod plain;
pub mod session;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc;

use super::Shared;
use super::status::ApiError;

/// `WebsocketsSPDYTunnelingPortForwardV1`.
pub const TUNNELED_PROTOCOL: &str = "SPDY/3.1+portforward.k8s.io";

/// The port-forward protocol over plain SPDY (`PortForwardProtocolV1Name`).
pub const PLAIN_PROTOCOL: &str = "portforward.k8s.io";

/// Upgrades a port-forward request of `pod` (already authorized) to SPDY: plain
/// (`Upgrade: SPDY/3.1`, `plain.rs`) or tunnelled through a WebSocket; a request with
/// neither gets 400 "Upgrade request required".
pub async fn upgrade(
    shared: Arc<Shared>,
    pod: Arc<Value>,
    mut parts: Parts,
) -> Result<Response, ApiError> {
    if plain::is_spdy(&parts.headers) {
        return plain::upgrade(&mut parts, PLAIN_PROTOCOL, move |input, out| {
            session::serve(shared, pod, input, out)
        });
    }
    let ws = WebSocketUpgrade::from_request_parts(&mut parts, &shared)
        .await
        .map_err(|_| ApiError::BadRequest("Upgrade request required".into()))?;
    Ok(ws
        .protocols([TUNNELED_PROTOCOL])
        .on_upgrade(move |socket| tunnel(shared, pod, socket))
        .into_response())
}

/// Carries SPDY through the WebSocket: every binary message in is connection bytes,
/// every frame out is one binary message; a normal close at the end.
async fn tunnel(shared: Arc<Shared>, pod: Arc<Value>, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (in_tx, in_rx) = mpsc::channel::<Vec<u8>>(64);
    let (out_tx, mut out_rx) = mpsc::unbounded_channel();
    let session = tokio::spawn(session::serve(shared, pod, in_rx, out_tx));
    let writer = tokio::spawn(async move {
        let mut w = session::Writer::default();
        while let Some(o) = out_rx.recv().await {
            let Ok(bytes) = w.bytes(o) else { break };
            if sink.send(Message::Binary(bytes.into())).await.is_err() {
                return;
            }
        }
        let _ = sink
            .send(Message::Close(Some(CloseFrame {
                code: 1000,
                reason: "".into(),
            })))
            .await;
    });
    while let Some(Ok(msg)) = stream.next().await {
        match msg {
            Message::Binary(b) if in_tx.send(b.to_vec()).await.is_err() => break,
            Message::Close(_) => break,
            _ => {}
        }
    }
    drop(in_tx);
    let _ = session.await;
    let _ = writer.await;
}
