use std::path::Path;

use super::*;
use crate::domain::journal::testing::build;
use crate::domain::runbook::parse;

const OPTIONS: &str = include_str!("../../tests/runbooks/teams/options-a-to-d.md");
const FLEET: &str = include_str!("../../tests/runbooks/teams/very-long-fleet.md");
const PROSE: &str = include_str!("../../tests/runbooks/teams/prose-playbook.md");

fn rb(text: &str) -> Runbook {
    parse(Path::new("r.md"), text).expect("loads")
}

fn connection(source: &str, deployment: &str, namespace: &str) -> Entry {
    Entry::ConnectionSet {
        kubeconfig: Some("/home/op/.kube/prod".into()),
        context: Some("prod-eu".into()),
        namespace: Some(namespace.into()),
        deployment: Some(deployment.into()),
        prometheus_url: Some("http://prom:9090".into()),
        theme: Some("light".into()),
        read_only: false,
        source: source.into(),
    }
}

#[test]
fn with_no_flags_and_no_target_the_runbook_s_lines_are_offered_for_confirmation() {
    let p = plan(
        &rb(OPTIONS),
        &ConsoleArgs::default(),
        &SessionState::default(),
    );
    assert_eq!(p.source, FROM_INFERRED);
    assert!(p.journal);
    assert_eq!(
        p.args.deployment, None,
        "nothing connects before the operator accepts"
    );
    let inferred = p.to_confirm.expect("inferred");
    let mut args = p.args.clone();
    assert!(accept(&mut args, &inferred));
    assert_eq!(args.deployment.as_deref(), Some("gateway"));
    assert_eq!(args.namespace.as_deref(), Some("edge"));
}

#[test]
fn a_deployment_flag_without_a_namespace_takes_the_one_its_lines_give_it() {
    let args = ConsoleArgs {
        deployment: Some("gateway".into()),
        ..ConsoleArgs::default()
    };
    let p = plan(&rb(OPTIONS), &args, &SessionState::default());
    assert_eq!(p.source, FROM_FLAGS);
    assert!(p.to_confirm.is_none());
    assert_eq!(p.args.namespace.as_deref(), Some("edge"));
    // A namespace given by flag stays.
    let args = ConsoleArgs {
        namespace: Some("edge-canary".into()),
        ..args
    };
    assert_eq!(
        plan(&rb(OPTIONS), &args, &SessionState::default())
            .args
            .namespace
            .as_deref(),
        Some("edge-canary")
    );
}

#[test]
fn the_cluster_off_line_says_why_and_the_flags_that_would_connect() {
    assert_eq!(
        off_line(&ConsoleArgs::default(), None),
        "cluster off: no deployment named — try --deployment NAME -n NAMESPACE"
    );
    let read_only = ConsoleArgs {
        read_only: true,
        context: Some("prod-eu".into()),
        ..ConsoleArgs::default()
    };
    assert_eq!(
        off_line(&read_only, None),
        "cluster off: --read-only, but no deployment named — try --deployment NAME -n NAMESPACE --context prod-eu --read-only"
    );
    let fleet = plan(
        &rb(FLEET),
        &ConsoleArgs::default(),
        &SessionState::default(),
    );
    let line = off_line(&fleet.args, fleet.to_confirm.as_ref());
    let tied = fleet.to_confirm.as_ref().map_or(0, |i| i.tied.len());
    assert!(tied > 2, "{tied}");
    assert_eq!(
        line,
        format!(
            "cluster off: {tied} deployments named equally often — try --deployment NAME -n NAMESPACE"
        )
    );
    let declined = plan(
        &rb(OPTIONS),
        &ConsoleArgs::default(),
        &SessionState::default(),
    );
    assert_eq!(
        off_line(&declined.args, declined.to_confirm.as_ref()),
        "cluster off: the runbook's target not confirmed — try --deployment gateway -n edge"
    );
    let prose = plan(
        &rb(PROSE),
        &ConsoleArgs::default(),
        &SessionState::default(),
    );
    assert!(prose.to_confirm.is_none());
}

#[test]
fn resume_reconnects_to_the_journaled_connection_and_journals_nothing_new() {
    let (records, _) = build(vec![("op", connection(FROM_INFERRED, "gateway", "edge"))]);
    let p = plan(
        &rb(OPTIONS),
        &ConsoleArgs::default(),
        &SessionState::replay(&records),
    );
    assert_eq!(p.source, FROM_RESUME);
    assert!(!p.journal);
    assert!(
        p.to_confirm.is_none(),
        "a resumed session is not asked again"
    );
    assert_eq!(p.args.deployment.as_deref(), Some("gateway"));
    assert_eq!(p.args.namespace.as_deref(), Some("edge"));
    assert_eq!(p.args.context.as_deref(), Some("prod-eu"));
    assert_eq!(
        p.args.kubeconfig.as_deref(),
        Some(Path::new("/home/op/.kube/prod"))
    );
    assert_eq!(p.args.prometheus_url.as_deref(), Some("http://prom:9090"));
    assert_eq!(p.args.theme.as_deref(), Some("light"));
    assert!(!p.args.read_only);
}

#[test]
fn a_flag_given_on_resume_wins_and_is_journaled_as_an_override() {
    let (records, _) = build(vec![
        ("op", connection(FROM_INFERRED, "gateway", "edge")),
        ("op", connection(FROM_RESUME_OVERRIDE, "gateway", "edge-2")),
    ]);
    // The last record is the one resumed.
    let p = plan(
        &rb(OPTIONS),
        &ConsoleArgs::default(),
        &SessionState::replay(&records),
    );
    assert_eq!(p.args.namespace.as_deref(), Some("edge-2"));
    let flags = ConsoleArgs {
        read_only: true,
        ..ConsoleArgs::default()
    };
    let p = plan(&rb(OPTIONS), &flags, &SessionState::replay(&records));
    assert_eq!(p.source, FROM_RESUME_OVERRIDE);
    assert!(p.journal);
    assert!(p.args.read_only);
    assert_eq!(p.args.deployment.as_deref(), Some("gateway"));
    let Entry::ConnectionSet {
        source, read_only, ..
    } = connection_entry(&p.args, Some(("prod-eu", "edge-2")), p.source)
    else {
        panic!("a connection entry");
    };
    assert_eq!((source.as_str(), read_only), (FROM_RESUME_OVERRIDE, true));
    // The same value given again is no override.
    let same = ConsoleArgs {
        deployment: Some("gateway".into()),
        ..ConsoleArgs::default()
    };
    assert_eq!(
        plan(&rb(OPTIONS), &same, &SessionState::replay(&records)).source,
        FROM_RESUME
    );
}

#[test]
fn a_masked_prometheus_url_is_not_reused() {
    let mut entry = connection(FROM_FLAGS, "gateway", "edge");
    if let Entry::ConnectionSet { prometheus_url, .. } = &mut entry {
        *prometheus_url = Some(format!(
            "https://user:{}@prom",
            crate::domain::redact::REDACTED
        ));
    }
    let (records, _) = build(vec![("op", entry)]);
    let p = plan(
        &rb(OPTIONS),
        &ConsoleArgs::default(),
        &SessionState::replay(&records),
    );
    assert_eq!(p.args.prometheus_url, None);
}

#[test]
fn credentials_in_a_prometheus_url_are_never_journaled() {
    assert_eq!(
        without_credentials("https://ops:s3cret@prom.example:9090/api?x=1"),
        format!(
            "https://{}@prom.example:9090/api?x=1",
            crate::domain::redact::REDACTED
        )
    );
    assert_eq!(without_credentials("http://prom:9090"), "http://prom:9090");
    let args = ConsoleArgs {
        prometheus_url: Some("https://ops:s3cret@prom".into()),
        ..ConsoleArgs::default()
    };
    let entry = connection_entry(&args, None, FROM_FLAGS);
    assert!(!format!("{entry:?}").contains("s3cret"));
}
