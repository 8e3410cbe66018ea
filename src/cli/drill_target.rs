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
}
