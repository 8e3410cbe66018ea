//! `parse_kubectl_line` on lines from real runbooks: what runs natively, and why not.

use super::*;
use crate::domain::cluster::EnvChange;

fn ok(line: &str) -> KubectlLine {
    match parse_kubectl_line(line) {
        ParsedLine::Parsed(l) => l,
        ParsedLine::NotUnderstood(e) => panic!("{line}: {e}"),
    }
}

fn action(line: &str) -> (Option<String>, Option<String>, ClusterAction) {
    let l = ok(line);
    match l.command {
        Command::Action(a) => (l.namespace, l.deployment, a),
        Command::Query(q) => panic!("{line}: query {q:?}"),
    }
}

fn query(line: &str) -> (Option<String>, Option<String>, ReadOnlyQuery) {
    let l = ok(line);
    match l.command {
        Command::Query(q) => (l.namespace, l.deployment, q),
        Command::Action(a) => panic!("{line}: action {a:?}"),
    }
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn actions_from_real_runbook_lines() {
    use ClusterAction::*;
    let cases: Vec<(&str, Option<String>, Option<String>, ClusterAction)> = vec![
        (
            "kubectl rollout undo deployment/api -n prod --to-revision=3",
            s("prod"),
            s("api"),
            Undo {
                to_revision: Some(3),
            },
        ),
        (
            "kubectl -n prod rollout undo deploy api",
            s("prod"),
            s("api"),
            Undo { to_revision: None },
        ),
        (
            "$ kubectl rollout undo deployments.apps/checkout-api --namespace=checkout",
            s("checkout"),
            s("checkout-api"),
            Undo { to_revision: None },
        ),
        (
            "kubectl rollout undo deployment checkout-api --to-revision 0 -n checkout",
            s("checkout"),
            s("checkout-api"),
            Undo { to_revision: None },
        ),
        (
            "kubectl --namespace checkout rollout pause deployment/checkout-api",
            s("checkout"),
            s("checkout-api"),
            Pause,
        ),
        (
            "kubectl rollout resume deploy/checkout-api",
            None,
            s("checkout-api"),
            Resume,
        ),
        (
            "kubectl rollout restart deployment/api -nprod",
            s("prod"),
            s("api"),
            Restart,
        ),
        (
            "kubectl scale deployment api --replicas=0",
            None,
            s("api"),
            Scale { replicas: 0 },
        ),
        (
            "kubectl scale --replicas 5 deploy/api -n prod",
            s("prod"),
            s("api"),
            Scale { replicas: 5 },
        ),
        (
            "kubectl set image deployment/api api=repo/api:1.2.3",
            None,
            s("api"),
            SetImage {
                container: "api".into(),
                image: "repo/api:1.2.3".into(),
            },
        ),
        (
            "kubectl set image deploy/api '*=registry:5000/api:1.2'",
            None,
            s("api"),
            SetImage {
                container: "*".into(),
                image: "registry:5000/api:1.2".into(),
            },
        ),
        (
            "kubectl set env deployment/api FEATURE_X=false",
            None,
            s("api"),
            SetEnv {
                container: None,
                changes: vec![EnvChange::Set {
                    name: "FEATURE_X".into(),
                    value: "false".into(),
                }],
            },
        ),
        (
            "kubectl set env deployment/api -c api FEATURE_X- \"GREETING=hello world\"",
            None,
            s("api"),
            SetEnv {
                container: s("api"),
                changes: vec![
                    EnvChange::Unset {
                        name: "FEATURE_X".into(),
                    },
                    EnvChange::Set {
                        name: "GREETING".into(),
                        value: "hello world".into(),
                    },
                ],
            },
        ),
        (
            "kubectl patch service api -p '{\"spec\":{\"selector\":{\"version\":\"blue\"}}}'",
            None,
            None,
            SwitchSelector {
                service: "api".into(),
                selector: [("version".to_string(), "blue".to_string())].into(),
            },
        ),
        (
            "kubectl patch svc/api -n prod --type=merge -p '{\"spec\": {\"selector\": {\"app\": \"api\", \"slot\": \"green\"}}}'",
            s("prod"),
            None,
            SwitchSelector {
                service: "api".into(),
                selector: [
                    ("app".to_string(), "api".to_string()),
                    ("slot".to_string(), "green".to_string()),
                ]
                .into(),
            },
        ),
        (
            "kubectl delete pods -l app=api",
            None,
            None,
            DeletePods {
                selector: "app=api".into(),
            },
        ),
        (
            "kubectl delete pod --selector 'app=api,version in (2.0)' -n shop",
            s("shop"),
            None,
            DeletePods {
                selector: "app=api,version in (2.0)".into(),
            },
        ),
        (
            "kubectl rollout undo deployment/api -n prod # back to the last good one",
            s("prod"),
            s("api"),
            Undo { to_revision: None },
        ),
        (
            "kubectl rollout undo \\\n  deployment/api -n prod",
            s("prod"),
            s("api"),
            Undo { to_revision: None },
        ),
    ];
    for (line, ns, dep, want) in cases {
        assert_eq!(action(line), (ns, dep, want), "{line}");
    }
    assert_eq!(
        ok("kubectl --context prod-eu rollout pause deploy/api").context,
        s("prod-eu")
    );
    assert_eq!(
        ok("kubectl rollout pause deploy/api --context=prod-eu").context,
        s("prod-eu")
    );
}

#[test]
fn queries() {
    use ReadOnlyQuery::*;
    let cases: Vec<(&str, Option<String>, Option<String>, ReadOnlyQuery)> = vec![
        (
            "kubectl rollout status deploy/api --timeout=5m",
            None,
            s("api"),
            RolloutStatus {
                timeout_secs: Some(300),
            },
        ),
        (
            "kubectl rollout status deployment/api -n prod --timeout 1m30s",
            s("prod"),
            s("api"),
            RolloutStatus {
                timeout_secs: Some(90),
            },
        ),
        (
            "kubectl rollout status deployment api",
            None,
            s("api"),
            RolloutStatus { timeout_secs: None },
        ),
        (
            "kubectl rollout history deployment api",
            None,
            s("api"),
            RolloutHistory { revision: None },
        ),
        (
            "kubectl get pods -l app=api -n prod",
            s("prod"),
            None,
            GetPods {
                selector: s("app=api"),
            },
        ),
        (
            "kubectl get po -o wide",
            None,
            None,
            GetPods { selector: None },
        ),
        (
            "kubectl get deploy api -n prod",
            s("prod"),
            s("api"),
            GetDeployment {
                output: GetOutput::Table,
                label_columns: vec![],
                show_labels: false,
            },
        ),
        (
            "kubectl get deployment/api -o wide --show-labels",
            None,
            s("api"),
            GetDeployment {
                output: GetOutput::Wide,
                label_columns: vec![],
                show_labels: true,
            },
        ),
        (
            "kubectl get deployment/api -o=name",
            None,
            s("api"),
            GetDeployment {
                output: GetOutput::Name,
                label_columns: vec![],
                show_labels: false,
            },
        ),
        (
            "kubectl get deploy api -L app,team -L kubernetes.io/part-of",
            None,
            s("api"),
            GetDeployment {
                output: GetOutput::Table,
                label_columns: vec!["app".into(), "team".into(), "kubernetes.io/part-of".into()],
                show_labels: false,
            },
        ),
    ];
    for (line, ns, dep, want) in cases {
        assert_eq!(query(line), (ns, dep, want), "{line}");
    }
}

#[test]
fn not_understood_with_a_reason() {
    let cases = [
        ("kubectl get pods -n prod | grep api", "shell operator '|'"),
        (
            "kubectl rollout undo deploy/api && kubectl rollout status deploy/api",
            "shell operator '&'",
        ),
        (
            "kubectl rollout undo deploy/api; echo done",
            "shell operator ';'",
        ),
        ("kubectl get pods > pods.txt", "shell operator '>'"),
        ("kubectl rollout undo deployment/$SERVICE", "shell variable"),
        (
            "kubectl rollout undo deployment/<service-name>",
            "shell operator '<'",
        ),
        (
            "kubectl rollout undo 'deployment/<service-name>'",
            "placeholder",
        ),
        (
            "kubectl rollout undo statefulset/db",
            "statefulset is not a deployment",
        ),
        (
            "kubectl rollout undo deploy/api deploy/web",
            "unexpected argument",
        ),
        (
            "kubectl rollout undo deploy/api --dry-run=server",
            "flag --dry-run is not supported natively",
        ),
        (
            "kubectl rollout undo deploy/api --to-revision=two",
            "invalid value \"two\" for --to-revision",
        ),
        ("kubectl scale deployment api", "scale needs --replicas"),
        (
            "kubectl scale deployment api --replicas=-1",
            "must not be negative",
        ),
        (
            "kubectl apply -f deploy.yaml",
            "kubectl apply deploy.yaml is not supported",
        ),
        (
            "kubectl --kubeconfig other.yaml rollout undo deploy/api",
            "another kubeconfig",
        ),
        (
            "kubectl patch service api -p '{\"spec\":{\"ports\":[]}}'",
            "only a patch of spec.selector",
        ),
        (
            "kubectl patch service api --type=json -p '[]'",
            "not a selector switch",
        ),
        (
            "kubectl patch deployment api -p '{}'",
            "deployment is not a service",
        ),
        ("kubectl delete pods web-1", "by name"),
        ("kubectl delete pods", "needs a label selector"),
        (
            "kubectl set image deployment/api api=a:1 sidecar=b:2",
            "exactly one",
        ),
        (
            "kubectl set env deployment/api 1BAD=x",
            "\"1BAD\" is not a valid key name",
        ),
        (
            "kubectl rollout status deploy/api --timeout=5",
            "missing unit",
        ),
        (
            "kubectl rollout status deploy/api --watch=false",
            "--watch=false",
        ),
        (
            "kubectl rollout undo 'deploy/api",
            "unterminated single quote",
        ),
        ("helm rollback api 3", "helm is not kubectl"),
        // Issue 14 point 4: forms the console cannot print byte for byte as kubectl
        // does go to kubectl itself, never a different answer natively.
        (
            "kubectl get deployment api -o jsonpath='{..image}'",
            "recursive descent (..) is not supported natively",
        ),
        (
            "kubectl get deployment api -o go-template='{{.spec.replicas}}'",
            "get -o go-template={{.spec.replicas}} is printed by kubectl itself",
        ),
        (
            "kubectl get deployment api -o custom-columns=N",
            "unexpected custom-columns spec: N",
        ),
        (
            "kubectl get deployment api -o json --show-labels",
            "flag --show-labels is not supported natively",
        ),
        (
            "kubectl get deployment api -o name -L app",
            "-o name with -L is printed by kubectl",
        ),
        (
            "kubectl get deployment api -ojson",
            "flag -ojson is not supported",
        ),
        (
            "kubectl rollout history deployment/api -o yaml",
            "printed by kubectl",
        ),
        ("", "empty line"),
    ];
    for (line, want) in cases {
        match parse_kubectl_line(line) {
            ParsedLine::NotUnderstood(e) => assert!(e.contains(want), "{line}: {e}"),
            ParsedLine::Parsed(p) => panic!("{line} parsed: {p:?}"),
        }
    }
}

/// Issue 14 point 4: the object forms and `rollout history --revision` run natively
/// (printed from the objects read through the API; `tests/native_output_parity.rs`).
#[test]
fn object_output_forms_and_a_revisions_template_parse_natively() {
    use crate::domain::cluster::printers::ObjectOutput;
    for (line, output) in [
        ("kubectl get deployment api -o json", ObjectOutput::Json),
        ("kubectl get deploy/api -o yaml", ObjectOutput::Yaml),
        (
            "kubectl get deployment api -o jsonpath='{.spec.replicas}'",
            ObjectOutput::JsonPath("{.spec.replicas}".into()),
        ),
        (
            "kubectl get deployment api --output=custom-columns=N:.metadata.name",
            ObjectOutput::CustomColumns("N:.metadata.name".into()),
        ),
    ] {
        let (_, deployment, q) = query(line);
        assert_eq!(deployment.as_deref(), Some("api"), "{line}");
        assert_eq!(q, ReadOnlyQuery::GetDeploymentAs { output }, "{line}");
    }
    let (_, _, q) = query("kubectl rollout history deployment/api --revision=2");
    assert_eq!(q, ReadOnlyQuery::RolloutHistory { revision: Some(2) });
}

#[test]
fn lines_fill_in_the_runbook_target() {
    let default = crate::domain::cluster::Target {
        context: Some("prod-eu".into()),
        namespace: "checkout".into(),
        deployment: "checkout-api".into(),
    };
    let t = ok("kubectl rollout undo deploy/api -n shop").target(&default);
    assert_eq!(
        (
            t.context.as_deref(),
            t.namespace.as_str(),
            t.deployment.as_str()
        ),
        (Some("prod-eu"), "shop", "api")
    );
    let t = ok("kubectl delete pods -l app=api --context staging").target(&default);
    assert_eq!(
        (
            t.context.as_deref(),
            t.namespace.as_str(),
            t.deployment.as_str()
        ),
        (Some("staging"), "checkout", "checkout-api")
    );
}

#[test]
fn durations() {
    assert_eq!(parse_duration_secs("5m"), Ok(300));
    assert_eq!(parse_duration_secs("1h30m"), Ok(5400));
    assert_eq!(parse_duration_secs("1.5s"), Ok(2));
    assert_eq!(parse_duration_secs("250ms"), Ok(1));
    assert_eq!(parse_duration_secs("0"), Ok(0));
    assert!(parse_duration_secs("5x").is_err());
    // Issue 15: no overflow; an absurd timeout waits a year and a day.
    assert_eq!(
        parse_duration_secs("3000000000000h"),
        Ok(duration::MAX.as_secs())
    );
}
