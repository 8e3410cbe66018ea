//! The protobuf pod decoder (`adapters::kube::pod_proto`) against the reference: each pod
//! is encoded with k8s-pb (prost's compilation of Kubernetes' `core/v1/generated.proto`
//! and apimachinery's `meta/v1/generated.proto`, `benches/support/pod_pb.rs` writing it as
//! Go's marshaller does) and the decoded row must be `convert::pod_row` of the same
//! `k8s_openapi` pod, for the pods `watched_pod.rs`'s JSON tests use: the real API
//! server's pod, the simulator's rolling-update lines, and that pod in every phase and
//! container state kubectl's STATUS column distinguishes. Malformed and truncated bytes
//! are errors, never panics. The envelopes (`proto_envelope`): `k8s\x00` + `Unknown`
//! (apimachinery `pkg/runtime/serializer/protobuf/protobuf.go`), `PodList` with its
//! `ListMeta`, `Status`.

use backout::adapters::kube::convert;
use backout::adapters::kube::pod_proto::decode_pod;
use backout::adapters::kube::proto_envelope;
use k8s_openapi::api::core::v1::Pod;
use proptest::prelude::*;
use prost::Message;
use serde_json::Value;

#[path = "../benches/support/pod_pb.rs"]
mod pod_pb;

#[path = "fixtures/watch/pod_variants.rs"]
mod pod_variants;
use pod_variants::{STATUSES, pods};

fn full(pod: &Value) -> Pod {
    serde_json::from_value(pod.clone()).expect("full pod")
}

#[test]
fn protobuf_rows_are_the_full_pods_rows() {
    let mut statuses = Vec::new();
    for (what, pod) in pods() {
        let full = full(&pod);
        let bytes = pod_pb::pod(&full).encode_to_vec();
        let decoded = decode_pod(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(decoded.row, convert::pod_row(&full), "{what}");
        let m = &full.metadata;
        assert_eq!(
            (
                &decoded.meta.name,
                &decoded.meta.namespace,
                &decoded.meta.resource_version
            ),
            (&m.name, &m.namespace, &m.resource_version),
            "{what}"
        );
        // The JSON decoder of the console gives the same row too.
        let slim: backout::adapters::kube::watched_pod::WatchedPod =
            serde_json::from_value(pod.clone()).expect("slim pod");
        assert_eq!(decoded, slim, "{what}");
        statuses.push(decoded.row.status);
    }
    assert_eq!(statuses, STATUSES);
}

/// Go writes empty non-pointer strings and zero times; k8s-pb with `None` everywhere
/// writes nothing at all: both read as the same row.
#[test]
fn absent_and_empty_fields_read_alike() {
    for (what, pod) in pods() {
        let full = full(&pod);
        let mut sparse = pod_pb::pod(&full);
        let meta = sparse.metadata.as_mut().expect("metadata");
        if meta.creation_timestamp == Some(Default::default()) {
            meta.creation_timestamp = None;
        }
        for c in &mut sparse.spec.as_mut().expect("spec").containers {
            if c.image.as_deref() == Some("") {
                c.image = None;
            }
        }
        let st = sparse.status.as_mut().expect("status");
        for s in [
            &mut st.phase,
            &mut st.reason,
            &mut st.message,
            &mut st.qos_class,
        ] {
            if s.as_deref() == Some("") {
                *s = None;
            }
        }
        let decoded = decode_pod(&sparse.encode_to_vec()).expect("decodes");
        assert_eq!(decoded.row, convert::pod_row(&full), "{what}");
    }
}

#[test]
fn envelopes_lists_and_statuses() {
    let all = all_pods();
    let body = pod_pb::pod_list("4242", "next-page", &all);
    let page = proto_envelope::pod_list(&body).expect("a PodList");
    assert_eq!(page.resource_version.as_deref(), Some("4242"));
    assert_eq!(page.continue_token.as_deref(), Some("next-page"));
    let rows: Vec<_> = page.items.into_iter().map(|p| p.row).collect();
    let want: Vec<_> = all.iter().map(convert::pod_row).collect();
    assert_eq!(rows, want);

    let status = pod_pb::status_object(410, "Expired", "too old resource version: 1 (5)");
    let s = proto_envelope::status_object(&status).expect("a Status");
    assert_eq!((s.code, s.reason.as_str()), (410, "Expired"));
    assert_eq!(s.message, "too old resource version: 1 (5)");
    assert!(proto_envelope::pod_list(&status).is_err(), "not a PodList");
    assert!(
        proto_envelope::status_object(&body).is_none(),
        "not a Status"
    );
    // Without the k8s\x00 magic: an error.
    assert!(proto_envelope::pod_list(&body[4..]).is_err());
    let object = pod_pb::pod_object(&all[0]);
    let u = proto_envelope::unknown(&object).expect("an Unknown");
    assert_eq!((u.api_version, u.kind), (&b"v1"[..], &b"Pod"[..]));
    assert_eq!(decode_pod(u.raw).expect("a pod").row, want[0]);
}

/// Every prefix of a real pod's bytes: an error or a row, never a panic (a prefix that
/// ends between two fields is a valid, shorter pod).
#[test]
fn truncated_pods_are_errors_not_panics() {
    let full = full(&pods()[0].1);
    let bytes = pod_pb::pod(&full).encode_to_vec();
    let mut errors = 0;
    for end in 0..bytes.len() {
        if decode_pod(&bytes[..end]).is_err() {
            errors += 1;
        }
    }
    assert!(errors > bytes.len() / 2, "{errors} of {}", bytes.len());
    let list = pod_pb::pod_list("1", "", &[full]);
    for end in 0..list.len() {
        let _ = proto_envelope::pod_list(&list[..end]);
    }
    let frame = pod_pb::watch_frame("ADDED", pod_pb::pod_object(&all_pods()[1]));
    for end in 4..frame.len() {
        assert!(
            proto_envelope::watch_event(&frame[4..end]).is_err(),
            "cut at {end}"
        );
    }
    assert!(proto_envelope::watch_event(&frame[4..]).is_ok());
}

fn all_pods() -> Vec<Pod> {
    pods().iter().map(|(_, p)| full(p)).collect()
}

/// The running pod's bytes, encoded once for the property tests.
static RUNNING: std::sync::LazyLock<Vec<u8>> =
    std::sync::LazyLock::new(|| pod_pb::pod(&all_pods()[4]).encode_to_vec());

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Random bytes: an error or a row, never a panic.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_pod(&bytes);
        let _ = proto_envelope::watch_event(&bytes);
        let _ = proto_envelope::pod_list(&bytes);
        let mut with_magic = b"k8s\x00".to_vec();
        with_magic.extend(&bytes);
        let _ = proto_envelope::pod_list(&with_magic);
        let _ = proto_envelope::status_object(&with_magic);
    }

    /// A real pod with bytes flipped or cut: an error or a row, never a panic.
    #[test]
    fn corrupted_pods_never_panic(
        at in any::<proptest::sample::Index>(),
        xor in 1u8..=255,
        cut in any::<proptest::sample::Index>(),
    ) {
        let mut bytes = RUNNING.clone();
        let i = at.index(bytes.len());
        bytes[i] ^= xor;
        let _ = decode_pod(&bytes);
        let end = cut.index(bytes.len());
        let _ = decode_pod(&bytes[..end]);
    }
}
