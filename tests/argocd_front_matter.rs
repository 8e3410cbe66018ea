//! The runbook's front matter `argocd: { server, token_env, insecure }` names the Argo CD
//! the console's `argocd` lines talk to when the environment names none: an `argocd app
//! get APP` line runs through the executor (`runtime::argo_exec`) against the simulator's
//! Argo CD named there, with the token of the variable `token_env` names. The
//! environment's `ARGOCD_SERVER` wins over it, and the front matter's token goes only to
//! the front matter's server (as the argocd CLI's config keeps a token per server).

mod common;

use std::time::Duration;

use backout::adapters::secret::Secret;
use backout::runtime::argo_exec::{ArgoExec, ArgoFromRunbook, ArgoSetup};
use backout::sim::Scenario;
use backout::sim::auth::ADMIN_TOKEN;
use backout::ui::msg::Msg;
use backout::ui::state::argo::{ArgoAnswer, ArgoCall};
use common::Sim;
use tokio::sync::mpsc;

const DRILL: &str = include_str!("../runbooks/drills/argocd-self-heal.yaml");

/// No `ARGOCD_SERVER` / `ARGOCD_AUTH_TOKEN` in the environment (whatever the process has),
/// unless `env` sets them.
fn setup(env: &[(&str, &str)], runbook: ArgoFromRunbook, ca_pem: Option<&str>) -> ArgoSetup {
    let mut pairs: Vec<(String, String)> = vec![
        ("ARGOCD_SERVER".into(), String::new()),
        ("ARGOCD_AUTH_TOKEN".into(), String::new()),
    ];
    for (k, v) in env {
        pairs.retain(|(key, _)| key != k);
        pairs.push(((*k).into(), (*v).into()));
    }
    ArgoSetup {
        env: pairs,
        ca_pem: ca_pem.map(str::to_string),
        runbook: Some(runbook),
    }
}

/// What the executor answers to `argocd app get checkout-api` under `setup`.
fn get_app(sim: &Sim, setup: ArgoSetup) -> ArgoAnswer {
    sim.runtime.block_on(async {
        let (tx, mut rx) = mpsc::channel::<Msg>(8);
        let exec = ArgoExec::new(setup);
        exec.run(7, "argocd app get checkout-api".into(), ArgoCall::Read, tx);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(Msg::Argo { op: 7, answer })) => return answer,
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => panic!("no answer from the executor"),
            }
        }
    })
}

fn printed(answer: &ArgoAnswer) -> Option<String> {
    match answer {
        ArgoAnswer::Printed { output, ok: true } => Some(output.join("\n")),
        _ => None,
    }
}

#[test]
fn an_argocd_line_runs_through_the_server_the_front_matter_names() {
    let scenario = Scenario::parse(DRILL, "argocd-self-heal.yaml").expect("parses");
    let sim = Sim::held(scenario, 20.0);
    let h = sim.handle();
    let server = format!("{}{}", h.addr(), backout::sim::argocd::api::ROOT_PATH);
    let ca = Some(h.ca_pem());
    let front = |token: &str, insecure: bool| ArgoFromRunbook {
        server: server.clone(),
        token: Some(Secret::new(token)),
        insecure,
    };

    // The front matter's server, with the token from its `token_env` variable (held as a
    // secret: the setup's debug output never shows it).
    let from_front_matter = setup(&[], front(ADMIN_TOKEN, false), ca);
    assert!(!format!("{from_front_matter:?}").contains(ADMIN_TOKEN));
    let answer = get_app(&sim, from_front_matter);
    let out = printed(&answer).unwrap_or_else(|| panic!("{answer:?}"));
    assert!(out.contains("checkout-api"), "{out}");

    // It is that token the request carries: another one is refused by the server.
    let answer = get_app(&sim, setup(&[], front("not-the-token", false), ca));
    assert!(
        matches!(&answer, ArgoAnswer::Failed(m) if m.contains("Unauthenticated")),
        "{answer:?}"
    );

    // `insecure: true` skips the certificate check (the simulator's CA not trusted here);
    // without it the same request fails on the certificate.
    let answer = get_app(&sim, setup(&[], front(ADMIN_TOKEN, true), None));
    assert!(printed(&answer).is_some(), "{answer:?}");
    let answer = get_app(&sim, setup(&[], front(ADMIN_TOKEN, false), None));
    assert!(matches!(answer, ArgoAnswer::Failed(_)), "{answer:?}");

    // The environment's ARGOCD_SERVER wins: a server nothing listens on fails the line.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a local port");
        l.local_addr().expect("its address").port()
    };
    let elsewhere = format!("127.0.0.1:{closed}");
    let answer = get_app(
        &sim,
        setup(
            &[
                ("ARGOCD_SERVER", &elsewhere),
                ("ARGOCD_AUTH_TOKEN", ADMIN_TOKEN),
            ],
            front(ADMIN_TOKEN, false),
            ca,
        ),
    );
    assert!(
        matches!(&answer, ArgoAnswer::Failed(m) if m.contains(&elsewhere)),
        "{answer:?}"
    );

    // The front matter's token never goes to a server the environment names.
    let answer = get_app(
        &sim,
        setup(&[("ARGOCD_SERVER", &server)], front(ADMIN_TOKEN, false), ca),
    );
    assert_eq!(
        answer,
        ArgoAnswer::Failed("argocd: no auth token: set ARGOCD_AUTH_TOKEN".into())
    );
    // ... while the environment's token with the front matter's server is used.
    let answer = get_app(
        &sim,
        setup(
            &[("ARGOCD_AUTH_TOKEN", ADMIN_TOKEN)],
            front("not-the-token", false),
            ca,
        ),
    );
    assert!(printed(&answer).is_some(), "{answer:?}");
}
