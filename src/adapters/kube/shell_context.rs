//! `kubectl` run by the shell (command steps, mixed kubectl blocks, shell checks) talks to
//! the cluster the console shows, not to whatever the operator's kubeconfig happens to
//! have as its current context.
//!
//! The console may be on a context other than the kubeconfig's `current-context`
//! (`--context`, the runbook's `target.context`, a drill's simulator). A child process only
//! sees the environment, and kubectl has no variable for the context, so the console writes
//! a one-line kubeconfig into the session directory that sets only `current-context`, and
//! puts it first in `KUBECONFIG` ahead of the files the console itself read. kubectl merges
//! the list and takes `current-context` from the first file that sets it; clusters, users
//! and credentials still come from the operator's own files, which are never copied.

use std::path::{Path, PathBuf};

/// The overlay's file name in the session directory.
pub const OVERLAY_FILE: &str = "kubectl-context.yaml";

/// The `KUBECONFIG` value for shell children: the overlay pinning `context`, then the
/// kubeconfig files the console read (`kubeconfig_flag`, else `$KUBECONFIG`, else
/// `~/.kube/config`). `Ok(None)` with no kubeconfig at all (in-cluster: kubectl uses the
/// pod's service account, as the console does).
pub fn kubectl_env(
    kubeconfig_flag: Option<&Path>,
    env_kubeconfig: Option<&str>,
    home: Option<&Path>,
    context: &str,
    session_dir: &Path,
) -> std::io::Result<Option<(String, String)>> {
    let files: Vec<PathBuf> = match (kubeconfig_flag, env_kubeconfig) {
        (Some(p), _) => vec![p.to_path_buf()],
        (None, Some(list)) if !list.is_empty() => std::env::split_paths(list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect(),
        _ => home
            .map(|h| h.join(".kube").join("config"))
            .filter(|p| p.exists())
            .into_iter()
            .collect(),
    };
    if files.is_empty() || context == "in-cluster" {
        return Ok(None);
    }
    let overlay = session_dir.join(OVERLAY_FILE);
    // A JSON string is a YAML string: any context name is quoted correctly.
    let name = serde_json::to_string(context).map_err(std::io::Error::other)?;
    std::fs::write(
        &overlay,
        format!(
            "# Written by backout: kubectl in this session's shell steps uses the console's context.\n\
             apiVersion: v1\nkind: Config\ncurrent-context: {name}\n"
        ),
    )?;
    let all: Vec<PathBuf> = std::iter::once(overlay)
        .chain(files)
        .map(|p| std::path::absolute(&p).unwrap_or(p))
        .collect();
    let joined = std::env::join_paths(all).map_err(std::io::Error::other)?;
    Ok(Some((
        "KUBECONFIG".to_string(),
        joined.to_string_lossy().into_owned(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlay_comes_first_then_the_files_the_console_read() {
        let dir = tempfile::tempdir().unwrap();
        let flag = dir.path().join("config");
        let (k, v) = kubectl_env(Some(&flag), Some("/ignored"), None, "prod-eu", dir.path())
            .unwrap()
            .unwrap();
        assert_eq!(k, "KUBECONFIG");
        let overlay = dir.path().join(OVERLAY_FILE);
        assert_eq!(v, format!("{}:{}", overlay.display(), flag.display()));
        let text = std::fs::read_to_string(&overlay).unwrap();
        assert!(text.ends_with("current-context: \"prod-eu\"\n"), "{text}");

        // Without the flag: $KUBECONFIG's list, in its order.
        let (_, v) = kubectl_env(None, Some("/a/one:/b/two"), None, "x", dir.path())
            .unwrap()
            .unwrap();
        assert_eq!(v, format!("{}:/a/one:/b/two", overlay.display()));
    }

    #[test]
    fn without_any_kubeconfig_or_in_cluster_nothing_is_set() {
        let dir = tempfile::tempdir().unwrap();
        let empty_home = tempfile::tempdir().unwrap();
        assert_eq!(
            kubectl_env(None, None, Some(empty_home.path()), "x", dir.path()).unwrap(),
            None
        );
        let flag = dir.path().join("config");
        assert_eq!(
            kubectl_env(Some(&flag), None, None, "in-cluster", dir.path()).unwrap(),
            None
        );
    }

    #[test]
    fn odd_context_names_are_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let flag = dir.path().join("config");
        kubectl_env(
            Some(&flag),
            None,
            None,
            "arn:aws:eks:eu-west-1:1234:cluster/prod \"blue\"",
            dir.path(),
        )
        .unwrap();
        let text = std::fs::read_to_string(dir.path().join(OVERLAY_FILE)).unwrap();
        assert!(
            text.contains(r#"current-context: "arn:aws:eks:eu-west-1:1234:cluster/prod \"blue\"""#),
            "{text}"
        );
    }
}
