//! Which deployment and namespace a simulated drill plays its scenario on.
//!
//! The console's own connection plan decides it (`cli::connection_plan`: the flags, then
//! the runbook's front matter `target`, then what its kubectl lines name, a placeholder such
//! as `<service-name>` naming nothing). The scenario is renamed to that target
//! (`sim::scenario_retarget`), and the console is opened on the scenario's application
//! when the runbook leaves the target open: in a drill the incident's deployment is known,
//! so the cluster panes never start "off".

use super::ConsoleArgs;
use super::connection_plan;
use crate::domain::runbook::Runbook;
use crate::sim::Scenario;
use crate::sim::scenario_retarget::Retargeted;

/// `(namespace, deployment)` the runbook is about, literal names only: what the console
/// would connect to, with the target read from the runbook's lines accepted as read.
pub fn runbook_target(
    book: Option<&Runbook>,
    console: &ConsoleArgs,
) -> (Option<String>, Option<String>) {
    let Some(book) = book else {
        return (console.namespace.clone(), console.deployment.clone());
    };
    let mut plan = connection_plan::plan(
        book,
        console,
        &crate::domain::session_state::SessionState::default(),
    );
    if let Some(inferred) = &plan.to_confirm {
        connection_plan::accept(&mut plan.args, inferred);
    }
    let front = book.front.as_ref().and_then(|f| f.target.as_ref());
    let namespace = plan
        .args
        .namespace
        .or_else(|| front.and_then(|t| t.namespace.clone()));
    let deployment = plan
        .args
        .deployment
        .or_else(|| front.and_then(|t| t.deployment.clone()));
    (namespace, deployment)
}

/// Renames `scenario` to the runbook's target and returns the console arguments the drill
/// opens with: the flags as given, plus the scenario's application and namespace when
/// neither the flags nor the runbook's front matter name a deployment.
pub fn play_on_runbook_target(
    scenario: &mut Scenario,
    book: Option<&Runbook>,
    console: &ConsoleArgs,
) -> (ConsoleArgs, Retargeted) {
    let (namespace, deployment) = runbook_target(book, console);
    let retargeted = scenario.retarget(namespace.as_deref(), deployment.as_deref());
    let mut args = console.clone();
    let front_names_one = book
        .and_then(|b| b.front.as_ref())
        .and_then(|f| f.target.as_ref())
        .is_some_and(|t| t.deployment.is_some());
    if args.deployment.is_none()
        && !front_names_one
        && let Some(app) = scenario.primary_app()
    {
        let held = deployment
            .as_deref()
            .filter(|d| scenario.apps.iter().any(|a| a.name == *d));
        args.deployment = Some(held.unwrap_or(&app.name).to_string());
        if args.namespace.is_none() {
            let app = scenario
                .apps
                .iter()
                .find(|a| Some(a.name.as_str()) == args.deployment.as_deref());
            args.namespace = Some(
                app.and_then(|a| a.namespace.clone())
                    .unwrap_or_else(|| scenario.namespace.clone()),
            );
        }
    }
    (args, retargeted)
}

/// The scenario a drill of a runbook that rolls back through a deploy service plays.
pub const DEPLOY_API_SCENARIO: &str = "blue-green-api";

/// The deploy API a runbook rolls back through, when it has no kubectl rollback of its
/// own: its front matter's `deploy_api.url`, else the base its `curl` lines name
/// (`domain::deploy_api::inferred_base`).
pub fn runbook_deploy_api(book: &Runbook) -> Option<String> {
    let rolls_back_with_kubectl = book.steps().any(|s| match &s.kind {
        crate::domain::runbook::StepKind::Command(block) => block.lines.iter().any(|l| {
            let words: Vec<&str> = l.text.split_whitespace().collect();
            l.is_kubectl && words.windows(2).any(|w| w == ["rollout", "undo"])
        }),
        _ => false,
    });
    if rolls_back_with_kubectl {
        return None;
    }
    match book.front.as_ref().and_then(|f| f.deploy_api.as_ref()) {
        Some(api) => Some(api.url.trim().to_string()),
        None => book.deploy_api_inferred.base().map(|b| b.url.clone()),
    }
}

/// The scenario `backout drill --runbook FILE` plays without `--scenario`:
/// [`DEPLOY_API_SCENARIO`] (the simulated deploy service) for a runbook that rolls back
/// through a deploy API ([`runbook_deploy_api`]), else `default`.
pub fn scenario_for_runbook(book: Option<&Runbook>, default: &'static str) -> &'static str {
    match book.and_then(runbook_deploy_api) {
        Some(_) => DEPLOY_API_SCENARIO,
        None => default,
    }
}

/// [`scenario_for_runbook`] of the runbook at `path` (one that does not load: `default`).
pub fn default_scenario(path: Option<&std::path::Path>, default: &'static str) -> &'static str {
    let book = path.and_then(|p| crate::adapters::runbook_file::load(p).ok());
    scenario_for_runbook(book.as_ref(), default)
}

/// The intro says why the deploy service plays, when it was chosen for the runbook
/// (no `--scenario`): [`deploy_api_intro_line`], second in the story.
pub fn tell_deploy_api(
    intro: &mut crate::ui::state::drill::DrillIntro,
    book: Option<&Runbook>,
    chosen: bool,
) {
    if let Some(line) = book.filter(|_| chosen).and_then(deploy_api_intro_line) {
        let at = intro.story.len().min(1);
        intro.story.insert(at, line);
    }
}

/// The drill intro's sentence when the scenario was chosen for the runbook's deploy API.
pub fn deploy_api_intro_line(book: &Runbook) -> Option<String> {
    let url = runbook_deploy_api(book)?;
    Some(format!(
        "This runbook rolls back through its deploy API ({url}), so the drill plays \
         {DEPLOY_API_SCENARIO} and its requests to {url} go to the simulator's deploy service."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn book(text: &str) -> Runbook {
        crate::domain::runbook::parse(Path::new("t.md"), text).expect("loads")
    }

    fn bad_deploy() -> Scenario {
        let (_, text) = crate::sim::scenario::BUILTIN
            .iter()
            .find(|(n, _)| *n == "bad-deploy")
            .expect("built in");
        Scenario::parse(text, "bad-deploy").expect("parses")
    }

    const TEAM: &str = "# Rollback\n\n## Roll back\n\n```bash\nkubectl rollout undo deployment/payments -n billing\nkubectl rollout status deployment/payments -n billing\n```\n";

    #[test]
    fn a_team_runbook_s_kubectl_lines_name_the_drill_s_deployment() {
        let book = book(TEAM);
        let mut s = bad_deploy();
        let (args, r) = play_on_runbook_target(&mut s, Some(&book), &ConsoleArgs::default());
        assert_eq!(args.deployment.as_deref(), Some("payments"));
        assert_eq!(args.namespace.as_deref(), Some("billing"));
        assert_eq!(s.apps[0].name, "payments");
        assert_eq!(s.namespace, "billing");
        assert!(r.describe().is_some());
    }

    #[test]
    fn flags_win_over_the_runbook_s_lines() {
        let book = book(TEAM);
        let mut s = bad_deploy();
        let flags = ConsoleArgs {
            deployment: Some("api".into()),
            namespace: Some("prod".into()),
            ..ConsoleArgs::default()
        };
        let (args, _) = play_on_runbook_target(&mut s, Some(&book), &flags);
        assert_eq!(
            (args.deployment.as_deref(), args.namespace.as_deref()),
            (Some("api"), Some("prod"))
        );
        assert_eq!(
            (s.apps[0].name.as_str(), s.namespace.as_str()),
            ("api", "prod")
        );
    }

    #[test]
    fn a_runbook_naming_no_target_opens_on_the_scenario_s_application() {
        let book = book("# Rollback\n\n## Checklist\n\n- [ ] Tell the team\n");
        let mut s = bad_deploy();
        let (args, r) = play_on_runbook_target(&mut s, Some(&book), &ConsoleArgs::default());
        assert_eq!(args.deployment.as_deref(), Some("checkout-api"));
        assert_eq!(args.namespace.as_deref(), Some("checkout"));
        assert_eq!(r, Retargeted::default());
    }

    #[test]
    fn a_placeholder_names_nothing() {
        let book = book(
            "# Rollback\n\n## Roll back\n\n```bash\nkubectl rollout undo deployment/<service-name> -n <namespace>\n```\n",
        );
        let mut s = bad_deploy();
        let (args, _) = play_on_runbook_target(&mut s, Some(&book), &ConsoleArgs::default());
        assert_eq!(args.deployment.as_deref(), Some("checkout-api"));
        assert_eq!(s.apps[0].name, "checkout-api");
    }

    #[test]
    fn a_runbook_rolling_back_through_its_deploy_api_plays_the_deploy_service() {
        let literal = book(
            "# Switch back\n\n## Execute\n\n```sh\ncurl -X POST https://deploy.example.org/deployment/rollback\n```\n",
        );
        assert_eq!(
            scenario_for_runbook(Some(&literal), "bad-deploy"),
            DEPLOY_API_SCENARIO
        );
        assert_eq!(
            deploy_api_intro_line(&literal).as_deref(),
            Some(
                "This runbook rolls back through its deploy API (https://deploy.example.org), so \
                 the drill plays blue-green-api and its requests to https://deploy.example.org go \
                 to the simulator's deploy service."
            )
        );
        // A kubectl rollback of its own: the bad deploy.
        let both = book(&format!(
            "{TEAM}\n```sh\ncurl -X POST https://deploy.example.org/deployment/rollback\n```\n"
        ));
        assert_eq!(
            scenario_for_runbook(Some(&both), "bad-deploy"),
            "bad-deploy"
        );
        assert_eq!(deploy_api_intro_line(&both), None);
        assert_eq!(
            scenario_for_runbook(Some(&book(TEAM)), "bad-deploy"),
            "bad-deploy"
        );
        assert_eq!(scenario_for_runbook(None, "bad-deploy"), "bad-deploy");
        // Declared in front matter.
        let declared = book(
            "---\nbackout: 1\ndeploy_api: { url: \"https://deploy.example.net/v2\" }\n---\n# R\n\n## Execute\n\n- [ ] Switch back\n",
        );
        assert_eq!(
            scenario_for_runbook(Some(&declared), "bad-deploy"),
            DEPLOY_API_SCENARIO
        );
    }

    fn drill_args(scenario: Option<&str>, runbook: &str) -> crate::cli::DrillArgs {
        crate::cli::DrillArgs {
            scenario: scenario.map(String::from),
            speed: 1.0,
            verify_speed: 10.0,
            runbook: Some(runbook.into()),
            seed: 1,
            report: None,
        }
    }

    /// `backout drill --runbook` of a team's HTTP-API playbook (no front matter, every
    /// line a literal URL, in the style of the shared example) plays the simulated deploy service; of a
    /// kubectl runbook, the bad deploy; `--scenario` wins.
    #[test]
    fn the_http_api_example_plans_the_deploy_service_scenario() {
        use crate::cli::drill::{Plan, plan};
        const EXAMPLE: &str = "tests/runbooks/teams/blue-green-localhost-api.md";
        let planned =
            |scenario, runbook| match plan(&drill_args(scenario, runbook), &ConsoleArgs::default())
                .expect("plans")
            {
                Plan::Simulated { scenario, runbook } => (scenario.name, runbook),
                Plan::Cluster { .. } => panic!("no context given"),
            };
        assert_eq!(
            planned(None, EXAMPLE),
            ("blue-green-api".to_string(), EXAMPLE.into())
        );
        assert_eq!(
            planned(None, "runbooks/deployment-rollback.md").0,
            "bad-deploy"
        );
        assert_eq!(planned(Some("crashloop"), EXAMPLE).0, "crashloop");
    }
}
