//! Which encoding a response gets, from the request's `Accept` header, as kube-apiserver
//! negotiates it (k8s.io/apiserver `pkg/endpoints/handlers/negotiation/negotiate.go`:
//! `NegotiateOutputMediaType` takes the first acceptable entry, by `q`, concrete types
//! before wildcards, then order).
//! client-go's typed clients send `application/vnd.kubernetes.protobuf,application/json`
//! (k8s.io/client-go `rest/config.go`, `UseProtobufAsDefault` in the typed clients).
//!
//! The simulator encodes pods in protobuf; every other resource is JSON. A client that
//! accepts only protobuf for a resource served as JSON gets 406, with the message of
//! `negotiation.NewNotAcceptableError` (`errors.go`) listing what the sim serves for it.

use crate::sim::status::ApiError;

/// The protobuf media type.
pub const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";
/// The media type of a protobuf watch (`MediaTypesForSerializer`: `;stream=watch`).
pub const PROTOBUF_WATCH: &str = "application/vnd.kubernetes.protobuf;stream=watch";

/// The negotiated encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Json,
    Protobuf,
}

/// One `Accept` entry: media type (lowercase, without parameters), `q`, and whether it
/// asks for a conversion (`as=Table`, …).
fn entries(accept: &str) -> Vec<(String, f32, bool)> {
    let mut out: Vec<(String, f32, bool)> = accept
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';').map(str::trim);
            let media = parts.next().filter(|m| !m.is_empty())?.to_ascii_lowercase();
            let (mut q, mut converts) = (1.0f32, false);
            for p in parts {
                match p.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
                    Some(("q", v)) => q = v.parse().unwrap_or(0.0),
                    Some(("as", _)) => converts = true,
                    _ => {}
                }
            }
            (q > 0.0).then_some((media, q, converts))
        })
        .collect();
    // By `q`, then concrete types before wildcards (github.com/munnerz/goautoneg
    // `ParseAccept`, which negotiate.go uses); otherwise the client's order.
    let wildcards = |m: &str| m.matches('*').count();
    out.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| wildcards(&a.0).cmp(&wildcards(&b.0)))
    });
    out
}

/// The encoding for a response; `protobuf_served` says whether this resource has one.
/// Anything the sim does not recognise (YAML, CBOR) gets JSON as before, except an
/// `Accept` that lists only protobuf for a resource without it: 406.
pub fn negotiate(accept: Option<&str>, protobuf_served: bool) -> Result<Output, ApiError> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Ok(Output::Json);
    };
    let entries = entries(accept);
    for (media, _, converts) in &entries {
        match media.as_str() {
            PROTOBUF if protobuf_served && !converts => return Ok(Output::Protobuf),
            "application/json" | "application/*" | "*/*" => return Ok(Output::Json),
            _ => {}
        }
    }
    if !entries.is_empty() && entries.iter().all(|(m, _, _)| m == PROTOBUF) {
        let served = if protobuf_served {
            format!("application/json, {PROTOBUF}")
        } else {
            "application/json".to_string()
        };
        return Err(ApiError::NotAcceptable(served));
    }
    Ok(Output::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_go_typed_clients_get_protobuf_for_pods_only() {
        let typed = Some("application/vnd.kubernetes.protobuf,application/json");
        assert_eq!(negotiate(typed, true), Ok(Output::Protobuf));
        assert_eq!(negotiate(typed, false), Ok(Output::Json));
        assert_eq!(negotiate(Some("application/json"), true), Ok(Output::Json));
        assert_eq!(negotiate(None, true), Ok(Output::Json));
        assert_eq!(negotiate(Some("*/*"), true), Ok(Output::Json));
    }

    #[test]
    fn q_values_order_the_entries() {
        let a = Some("application/vnd.kubernetes.protobuf;q=0.5, application/json");
        assert_eq!(negotiate(a, true), Ok(Output::Json));
        let b = Some("application/json;q=0.9, application/vnd.kubernetes.protobuf");
        assert_eq!(negotiate(b, true), Ok(Output::Protobuf));
        let c = Some("*/*, application/vnd.kubernetes.protobuf");
        assert_eq!(negotiate(c, true), Ok(Output::Protobuf));
    }

    #[test]
    fn only_protobuf_for_a_json_resource_is_not_acceptable() {
        let e = negotiate(Some("application/vnd.kubernetes.protobuf"), false).expect_err("406");
        assert_eq!(e.code(), 406);
        assert_eq!(
            e.to_string(),
            "only the following media types are accepted: application/json"
        );
        assert_eq!(negotiate(Some("application/yaml"), false), Ok(Output::Json));
    }
}
