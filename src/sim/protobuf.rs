//! Just enough of the Kubernetes protobuf encoding to read the request bodies kubectl's
//! typed clients send as `application/vnd.kubernetes.protobuf` (`kubectl auth can-i`).
//! Responses are always JSON, which client-go accepts whatever it asked for.

use serde_json::{Value, json};

/// Content type of protobuf request bodies.
pub const CONTENT_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// A protobuf body that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtoError {
    #[error("protobuf body is truncated or malformed")]
    Malformed,
    #[error("protobuf body lacks the k8s envelope")]
    NoEnvelope,
    #[error(
        "protobuf request bodies are only understood for SelfSubjectAccessReview and SelfSubjectRulesReview (got {0}); send JSON"
    )]
    Unsupported(String),
}

/// One decoded field: bytes, or a scalar this decoder skips.
enum Field<'a> {
    Bytes(&'a [u8]),
    Scalar,
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, ProtoError> {
    let mut out = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos).ok_or(ProtoError::Malformed)?;
        *pos += 1;
        out |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(out);
        }
    }
    Err(ProtoError::Malformed)
}

fn fields(buf: &[u8]) -> Result<Vec<(u64, Field<'_>)>, ProtoError> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < buf.len() {
        let tag = varint(buf, &mut pos)?;
        let (num, wire) = (tag >> 3, tag & 7);
        let f = match wire {
            0 => {
                varint(buf, &mut pos)?;
                Field::Scalar
            }
            1 => {
                pos = pos
                    .checked_add(8)
                    .filter(|p| *p <= buf.len())
                    .ok_or(ProtoError::Malformed)?;
                Field::Scalar
            }
            2 => {
                let len =
                    usize::try_from(varint(buf, &mut pos)?).map_err(|_| ProtoError::Malformed)?;
                let end = pos
                    .checked_add(len)
                    .filter(|e| *e <= buf.len())
                    .ok_or(ProtoError::Malformed)?;
                let b = &buf[pos..end];
                pos = end;
                Field::Bytes(b)
            }
            5 => {
                pos = pos
                    .checked_add(4)
                    .filter(|p| *p <= buf.len())
                    .ok_or(ProtoError::Malformed)?;
                Field::Scalar
            }
            _ => return Err(ProtoError::Malformed),
        };
        out.push((num, f));
    }
    Ok(out)
}

fn string_fields(buf: &[u8], names: &[(u64, &str)]) -> Result<Value, ProtoError> {
    let mut out = serde_json::Map::new();
    for (num, f) in fields(buf)? {
        if let (Some((_, name)), Field::Bytes(b)) = (names.iter().find(|(n, _)| *n == num), f) {
            out.insert((*name).into(), json!(String::from_utf8_lossy(b)));
        }
    }
    Ok(Value::Object(out))
}

fn message(buf: &[u8], num: u64) -> Result<Option<&[u8]>, ProtoError> {
    Ok(fields(buf)?.into_iter().find_map(|(n, f)| match f {
        Field::Bytes(b) if n == num => Some(b),
        _ => None,
    }))
}

/// Decodes a protobuf request body into the JSON object it stands for.
pub fn decode(body: &[u8]) -> Result<Value, ProtoError> {
    let inner = body.strip_prefix(b"k8s\0").ok_or(ProtoError::NoEnvelope)?;
    // runtime.Unknown { typeMeta = 1, raw = 2 }
    let type_meta = message(inner, 1)?.unwrap_or_default();
    let tm = string_fields(type_meta, &[(1, "apiVersion"), (2, "kind")])?;
    let raw = message(inner, 2)?.unwrap_or_default();
    let kind = tm["kind"].as_str().unwrap_or_default().to_string();
    let api_version = tm["apiVersion"].as_str().unwrap_or_default().to_string();
    match kind.as_str() {
        "SelfSubjectAccessReview" => {
            let spec = message(raw, 2)?.unwrap_or_default();
            let mut s = serde_json::Map::new();
            if let Some(ra) = message(spec, 1)? {
                s.insert(
                    "resourceAttributes".into(),
                    string_fields(
                        ra,
                        &[
                            (1, "namespace"),
                            (2, "verb"),
                            (3, "group"),
                            (4, "version"),
                            (5, "resource"),
                            (6, "subresource"),
                            (7, "name"),
                        ],
                    )?,
                );
            }
            if let Some(nra) = message(spec, 2)? {
                s.insert(
                    "nonResourceAttributes".into(),
                    string_fields(nra, &[(1, "path"), (2, "verb")])?,
                );
            }
            Ok(json!({"kind": kind, "apiVersion": api_version, "metadata": {}, "spec": s}))
        }
        "SelfSubjectRulesReview" => {
            let spec = message(raw, 2)?.unwrap_or_default();
            Ok(
                json!({"kind": kind, "apiVersion": api_version, "metadata": {},
                      "spec": string_fields(spec, &[(1, "namespace")])?}),
            )
        }
        other => Err(ProtoError::Unsupported(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(num: u64, b: &[u8]) -> Vec<u8> {
        let mut v = vec![((num << 3) | 2) as u8, b.len() as u8];
        v.extend_from_slice(b);
        v
    }

    #[test]
    fn decodes_an_access_review() {
        let ra = [ld(1, b"default"), ld(2, b"delete"), ld(5, b"pods")].concat();
        let spec = ld(1, &ra);
        let raw = ld(2, &spec);
        let tm = [
            ld(1, b"authorization.k8s.io/v1"),
            ld(2, b"SelfSubjectAccessReview"),
        ]
        .concat();
        let body = [b"k8s\0".to_vec(), ld(1, &tm), ld(2, &raw)].concat();
        let v = decode(&body).expect("decode");
        assert_eq!(v["spec"]["resourceAttributes"]["verb"], "delete");
        assert_eq!(v["spec"]["resourceAttributes"]["resource"], "pods");
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert_eq!(decode(b"nope"), Err(ProtoError::NoEnvelope));
        assert!(decode(b"k8s\0\x0a\xff\xff\xff").is_err());
        let tm = [ld(2, b"Deployment")].concat();
        let body = [b"k8s\0".to_vec(), ld(1, &tm)].concat();
        assert!(matches!(decode(&body), Err(ProtoError::Unsupported(_))));
    }
}
