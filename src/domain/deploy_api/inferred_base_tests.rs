//! The deploy API's base read from a runbook's own `curl` lines.

use std::path::Path;

use super::*;
use crate::domain::runbook::parse;

fn inferred(md: &str) -> BaseInference {
    infer_from_runbook(&parse(Path::new("t.md"), md).expect("loads"))
}

/// A team's blue/green playbook naming its deploy agent by a literal URL in every line
/// (`tests/runbooks/teams/blue-green-localhost-api.md`, in the style of the shared
/// example): every deploy endpoint it calls is under one base; `/health` and
/// `/api/pay/quote` are no source (only `/deployment/status` and `/deployment/rollback`
/// are).
#[test]
fn a_literal_url_playbooks_lines_name_one_base() {
    let path = Path::new("tests/runbooks/teams/blue-green-localhost-api.md");
    let bytes = include_bytes!("../../../tests/runbooks/teams/blue-green-localhost-api.md");
    let rb = crate::domain::runbook::load_bytes(path, bytes).expect("loads");
    let BaseInference::Inferred(base) = infer_from_runbook(&rb) else {
        panic!("one base: {:?}", infer_from_runbook(&rb));
    };
    assert_eq!(base.url, "http://localhost:8080");
    // Every line it was read from calls a deploy endpoint under it.
    let text: Vec<&str> = rb.markdown.lines().collect();
    // Line 41 is inline code in a list item, not a command line.
    assert_eq!(base.lines, vec![10, 13, 27, 30, 39]);
    for n in &base.lines {
        let line = text[n - 1];
        assert!(
            line.contains("http://localhost:8080/deployment/"),
            "line {n}: {line}"
        );
    }
    assert_eq!(infer_from_runbook(&rb).warning(), None);
}

#[test]
fn the_teams_fixture_names_a_base_with_a_path() {
    let md = include_str!("../../../tests/runbooks/teams/http-api-rollback.md");
    let BaseInference::Inferred(base) = inferred(md) else {
        panic!("one base");
    };
    assert_eq!(base.url, "https://deploy.example.com/api");
    // The status (line 9) and the rollback (line 12); `/health` (line 15) is no source.
    assert_eq!(base.lines, vec![9, 12]);
    assert_eq!(
        endpoint_under(&base.url, "https://deploy.example.com/api/health"),
        Some("/health")
    );
}

const TWO_BASES: &str = "# Two services\n\n## Execute\n\n```sh\ncurl -X POST https://blue.example.org/deploy/deployment/rollback\n```\n\n## Verify\n\n```sh\ncurl https://green.example.org/deployment/status\n```\n";

#[test]
fn two_bases_infer_none_and_say_so() {
    let inference = inferred(TWO_BASES);
    let BaseInference::Ambiguous(bases) = &inference else {
        panic!("ambiguous: {inference:?}");
    };
    assert_eq!(
        bases.iter().map(|b| b.url.as_str()).collect::<Vec<_>>(),
        [
            "https://blue.example.org/deploy",
            "https://green.example.org"
        ]
    );
    assert_eq!(inference.base(), None);
    // A runbook warning, as loaded.
    let rb = parse(Path::new("t.md"), TWO_BASES).expect("loads");
    assert!(
        rb.warnings.iter().any(|w| w.line == 6
            && w.message
                .starts_with("curl lines call the deploy endpoints under 2 different")),
        "{:?}",
        rb.warnings
    );
    let (line, message) = inference.warning().expect("a warning");
    assert_eq!(line, 6);
    assert_eq!(
        message,
        "curl lines call the deploy endpoints under 2 different base URLs: \
         https://blue.example.org/deploy (line 6), https://green.example.org (line 12); \
         no deploy API is inferred, so these lines run in the shell"
    );
}

#[test]
fn variable_lines_and_a_declared_deploy_api_infer_nothing() {
    // `$DEPLOY_API` is bound by the drill or the front matter, never read as a base.
    assert_eq!(
        inferred(
            "# R\n\n## Execute\n\n```sh\ncurl -fsS -X POST -H \"Authorization: Bearer $DEPLOY_API_TOKEN\" \"$DEPLOY_API/deployment/rollback\"\ncurl \"$DEPLOY_API/deployment/status\" | jq .currentEnvironment\n```\n"
        ),
        BaseInference::None
    );
    // The front matter's declaration wins: the literal lines infer nothing beside it.
    assert_eq!(
        inferred(
            "---\nbackout: 1\ndeploy_api: { url: \"https://deploy.example.net/v2\" }\n---\n# R\n\n## Execute\n\n```sh\ncurl -X POST https://other.example.net/deployment/rollback\n```\n"
        ),
        BaseInference::None
    );
}

#[test]
fn other_paths_are_no_source_and_not_the_deploy_apis() {
    // Only the application's own endpoints: nothing inferred.
    assert_eq!(
        inferred(
            "# R\n\n## Execute\n\n```sh\ncurl -X POST https://shop.example.org/api/query -d '{}'\ncurl https://shop.example.org/health\n```\n"
        ),
        BaseInference::None
    );
    let base = "https://shop.example.org";
    assert_eq!(
        endpoint_under(base, "https://shop.example.org/deployment/rollback"),
        Some(ROLLBACK_PATH)
    );
    assert_eq!(
        endpoint_under(base, "https://shop.example.org/api/query"),
        None
    );
    assert_eq!(
        endpoint_under(base, "https://shop.example.orgx/health"),
        None
    );
    assert_eq!(
        endpoint_under(base, "https://other.example.org/health"),
        None
    );
}

#[test]
fn a_url_with_a_query_or_credentials_is_no_source() {
    assert_eq!(
        inferred(
            "# R\n\n## Execute\n\n```sh\ncurl -X POST 'https://shop.example.org/deployment/rollback?force=true'\ncurl https://ops:hunter2@shop.example.org/deployment/status\ncurl 'https://shop.example.org/deployment/status#now'\n```\n"
        ),
        BaseInference::None
    );
    assert_eq!(
        base_of_url("https://shop.example.org/deployment/status?x=1"),
        None
    );
    assert_eq!(
        base_of_url("https://u:p@shop.example.org/deployment/status"),
        None
    );
    assert_eq!(
        base_of_url("ftp://shop.example.org/deployment/status"),
        None
    );
    assert_eq!(
        base_of_url("https://shop.example.org:8443/ops/deployment/status/"),
        Some("https://shop.example.org:8443/ops".into())
    );
    // Not a curl line the console would run (another flag): no source either.
    assert_eq!(
        base_of_line("curl -o out.json https://shop.example.org/deployment/status"),
        None
    );
}

/// The loader infers the base once and the runbook carries it; callers read the carried
/// value (the drill's choice of the deploy-service scenario here), so a runbook whose
/// steps were dropped after load still names the base it was loaded with, and one whose
/// carried value is cleared names none.
#[test]
fn the_inference_is_made_once_at_load_and_carried_on_the_runbook() {
    let path = Path::new("tests/runbooks/teams/blue-green-localhost-api.md");
    let bytes = include_bytes!("../../../tests/runbooks/teams/blue-green-localhost-api.md");
    let mut rb = crate::domain::runbook::load_bytes(path, bytes).expect("loads");
    assert_eq!(rb.deploy_api_inferred, infer_from_runbook(&rb));
    assert_eq!(
        rb.deploy_api_inferred.base().map(|b| b.url.as_str()),
        Some("http://localhost:8080")
    );
    // Carried, not recomputed: the steps are gone, the value stays.
    let carried = rb.deploy_api_inferred.clone();
    for phase in &mut rb.phases {
        phase.steps.clear();
    }
    assert_eq!(infer_from_runbook(&rb), BaseInference::None);
    assert_eq!(rb.deploy_api_inferred, carried);
    assert_eq!(
        crate::cli::drill_target::runbook_deploy_api(&rb).as_deref(),
        Some("http://localhost:8080")
    );
    rb.deploy_api_inferred = BaseInference::None;
    assert_eq!(crate::cli::drill_target::runbook_deploy_api(&rb), None);
    // Two bases: none is carried, and the warning was made from the carried value.
    let two = parse(
        Path::new("t.md"),
        "# R\n\n## Roll back\n\n```sh\ncurl -X POST http://a:8080/deployment/rollback\ncurl -X POST http://b:8080/deployment/rollback\n```\n",
    )
    .expect("loads");
    assert!(matches!(
        two.deploy_api_inferred,
        BaseInference::Ambiguous(_)
    ));
    assert!(
        two.warnings
            .iter()
            .any(|w| w.message.contains("2 different base URLs")),
        "{:?}",
        two.warnings
    );
}
