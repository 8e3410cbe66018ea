//! In a drill, HTTP checks that name an in-cluster Service
//! (`http://checkout-api.checkout.svc.cluster.local/healthz`) cannot resolve on the laptop:
//! the simulator stands in for the Service and answers with the health of the pods the
//! Service selects (`GET {sim}/sim/health/{namespace}/{service}`).

/// The simulator's URL that answers for `url` when it names an in-cluster Service
/// (`NAME.NAMESPACE.svc`, optionally followed by `.cluster.local`, any scheme, port and
/// path); `None` for any other URL, which is then fetched as written.
pub fn simulated_service_url(url: &str, sim_base: &str) -> Option<String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?.trim_end_matches('.');
    let host = host.strip_suffix(".cluster.local").unwrap_or(host);
    let name_ns = host.strip_suffix(".svc")?;
    let (service, namespace) = name_ns.split_once('.')?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if !valid(service) || !valid(namespace) {
        return None;
    }
    Some(format!(
        "{}/sim/health/{namespace}/{service}",
        sim_base.trim_end_matches('/')
    ))
}

#[cfg(test)]
mod tests {
    use super::simulated_service_url;

    const SIM: &str = "https://127.0.0.1:4443";

    #[test]
    fn a_service_dns_name_maps_to_the_simulated_services_health() {
        for url in [
            "http://checkout-api.checkout.svc.cluster.local/healthz",
            "https://checkout-api.checkout.svc.cluster.local:8443/readyz?full=1",
            "http://checkout-api.checkout.svc/",
            "http://checkout-api.checkout.svc.cluster.local.",
        ] {
            assert_eq!(
                simulated_service_url(url, SIM).as_deref(),
                Some("https://127.0.0.1:4443/sim/health/checkout/checkout-api"),
                "{url}"
            );
        }
    }

    #[test]
    fn other_urls_are_left_alone() {
        for url in [
            "https://status.example.com/healthz",
            "http://checkout-api/healthz",
            "http://checkout-api.checkout/healthz",
            "http://a.b.c.svc.cluster.local/",
            "ftp://checkout-api.checkout.svc.cluster.local/",
            "http://Checkout.checkout.svc/",
            "",
        ] {
            assert_eq!(simulated_service_url(url, SIM), None, "{url}");
        }
    }
}
