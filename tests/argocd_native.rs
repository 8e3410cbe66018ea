//! The GitOps runbook of the project's corpus (`runbooks/argocd-rollback.md`) runs its
//! `argocd` lines natively, end to end, against the simulator's Argo CD (the
//! `argocd-self-heal` drill after its bad commit): parsed by `domain::argocd`, previewed,
//! executed and followed through `adapters::argocd`, printing what the argocd CLI prints
//! (`cmd/argocd/commands/app.go` in argoproj/argo-cd).

mod common;

use std::time::Duration;

use backout::adapters::argocd::{self, ArgoError, ArgoServer};
use backout::adapters::runbook_file;
use backout::domain::argocd::{ArgoCommand, parse_argocd_line};
use backout::domain::runbook::{self, StepKind};
use backout::sim::Scenario;
use backout::sim::auth::ADMIN_TOKEN;
use common::Sim;

const DRILL: &str = include_str!("../runbooks/drills/argocd-self-heal.yaml");

fn image(sim: &Sim) -> String {
    sim.image(&["checkout-api", "-n", "checkout"])
}

/// The runbook's `argocd` lines, placeholders filled from its `vars`, in order.
fn argocd_lines() -> Vec<String> {
    let rb =
        runbook_file::load(std::path::Path::new("runbooks/argocd-rollback.md")).expect("loads");
    let vars = rb
        .front
        .as_ref()
        .map(|f| f.vars.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    for step in rb.phases.iter().flat_map(|p| &p.steps) {
        if let StepKind::Command(block) = &step.kind {
            let filled = runbook::fill(&block.script, &vars).expect("vars bind every placeholder");
            out.extend(
                runbook::shell_lines::logical_lines(&filled)
                    .into_iter()
                    .filter(|l| l.starts_with("argocd ")),
            );
        }
    }
    out
}

#[test]
fn the_gitops_runbook_rolls_back_through_argo_cd_natively() {
    let scenario = Scenario::parse(DRILL, "argocd-self-heal.yaml").expect("parses");
    let sim = Sim::held(scenario.clone(), 20.0);
    let h = sim.handle();
    backout::sim::scenario::apply(h.shared(), &scenario, &scenario.timeline[0])
        .expect("bad commit");
    sim.wait_for("the bad commit synced", || image(&sim).ends_with(":1.6.0"));
    sim.settled("checkout-api");
    // The sync's history entry is written when its operation ends, which a loaded
    // machine may see after the Deployment's new image: the rollback's "previous" is
    // read from that history.
    sim.wait_for("the bad commit's sync in the application's history", || {
        let a = sim.json(&["get", "application", "checkout-api", "-n", "argocd"]);
        a["status"]["history"].as_array().map(Vec::len) == Some(3)
            && a["status"]["operationState"]["phase"] == "Succeeded"
    });

    let lines = argocd_lines();
    assert_eq!(
        lines,
        [
            "argocd app history checkout-api",
            "argocd app get checkout-api",
            "argocd app set checkout-api --sync-policy none",
            "argocd app rollback checkout-api",
            "argocd app wait checkout-api --health --timeout 300",
        ]
    );
    let server_addr = format!("{}/argocd", h.addr());
    let env = |k: &str| match k {
        "ARGOCD_SERVER" => Some(server_addr.clone()),
        "ARGOCD_AUTH_TOKEN" => Some(ADMIN_TOKEN.to_string()),
        _ => None,
    };
    let poll = Duration::from_millis(100);
    let mut printed: Vec<Vec<String>> = Vec::new();
    for text in &lines {
        let line = parse_argocd_line(text)
            .expect("argocd")
            .expect("runs natively");
        let server = ArgoServer::connect(&line, env, Some(h.ca_pem())).expect("server from env");
        let out = sim.runtime.block_on(async {
            if line.command.mutates() {
                let preview = argocd::prepare(&server, &line.command).await.expect("preview");
                if let ArgoCommand::Rollback { .. } = line.command {
                    // The commit and image the rollback goes to, before confirming.
                    assert!(preview.lines[0].starts_with("Application checkout-api: roll back to commit "), "{preview:?}");
                    assert!(preview.lines.iter().any(|l| l == "  \"checkout-api: release 1.5.0\""), "{preview:?}");
                    assert!(
                        preview.lines.iter().any(|l| l.ends_with(
                            "image registry.local/checkout-api:1.6.0 → registry.local/checkout-api:1.5.0"
                        )),
                        "{preview:?}"
                    );
                    assert_eq!(preview.change.to_image.as_deref(), Some("registry.local/checkout-api:1.5.0"));
                }
                argocd::execute(&server, &line, poll).await
            } else {
                argocd::run_read(&server, &line, poll).await
            }
        });
        let out = out.unwrap_or_else(|e| panic!("{text}: {e}"));
        assert!(out.ok, "{text}: {:?}", out.output);
        printed.push(out.output);
    }
    // history: three deployments, the last the bad commit.
    assert_eq!(
        printed[0][0],
        "SOURCE  https://git.example.com/platform/checkout-deploy.git"
    );
    assert!(
        printed[0][1].starts_with("ID      DATE                           REVISION"),
        "{:?}",
        printed[0]
    );
    assert_eq!(printed[0].len(), 5, "{:?}", printed[0]);
    assert!(
        printed[0][4].starts_with("2   ") && printed[0][4].contains("HEAD ("),
        "{:?}",
        printed[0]
    );
    // get: the summary as the CLI prints it.
    assert!(
        printed[1].contains(&"Sync Policy:        Automated (Prune)".to_string()),
        "{:?}",
        printed[1]
    );
    assert!(
        printed[1]
            .iter()
            .any(|l| l.starts_with("Sync Status:        Synced to HEAD (")),
        "{:?}",
        printed[1]
    );
    // set prints nothing; the rollback waits until healthy and prints the final status.
    assert!(printed[2].is_empty());
    assert!(
        printed[3].contains(&"Phase:              Succeeded".to_string()),
        "{:?}",
        printed[3]
    );
    assert!(
        printed[3].contains(&"Health Status:      Healthy".to_string()),
        "{:?}",
        printed[3]
    );
    assert!(
        printed[3].contains(&"Sync Policy:        Manual".to_string()),
        "{:?}",
        printed[3]
    );
    assert!(
        printed[3]
            .iter()
            .any(|l| l.starts_with("Sync Status:        OutOfSync from HEAD")),
        "{:?}",
        printed[3]
    );
    assert!(image(&sim).ends_with(":1.5.0"), "{}", image(&sim));
    // Nothing reverts it: self-heal is off.
    sim.settled("checkout-api");
    assert!(image(&sim).ends_with(":1.5.0"), "{}", image(&sim));
}

#[test]
fn a_rollback_with_auto_sync_on_fails_with_argo_cds_refusal_and_without_a_token_says_so() {
    let scenario = Scenario::parse(DRILL, "argocd-self-heal.yaml").expect("parses");
    let sim = Sim::held(scenario, 20.0);
    let h = sim.handle();
    let server_addr = format!("{}/argocd", h.addr());
    let line = parse_argocd_line("argocd app rollback checkout-api 0")
        .expect("argocd")
        .expect("native");
    let no_token = ArgoServer::connect(
        &line,
        |k| (k == "ARGOCD_SERVER").then(|| server_addr.clone()),
        None,
    );
    assert_eq!(
        no_token.err().map(|e| e.to_string()).as_deref(),
        Some("argocd: no auth token: set ARGOCD_AUTH_TOKEN")
    );
    let env = |k: &str| match k {
        "ARGOCD_SERVER" => Some(server_addr.clone()),
        "ARGOCD_AUTH_TOKEN" => Some(ADMIN_TOKEN.to_string()),
        _ => None,
    };
    let server = ArgoServer::connect(&line, env, Some(h.ca_pem())).expect("server");
    // The token never shows in the client's debug output.
    assert!(!format!("{server:?}").contains(ADMIN_TOKEN));
    let err = sim
        .runtime
        .block_on(argocd::execute(&server, &line, Duration::from_millis(100)))
        .expect_err("refused");
    assert!(
        matches!(
            err,
            ArgoError::Api {
                code: "FailedPrecondition",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "rpc error: code = FailedPrecondition desc = rollback cannot be initiated when auto-sync is enabled"
    );
    assert!(image(&sim).ends_with(":1.5.0"));
}
