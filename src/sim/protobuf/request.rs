//! Just enough of the Kubernetes protobuf encoding to read the request bodies kubectl's
//! typed clients send as `application/vnd.kubernetes.protobuf`: `kubectl auth can-i`
//! (access and rules reviews) and `kubectl create namespace|configmap|deployment` (the
//! fields those commands set: metadata name, namespace, labels, annotations; config map
//! data; deployment replicas, selector, template labels and containers with name, image,
//! command, args, ports and env).
//! Responses are JSON (which client-go accepts whatever it asked for), except pods, which
//! are served in protobuf to clients that ask for it (`super::objects`).

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
        "protobuf request bodies are only understood for SelfSubjectAccessReview, SelfSubjectRulesReview, Namespace, ConfigMap, Secret, Deployment and Pod (got {0}); send JSON"
    )]
    Unsupported(String),
}

/// One decoded field: bytes, or a scalar this decoder skips.
enum Field<'a> {
    Bytes(&'a [u8]),
    Varint(u64),
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

/// Where `len` bytes from `pos` end, when `buf` holds them.
fn end_of(buf: &[u8], pos: usize, len: usize) -> Result<usize, ProtoError> {
    pos.checked_add(len)
        .filter(|e| *e <= buf.len())
        .ok_or(ProtoError::Malformed)
}

fn fields(buf: &[u8]) -> Result<Vec<(u64, Field<'_>)>, ProtoError> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < buf.len() {
        let tag = varint(buf, &mut pos)?;
        let (num, wire) = (tag >> 3, tag & 7);
        let f = match wire {
            0 => Field::Varint(varint(buf, &mut pos)?),
            1 => {
                pos = end_of(buf, pos, 8)?;
                Field::Scalar
            }
            2 => {
                let len =
                    usize::try_from(varint(buf, &mut pos)?).map_err(|_| ProtoError::Malformed)?;
                let end = end_of(buf, pos, len)?;
                let b = &buf[pos..end];
                pos = end;
                Field::Bytes(b)
            }
            5 => {
                pos = end_of(buf, pos, 4)?;
                Field::Scalar
            }
            _ => return Err(ProtoError::Malformed),
        };
        out.push((num, f));
    }
    Ok(out)
}

/// The named string fields; empty strings (which Go's encoder writes for unset fields)
/// are left out, as JSON's `omitempty` would.
fn string_fields(buf: &[u8], names: &[(u64, &str)]) -> Result<Value, ProtoError> {
    let mut out = serde_json::Map::new();
    for (num, f) in fields(buf)? {
        if let (Some((_, name)), Field::Bytes(b)) = (names.iter().find(|(n, _)| *n == num), f)
            && !b.is_empty()
        {
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

fn str_of(b: &[u8]) -> Value {
    json!(String::from_utf8_lossy(b))
}

/// All length-delimited occurrences of field `num`.
fn repeated(buf: &[u8], num: u64) -> Result<Vec<&[u8]>, ProtoError> {
    Ok(fields(buf)?
        .into_iter()
        .filter_map(|(n, f)| match f {
            Field::Bytes(b) if n == num => Some(b),
            _ => None,
        })
        .collect())
}

/// A varint field (last occurrence wins).
fn int(buf: &[u8], num: u64) -> Result<Option<u64>, ProtoError> {
    Ok(fields(buf)?.into_iter().rev().find_map(|(n, f)| match f {
        Field::Varint(v) if n == num => Some(v),
        _ => None,
    }))
}

/// A `map<string, string>` field (entries `{1: key, 2: value}`).
fn string_map(buf: &[u8], num: u64) -> Result<Option<Value>, ProtoError> {
    let entries = repeated(buf, num)?;
    if entries.is_empty() {
        return Ok(None);
    }
    let mut m = serde_json::Map::new();
    for e in entries {
        let k = message(e, 1)?.unwrap_or_default();
        let v = message(e, 2)?.unwrap_or_default();
        m.insert(String::from_utf8_lossy(k).into_owned(), str_of(v));
    }
    Ok(Some(Value::Object(m)))
}

/// `ObjectMeta`: name, generateName, namespace, labels, annotations.
fn object_meta(buf: &[u8]) -> Result<Value, ProtoError> {
    let mut m = string_fields(buf, &[(1, "name"), (2, "generateName"), (3, "namespace")])?;
    if let Some(l) = string_map(buf, 11)? {
        m["labels"] = l;
    }
    if let Some(a) = string_map(buf, 12)? {
        m["annotations"] = a;
    }
    Ok(m)
}

/// `Container`: name, image, command, args, ports, env.
fn container(buf: &[u8]) -> Result<Value, ProtoError> {
    let mut c = string_fields(
        buf,
        &[
            (1, "name"),
            (2, "image"),
            (5, "workingDir"),
            (14, "imagePullPolicy"),
        ],
    )?;
    let command: Vec<Value> = repeated(buf, 3)?.into_iter().map(str_of).collect();
    if !command.is_empty() {
        c["command"] = json!(command);
    }
    let args: Vec<Value> = repeated(buf, 4)?.into_iter().map(str_of).collect();
    if !args.is_empty() {
        c["args"] = json!(args);
    }
    let mut ports = Vec::new();
    for p in repeated(buf, 6)? {
        let mut port = string_fields(p, &[(1, "name"), (4, "protocol")])?;
        if let Some(n) = int(p, 3)? {
            port["containerPort"] = json!(n);
        }
        ports.push(port);
    }
    if !ports.is_empty() {
        c["ports"] = json!(ports);
    }
    let env: Vec<Value> = repeated(buf, 7)?
        .into_iter()
        .map(|e| string_fields(e, &[(1, "name"), (2, "value")]))
        .collect::<Result<_, _>>()?;
    if !env.is_empty() {
        c["env"] = json!(env);
    }
    // stdin 16, stdinOnce 17, tty 18 (`kubectl debug -it`).
    for (num, name) in [(16, "stdin"), (17, "stdinOnce"), (18, "tty")] {
        if let Some(b) = int(buf, num)? {
            c[name] = json!(b != 0);
        }
    }
    Ok(c)
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
        // `kubectl create namespace|configmap|deployment` (typed clients).
        "Namespace" => {
            let meta = object_meta(message(raw, 1)?.unwrap_or_default())?;
            Ok(json!({"kind": kind, "apiVersion": api_version, "metadata": meta}))
        }
        "ConfigMap" => {
            let meta = object_meta(message(raw, 1)?.unwrap_or_default())?;
            let mut cm = json!({"kind": kind, "apiVersion": api_version, "metadata": meta});
            if let Some(d) = string_map(raw, 2)? {
                cm["data"] = d;
            }
            Ok(cm)
        }
        // `kubectl create secret generic` (core/v1 `Secret`: metadata 1, data 2 as
        // map<string, bytes>, type 3, immutable 5).
        "Secret" => {
            use base64::Engine as _;
            let meta = object_meta(message(raw, 1)?.unwrap_or_default())?;
            let mut secret = json!({"kind": kind, "apiVersion": api_version, "metadata": meta});
            let entries = repeated(raw, 2)?;
            if !entries.is_empty() {
                let mut m = serde_json::Map::new();
                for e in entries {
                    let k = message(e, 1)?.unwrap_or_default();
                    let v = message(e, 2)?.unwrap_or_default();
                    m.insert(
                        String::from_utf8_lossy(k).into_owned(),
                        json!(base64::engine::general_purpose::STANDARD.encode(v)),
                    );
                }
                secret["data"] = Value::Object(m);
            }
            let ty = string_fields(raw, &[(3, "type")])?;
            if let Some(t) = ty["type"].as_str().filter(|t| !t.is_empty()) {
                secret["type"] = json!(t);
            }
            if let Some(i) = int(raw, 5)? {
                secret["immutable"] = json!(i != 0);
            }
            Ok(secret)
        }
        "Deployment" => {
            let meta = object_meta(message(raw, 1)?.unwrap_or_default())?;
            let spec = message(raw, 2)?.unwrap_or_default();
            let mut out =
                json!({"kind": kind, "apiVersion": api_version, "metadata": meta, "spec": {}});
            if let Some(r) = int(spec, 1)? {
                out["spec"]["replicas"] = json!(r);
            }
            if let Some(sel) = message(spec, 2)? {
                out["spec"]["selector"] =
                    json!({"matchLabels": string_map(sel, 1)?.unwrap_or_else(|| json!({}))});
            }
            if let Some(t) = message(spec, 3)? {
                let tmeta = object_meta(message(t, 1)?.unwrap_or_default())?;
                let pod_spec = message(t, 2)?.unwrap_or_default();
                let containers: Vec<Value> = repeated(pod_spec, 2)?
                    .into_iter()
                    .map(container)
                    .collect::<Result<_, _>>()?;
                out["spec"]["template"] =
                    json!({"metadata": tmeta, "spec": {"containers": containers}});
            }
            Ok(out)
        }
        // `kubectl debug --copy-to` posts the copy of a pod (core/v1 `Pod`: metadata 1,
        // spec 2; `PodSpec`: containers 2, restartPolicy 3, terminationGracePeriodSeconds
        // 4, dnsPolicy 6, serviceAccountName 8, nodeName 10, shareProcessNamespace 27).
        "Pod" => {
            let meta = object_meta(message(raw, 1)?.unwrap_or_default())?;
            let spec = message(raw, 2)?.unwrap_or_default();
            let mut s = string_fields(
                spec,
                &[
                    (3, "restartPolicy"),
                    (6, "dnsPolicy"),
                    (8, "serviceAccountName"),
                    (10, "nodeName"),
                ],
            )?;
            let containers: Vec<Value> = repeated(spec, 2)?
                .into_iter()
                .map(container)
                .collect::<Result<_, _>>()?;
            s["containers"] = json!(containers);
            if let Some(g) = int(spec, 4)? {
                s["terminationGracePeriodSeconds"] = json!(g);
            }
            if let Some(b) = int(spec, 27)? {
                s["shareProcessNamespace"] = json!(b != 0);
            }
            Ok(json!({"kind": kind, "apiVersion": api_version, "metadata": meta, "spec": s}))
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
    fn decodes_a_deployment_from_kubectl_create() {
        let entry = |k: &[u8], v: &[u8]| ld(11, &[ld(1, k), ld(2, v)].concat());
        let meta = [ld(1, b"web"), ld(3, b""), entry(b"app", b"web")].concat();
        let port = [ld(1, b""), vec![(3 << 3) as u8, 80], ld(4, b"")].concat();
        let c = [ld(1, b"nginx"), ld(2, b"nginx:1.25"), ld(6, &port)].concat();
        let tmpl = [ld(1, &[entry(b"app", b"web")].concat()), ld(2, &ld(2, &c))].concat();
        let sel = ld(1, &[ld(1, b"app"), ld(2, b"web")].concat());
        let spec = [vec![(1 << 3) as u8, 3], ld(2, &sel), ld(3, &tmpl)].concat();
        let raw = [ld(1, &meta), ld(2, &spec)].concat();
        let tm = [ld(1, b"apps/v1"), ld(2, b"Deployment")].concat();
        let body = [b"k8s\0".to_vec(), ld(1, &tm), ld(2, &raw)].concat();
        let v = decode(&body).expect("decode");
        assert_eq!(
            v["metadata"],
            json!({"name": "web", "labels": {"app": "web"}})
        );
        assert_eq!(v["spec"]["replicas"], 3);
        assert_eq!(v["spec"]["selector"]["matchLabels"]["app"], "web");
        assert_eq!(
            v["spec"]["template"]["spec"]["containers"][0],
            json!({"name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80}]})
        );
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert_eq!(decode(b"nope"), Err(ProtoError::NoEnvelope));
        assert!(decode(b"k8s\0\x0a\xff\xff\xff").is_err());
        let tm = [ld(2, b"StatefulSet")].concat();
        let body = [b"k8s\0".to_vec(), ld(1, &tm)].concat();
        assert!(matches!(decode(&body), Err(ProtoError::Unsupported(_))));
    }

    /// `kubectl create secret generic db --from-literal=user=admin`: `Secret` with
    /// `data` as `map<string, bytes>` (k8s.io/api `core/v1/generated.proto`).
    #[test]
    fn decodes_a_secret_with_binary_data_as_base64() {
        let tm = [ld(1, b"v1"), ld(2, b"Secret")].concat();
        let entry = [ld(1, b"user"), ld(2, b"admin")].concat();
        let raw = [ld(1, &ld(1, b"db")), ld(2, &entry), ld(3, b"Opaque")].concat();
        let body = [b"k8s\0".to_vec(), ld(1, &tm), ld(2, &raw)].concat();
        let v = decode(&body).expect("decodes");
        assert_eq!(v["metadata"]["name"], "db");
        assert_eq!(v["data"]["user"], "YWRtaW4=");
        assert_eq!(v["type"], "Opaque");
    }
}
