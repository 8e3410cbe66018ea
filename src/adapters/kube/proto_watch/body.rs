//! One watch response body read as pod `WatchEvent`s, framed and decoded by its
//! `Content-Type`:
//!
//! - `application/vnd.kubernetes.protobuf;stream=watch`: length-delimited frames
//!   ([`FrameBuf`]), each a `metav1.WatchEvent` read by `proto_envelope::watch_event`;
//!   a frame that does not decode is one `Error::SerdeError` and the stream goes on (the
//!   next frame's length is intact); a frame longer than 16 MiB loses the framing: one
//!   `Error::ReadEvents`, then the end;
//! - `application/json` (a server or proxy that does not speak protobuf): lines
//!   ([`LineBuf`]), each decoded as kube-client's `request_events` decodes it
//!   (kube-client 5.0.0, `src/client/mod.rs`), item for item: a line that is not a watch
//!   event is skipped when the JSON ends early (serde's `is_eof`: an empty line, a
//!   truncated final line), a `Status` object is `Error::Api`, anything else
//!   `Error::SerdeError`; a line that is not UTF-8 is `Error::ReadEvents` and the end.
//!
//! For both: a body that fails with an unexpected EOF (the TLS stack's `UnexpectedEof`
//! anywhere in the error's chain, or hyper's "unexpected EOF during chunk") ends the
//! stream quietly so that the watch is resumed; any other body error is one
//! `Error::ReadEvents`, then the end. At the clean end of a JSON body what follows the
//! last newline is one more line; at the end of a protobuf body an unfinished frame is
//! dropped (client-go's frame reader reports `io.ErrUnexpectedEOF` and its watcher
//! stops; the watch is resumed either way).

use std::pin::Pin;

use hyper::body::{Body, Bytes};
use kube::api::WatchEvent;
use kube::core::Status;

use super::frames::FrameBuf;
use super::lines::LineBuf;
use crate::adapters::kube::proto_envelope;
use crate::adapters::kube::watched_pod::WatchedPod;

/// How the body is cut into events.
#[derive(Debug)]
enum Framing {
    Lines(LineBuf),
    Frames(FrameBuf),
}

/// A watch response body as a stream of pod watch events.
pub struct WatchBody<B> {
    body: B,
    framing: Framing,
    /// The body has ended (or failed): only the rest of the buffer is left.
    ended: bool,
    /// Nothing more will come.
    done: bool,
}

type Item = Result<WatchEvent<WatchedPod>, kube::Error>;

/// What the HTTP/TLS stack reports when the connection ends in the middle of a body
/// (kube-client's `error_chain_contains_unexpected_eof` and its "unexpected EOF during
/// chunk" text check).
fn is_unexpected_eof(e: &kube::Error) -> bool {
    if e.to_string().contains("unexpected EOF during chunk") {
        return true;
    }
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    for _ in 0..16 {
        let Some(err) = current else {
            return false;
        };
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::UnexpectedEof
        {
            return true;
        }
        current = err.source();
    }
    false
}

fn serde_error(e: impl std::fmt::Display) -> kube::Error {
    kube::Error::SerdeError(serde::de::Error::custom(e))
}

/// One JSON watch line, as kube-client decodes it: `None` to skip it, `Err(())` when the
/// line is not UTF-8 (the end of the stream).
fn json_line(line: &[u8]) -> Result<Option<Item>, ()> {
    let Ok(text) = std::str::from_utf8(line) else {
        return Err(());
    };
    Ok(match serde_json::from_str::<WatchEvent<WatchedPod>>(text) {
        Ok(event) => Some(Ok(event)),
        Err(e) if e.is_eof() => None,
        Err(e) => match serde_json::from_str::<Status>(text) {
            Ok(status) => Some(Err(kube::Error::Api(status.boxed()))),
            Err(_) => Some(Err(kube::Error::SerdeError(e))),
        },
    })
}

impl<B> WatchBody<B>
where
    B: Body<Data = Bytes, Error = kube::Error> + Unpin,
{
    /// A JSON watch body (one event per line).
    pub fn json(body: B) -> Self {
        Self::new(body, Framing::Lines(LineBuf::default()))
    }

    /// A protobuf watch body (one length-delimited `WatchEvent` per frame).
    pub fn protobuf(body: B) -> Self {
        Self::new(body, Framing::Frames(FrameBuf::default()))
    }

    fn new(body: B, framing: Framing) -> Self {
        Self {
            body,
            framing,
            ended: false,
            done: false,
        }
    }

    /// One event out of the buffer: `None` when nothing complete is buffered, `Some(None)`
    /// for a skipped line.
    fn decode(&mut self) -> Option<Option<Item>> {
        match &mut self.framing {
            Framing::Lines(lines) => {
                let line = if self.ended {
                    lines.take_rest()?
                } else {
                    lines.next_line()?
                };
                Some(json_line(line).unwrap_or_else(|()| {
                    self.done = true;
                    Some(Err(kube::Error::ReadEvents(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "stream did not contain valid UTF-8",
                    ))))
                }))
            }
            Framing::Frames(frames) => match frames.next_frame() {
                Ok(Some(frame)) => Some(Some(
                    proto_envelope::watch_event(frame).map_err(serde_error),
                )),
                Ok(None) => {
                    if self.ended && frames.pending() > 0 {
                        tracing::debug!(
                            "protobuf watch body ended inside a frame ({} bytes)",
                            frames.pending()
                        );
                    }
                    None
                }
                Err(too_large) => {
                    self.done = true;
                    Some(Some(Err(kube::Error::ReadEvents(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        too_large,
                    )))))
                }
            },
        }
    }

    fn push(&mut self, data: Bytes) {
        match &mut self.framing {
            Framing::Lines(lines) => lines.push(data),
            Framing::Frames(frames) => frames.push(data),
        }
    }

    /// The next watch event, or an error; `None` once the body is over.
    pub async fn next(&mut self) -> Option<Item> {
        loop {
            if self.done {
                return None;
            }
            match self.decode() {
                Some(Some(item)) => return Some(item),
                Some(None) => continue,
                None if self.ended => {
                    self.done = true;
                    return None;
                }
                None => {}
            }
            let frame = std::future::poll_fn(|cx| Pin::new(&mut self.body).poll_frame(cx)).await;
            match frame {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.push(data);
                    }
                }
                None => self.ended = true,
                Some(Err(e)) => {
                    self.done = true;
                    if is_unexpected_eof(&e) {
                        tracing::warn!("eof in poll: {e:?}");
                        return None;
                    }
                    return Some(Err(kube::Error::ReadEvents(std::io::Error::other(e))));
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "body_tests.rs"]
mod tests;
