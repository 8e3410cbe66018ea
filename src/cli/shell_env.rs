//! The environment of the shell commands a console runs: which kubeconfig (and context
//! and namespace) kubectl in a runbook's command reads.

use std::path::Path;

use super::ConsoleArgs;

/// The environment of shell children: `KUBECONFIG` pinning `pin` (the console's context
/// and namespace) ahead of the kubeconfig files the console reads; with no context to pin
/// but an explicit kubeconfig (a drill's simulator, `--kubeconfig`), that file alone, so
/// kubectl never falls back to the operator's own configuration.
pub(crate) fn shell_env(
    args: &ConsoleArgs,
    pin: Option<(String, Option<String>)>,
    session_dir: &Path,
) -> std::io::Result<Vec<(String, String)>> {
    use crate::adapters::kube::shell_context::{KubeconfigSource, kubectl_env};
    let env_list = std::env::var("KUBECONFIG").ok();
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let source = KubeconfigSource {
        flag: args.kubeconfig.as_deref(),
        env: env_list.as_deref(),
        home: home.as_deref(),
    };
    if let Some((context, namespace)) = pin
        && let Some(kv) = kubectl_env(&source, &context, namespace.as_deref(), session_dir)?
    {
        return Ok(vec![kv]);
    }
    Ok(match &args.kubeconfig {
        Some(path) => vec![(
            "KUBECONFIG".to_string(),
            std::path::absolute(path)?.to_string_lossy().into_owned(),
        )],
        None => Vec::new(),
    })
}
