//! The drill screen at the sizes people run it in: what must stay on screen.

use crate::ui::testkit::*;

/// Whether `name` can be told apart on `screen`: some line holds its random suffix in
/// full. Pods of one ReplicaSet share `<rs name>-` (`GenerateName`) and differ only in
/// the five random characters kubernetes adds (`randomLength = 5` in
/// kubernetes/kubernetes `staging/src/k8s.io/apiserver/pkg/storage/names/generate.go`).
fn suffix_shown(screen: &str, name: &str) -> bool {
    let suffix = name.rsplit('-').next().unwrap_or(name);
    screen.lines().any(|l| l.contains(&format!("-{suffix}")))
}

#[test]
fn every_pod_of_a_ten_pod_deployment_is_distinguishable_at_160x48() {
    let app = drill_console();
    let s = screen(&app, 160, 48);
    for name in DRILL_PODS {
        assert!(suffix_shown(&s, name), "{name} not distinguishable:\n{s}");
    }
    // The image column keeps the whole tag.
    assert!(s.contains("v3.1.0-rc2"), "{s}");
    insta::assert_snapshot!(s);
}
