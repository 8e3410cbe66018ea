//! The envelopes around a protobuf-encoded object, as kube-apiserver writes them.
//!
//! - A response body (and the object inside a watch event) is the magic `k8s\0` followed by
//!   a `runtime.Unknown {typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding
//!   = 3, contentType = 4}` whose `raw` is the object's message (k8s.io/apimachinery
//!   `pkg/runtime/serializer/protobuf/protobuf.go`: `protoEncodingPrefix`, `doEncode`;
//!   `pkg/runtime/generated.proto`; `Unknown.MarshalToSizedBuffer` in
//!   `pkg/runtime/generated.pb.go` always writes the two empty strings).
//! - A watch stream is a series of frames, each a 4-byte big-endian length then a
//!   `metav1.WatchEvent {type = 1, object = 2 RawExtension {raw = 1}}` written raw, without
//!   magic or envelope (`RawSerializer` and `LengthDelimitedFramer` in `protobuf.go`,
//!   `pkg/util/framer/framer.go`); the event's `raw` is the object with magic and envelope
//!   (k8s.io/apiserver `pkg/endpoints/handlers/response.go`: `watchEncoder.doEncode` runs
//!   the embedded, enveloping encoder into `RawExtension.Raw`).

use super::writer::{bytes_field, message_field};

/// The four bytes every protobuf body starts with.
pub const MAGIC: &[u8; 4] = b"k8s\0";

/// `MAGIC` + `runtime.Unknown` around the message `raw` appends.
pub fn unknown(api_version: &str, kind: &str, raw: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut buf = Vec::with_capacity(2048);
    buf.extend_from_slice(MAGIC);
    message_field(&mut buf, 1, |b| {
        bytes_field(b, 1, api_version.as_bytes());
        bytes_field(b, 2, kind.as_bytes());
    });
    message_field(&mut buf, 2, raw);
    bytes_field(&mut buf, 3, b"");
    bytes_field(&mut buf, 4, b"");
    buf
}

/// One length-prefixed watch frame: `WatchEvent {type, object: {raw: embedded}}`.
pub fn watch_frame(event_type: &str, embedded: &[u8]) -> Vec<u8> {
    let mut event = Vec::with_capacity(embedded.len() + 32);
    bytes_field(&mut event, 1, event_type.as_bytes());
    message_field(&mut event, 2, |b| bytes_field(b, 1, embedded));
    let mut out = Vec::with_capacity(event.len() + 4);
    out.extend_from_slice(&(event.len() as u32).to_be_bytes());
    out.extend_from_slice(&event);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_envelope_bytes() {
        let body = unknown("v1", "Pod", |b| bytes_field(b, 1, b""));
        let expected = [
            &b"k8s\0"[..],
            &[0x0a, 9, 0x0a, 2, b'v', b'1', 0x12, 3, b'P', b'o', b'd'],
            &[0x12, 2, 0x0a, 0],
            &[0x1a, 0, 0x22, 0],
        ]
        .concat();
        assert_eq!(body, expected);
    }

    #[test]
    fn watch_frame_is_length_prefixed() {
        let f = watch_frame("ADDED", b"k8s\0");
        assert_eq!(&f[..4], &[0, 0, 0, 15]);
        assert_eq!(&f[4..11], &[0x0a, 5, b'A', b'D', b'D', b'E', b'D']);
        assert_eq!(&f[11..], &[0x12, 6, 0x0a, 4, b'k', b'8', b's', 0]);
    }
}
