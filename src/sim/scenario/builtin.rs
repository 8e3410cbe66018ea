//! The drills shipped inside the binary (`runbooks/drills/*.yaml`), so that
//! `backout drill NAME` works from any directory.

/// The drills of `runbooks/drills/`, built in so that `backout sim --scenario NAME` and
/// `backout drill` work from any directory.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "bad-deploy",
        include_str!("../../../runbooks/drills/bad-deploy.yaml"),
    ),
    (
        "crashloop",
        include_str!("../../../runbooks/drills/crashloop.yaml"),
    ),
    (
        "latency-regression",
        include_str!("../../../runbooks/drills/latency-regression.yaml"),
    ),
    (
        "stuck-rollout",
        include_str!("../../../runbooks/drills/stuck-rollout.yaml"),
    ),
    (
        "feature-flag",
        include_str!("../../../runbooks/drills/feature-flag.yaml"),
    ),
    (
        "blue-green",
        include_str!("../../../runbooks/drills/blue-green.yaml"),
    ),
    (
        "argocd-self-heal",
        include_str!("../../../runbooks/drills/argocd-self-heal.yaml"),
    ),
    (
        "blue-green-api",
        include_str!("../../../runbooks/drills/blue-green-api.yaml"),
    ),
    (
        "flaky-api-server",
        include_str!("../../../runbooks/drills/flaky-api-server.yaml"),
    ),
];
