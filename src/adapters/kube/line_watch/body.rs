//! One watch response body read as `WatchEvent`s: chunks framed by [`LineBuf`], each line
//! decoded by [`decode_watch_line`] where it lies (in the chunk, or in the buffer when split). What kube-client's `request_events`
//! (kube-client 5.0.0, `src/client/mod.rs`) makes of a body, item for item:
//!
//! - a line that is not a watch event: skipped when the JSON ends early (serde's `is_eof`:
//!   an empty line, a truncated final line), a `Status` object as `Error::Api`, anything
//!   else as `Error::SerdeError`; a line that is not UTF-8 as `Error::ReadEvents` and the
//!   end of the stream (`LinesCodec`'s error ends tokio-util's `FramedRead`);
//! - a body that fails with an unexpected EOF (the TLS stack's `UnexpectedEof` anywhere in
//!   the error's chain, or hyper's "unexpected EOF during chunk") ends the stream quietly so
//!   that the watch is resumed; any other body error is one `Error::ReadEvents`, then the
//!   end;
//! - at the clean end of the body, what follows the last newline is one more line.
//!
//! A line is classified only after the decoder rejected it: the bytes as the decoder left
//! them are parsed again by `serde_json` (kube's decoder) to tell the cases apart. One
//! difference remains: kube checks every line for UTF-8 first, this reads a line whose
//! invalid UTF-8 sits in a field the slim decoder skips as a good line (an API server
//! never sends one: Go's `encoding/json` writes U+FFFD for invalid UTF-8).

use std::marker::PhantomData;
use std::pin::Pin;

use hyper::body::{Body, Bytes};
use kube::api::WatchEvent;
use kube::core::Status;
use serde::de::DeserializeOwned;

use super::lines::LineBuf;
use crate::adapters::kube::watch_line::{WatchLineError, decode_watch_line};

/// A watch response body as a stream of watch events of `K`.
pub struct WatchBody<B, K> {
    body: B,
    lines: LineBuf,
    /// The body has ended (or failed): only the rest of the buffer is left.
    ended: bool,
    /// Nothing more will come.
    done: bool,
    kind: PhantomData<fn() -> K>,
}

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

/// A line the decoder rejected, told apart as kube-client tells it: `None` to skip it.
fn classify<K: DeserializeOwned>(
    line: &[u8],
    rejected: WatchLineError,
) -> Option<Result<WatchEvent<K>, kube::Error>> {
    match serde_json::from_slice::<WatchEvent<K>>(line) {
        Err(e) if e.is_eof() => None,
        Err(e) => match serde_json::from_slice::<Status>(line) {
            Ok(status) => Some(Err(kube::Error::Api(status.boxed()))),
            Err(_) => Some(Err(kube::Error::SerdeError(e))),
        },
        // The decoder and serde_json disagree: the decoder's verdict stands.
        Ok(_) => Some(Err(kube::Error::SerdeError(serde::de::Error::custom(
            rejected,
        )))),
    }
}

impl<B, K> WatchBody<B, K>
where
    B: Body<Data = Bytes, Error = kube::Error> + Unpin,
    K: DeserializeOwned,
{
    pub fn new(body: B) -> Self {
        Self {
            body,
            lines: LineBuf::default(),
            ended: false,
            done: false,
            kind: PhantomData,
        }
    }

    /// One line decoded: `None` to skip it.
    fn decode(&mut self, last: bool) -> Option<Option<Result<WatchEvent<K>, kube::Error>>> {
        let line = if last {
            self.lines.take_rest()?
        } else {
            self.lines.next_line()?
        };
        Some(match decode_watch_line::<K>(line) {
            Ok(event) => Some(Ok(event)),
            Err(rejected) => {
                if std::str::from_utf8(line).is_err() {
                    self.done = true;
                    Some(Err(kube::Error::ReadEvents(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "stream did not contain valid UTF-8",
                    ))))
                } else {
                    classify(line, rejected)
                }
            }
        })
    }

    /// The next watch event, or an error; `None` once the body is over.
    pub async fn next(&mut self) -> Option<Result<WatchEvent<K>, kube::Error>> {
        loop {
            if self.done {
                return None;
            }
            match self.decode(self.ended) {
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
                        self.lines.push(data);
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
