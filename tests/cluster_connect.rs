//! Connecting like kubectl: `KUBECONFIG` as a colon list, `--kubeconfig`, `--context`,
//! `-n`, the runbook target filling what flags leave out, and the production banner rule.
//! One test in its own binary: it sets `KUBECONFIG`, which is process-wide.

mod common;

use backout::adapters::kube::{ConnectError, ConnectOptions, connect};
use common::{Sim, WEB};

#[test]
fn resolution_like_kubectl() {
    let sim = Sim::start(WEB, 20.0);
    // A second file, listed first in KUBECONFIG: its current-context wins (first file to
    // set a value wins), and its contexts are merged with the simulator's.
    let other = sim.dir.path().join("other");
    let yaml = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: eu\n  cluster:\n    server: {}\n    certificate-authority-data: {}\n\
         users:\n- name: eu-admin\n  user:\n    token: {}\n\
         contexts:\n- name: prod-eu\n  context:\n    cluster: eu\n    user: eu-admin\n    namespace: checkout\n\
         current-context: prod-eu\n",
        sim.handle().url(),
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            sim.handle().ca_pem()
        ),
        backout::sim::auth::ADMIN_TOKEN
    );
    std::fs::write(&other, yaml).expect("write");
    // SAFETY: the only test of this binary; nothing else reads the environment meanwhile.
    unsafe {
        std::env::set_var(
            "KUBECONFIG",
            format!("{}:{}", other.display(), sim.kubeconfig.display()),
        )
    };
    let run = |o: ConnectOptions| sim.runtime.block_on(connect(&o));

    let c = run(ConnectOptions::default()).expect("connects");
    assert_eq!(
        (c.context.as_str(), c.namespace.as_str()),
        ("prod-eu", "checkout")
    );
    assert!(
        c.is_production,
        "contexts containing prod are production by default"
    );
    assert_eq!(c.server, sim.handle().url());
    assert!(
        sim.runtime
            .block_on(c.preflight())
            .expect("/version")
            .starts_with('v')
    );

    // The runbook target fills in; flags win over it.
    let c = run(ConnectOptions {
        target_context: Some("backout-sim-viewer".into()),
        target_namespace: Some("payments".into()),
        ..ConnectOptions::default()
    })
    .expect("connects");
    assert_eq!(
        (c.context.as_str(), c.namespace.as_str()),
        ("backout-sim-viewer", "payments")
    );
    assert!(!c.is_production);
    let c = run(ConnectOptions {
        context: Some("backout-sim".into()),
        namespace: Some("shop".into()),
        target_context: Some("backout-sim-viewer".into()),
        target_namespace: Some("payments".into()),
        production_patterns: vec!["backout-*".into()],
        ..ConnectOptions::default()
    })
    .expect("connects");
    assert_eq!(
        (c.context.as_str(), c.namespace.as_str()),
        ("backout-sim", "shop")
    );
    assert!(c.is_production, "configured pattern");

    // --kubeconfig replaces KUBECONFIG.
    let c = run(ConnectOptions {
        kubeconfig: Some(sim.kubeconfig.clone()),
        ..ConnectOptions::default()
    })
    .expect("connects");
    assert_eq!(c.context, "backout-sim");

    let err = run(ConnectOptions {
        context: Some("nope".into()),
        ..ConnectOptions::default()
    })
    .expect_err("unknown context");
    assert!(matches!(err, ConnectError::NoContext { .. }));
    assert!(
        err.to_string()
            .starts_with("context \"nope\" not found in the kubeconfig (contexts: prod-eu"),
        "{err}"
    );
}
