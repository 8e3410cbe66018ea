//! The Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`).
//!
//! - `request.rs` reads the protobuf request bodies kubectl's typed clients send.
//! - The rest serves pods in protobuf to clients that ask for it, as kube-apiserver does:
//!   `negotiation.rs` picks the encoding from `Accept`; `writer.rs` has the wire
//!   primitives; `schema.rs` (generated from Kubernetes' `generated.proto` files by
//!   `schema_gen.py`, its types in `schema_types.rs`) the field numbers of `Pod`, `PodList`,
//!   `Status` and everything they contain; `message.rs` writes a JSON object as such a
//!   message; `envelope.rs` the `k8s\0` + `runtime.Unknown` envelope and the watch frames;
//!   `objects.rs` the bodies served; `response.rs` the HTTP responses.

pub mod envelope;
pub mod message;
pub mod negotiation;
pub mod objects;
pub mod request;
pub mod response;
pub mod schema;
pub mod schema_types;
pub mod writer;

pub use request::{CONTENT_TYPE, ProtoError, decode};
