//! A JSON object written as the protobuf message a schema (`schema.rs`) describes, the way
//! Go's generated marshallers write it: fields in field-number order, map entries by sorted
//! key (`serde_json`'s map is ordered), repeated scalars unpacked (proto2), `metav1.Time`
//! as `{seconds, nanos = 0}` (apimachinery `pkg/apis/meta/v1/time_proto.go` drops nanos),
//! `IntOrString` with all three fields (`pkg/util/intstr/generated.pb.go`), and the fields
//! of an embedded Go struct (`inline`, e.g. `Probe.handler`) taken from the parent object.
//!
//! Absent and `null` JSON values are not written (Go reads a missing field as its zero
//! value, which is what `null` stands for). JSON keys the schema does not know are skipped,
//! as the real server never stores them; `tests/sim_protobuf.rs` checks that every field
//! of the sim's pods reaches the wire.

use serde_json::{Map, Value};

use super::schema_types::{Kind, Message};
use super::writer::{bytes_field, message_field, varint_field};

/// Appends the fields of `obj` as message `msg`.
pub fn encode(buf: &mut Vec<u8>, msg: &Message, obj: &Map<String, Value>) {
    for f in msg.fields {
        if f.inline {
            // Go writes an embedded struct always (it is not a pointer).
            if let Kind::Message(m) = f.kind {
                message_field(buf, f.number, |b| encode(b, m, obj));
            }
            continue;
        }
        let Some(v) = obj.get(f.json) else { continue };
        match (f.repeated, v) {
            (_, Value::Null) => {}
            (true, Value::Array(items)) => {
                for item in items {
                    value(buf, f.number, &f.kind, item);
                }
            }
            (true, _) => {}
            (false, v) => value(buf, f.number, &f.kind, v),
        }
    }
}

/// An integer as JSON may hold it: a number, or (rarely) a float with no fraction.
fn int_of(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_u64().map(|u| u as i64))
        .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
}

/// Seconds since the epoch of an RFC 3339 time.
pub fn seconds_of(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp())
}

/// One value of a field; values of the wrong JSON type are not written.
fn value(buf: &mut Vec<u8>, number: u32, kind: &Kind, v: &Value) {
    match kind {
        Kind::String => {
            if let Some(s) = v.as_str() {
                bytes_field(buf, number, s.as_bytes());
            }
        }
        Kind::Int32 | Kind::Int64 => {
            if let Some(i) = int_of(v) {
                varint_field(buf, number, i as u64);
            }
        }
        Kind::Bool => {
            if let Some(b) = v.as_bool() {
                varint_field(buf, number, u64::from(b));
            }
        }
        Kind::Message(m) => {
            if let Some(o) = v.as_object() {
                message_field(buf, number, |b| encode(b, m, o));
            }
        }
        Kind::Map(val) => {
            let Some(o) = v.as_object() else { return };
            for (k, item) in o {
                message_field(buf, number, |b| {
                    bytes_field(b, 1, k.as_bytes());
                    value(b, 2, val, item);
                });
            }
        }
        Kind::Time => {
            if let Some(secs) = v.as_str().and_then(seconds_of) {
                message_field(buf, number, |b| {
                    varint_field(b, 1, secs as u64);
                    varint_field(b, 2, 0);
                });
            }
        }
        Kind::Quantity => {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return,
            };
            message_field(buf, number, |b| bytes_field(b, 1, s.as_bytes()));
        }
        Kind::IntOrString => match v {
            Value::String(s) => message_field(buf, number, |b| {
                varint_field(b, 1, 1);
                varint_field(b, 2, 0);
                bytes_field(b, 3, s.as_bytes());
            }),
            other => {
                if let Some(i) = int_of(other) {
                    message_field(buf, number, |b| {
                        varint_field(b, 1, 0);
                        varint_field(b, 2, i as u64);
                        bytes_field(b, 3, b"");
                    });
                }
            }
        },
        Kind::FieldsV1 => {
            let raw = serde_json::to_vec(v).unwrap_or_default();
            message_field(buf, number, |b| bytes_field(b, 1, &raw));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::protobuf::schema::META_OBJECT_META;
    use serde_json::json;

    #[test]
    fn object_meta_in_field_order_with_sorted_map_entries() {
        let meta = json!({"labels": {"b": "2", "a": "1"}, "name": "web", "creationTimestamp": "1970-01-01T00:01:40Z", "generation": 3, "uid": null});
        let mut buf = Vec::new();
        encode(
            &mut buf,
            &META_OBJECT_META,
            meta.as_object().expect("object"),
        );
        let expected = [
            &[0x0a, 3][..],
            b"web",
            &[0x38, 3],
            &[0x42, 4, 0x08, 100, 0x10, 0],
            &[0x5a, 6, 0x0a, 1, b'a', 0x12, 1, b'1'],
            &[0x5a, 6, 0x0a, 1, b'b', 0x12, 1, b'2'],
        ]
        .concat();
        assert_eq!(buf, expected);
    }

    /// `Probe {handler = 1 ProbeHandler {httpGet = 2 {port = 2 IntOrString}}, periodSeconds
    /// = 4}`: the handler's fields sit in the probe's JSON object.
    #[test]
    fn embedded_handler_and_int_or_string() {
        use crate::sim::protobuf::schema::PROBE;
        let probe = json!({"httpGet": {"port": "http"}, "periodSeconds": 10});
        let mut buf = Vec::new();
        encode(&mut buf, &PROBE, probe.as_object().expect("object"));
        let port = [&[0x08, 1, 0x10, 0, 0x1a, 4][..], b"http"].concat();
        let http_get = [&[0x12, port.len() as u8][..], &port].concat();
        let handler = [&[0x12, http_get.len() as u8][..], &http_get].concat();
        let expected = [&[0x0a, handler.len() as u8][..], &handler, &[0x20, 10]].concat();
        assert_eq!(buf, expected);
    }
}
