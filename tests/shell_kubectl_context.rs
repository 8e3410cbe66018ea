//! `kubectl` run by the shell (a command step's `/bin/sh`, a shell verification check)
//! talks to the context the console is on, even when it is not the kubeconfig's
//! `current-context`: proved with real kubectl against the simulator, whose kubeconfig
//! has an admin context (`backout-sim`, current) and a read-only one
//! (`backout-sim-viewer`).

mod common;

use std::time::Duration;

use backout::adapters::kube::shell_context::{KubeconfigSource, kubectl_env};
use backout::adapters::shell::{ShellEvent, spawn};
use backout::adapters::verify::Prober;
use backout::domain::runbook::StepId;
use backout::domain::verify::{Check, CheckSource, Observation, Probe, ShellProbe};
use backout::sim::SimConfig;
use common::Sim;

/// Runs `script` in `/bin/sh` with `env`: (exit code, output lines).
fn sh(sim: &Sim, script: &str, env: &[(String, String)]) -> (Option<i32>, Vec<String>) {
    sim.runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        let _handle = spawn(script, env, tx).expect("sh starts");
        let mut lines = Vec::new();
        while let Some(ev) = rx.recv().await {
            match ev {
                ShellEvent::Line { text, .. } => lines.push(text),
                ShellEvent::Exited { exit_code, .. } => return (exit_code, lines),
            }
        }
        (None, lines)
    })
}

#[test]
fn shell_kubectl_uses_the_consoles_context_not_the_current_one() {
    let sim = Sim::start_with(SimConfig::default());
    let session = tempfile::tempdir().unwrap();
    // The console is on the viewer context; the kubeconfig's current one is the admin.
    let source = KubeconfigSource {
        flag: Some(&sim.kubeconfig),
        ..KubeconfigSource::default()
    };
    let env = vec![
        kubectl_env(&source, "backout-sim-viewer", Some("shop"), session.path())
            .unwrap()
            .expect("a KUBECONFIG"),
    ];
    let (code, out) = sh(&sim, "kubectl config current-context", &env);
    assert_eq!(
        (code, out.as_slice()),
        (Some(0), &["backout-sim-viewer".to_string()][..])
    );
    // The console's namespace too, with the context's own cluster and user.
    let (code, out) = sh(
        &sim,
        "kubectl config view --minify -o jsonpath='{.contexts[0].context.namespace} {.contexts[0].context.user} {.clusters[0].name}'",
        &env,
    );
    assert_eq!(
        (code, out.as_slice()),
        (Some(0), &["shop viewer backout-sim".to_string()][..])
    );
    let (code, out) = sh(
        &sim,
        "kubectl auth can-i patch deployments -n default",
        &env,
    );
    assert_eq!(code, Some(1), "{out:?}");
    assert_eq!(out.first().map(String::as_str), Some("no"), "{out:?}");

    // Without the overlay, the same command reaches the admin context: the pin is what
    // made the difference.
    let plain = vec![(
        "KUBECONFIG".to_string(),
        sim.kubeconfig.display().to_string(),
    )];
    let (code, out) = sh(
        &sim,
        "kubectl auth can-i patch deployments -n default",
        &plain,
    );
    assert_eq!(
        (code, out.first().map(String::as_str)),
        (Some(0), Some("yes"))
    );

    // A shell verification check gets the same environment through the prober.
    let mut prober = Prober::new(Duration::from_secs(20));
    prober.shell_env = env;
    let check = Check {
        name: "viewer-cannot-patch".into(),
        probe: Probe::Shell(ShellProbe {
            command: "! kubectl auth can-i patch deployments -n default".into(),
        }),
        window: None,
        every: Duration::from_secs(30),
        source: CheckSource::FrontMatter { index: 1 },
        step: StepId(0),
    };
    let observed = sim.runtime.block_on(prober.observe(&check));
    assert!(matches!(observed, Observation::Pass { .. }), "{observed:?}");
}
