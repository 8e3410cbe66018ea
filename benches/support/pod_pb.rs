//! Pods in Kubernetes' protobuf, built with k8s-pb (prost's compilation of Kubernetes' own
//! `generated.proto`) from `k8s_openapi` pods, for the tests and benches of the protobuf
//! pod decoder and watcher (`src/adapters/kube/pod_proto.rs`, `proto_watch.rs`).
//!
//! [`pod`] converts the fields the simulator's pods carry (metadata with owner
//! references, labels and annotations; containers with ports and env; conditions and
//! container statuses with all their states), written as Go's gogo-protobuf marshaller
//! writes them: every non-pointer string, bool, number and struct is written even when
//! empty (`Some(default)`), pointer fields only when set, and a zero `metav1.Time` as an
//! empty message (apimachinery `pkg/apis/meta/v1/time_proto.go`, `Time.Marshal`; only
//! seconds, `ProtoTime`). The envelopes: [`unknown`] (`k8s\x00` + `runtime.Unknown`,
//! apimachinery `pkg/runtime/serializer/protobuf/protobuf.go`), [`watch_frame`] (a
//! `metav1.WatchEvent` in a 4-byte big-endian length-delimited frame, apimachinery
//! `pkg/util/framer/framer.go`, apiserver `pkg/endpoints/handlers/response.go`
//! `watchEncoder.doEncode`).

#![allow(dead_code)]

use k8s_openapi::api::core::v1 as api;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_pb::api::core::v1 as pb;
use k8s_pb::apimachinery::pkg::apis::meta::v1 as meta_pb;
use k8s_pb::apimachinery::pkg::runtime as runtime_pb;
use prost::Message;

/// A non-pointer string: always written.
fn s(v: &Option<String>) -> Option<String> {
    Some(v.clone().unwrap_or_default())
}

/// A non-pointer `metav1.Time`: an empty message when zero (absent).
fn time(t: Option<&meta::Time>) -> Option<meta_pb::Time> {
    Some(match t {
        Some(t) => meta_pb::Time {
            seconds: Some(t.0.as_second()),
            nanos: Some(0),
        },
        None => meta_pb::Time::default(),
    })
}

/// A pointer `*metav1.Time`: written only when set.
fn opt_time(t: Option<&meta::Time>) -> Option<meta_pb::Time> {
    t.and_then(|t| time(Some(t)))
}

fn object_meta(m: &meta::ObjectMeta) -> meta_pb::ObjectMeta {
    meta_pb::ObjectMeta {
        name: s(&m.name),
        generate_name: s(&m.generate_name),
        namespace: s(&m.namespace),
        self_link: s(&None),
        uid: s(&m.uid),
        resource_version: s(&m.resource_version),
        generation: Some(m.generation.unwrap_or(0)),
        creation_timestamp: time(m.creation_timestamp.as_ref()),
        deletion_timestamp: opt_time(m.deletion_timestamp.as_ref()),
        deletion_grace_period_seconds: m.deletion_grace_period_seconds,
        labels: m.labels.clone().unwrap_or_default(),
        annotations: m.annotations.clone().unwrap_or_default(),
        owner_references: m
            .owner_references
            .iter()
            .flatten()
            .map(|o| meta_pb::OwnerReference {
                api_version: Some(o.api_version.clone()),
                kind: Some(o.kind.clone()),
                name: Some(o.name.clone()),
                uid: Some(o.uid.clone()),
                controller: o.controller,
                block_owner_deletion: o.block_owner_deletion,
            })
            .collect(),
        finalizers: m.finalizers.clone().unwrap_or_default(),
        managed_fields: Vec::new(),
    }
}

fn container(c: &api::Container) -> pb::Container {
    pb::Container {
        name: Some(c.name.clone()),
        image: s(&c.image),
        ports: c
            .ports
            .iter()
            .flatten()
            .map(|p| pb::ContainerPort {
                name: s(&p.name),
                host_port: Some(p.host_port.unwrap_or(0)),
                container_port: Some(p.container_port),
                protocol: s(&p.protocol),
                host_ip: s(&p.host_ip),
            })
            .collect(),
        env: c
            .env
            .iter()
            .flatten()
            .map(|e| pb::EnvVar {
                name: Some(e.name.clone()),
                value: s(&e.value),
                value_from: None,
            })
            .collect(),
        resources: Some(pb::ResourceRequirements::default()),
        restart_policy: c.restart_policy.clone(),
        termination_message_path: s(&c.termination_message_path),
        termination_message_policy: s(&c.termination_message_policy),
        image_pull_policy: s(&c.image_pull_policy),
        stdin: Some(false),
        stdin_once: Some(false),
        tty: Some(false),
        ..Default::default()
    }
}

fn spec(p: &api::PodSpec) -> pb::PodSpec {
    pb::PodSpec {
        init_containers: p.init_containers.iter().flatten().map(container).collect(),
        containers: p.containers.iter().map(container).collect(),
        restart_policy: s(&p.restart_policy),
        termination_grace_period_seconds: p.termination_grace_period_seconds,
        dns_policy: s(&p.dns_policy),
        service_account_name: s(&p.service_account_name),
        service_account: s(&p.service_account_name),
        node_name: s(&p.node_name),
        host_network: Some(false),
        host_pid: Some(false),
        host_ipc: Some(false),
        security_context: p
            .security_context
            .as_ref()
            .map(|_| pb::PodSecurityContext::default()),
        hostname: s(&p.hostname),
        subdomain: s(&p.subdomain),
        scheduler_name: s(&p.scheduler_name),
        priority_class_name: s(&p.priority_class_name),
        enable_service_links: p.enable_service_links,
        ..Default::default()
    }
}

fn state(st: Option<&api::ContainerState>) -> pb::ContainerState {
    let Some(st) = st else {
        return pb::ContainerState::default();
    };
    pb::ContainerState {
        waiting: st.waiting.as_ref().map(|w| pb::ContainerStateWaiting {
            reason: s(&w.reason),
            message: s(&w.message),
        }),
        running: st.running.as_ref().map(|r| pb::ContainerStateRunning {
            started_at: time(r.started_at.as_ref()),
        }),
        terminated: st
            .terminated
            .as_ref()
            .map(|t| pb::ContainerStateTerminated {
                exit_code: Some(t.exit_code),
                signal: Some(t.signal.unwrap_or(0)),
                reason: s(&t.reason),
                message: s(&t.message),
                started_at: time(t.started_at.as_ref()),
                finished_at: time(t.finished_at.as_ref()),
                container_id: s(&t.container_id),
            }),
    }
}

fn container_status(c: &api::ContainerStatus) -> pb::ContainerStatus {
    pb::ContainerStatus {
        name: Some(c.name.clone()),
        state: Some(state(c.state.as_ref())),
        last_state: Some(state(c.last_state.as_ref())),
        ready: Some(c.ready),
        restart_count: Some(c.restart_count),
        image: Some(c.image.clone()),
        image_id: Some(c.image_id.clone()),
        container_id: s(&c.container_id),
        started: c.started,
        ..Default::default()
    }
}

fn status(p: &api::PodStatus) -> pb::PodStatus {
    pb::PodStatus {
        phase: s(&p.phase),
        conditions: p
            .conditions
            .iter()
            .flatten()
            .map(|c| pb::PodCondition {
                r#type: Some(c.type_.clone()),
                status: Some(c.status.clone()),
                last_probe_time: time(c.last_probe_time.as_ref()),
                last_transition_time: time(c.last_transition_time.as_ref()),
                reason: s(&c.reason),
                message: s(&c.message),
                ..Default::default()
            })
            .collect(),
        message: s(&p.message),
        reason: s(&p.reason),
        nominated_node_name: s(&p.nominated_node_name),
        host_ip: s(&p.host_ip),
        host_ips: p
            .host_ips
            .iter()
            .flatten()
            .map(|h| pb::HostIp {
                ip: Some(h.ip.clone()),
            })
            .collect(),
        pod_ip: s(&p.pod_ip),
        pod_ips: p
            .pod_ips
            .iter()
            .flatten()
            .map(|h| pb::PodIp {
                ip: Some(h.ip.clone()),
            })
            .collect(),
        start_time: opt_time(p.start_time.as_ref()),
        init_container_statuses: p
            .init_container_statuses
            .iter()
            .flatten()
            .map(container_status)
            .collect(),
        container_statuses: p
            .container_statuses
            .iter()
            .flatten()
            .map(container_status)
            .collect(),
        qos_class: s(&p.qos_class),
        ..Default::default()
    }
}

/// The k8s-pb `Pod` of a `k8s_openapi` pod (the fields listed in the module doc).
/// `spec` and `status` are non-pointer structs in Go: always written.
pub fn pod(p: &api::Pod) -> pb::Pod {
    pb::Pod {
        metadata: Some(object_meta(&p.metadata)),
        spec: Some(spec(&p.spec.clone().unwrap_or_default())),
        status: Some(status(&p.status.clone().unwrap_or_default())),
    }
}

/// `k8s\x00` + `runtime.Unknown` (`apiVersion: v1`) around an object's message.
pub fn unknown(kind: &str, raw: Vec<u8>) -> Vec<u8> {
    let mut out = b"k8s\x00".to_vec();
    runtime_pb::Unknown {
        type_meta: Some(runtime_pb::TypeMeta {
            api_version: Some("v1".into()),
            kind: Some(kind.into()),
        }),
        raw: Some(raw),
        content_encoding: Some(String::new()),
        content_type: Some(String::new()),
    }
    .encode(&mut out)
    .expect("a Vec grows");
    out
}

/// A pod as the API server sends it in a response or a watch event.
pub fn pod_object(p: &api::Pod) -> Vec<u8> {
    unknown("Pod", pod(p).encode_to_vec())
}

/// A `metav1.Status` object (`k8s\x00` + `Unknown` of kind `Status`).
pub fn status_object(code: i32, reason: &str, message: &str) -> Vec<u8> {
    let st = meta_pb::Status {
        metadata: Some(meta_pb::ListMeta::default()),
        status: Some("Failure".into()),
        message: Some(message.into()),
        reason: Some(reason.into()),
        details: None,
        code: Some(code),
    };
    unknown("Status", st.encode_to_vec())
}

/// A `PodList` response body.
pub fn pod_list(resource_version: &str, continue_token: &str, items: &[api::Pod]) -> Vec<u8> {
    let list = pb::PodList {
        metadata: Some(meta_pb::ListMeta {
            self_link: Some(String::new()),
            resource_version: Some(resource_version.into()),
            r#continue: Some(continue_token.into()),
            remaining_item_count: None,
        }),
        items: items.iter().map(pod).collect(),
    };
    unknown("PodList", list.encode_to_vec())
}

/// One watch event (`type`, the object in its `Unknown` envelope) in its frame.
pub fn watch_frame(kind: &str, object: Vec<u8>) -> Vec<u8> {
    let event = meta_pb::WatchEvent {
        r#type: Some(kind.into()),
        object: Some(runtime_pb::RawExtension { raw: Some(object) }),
    }
    .encode_to_vec();
    let mut out = u32::try_from(event.len())
        .expect("a frame under 4 GB")
        .to_be_bytes()
        .to_vec();
    out.extend(event);
    out
}

/// A JSON watch body (one `{"type":…,"object":{pod}}` per line) as the protobuf watch
/// body the API server would send for the same events.
pub fn watch_body_of_json(lines: &[u8]) -> Vec<u8> {
    #[derive(serde::Deserialize)]
    struct Line {
        #[serde(rename = "type")]
        kind: String,
        object: api::Pod,
    }
    let mut out = Vec::with_capacity(lines.len());
    for line in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let l: Line = serde_json::from_slice(line).expect("a pod watch line");
        out.extend(watch_frame(&l.kind, pod_object(&l.object)));
    }
    out
}
