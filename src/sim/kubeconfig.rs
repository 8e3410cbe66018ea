//! The kubeconfig written for a running simulator: one cluster entry (`backout-sim`, the
//! HTTPS server and its CA) and one user (bearer token) and context per policy user
//! (`backout-sim` for the first user, `backout-sim-<user>` for the others).

use std::path::Path;

use super::auth::Policy;

/// Name of the cluster and of the default context in generated kubeconfigs.
pub const CONTEXT: &str = "backout-sim";

/// Name of the context of `user` (the first user gets [`CONTEXT`]).
pub fn context_name(policy: &Policy, user: &str) -> String {
    if policy.users.first().is_some_and(|u| u.name == user) {
        CONTEXT.to_string()
    } else {
        format!("{CONTEXT}-{user}")
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The kubeconfig YAML for a simulator at `server` (e.g. `https://127.0.0.1:4321`) whose
/// certificate is signed by the CA `ca_pem`.
pub fn render(server: &str, ca_pem: &str, policy: &Policy, namespace: &str) -> String {
    use base64::Engine as _;
    let mut out = String::new();
    out.push_str("apiVersion: v1\nkind: Config\n");
    out.push_str(&format!(
        "clusters:\n- name: {}\n  cluster:\n    server: {}\n    certificate-authority-data: {}\n",
        quote(CONTEXT),
        quote(server.trim_end_matches('/')),
        base64::engine::general_purpose::STANDARD.encode(ca_pem)
    ));
    out.push_str("users:\n");
    for u in &policy.users {
        out.push_str(&format!(
            "- name: {}\n  user:\n    token: {}\n",
            quote(&u.name),
            quote(&u.token)
        ));
    }
    out.push_str("contexts:\n");
    for u in &policy.users {
        out.push_str(&format!(
            "- name: {}\n  context:\n    cluster: {}\n    user: {}\n    namespace: {}\n",
            quote(&context_name(policy, &u.name)),
            quote(CONTEXT),
            quote(&u.name),
            quote(namespace)
        ));
    }
    out.push_str(&format!("current-context: {CONTEXT}\npreferences: {{}}\n"));
    out
}

/// Writes the kubeconfig with owner-only permissions (it holds tokens).
pub fn write(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(path)?;
    // `mode` only applies when the file is created; tighten an existing one too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(contents.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn written_owner_only_even_over_an_existing_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("backout-kc-{}", std::process::id()));
        let path = dir.join("kubeconfig");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write(&path, "new").expect("kubeconfig written");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn has_a_context_per_user() {
        let y = render(
            "https://127.0.0.1:1",
            "-----BEGIN CERTIFICATE-----\n",
            &Policy::default(),
            "default",
        );
        assert!(y.contains("current-context: backout-sim\n"));
        assert!(y.contains("server: \"https://127.0.0.1:1\"\n"));
        assert!(
            y.contains("certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\n")
        );
        assert!(!y.contains("insecure"));
        assert!(y.contains("\"backout-sim-viewer\""));
        assert!(y.contains("token: \"backout-sim-admin\""));
    }
}
