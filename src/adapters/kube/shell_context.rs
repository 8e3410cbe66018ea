//! `kubectl` run by the shell (command steps, mixed kubectl blocks, shell checks) talks to
//! the cluster and namespace the console shows, not to whatever the operator's kubeconfig
//! happens to have as its current context.
//!
//! The console may be on a context other than the kubeconfig's `current-context`
//! (`--context`, the runbook's `target.context`, a drill's simulator) and on a namespace
//! other than the context's (`-n`, `target.namespace`). A child process only sees the
//! environment, and kubectl has no variable for either, so the console writes a small
//! kubeconfig into the session directory and puts it first in `KUBECONFIG`, ahead of the
//! files the console itself read. kubectl merges the list and the first file to set a value
//! or a map key wins: the overlay sets `current-context`, and redefines that context under
//! the same name with the same cluster and user but the console's namespace. Clusters,
//! users and credentials still come from the operator's own files, which are never copied.

use std::path::{Path, PathBuf};

use kube::config::Kubeconfig;

/// The overlay's file name in the session directory.
pub const OVERLAY_FILE: &str = "kubectl-context.yaml";

/// Where the console's kubeconfig came from, as kubectl would look for it.
#[derive(Debug, Clone, Default)]
pub struct KubeconfigSource<'a> {
    /// `--kubeconfig` (or a drill's simulator kubeconfig).
    pub flag: Option<&'a Path>,
    /// `$KUBECONFIG`.
    pub env: Option<&'a str>,
    /// `$HOME`, for `~/.kube/config`.
    pub home: Option<&'a Path>,
}

impl KubeconfigSource<'_> {
    /// The files, in kubectl's order: the flag alone, else `$KUBECONFIG`'s list, else
    /// `~/.kube/config` if it exists.
    pub fn files(&self) -> Vec<PathBuf> {
        match (self.flag, self.env) {
            (Some(p), _) => vec![p.to_path_buf()],
            (None, Some(list)) if !list.is_empty() => std::env::split_paths(list)
                .filter(|p| !p.as_os_str().is_empty())
                .collect(),
            _ => self
                .home
                .map(|h| h.join(".kube").join("config"))
                .filter(|p| p.exists())
                .into_iter()
                .collect(),
        }
    }
}

/// The current context as kubectl resolves it: from the first file that sets one.
pub fn current_context(source: &KubeconfigSource) -> Option<String> {
    source
        .files()
        .iter()
        .filter_map(|f| Kubeconfig::read_from(f).ok())
        .find_map(|kc| kc.current_context.filter(|c| !c.is_empty()))
}

/// The `KUBECONFIG` value for shell children: the overlay pinning `context` (and
/// `namespace` when given), then the kubeconfig files the console read. `Ok(None)` with no
/// kubeconfig at all or in-cluster (kubectl in a pod uses its service account, as the
/// console does). A context the files do not define is still pinned: kubectl then refuses
/// with "context was not found" rather than fall back to another cluster.
pub fn kubectl_env(
    source: &KubeconfigSource,
    context: &str,
    namespace: Option<&str>,
    session_dir: &Path,
) -> std::io::Result<Option<(String, String)>> {
    let files = source.files();
    if files.is_empty() || context == "in-cluster" {
        return Ok(None);
    }
    // The context as the first file defining it has it (kubectl's merge rule).
    let entry = files
        .iter()
        .filter_map(|f| Kubeconfig::read_from(f).ok())
        .find_map(|kc| {
            kc.contexts
                .into_iter()
                .find(|c| c.name == context)
                .and_then(|c| c.context)
        });
    let q = |s: &str| serde_json::to_string(s).map_err(std::io::Error::other);
    let mut yaml = String::from(
        "# Written by backout: kubectl in this session's shell steps uses the console's\n\
         # context and namespace (the operator's kubeconfig files follow this one).\n\
         apiVersion: v1\nkind: Config\n",
    );
    if let Some(ctx) = entry {
        yaml.push_str(&format!(
            "contexts:\n- name: {}\n  context:\n    cluster: {}\n",
            q(context)?,
            q(&ctx.cluster)?
        ));
        if let Some(user) = &ctx.user {
            yaml.push_str(&format!("    user: {}\n", q(user)?));
        }
        if let Some(ns) = namespace.or(ctx.namespace.as_deref()) {
            yaml.push_str(&format!("    namespace: {}\n", q(ns)?));
        }
    }
    yaml.push_str(&format!("current-context: {}\n", q(context)?));
    let overlay = session_dir.join(OVERLAY_FILE);
    crate::adapters::private_files::write(&overlay, yaml.as_bytes())?;
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

    const CONFIG: &str = r#"apiVersion: v1
kind: Config
clusters:
- name: eu
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: ana
  user: {token: not-copied}
contexts:
- name: prod-eu
  context: {cluster: eu, user: ana, namespace: default}
current-context: staging
"#;

    fn flag(dir: &Path) -> PathBuf {
        let p = dir.join("config");
        std::fs::write(&p, CONFIG).unwrap();
        p
    }

    #[test]
    fn the_overlay_comes_first_then_the_files_the_console_read() {
        let dir = tempfile::tempdir().unwrap();
        let f = flag(dir.path());
        let source = KubeconfigSource {
            flag: Some(&f),
            env: Some("/ignored"),
            home: None,
        };
        let (k, v) = kubectl_env(&source, "prod-eu", Some("shop"), dir.path())
            .unwrap()
            .unwrap();
        assert_eq!(k, "KUBECONFIG");
        let overlay = dir.path().join(OVERLAY_FILE);
        assert_eq!(v, format!("{}:{}", overlay.display(), f.display()));
        let text = std::fs::read_to_string(&overlay).unwrap();
        assert!(
            text.contains(
                "contexts:\n- name: \"prod-eu\"\n  context:\n    cluster: \"eu\"\n    user: \"ana\"\n    namespace: \"shop\"\n"
            ),
            "{text}"
        );
        assert!(text.ends_with("current-context: \"prod-eu\"\n"), "{text}");
        assert!(
            !text.contains("not-copied"),
            "credentials stay in the operator's file"
        );

        // Without the flag: $KUBECONFIG's list, in its order.
        let source = KubeconfigSource {
            flag: None,
            env: Some("/a/one:/b/two"),
            home: None,
        };
        let (_, v) = kubectl_env(&source, "x", None, dir.path())
            .unwrap()
            .unwrap();
        assert_eq!(v, format!("{}:/a/one:/b/two", overlay.display()));
        // A context no file defines is pinned all the same (kubectl then refuses).
        let text = std::fs::read_to_string(&overlay).unwrap();
        assert!(!text.contains("contexts:"), "{text}");
        assert!(text.ends_with("current-context: \"x\"\n"), "{text}");
    }

    #[test]
    fn the_current_context_comes_from_the_first_file_that_sets_one() {
        let dir = tempfile::tempdir().unwrap();
        let f = flag(dir.path());
        let none = dir.path().join("none.yaml");
        std::fs::write(&none, "apiVersion: v1\nkind: Config\n").unwrap();
        let list = std::env::join_paths([&none, &f]).unwrap();
        let list = list.to_string_lossy();
        let source = KubeconfigSource {
            env: Some(&list),
            ..KubeconfigSource::default()
        };
        assert_eq!(current_context(&source).as_deref(), Some("staging"));
    }

    #[test]
    fn without_any_kubeconfig_or_in_cluster_nothing_is_set() {
        let dir = tempfile::tempdir().unwrap();
        let empty_home = tempfile::tempdir().unwrap();
        let none = KubeconfigSource {
            flag: None,
            env: None,
            home: Some(empty_home.path()),
        };
        assert_eq!(kubectl_env(&none, "x", None, dir.path()).unwrap(), None);
        let f = flag(dir.path());
        let source = KubeconfigSource {
            flag: Some(&f),
            ..KubeconfigSource::default()
        };
        assert_eq!(
            kubectl_env(&source, "in-cluster", None, dir.path()).unwrap(),
            None
        );
    }

    #[test]
    fn odd_context_names_are_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let f = flag(dir.path());
        let source = KubeconfigSource {
            flag: Some(&f),
            ..KubeconfigSource::default()
        };
        kubectl_env(
            &source,
            "arn:aws:eks:eu-west-1:1234:cluster/prod \"blue\"",
            None,
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
