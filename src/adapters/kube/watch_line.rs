//! One line of a watch stream (`{"type":"MODIFIED","object":{…}}`) decoded into kube's
//! `WatchEvent` of a slim type ([`super::watched_pod::WatchedPod`], …). The one place a
//! watch line's bytes become an event, so that the framing of the stream and the decoder
//! can change apart.

use kube::api::WatchEvent;
use serde::de::DeserializeOwned;

/// A watch line that is not a watch event of the expected type.
#[derive(Debug, thiserror::Error)]
#[error("undecodable watch line: {0}")]
pub struct WatchLineError(String);

/// Decodes one watch line (without its newline).
///
/// The line is checked to be UTF-8 once, as a whole, then decoded as a `str` (as
/// kube-client decodes its `String` lines): serde_json's `from_slice` checks every string
/// of the object separately, which cost a quarter more instructions per pod line
/// (`benches/watch_decode.rs`, docs/performance.md "decode11").
pub fn decode_watch_line<K: DeserializeOwned>(
    line: &[u8],
) -> Result<WatchEvent<K>, WatchLineError> {
    let text = std::str::from_utf8(line).map_err(|e| WatchLineError(e.to_string()))?;
    serde_json::from_str(text).map_err(|e| WatchLineError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::kube::watched_pod::WatchedPod;

    #[test]
    fn a_pod_line_decodes_and_garbage_is_an_error() {
        let line = br#"{"type":"DELETED","object":{"metadata":{"name":"web-1","namespace":"shop","resourceVersion":"7"}}}"#.to_vec();
        match decode_watch_line::<WatchedPod>(&line) {
            Ok(WatchEvent::Deleted(p)) => assert_eq!(p.row.name, "web-1"),
            other => panic!("unexpected {other:?}"),
        }
        let err = decode_watch_line::<WatchedPod>(b"{\"type\":").unwrap_err();
        assert!(
            err.to_string().starts_with("undecodable watch line: "),
            "{err}"
        );
        // Not UTF-8 (a byte of a cut multi-byte character in a name): an error, not a
        // panic, as `from_slice` gave.
        let line =
            b"{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"web-\xc3\"}}}".to_vec();
        let err = decode_watch_line::<WatchedPod>(&line).unwrap_err();
        assert!(
            err.to_string().starts_with("undecodable watch line: "),
            "{err}"
        );
    }
}
