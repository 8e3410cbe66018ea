//! The simulator's protobuf pods (`src/sim/protobuf/`), read with Kubernetes' own generated
//! types (`k8s_pb`, prost over the `generated.proto` files) and compared field for field with
//! the JSON answers; watch frames during a rolling update; errors as protobuf `Status`; and
//! real kubectl 1.32 reading them.
//!
//! Wire format, as kube-apiserver writes it (the mirrors of the Kubernetes sources):
//! - a body is `k8s\0` + `runtime.Unknown` (k8s.io/apimachinery
//!   `pkg/runtime/serializer/protobuf/protobuf.go`, `pkg/runtime/generated.proto`);
//! - a watch is 4-byte big-endian length frames (`pkg/util/framer/framer.go`) of raw
//!   `metav1.WatchEvent` whose `object.raw` is an enveloped body (k8s.io/apiserver
//!   `pkg/endpoints/handlers/watch.go`, `response.go` `watchEncoder.doEncode`), content type
//!   `application/vnd.kubernetes.protobuf;stream=watch`;
//! - errors are the negotiated `Status` (`responsewriters/writers.go` `ErrorNegotiated`);
//!   406 when nothing in `Accept` can be served (`negotiation/errors.go`).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_pb::api::core::v1::{Pod, PodList};
use k8s_pb::apimachinery::pkg::apis::meta::v1::{Status, WatchEvent};
use k8s_pb::apimachinery::pkg::runtime::Unknown;
use prost::Message;
use serde_json::{Value, json};

use backout::sim::auth::{ADMIN_TOKEN, VIEWER_TOKEN};
use common::{CRASHES_AT_1_3, Sim, WEB};

/// What client-go's typed clients send (k8s.io/client-go `rest/config.go`).
const TYPED: &str = "application/vnd.kubernetes.protobuf,application/json";
const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

// ---------------------------------------------------------------------------------------
// HTTP helpers

fn http(sim: &Sim, token: &str) -> reqwest::Client {
    sim.handle().http_client(Some(token)).expect("http client")
}

struct Answer {
    code: u16,
    content_type: String,
    body: Vec<u8>,
}

fn get(sim: &Sim, token: &str, path: &str, accept: &str) -> Answer {
    let url = format!("{}{path}", sim.handle().url());
    let c = http(sim, token);
    sim.runtime.block_on(async {
        let r = c
            .get(&url)
            .header("Accept", accept)
            .send()
            .await
            .expect("request");
        let code = r.status().as_u16();
        let content_type = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = r.bytes().await.expect("body").to_vec();
        Answer {
            code,
            content_type,
            body,
        }
    })
}

fn get_json(sim: &Sim, path: &str) -> Value {
    let a = get(sim, ADMIN_TOKEN, path, "application/json");
    assert_eq!(a.code, 200, "{path}: {}", String::from_utf8_lossy(&a.body));
    serde_json::from_slice(&a.body).expect("JSON body")
}

/// `k8s\0` + `runtime.Unknown`: (apiVersion, kind, raw), checking the envelope.
fn unwrap_envelope(body: &[u8]) -> (String, String, Vec<u8>) {
    assert!(
        body.starts_with(b"k8s\0"),
        "no k8s magic: {:?}",
        &body[..body.len().min(16)]
    );
    let u = Unknown::decode(&body[4..]).expect("runtime.Unknown decodes");
    let tm = u.type_meta.expect("typeMeta");
    // protobuf.go leaves both empty; Unknown.MarshalToSizedBuffer writes them anyway.
    assert_eq!(u.content_encoding.as_deref(), Some(""));
    assert_eq!(u.content_type.as_deref(), Some(""));
    (
        tm.api_version.unwrap_or_default(),
        tm.kind.unwrap_or_default(),
        u.raw.expect("raw"),
    )
}

fn decode_pod(body: &[u8]) -> Pod {
    let (api_version, kind, raw) = unwrap_envelope(body);
    assert_eq!((api_version.as_str(), kind.as_str()), ("v1", "Pod"));
    Pod::decode(raw.as_slice()).expect("Pod decodes")
}

fn decode_status(body: &[u8]) -> Status {
    let (api_version, kind, raw) = unwrap_envelope(body);
    assert_eq!((api_version.as_str(), kind.as_str()), ("v1", "Status"));
    Status::decode(raw.as_slice()).expect("Status decodes")
}

// ---------------------------------------------------------------------------------------
// A prost message as a JSON-like tree, from its `Debug` text (prost derives `Debug` with
// the Rust field names: `Some(..)`, `None`, `[..]`, `{k: v}` maps, strings, numbers).
// Field names are normalised (`host_ips` and `hostIPs` both become `hostips`), so the tree
// can be walked against the JSON object without a hand-written list of fields.

fn norm(key: &str) -> String {
    key.trim_start_matches("r#")
        .trim_end_matches('_')
        .replace('_', "")
        .to_ascii_lowercase()
}

struct DebugParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl DebugParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, t: &str) -> bool {
        self.ws();
        if self.s[self.i..].starts_with(t.as_bytes()) {
            self.i += t.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, t: &str) {
        assert!(
            self.eat(t),
            "expected {t:?} at {}: {}",
            self.i,
            String::from_utf8_lossy(&self.s[self.i..(self.i + 40).min(self.s.len())])
        );
    }

    fn ident(&mut self) -> String {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || matches!(self.s[self.i], b'_' | b'#'))
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    fn string(&mut self) -> String {
        self.expect("\"");
        let mut out = String::new();
        let text = std::str::from_utf8(&self.s[self.i..]).expect("utf8");
        let mut chars = text.char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => {
                    self.i += at + 1;
                    return out;
                }
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some('0') => out.push('\0'),
                    Some('u') => {
                        let mut hex = String::new();
                        for (_, c) in chars.by_ref() {
                            match c {
                                '{' => {}
                                '}' => break,
                                h => hex.push(h),
                            }
                        }
                        let cp = u32::from_str_radix(&hex, 16).expect("escape");
                        out.push(char::from_u32(cp).expect("char"));
                    }
                    Some(other) => out.push(other),
                    None => panic!("dangling escape"),
                },
                c => out.push(c),
            }
        }
        panic!("unterminated string")
    }

    fn value(&mut self) -> Value {
        self.ws();
        let c = self.s[self.i];
        if c == b'"' {
            return json!(self.string());
        }
        if c == b'[' {
            self.i += 1;
            let mut items = Vec::new();
            while !self.eat("]") {
                items.push(self.value());
                self.eat(",");
            }
            return Value::Array(items);
        }
        if c == b'{' {
            self.i += 1;
            let mut m = serde_json::Map::new();
            while !self.eat("}") {
                let k = self.value();
                self.expect(":");
                let v = self.value();
                m.insert(norm(k.as_str().expect("string map key")), v);
                self.eat(",");
            }
            return Value::Object(m);
        }
        if c == b'-' || c.is_ascii_digit() {
            let start = self.i;
            self.i += 1;
            while self.i < self.s.len()
                && (self.s[self.i].is_ascii_digit() || matches!(self.s[self.i], b'.' | b'e'))
            {
                self.i += 1;
            }
            let t = std::str::from_utf8(&self.s[start..self.i]).expect("number");
            return serde_json::from_str(t).expect("number parses");
        }
        let id = self.ident();
        match id.as_str() {
            "None" => Value::Null,
            "true" => json!(true),
            "false" => json!(false),
            "Some" => {
                self.expect("(");
                let v = self.value();
                self.expect(")");
                v
            }
            _ => {
                let mut m = serde_json::Map::new();
                if self.eat("{") {
                    while !self.eat("}") {
                        let k = self.ident();
                        self.expect(":");
                        let v = self.value();
                        m.insert(norm(&k), v);
                        self.eat(",");
                    }
                }
                Value::Object(m)
            }
        }
    }
}

/// A prost message as a tree with normalised keys.
fn tree(msg: &impl std::fmt::Debug) -> Value {
    let text = format!("{msg:?}");
    let mut p = DebugParser {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value();
    p.ws();
    assert_eq!(p.i, text.len(), "trailing Debug text");
    v
}

// ---------------------------------------------------------------------------------------
// JSON against the prost tree, both ways.

fn keys(o: &serde_json::Map<String, Value>) -> BTreeSet<&str> {
    o.keys().map(String::as_str).collect()
}

/// `metav1.Time`, `resource.Quantity` and `intstr.IntOrString` have a JSON form other than
/// their message (`metav1.FieldsV1` is recognised by its path).
fn special(p: &Value) -> Option<(&'static str, &serde_json::Map<String, Value>)> {
    let o = p.as_object()?;
    let k = keys(o);
    if k == BTreeSet::from(["seconds", "nanos"]) {
        Some(("time", o))
    } else if k == BTreeSet::from(["string"]) {
        Some(("quantity", o))
    } else if k == BTreeSet::from(["type", "intval", "strval"]) {
        Some(("intorstring", o))
    } else {
        None
    }
}

/// The message fields of embedded Go structs, whose fields JSON keeps in the parent
/// object (k8s.io/api `core/v1/types.go`: `ProbeHandler `json:"" protobuf:"…name=handler"``,
/// `VolumeSource`, `LocalObjectReference`, `EphemeralContainerCommon`), merged into it.
fn flatten_embedded(po: &serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    const EMBEDDED: [&str; 5] = [
        "handler",
        "volumesource",
        "localobjectreference",
        "ephemeralcontainercommon",
        "persistentvolumesource",
    ];
    let mut out = serde_json::Map::new();
    for (k, v) in po {
        match v.as_object() {
            Some(inner) if EMBEDDED.contains(&k.as_str()) => {
                out.extend(inner.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            _ => {
                out.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    out
}

/// An absent value in proto2 terms: `None`, an empty repeated field or map.
fn is_default(p: &Value) -> bool {
    match p {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn compare(path: &str, j: &Value, p: &Value, errs: &mut Vec<String>) {
    let mut fail = |why: &str| errs.push(format!("{path}: {why}: json {j} vs proto {p}"));
    match (j, special(p)) {
        (Value::Null, _) => {}
        (Value::String(s), Some(("time", o))) => {
            let secs = chrono::DateTime::parse_from_rfc3339(s).map(|t| t.timestamp());
            if secs.ok() != o["seconds"].as_i64() || o["nanos"] != json!(0) {
                fail("time differs");
            }
        }
        (Value::String(s), Some(("quantity", o))) if o["string"] == json!(s) => {}
        (Value::Number(n), Some(("quantity", o))) if o["string"] == json!(n.to_string()) => {}
        (Value::String(s), Some(("intorstring", o)))
            if o["type"] == json!(1) && o["strval"] == json!(s) => {}
        (Value::Number(n), Some(("intorstring", o)))
            if o["type"] == json!(0) && o["intval"].as_i64() == n.as_i64() => {}
        (_, Some(_)) => fail("special type differs"),
        (Value::Object(jo), None) if path.ends_with(".fieldsV1") => {
            let raw: Vec<u8> = p["raw"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|b| b.as_u64())
                        .map(|b| b as u8)
                        .collect()
                })
                .unwrap_or_default();
            match serde_json::from_slice::<Value>(&raw) {
                Ok(v) if v == Value::Object(jo.clone()) => {}
                _ => fail("FieldsV1 raw differs"),
            }
        }
        (Value::Object(jo), None) => {
            let Some(po) = p.as_object() else {
                return fail("not a message");
            };
            let po = &flatten_embedded(po);
            for (k, jv) in jo {
                if jv.is_null() {
                    continue;
                }
                let sub = format!("{path}.{k}");
                match po.get(&norm(k)) {
                    Some(pv) => compare(&sub, jv, pv, errs),
                    None => errs.push(format!("{sub}: missing in protobuf (json {jv})")),
                }
            }
            for (pk, pv) in po {
                let in_json = jo.iter().any(|(k, v)| norm(k) == *pk && !v.is_null());
                if !is_default(pv) && !in_json {
                    errs.push(format!("{path}.{pk}: in protobuf only ({pv})"));
                }
            }
        }
        (Value::Array(ja), None) => match p.as_array() {
            Some(pa) if pa.len() == ja.len() => {
                for (i, (jv, pv)) in ja.iter().zip(pa).enumerate() {
                    compare(&format!("{path}[{i}]"), jv, pv, errs);
                }
            }
            _ => fail("list differs"),
        },
        (Value::Number(n), None) if p.as_i64().is_some() && p.as_i64() == n.as_i64() => {}
        (Value::String(_) | Value::Bool(_), None) if j == p => {}
        _ => fail("value differs"),
    }
}

/// Every field of the JSON pod is in the protobuf pod with the same value, and nothing
/// else is; `kind` and `apiVersion` travel in the envelope.
fn assert_same_pod(json_pod: &Value, pb: &Pod) {
    let mut j = json_pod.clone();
    if let Some(o) = j.as_object_mut() {
        o.remove("kind");
        o.remove("apiVersion");
    }
    let mut errs = Vec::new();
    compare("pod", &j, &tree(pb), &mut errs);
    assert!(
        errs.is_empty(),
        "pod {} differs:\n{}",
        json_pod["metadata"]["name"],
        errs.join("\n")
    );
}

/// The paths of every non-null JSON leaf (`[]` for list items).
fn leaf_paths(prefix: &str, v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Null => {}
        Value::Object(o) if o.is_empty() => {
            out.insert(prefix.to_string());
        }
        Value::Object(o) => {
            for (k, v) in o {
                // Map keys (labels, annotations, …) are data, not fields.
                let map = prefix.ends_with("labels")
                    || prefix.ends_with("annotations")
                    || prefix.ends_with("nodeSelector")
                    || prefix.ends_with("fieldsV1")
                    || prefix.ends_with("limits")
                    || prefix.ends_with("requests");
                let name = if map { "*" } else { k };
                leaf_paths(&format!("{prefix}.{name}"), v, out);
            }
        }
        Value::Array(a) => {
            for v in a {
                leaf_paths(&format!("{prefix}[]"), v, out);
            }
        }
        _ => {
            out.insert(prefix.to_string());
        }
    }
}

/// GETs `ns/name` as JSON and as protobuf until both answers have the same
/// `resourceVersion`, then compares them; returns the JSON pod.
fn compare_get(sim: &Sim, ns: &str, name: &str) -> Value {
    let path = format!("/api/v1/namespaces/{ns}/pods/{name}");
    for _ in 0..50 {
        let j = get_json(sim, &path);
        let a = get(sim, ADMIN_TOKEN, &path, TYPED);
        assert_eq!(a.code, 200);
        assert_eq!(a.content_type, PROTOBUF);
        let pb = decode_pod(&a.body);
        let rv = pb
            .metadata
            .as_ref()
            .and_then(|m| m.resource_version.clone());
        if rv.as_deref() == j["metadata"]["resourceVersion"].as_str() {
            assert_same_pod(&j, &pb);
            return j;
        }
    }
    panic!("pod {name} kept changing between the JSON and the protobuf GET");
}

/// A pod with most of what a pod spec can hold, created by server-side apply (so it has
/// `managedFields`): quantities, int-or-string ports, probes, volumes, security contexts,
/// tolerations, affinity, an init container.
const RICH_POD: &str = r#"{
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "rich", "namespace": "shop", "labels": {"app": "rich", "tier": "x"},
               "annotations": {"note": "ünïcode \"quoted\"\nline"}, "finalizers": ["example.com/keep"]},
  "spec": {
    "initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["sh", "-c", "true"]}],
    "containers": [{
      "name": "main", "image": "shop/rich:1.0", "args": ["--port", "8080"], "workingDir": "/srv",
      "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
      "env": [{"name": "A", "value": "1"},
              {"name": "NODE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
              {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}}],
      "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "128Mi"}},
      "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": true}, {"name": "cfg", "mountPath": "/cfg"}],
      "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"}, "periodSeconds": 10, "failureThreshold": 3},
      "readinessProbe": {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 2},
      "startupProbe": {"exec": {"command": ["cat", "/ready"]}},
      "lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
      "securityContext": {"runAsUser": 1000, "runAsNonRoot": true, "allowPrivilegeEscalation": false,
                          "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true},
      "imagePullPolicy": "IfNotPresent", "terminationMessagePolicy": "FallbackToLogsOnError"
    }],
    "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "1Gi"}},
                {"name": "cfg", "configMap": {"name": "rich-config", "defaultMode": 420, "optional": true}}],
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "rich", "effect": "NoExecute", "tolerationSeconds": 60}],
    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}]}}},
    "securityContext": {"fsGroup": 2000, "supplementalGroups": [3000, 3001]},
    "hostAliases": [{"ip": "10.1.2.3", "hostnames": ["db.local"]}],
    "dnsConfig": {"options": [{"name": "ndots", "value": "2"}]},
    "priority": 0, "readinessGates": [{"conditionType": "example.com/ready"}],
    "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "rich"}}}],
    "activeDeadlineSeconds": 3600
  }
}"#;

fn apply_rich_pod(sim: &Sim) {
    let url = format!(
        "{}/api/v1/namespaces/shop/pods/rich?fieldManager=sim-protobuf-test",
        sim.handle().url()
    );
    let c = http(sim, ADMIN_TOKEN);
    let code = sim.runtime.block_on(async {
        let r = c
            .patch(&url)
            .header("Content-Type", "application/apply-patch+yaml")
            .body(RICH_POD)
            .send()
            .await
            .expect("apply");
        let code = r.status().as_u16();
        (code, r.text().await.unwrap_or_default())
    });
    assert!(matches!(code.0, 200 | 201), "apply: {}", code.1);
}

// ---------------------------------------------------------------------------------------

/// Every pod of a cluster with running, crash-looping, terminating and richly specified
/// pods: the protobuf GET decodes with `k8s_pb` into the same fields and values as the
/// JSON GET of the same resource version; the fields covered include each part of the
/// sim's pods.
#[test]
fn protobuf_get_carries_every_field_of_the_json_pod() {
    let sim = Sim::start(CRASHES_AT_1_3, 20.0);
    apply_rich_pod(&sim);
    sim.set_image("shop", "web", "app=shop/web:1.3");
    let expected = [
        ".metadata.ownerReferences[].controller",
        ".metadata.ownerReferences[].blockOwnerDeletion",
        ".metadata.creationTimestamp",
        ".metadata.managedFields[].fieldsV1.*",
        ".metadata.managedFields[].time",
        ".metadata.finalizers[]",
        ".metadata.labels.*",
        ".metadata.annotations.*",
        ".spec.containers[].resources.requests.*",
        ".spec.containers[].livenessProbe.httpGet.port",
        ".spec.containers[].readinessProbe.tcpSocket.port",
        ".spec.containers[].env[].valueFrom.resourceFieldRef.divisor",
        ".spec.volumes[].emptyDir.sizeLimit",
        ".spec.tolerations[].tolerationSeconds",
        ".spec.securityContext.supplementalGroups[]",
        ".spec.initContainers[].command[]",
        ".spec.nodeName",
        ".status.phase",
        ".status.podIPs[].ip",
        ".status.startTime",
        ".status.conditions[].lastTransitionTime",
        ".status.containerStatuses[].state.running.startedAt",
        ".status.containerStatuses[].lastState.terminated.exitCode",
        ".status.containerStatuses[].lastState.terminated.finishedAt",
        ".status.containerStatuses[].state.waiting.reason",
        ".status.containerStatuses[].restartCount",
    ];
    let waiting_after_a_crash = |p: &Value| {
        let cs = &p["status"]["containerStatuses"][0];
        cs["state"]["waiting"].is_object() && cs["lastState"]["terminated"].is_object()
    };
    // Pods move on between two looks (a crashed container waits, then runs again): each
    // round compares every pod and adds what it covered, until everything was covered.
    let mut covered = BTreeSet::new();
    for _round in 0..20 {
        sim.wait_for("a container waiting after a crash", || {
            let list = get_json(&sim, "/api/v1/namespaces/shop/pods");
            list["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(waiting_after_a_crash))
        });
        let list = get_json(&sim, "/api/v1/namespaces/shop/pods");
        for item in list["items"].as_array().expect("items") {
            let name = item["metadata"]["name"].as_str().expect("name");
            let pod = compare_get(&sim, "shop", name);
            leaf_paths("", &pod, &mut covered);
        }
        if expected
            .iter()
            .all(|e| covered.iter().any(|p| p.starts_with(e)))
        {
            break;
        }
    }
    for expected in expected {
        assert!(
            covered.iter().any(|p| p.starts_with(expected)),
            "no pod had {expected}; covered: {covered:#?}"
        );
    }
}

/// LIST in protobuf: a `PodList` with the JSON list's `ListMeta` (resourceVersion,
/// continue, remainingItemCount) and items, page by page; all namespaces too.
#[test]
fn protobuf_list_pages_like_the_json_list() {
    let sim = Sim::start(WEB, 20.0);
    for base in ["/api/v1/namespaces/shop/pods", "/api/v1/pods"] {
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let q = match &token {
                Some(t) => format!("{base}?limit=2&continue={t}"),
                None => format!("{base}?limit=2"),
            };
            let (j, pb) = loop {
                let j = get_json(&sim, &q);
                let a = get(&sim, ADMIN_TOKEN, &q, TYPED);
                assert_eq!((a.code, a.content_type.as_str()), (200, PROTOBUF));
                let (api_version, kind, raw) = unwrap_envelope(&a.body);
                assert_eq!((api_version.as_str(), kind.as_str()), ("v1", "PodList"));
                let pb = PodList::decode(raw.as_slice()).expect("PodList decodes");
                let rv = pb
                    .metadata
                    .as_ref()
                    .and_then(|m| m.resource_version.clone());
                if rv.as_deref() == j["metadata"]["resourceVersion"].as_str() {
                    break (j, pb);
                }
            };
            let meta = pb.metadata.clone().unwrap_or_default();
            assert_eq!(
                meta.r#continue.as_deref(),
                j["metadata"]["continue"].as_str()
            );
            assert_eq!(
                meta.remaining_item_count,
                j["metadata"]["remainingItemCount"].as_i64()
            );
            let items = j["items"].as_array().expect("items");
            assert_eq!(pb.items.len(), items.len());
            for (jp, pp) in items.iter().zip(&pb.items) {
                assert_same_pod(jp, pp);
            }
            pages += 1;
            token = meta.r#continue.filter(|c| !c.is_empty());
            if token.is_none() {
                break;
            }
        }
        assert!(pages >= 2, "{base}: limit=2 over 3 pods pages");
    }
}

/// Errors for a protobuf client of pods are protobuf `Status`es (404, 403); the same for a
/// JSON client stay JSON; a resource the sim serves only as JSON answers 406 to a client
/// accepting only protobuf, and JSON to client-go's typed `Accept`.
#[test]
fn errors_are_protobuf_status_and_json_only_resources_answer_406() {
    let sim = Sim::start(WEB, 20.0);
    let a = get(
        &sim,
        ADMIN_TOKEN,
        "/api/v1/namespaces/shop/pods/nope",
        TYPED,
    );
    assert_eq!((a.code, a.content_type.as_str()), (404, PROTOBUF));
    let s = decode_status(&a.body);
    assert_eq!(s.code, Some(404));
    assert_eq!(s.reason.as_deref(), Some("NotFound"));
    assert_eq!(s.message.as_deref(), Some("pods \"nope\" not found"));
    let d = s.details.expect("details");
    assert_eq!(
        (d.name.as_deref(), d.kind.as_deref()),
        (Some("nope"), Some("pods"))
    );

    let j = get(
        &sim,
        ADMIN_TOKEN,
        "/api/v1/namespaces/shop/pods/nope",
        "application/json",
    );
    assert_eq!((j.code, j.content_type.as_str()), (404, "application/json"));

    // The viewer may not delete: 403 as a protobuf Status.
    let pod = sim.pod_name("shop", Some("web"), 0);
    let url = format!("{}/api/v1/namespaces/shop/pods/{pod}", sim.handle().url());
    let c = http(&sim, VIEWER_TOKEN);
    let (code, ct, body) = sim.runtime.block_on(async {
        let r = c
            .delete(&url)
            .header("Accept", TYPED)
            .send()
            .await
            .expect("delete");
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (
            r.status().as_u16(),
            ct,
            r.bytes().await.expect("body").to_vec(),
        )
    });
    assert_eq!((code, ct.as_str()), (403, PROTOBUF));
    let s = decode_status(&body);
    assert_eq!(
        (s.code, s.reason.as_deref()),
        (Some(403), Some("Forbidden"))
    );

    // Deployments are JSON: client-go's Accept gets JSON, protobuf alone gets 406.
    let d = get(
        &sim,
        ADMIN_TOKEN,
        "/apis/apps/v1/namespaces/shop/deployments/web",
        TYPED,
    );
    assert_eq!((d.code, d.content_type.as_str()), (200, "application/json"));
    let d = get(
        &sim,
        ADMIN_TOKEN,
        "/apis/apps/v1/namespaces/shop/deployments/web",
        PROTOBUF,
    );
    assert_eq!(d.code, 406);
    let s: Value = serde_json::from_slice(&d.body).expect("406 is JSON");
    assert_eq!(
        s["message"],
        "only the following media types are accepted: application/json"
    );
    assert_eq!(s["reason"], "NotAcceptable");
    // Pods accept protobuf alone.
    let p = get(
        &sim,
        ADMIN_TOKEN,
        &format!("/api/v1/namespaces/shop/pods/{pod}"),
        PROTOBUF,
    );
    assert_eq!((p.code, p.content_type.as_str()), (200, PROTOBUF));
    // The off switch: JSON for everyone.
    sim.handle()
        .shared()
        .protobuf_pods
        .store(false, std::sync::atomic::Ordering::Relaxed);
    let p = get(
        &sim,
        ADMIN_TOKEN,
        &format!("/api/v1/namespaces/shop/pods/{pod}"),
        TYPED,
    );
    assert_eq!((p.code, p.content_type.as_str()), (200, "application/json"));
}

// ---------------------------------------------------------------------------------------
// Watch streams.

/// The object of a watch event: JSON, or decoded from protobuf.
#[derive(Debug, Clone)]
enum Object {
    Json(Value),
    Pod(Box<Pod>),
    Status(Box<Status>),
}

#[derive(Debug, Clone)]
struct Event {
    kind: String,
    name: String,
    rv: String,
    object: Object,
}

struct Stream {
    resp: reqwest::Response,
    buf: Vec<u8>,
}

impl Stream {
    async fn more(&mut self) {
        let chunk = tokio::time::timeout(Duration::from_secs(60), self.resp.chunk())
            .await
            .expect("an event within 60 s")
            .expect("stream reads")
            .expect("stream still open");
        self.buf.extend_from_slice(&chunk);
    }

    async fn json_event(&mut self) -> Event {
        loop {
            if let Some(nl) = self.buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=nl).collect();
                let v: Value = serde_json::from_slice(&line).expect("JSON event");
                let o = &v["object"];
                return Event {
                    kind: v["type"].as_str().unwrap_or_default().to_string(),
                    name: o["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    rv: o["metadata"]["resourceVersion"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    object: Object::Json(o.clone()),
                };
            }
            self.more().await;
        }
    }

    /// One length-delimited frame: `WatchEvent {type, object.raw = k8s\0 + Unknown}`.
    async fn proto_event(&mut self) -> Event {
        loop {
            if self.buf.len() >= 4 {
                let n = u32::from_be_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]])
                    as usize;
                if self.buf.len() >= 4 + n {
                    let frame: Vec<u8> = self.buf.drain(..4 + n).skip(4).collect();
                    let ev = WatchEvent::decode(frame.as_slice()).expect("WatchEvent decodes");
                    let raw = ev.object.and_then(|o| o.raw).expect("object.raw");
                    let kind = ev.r#type.unwrap_or_default();
                    let (_, object_kind, _) = unwrap_envelope(&raw);
                    if object_kind == "Status" {
                        return Event {
                            kind,
                            name: String::new(),
                            rv: String::new(),
                            object: Object::Status(Box::new(decode_status(&raw))),
                        };
                    }
                    let pod = decode_pod(&raw);
                    let meta = pod.metadata.clone().unwrap_or_default();
                    return Event {
                        kind,
                        name: meta.name.unwrap_or_default(),
                        rv: meta.resource_version.unwrap_or_default(),
                        object: Object::Pod(Box::new(pod)),
                    };
                }
            }
            self.more().await;
        }
    }
}

fn open_watch(sim: &Sim, query: &str, accept: &str) -> (String, Stream) {
    let url = format!("{}/api/v1/namespaces/shop/pods?{query}", sim.handle().url());
    let c = http(sim, ADMIN_TOKEN);
    let resp = sim.runtime.block_on(async {
        c.get(&url)
            .header("Accept", accept)
            .send()
            .await
            .expect("watch starts")
    });
    assert_eq!(resp.status().as_u16(), 200);
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (
        ct,
        Stream {
            resp,
            buf: Vec::new(),
        },
    )
}

fn create_pod(sim: &Sim, name: &str) {
    let url = format!("{}/api/v1/namespaces/shop/pods", sim.handle().url());
    let c = http(sim, ADMIN_TOKEN);
    let body = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                      "spec": {"containers": [{"name": "c", "image": "shop/marker:1"}]}});
    let code = sim.runtime.block_on(async {
        c.post(&url)
            .json(&body)
            .send()
            .await
            .expect("create")
            .status()
            .as_u16()
    });
    assert_eq!(code, 201);
}

/// A JSON watch and a protobuf watch from the same resource version through a rolling
/// update: the protobuf frames decode, carry the same events in the same order
/// (ADDED, MODIFIED, DELETED), each pod equal field for field to the JSON event's, and
/// BOOKMARK frames decode as pods holding only a resource version.
#[test]
fn protobuf_watch_follows_a_rolling_update_like_the_json_watch() {
    let sim = Sim::start_with(backout::sim::SimConfig {
        speed: 20.0,
        scenario: Some(backout::sim::Scenario::parse(WEB, "test.yaml").expect("scenario")),
        bookmark_interval: Duration::from_millis(100),
        ..backout::sim::SimConfig::default()
    });
    let list = get_json(&sim, "/api/v1/namespaces/shop/pods");
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .expect("rv")
        .to_string();
    let q = format!("watch=1&resourceVersion={rv}&allowWatchBookmarks=true");
    let (jct, mut js) = open_watch(&sim, &q, "application/json");
    let (pct, mut ps) = open_watch(&sim, &q, TYPED);
    assert_eq!(jct, "application/json");
    assert_eq!(pct, "application/vnd.kubernetes.protobuf;stream=watch");

    sim.set_image("shop", "web", "app=shop/web:1.3");
    sim.ok(&[
        "-n",
        "shop",
        "rollout",
        "status",
        "deploy/web",
        "--timeout=120s",
    ]);
    create_pod(&sim, "zz-marker");

    let read = |s: &mut Stream, proto: bool| -> Vec<Event> {
        let mut out = Vec::new();
        loop {
            let ev = sim.runtime.block_on(async {
                if proto {
                    s.proto_event().await
                } else {
                    s.json_event().await
                }
            });
            let done = ev.kind == "ADDED" && ev.name == "zz-marker";
            out.push(ev);
            if done {
                return out;
            }
        }
    };
    let json_events = read(&mut js, false);
    let proto_events = read(&mut ps, true);

    let bookmarks: Vec<&Event> = proto_events
        .iter()
        .filter(|e| e.kind == "BOOKMARK")
        .collect();
    assert!(!bookmarks.is_empty(), "bookmarks every 100 ms");
    for b in &bookmarks {
        let Object::Pod(p) = &b.object else {
            panic!("bookmark object is a Pod")
        };
        let meta = p.metadata.clone().unwrap_or_default();
        assert!(meta.resource_version.is_some() && meta.name.is_none());
        assert!(p.spec.is_none() && p.status.is_none());
    }

    let key = |e: &Event| (e.kind.clone(), e.name.clone(), e.rv.clone());
    let changes = |evs: &[Event]| -> Vec<Event> {
        evs.iter()
            .filter(|e| e.kind != "BOOKMARK")
            .cloned()
            .collect()
    };
    let (jc, pc) = (changes(&json_events), changes(&proto_events));
    assert_eq!(
        jc.iter().map(key).collect::<Vec<_>>(),
        pc.iter().map(key).collect::<Vec<_>>(),
        "same events in the same order"
    );
    for kind in ["ADDED", "MODIFIED", "DELETED"] {
        assert!(pc.iter().any(|e| e.kind == kind), "a rollout has {kind}");
    }
    for (j, p) in jc.iter().zip(&pc) {
        let (Object::Json(jv), Object::Pod(pp)) = (&j.object, &p.object) else {
            panic!("pods on both streams");
        };
        assert_same_pod(jv, pp);
    }
}

/// `sendInitialEvents` (ADDED for each pod, then the BOOKMARK annotated
/// `k8s.io/initial-events-end`) and a too-old resource version (one ERROR frame whose
/// object is a `Status` 410 Expired) in protobuf.
#[test]
fn protobuf_watch_initial_events_and_expired_error() {
    let sim = Sim::start_with(backout::sim::SimConfig {
        speed: 20.0,
        scenario: Some(backout::sim::Scenario::parse(WEB, "test.yaml").expect("scenario")),
        history_limit: 5,
        ..backout::sim::SimConfig::default()
    });
    let (_, mut s) = open_watch(
        &sim,
        "watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan",
        TYPED,
    );
    let mut added = 0;
    loop {
        let ev = sim.runtime.block_on(s.proto_event());
        match ev.kind.as_str() {
            "ADDED" => added += 1,
            "BOOKMARK" => {
                let Object::Pod(p) = ev.object else {
                    panic!("bookmark is a Pod")
                };
                let ann = p.metadata.unwrap_or_default().annotations;
                assert_eq!(
                    ann.get("k8s.io/initial-events-end").map(String::as_str),
                    Some("true")
                );
                break;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(added, 3);

    // Enough changes that resource version 1 leaves the five kept events.
    for i in 0..6 {
        create_pod(&sim, &format!("filler-{i}"));
    }
    let (ct, mut s) = open_watch(&sim, "watch=1&resourceVersion=1", TYPED);
    assert_eq!(ct, "application/vnd.kubernetes.protobuf;stream=watch");
    let ev = sim.runtime.block_on(s.proto_event());
    assert_eq!(ev.kind, "ERROR");
    let Object::Status(st) = ev.object else {
        panic!("ERROR carries a Status")
    };
    assert_eq!(
        (st.code, st.reason.as_deref()),
        (Some(410), Some("Expired"))
    );
    assert!(
        st.message
            .as_deref()
            .is_some_and(|m| m.starts_with("too old resource version: 1 ")),
        "{st:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Real kubectl.

/// Ages and counts that move between two runs a second apart (`5s`, `2m3s`, `x3 over 9s`).
fn without_ages(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| {
            !w.trim_matches(|c: char| c == '(' || c == ')' || c == ',')
                .chars()
                .all(|c| c.is_ascii_digit() || "smhdx".contains(c))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// kubectl 1.32's typed calls ask for protobuf pods (`describe pod`, `drain`'s pod list,
/// `exec`'s pod GET, …): the simulator's accept log shows which; kubectl reads the
/// protobuf answers and prints what it prints from the JSON ones (protobuf switched off).
#[test]
fn kubectl_typed_calls_read_protobuf_pods() {
    let sim = Sim::start(WEB, 20.0);
    let shared = sim.handle().shared().clone();
    let pod = sim.pod_name("shop", Some("web"), 0);
    let node = sim.ok(&[
        "-n",
        "shop",
        "get",
        "pod",
        &pod,
        "-o",
        "jsonpath={.spec.nodeName}",
    ]);
    let commands: Vec<Vec<String>> = [
        vec!["-n", "shop", "describe", "pod", pod.as_str()],
        vec!["-n", "shop", "get", "pod", pod.as_str(), "-o", "json"],
        vec!["-n", "shop", "logs", pod.as_str()],
        vec!["-n", "shop", "exec", pod.as_str(), "--", "echo", "hi"],
        vec![
            "drain",
            node.as_str(),
            "--dry-run=client",
            "--ignore-daemonsets",
            "--delete-emptydir-data",
        ],
    ]
    .iter()
    .map(|c| c.iter().map(|s| s.to_string()).collect())
    .collect();

    let mut asked = Vec::new();
    for c in &commands {
        let args: Vec<&str> = c.iter().map(String::as_str).collect();
        shared
            .protobuf_pods
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let before = shared.accept_log().len();
        let (code_pb, out_pb, err_pb) = sim.run(&args);
        let log = shared.accept_log();
        let pod_requests: Vec<String> = log[before.min(log.len())..]
            .iter()
            .filter(|r| r.target.contains("/pods") && r.accept.starts_with(PROTOBUF))
            .map(|r| format!("{} {}", r.method, r.target))
            .collect();
        shared
            .protobuf_pods
            .store(false, std::sync::atomic::Ordering::Relaxed);
        let (code_json, out_json, err_json) = sim.run(&args);
        // A log grows between the two runs: its first line is compared.
        let printed = |out: &str| {
            if c.contains(&"logs".to_string()) {
                out.lines().next().unwrap_or_default().to_string()
            } else {
                without_ages(out)
            }
        };
        assert_eq!(
            (code_pb, printed(&out_pb)),
            (code_json, printed(&out_json)),
            "kubectl {args:?}: protobuf and JSON answers print alike\nstderr pb: {err_pb}\nstderr json: {err_json}"
        );
        if !pod_requests.is_empty() {
            asked.push((c.join(" "), pod_requests));
        }
    }
    eprintln!("kubectl commands asking for protobuf pods: {asked:#?}");
    shared
        .protobuf_pods
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let describe = sim.ok(&["-n", "shop", "describe", "pod", &pod]);
    assert!(
        describe.contains("Status:           Running")
            && describe.contains("Controlled By:  ReplicaSet/web-"),
        "{describe}"
    );
    let drain = sim.ok(&["drain", &node, "--dry-run=client", "--ignore-daemonsets"]);
    assert!(drain.contains("(dry run)"), "{drain}");

    // `kubectl debug -it` waits for its container with a typed list + watch of the pod
    // (kubectl `pkg/cmd/debug/debug.go` waitForContainer, watchtools.UntilWithSync): the
    // protobuf watch frames are decoded by client-go itself.
    let before = shared.accept_log().len();
    let (code, out, err) = sim.run(&[
        "debug",
        "-n",
        "shop",
        "-it",
        &pod,
        "--image=busybox",
        "--container=dbgpb",
        "--",
        "sh",
        "-c",
        "echo hi over protobuf",
    ]);
    assert_eq!(code, 0, "stdout: {out}\nstderr: {err}");
    assert!(
        out.contains("hi over protobuf"),
        "stdout: {out}\nstderr: {err}"
    );
    let log = shared.accept_log();
    let watches: Vec<_> = log[before.min(log.len())..]
        .iter()
        .filter(|r| r.target.contains("/pods?") && r.target.contains("watch=true"))
        .collect();
    assert!(
        !watches.is_empty() && watches.iter().all(|r| r.accept.starts_with(PROTOBUF)),
        "kubectl debug watches the pod in protobuf: {:?}",
        &log[before.min(log.len())..]
    );
    assert!(
        asked.iter().any(|(c, _)| c.contains("describe pod")),
        "kubectl describe pod asks for a protobuf pod: {asked:?}"
    );
    assert!(
        asked
            .iter()
            .any(|(c, reqs)| c.starts_with("drain")
                && reqs.iter().any(|r| r.contains("fieldSelector"))),
        "kubectl drain lists pods in protobuf: {asked:?}"
    );
}

/// Writes of pods answer the written pod in protobuf to a protobuf client (a merge patch,
/// a delete), as the real server encodes every answer with the negotiated serializer.
#[test]
fn protobuf_write_answers_are_pods() {
    let sim = Sim::start(WEB, 20.0);
    let pod = sim.pod_name("shop", Some("web"), 0);
    let url = format!("{}/api/v1/namespaces/shop/pods/{pod}", sim.handle().url());
    let c = http(&sim, ADMIN_TOKEN);
    let (code, ct, body) = sim.runtime.block_on(async {
        let r = c
            .patch(&url)
            .header("Accept", TYPED)
            .header("Content-Type", "application/merge-patch+json")
            .body(r#"{"metadata":{"labels":{"checked":"yes"}}}"#)
            .send()
            .await
            .expect("patch");
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (
            r.status().as_u16(),
            ct,
            r.bytes().await.expect("body").to_vec(),
        )
    });
    assert_eq!((code, ct.as_str()), (200, PROTOBUF));
    let patched = decode_pod(&body);
    let labels = patched.metadata.clone().unwrap_or_default().labels;
    assert_eq!(labels.get("checked").map(String::as_str), Some("yes"));
    // Field for field against the JSON GET, when no controller changed the pod since.
    let json_pod = get_json(&sim, &format!("/api/v1/namespaces/shop/pods/{pod}"));
    if json_pod["metadata"]["resourceVersion"].as_str()
        == patched
            .metadata
            .as_ref()
            .and_then(|m| m.resource_version.as_deref())
    {
        assert_same_pod(&json_pod, &patched);
    }

    let (code, ct, body) = sim.runtime.block_on(async {
        let r = c
            .delete(&url)
            .header("Accept", TYPED)
            .send()
            .await
            .expect("delete");
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (
            r.status().as_u16(),
            ct,
            r.bytes().await.expect("body").to_vec(),
        )
    });
    assert_eq!((code, ct.as_str()), (200, PROTOBUF));
    let deleted = decode_pod(&body);
    let meta = deleted.metadata.unwrap_or_default();
    assert_eq!(meta.name.as_deref(), Some(pod.as_str()));
    assert!(meta.deletion_timestamp.is_some(), "graceful delete");
}
