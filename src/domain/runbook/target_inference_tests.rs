use std::path::Path;

use super::*;
use crate::domain::runbook::parse;

fn runbook(name: &str, text: &str) -> Runbook {
    parse(Path::new(name), text).expect("corpus runbook loads")
}

fn value(g: &Option<Guess>) -> Option<String> {
    g.as_ref().map(|g| g.named.to_string())
}

/// Each corpus runbook (`tests/runbooks/teams/`, none with a `target`) and the
/// deployment and namespace its kubectl lines name most.
#[test]
fn the_corpus_runbooks_name_their_target_in_their_kubectl_lines() {
    macro_rules! corpus {
        ($($file:literal => $expected:expr),* $(,)?) => {
            [$(($file, include_str!(concat!("../../../tests/runbooks/teams/", $file)), $expected)),*]
        };
    }
    let none: Option<(&str, &str)> = None;
    let cases = corpus![
        "argocd-rollback.md" => Some(("storefront", "storefront")),
        "blue-green-switch.md" => Some(("payments", "pay")),
        "comment-only-phases.md" => Some(("billing-api", "billing")),
        "decision-table-impact.md" => Some(("pricing", "pricing")),
        "decision-table-priority.md" => Some(("auth", "auth")),
        "decision-table-sev.md" => Some(("inventory", "inventory")),
        "docs-site-hugo.md" => Some(("orders", "orders")),
        "emergency-one-liners.md" => Some(("search-api", "search")),
        "helm-rollback.md" => Some(("recs-api", "recs")),
        "http-api-rollback.md" => none,
        "message-templates.md" => Some(("uploader", "media")),
        "mojibake-emoji.md" => Some(("cart", "cart")),
        "monitoring-alerting.md" => Some(("chat", "chat")),
        "options-a-to-d.md" => Some(("gateway", "edge")),
        "pre-rollback-nested.md" => Some(("reports", "reports")),
        "promql-two-queries.md" => Some(("feed", "feed")),
        "prose-no-headings.md" => none,
        "prose-playbook.md" => none,
        "reference-tables.md" => Some(("profile", "profile")),
        "scenarios-with-steps.md" => Some(("checkout", "shop")),
        "strategies-when-duration.md" => Some(("catalog-api", "catalog")),
    ];
    for (file, text, expected) in cases {
        let rb = runbook(file, text);
        assert!(
            rb.front.as_ref().and_then(|f| f.target.as_ref()).is_none(),
            "{file}"
        );
        let got = infer_target(&rb);
        let pair = value(&got.deployment).zip(value(&got.namespace));
        assert_eq!(
            pair,
            expected.map(|(d, n)| (d.to_string(), n.to_string())),
            "{file}: {got:?}"
        );
        if let Some(d) = &got.deployment {
            assert!(!d.lines.is_empty(), "{file}");
            for l in &d.lines {
                let source_line = text.lines().nth(l - 1).unwrap_or_default();
                assert!(source_line.contains("kubectl"), "{file}:{l}: {source_line}");
            }
        }
    }
}

#[test]
fn a_fleet_naming_many_deployments_equally_is_a_tie_and_nothing_is_chosen() {
    let text = include_str!("../../../tests/runbooks/teams/very-long-fleet.md");
    let got = infer_target(&runbook("very-long-fleet.md", text));
    assert_eq!(got.deployment, None);
    assert!(got.tied.len() > 2, "{got:?}");
    assert!(got.tied.contains(&"region-01-api".to_string()));
    assert!(
        got.describe()
            .iter()
            .any(|l| l.starts_with("deployment  none chosen: named equally often — region-01-api")),
        "{:?}",
        got.describe()
    );
}

const FORMS: &str = "# Roll back\n\n## Execute\n\n```sh\n\
kubectl --context=prod-eu --namespace=edge rollout undo deploy/gateway\n\
kubectl -nedge scale deployment gateway --replicas=3\n\
kubectl --namespace edge get deployments.apps/gateway -o wide\n\
kubectl -n other rollout status deployment/sidecar\n\
```\n";

#[test]
fn every_way_kubectl_names_a_namespace_deployment_and_context_is_counted() {
    let got = infer_target(&runbook("forms.md", FORMS));
    assert_eq!(
        got.deployment,
        Some(Guess {
            named: Named::Value("gateway".into()),
            lines: vec![6, 7, 8]
        })
    );
    assert_eq!(
        got.namespace,
        Some(Guess {
            named: Named::Value("edge".into()),
            lines: vec![6, 7, 8]
        })
    );
    assert_eq!(
        got.context,
        Some(Guess {
            named: Named::Value("prod-eu".into()),
            lines: vec![6]
        })
    );
    assert_eq!(
        got.describe(),
        vec![
            "deployment  gateway  (lines 6, 7, 8)",
            "namespace   edge  (lines 6, 7, 8)",
            "context     prod-eu  (line 6)",
        ]
    );
}

#[test]
fn a_deployment_given_by_flag_takes_the_namespace_its_lines_give_it() {
    let rb = runbook("forms.md", FORMS);
    assert_eq!(value(&namespace_for(&rb, "sidecar")), Some("other".into()));
    assert_eq!(value(&namespace_for(&rb, "gateway")), Some("edge".into()));
    // A deployment no line names: the namespace named most.
    assert_eq!(value(&namespace_for(&rb, "unknown")), Some("edge".into()));
}

#[test]
fn an_unbound_placeholder_is_kept_to_be_asked_and_a_bound_one_is_its_value() {
    let text = "# Roll back\n\n## Execute\n\n```sh\n\
kubectl -n $NAMESPACE rollout undo deployment/<service-name>\n\
kubectl -n ${NAMESPACE} rollout status deployment/<service-name>\n\
```\n";
    let got = infer_target(&runbook("p.md", text));
    assert_eq!(
        got.deployment.as_ref().map(|g| &g.named),
        Some(&Named::Placeholder("<service-name>".into()))
    );
    // `$NAMESPACE` and `${NAMESPACE}` are one placeholder.
    assert_eq!(
        got.namespace,
        Some(Guess {
            named: Named::Placeholder("$NAMESPACE".into()),
            lines: vec![6, 7]
        })
    );
    assert_eq!(got.placeholders(), vec!["<service-name>", "$NAMESPACE"]);

    let bound =
        format!("---\nbackout: 1\nvars: {{ service-name: api, NAMESPACE: prod }}\n---\n{text}");
    let got = infer_target(&runbook("p.md", &bound));
    assert_eq!(value(&got.deployment), Some("api".into()));
    assert_eq!(value(&got.namespace), Some("prod".into()));
    assert!(got.placeholders().is_empty());
}

#[test]
fn lines_are_listed_up_to_eight() {
    assert_eq!(lines_text(&[4]), "line 4");
    assert_eq!(
        lines_text(&[1, 2, 3, 4, 5, 6, 7, 8, 9]),
        "lines 1, 2, 3, 4, 5, 6, 7, 8, …"
    );
}

#[test]
fn one_line_s_target_is_read_with_its_placeholders_filled() {
    let mut bindings = Bindings::new();
    bindings.insert("NS".into(), "edge".into());
    assert_eq!(
        line_target(
            "kubectl -n $NS rollout undo deployment/<svc> --context prod",
            &bindings
        ),
        LineTarget {
            deployment: None,
            namespace: Some("edge".into()),
            context: Some("prod".into()),
        }
    );
    assert_eq!(
        line_target("echo deployment/x", &bindings),
        LineTarget::default()
    );
}
