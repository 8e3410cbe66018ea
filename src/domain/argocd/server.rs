//! The Argo CD server address as the `argocd` CLI takes it (`--server`, `ARGOCD_SERVER`):
//! `host[:port][/root]`, optionally with `https://` (or `http://` for a plain-HTTP server);
//! the API is at `https://host:port[/root]/api/v1/…`. One reading for the client
//! (`adapters::argocd`) and for the front matter's `argocd.server` check.

/// Where the API of a server address is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddress {
    /// `https://host:port[/root]` (or the `http://` URL given), without a trailing slash.
    pub base: String,
    /// The address as the CLI shows it (`host:port[/root]`).
    pub address: String,
}

/// `server` read as the CLI reads it (surrounding blanks and a trailing slash ignored).
pub fn server_address(server: &str) -> ServerAddress {
    let server = server.trim();
    let address = server
        .trim_start_matches("https://")
        .trim_end_matches('/')
        .to_string();
    let base = if server.starts_with("http://") {
        server.trim_end_matches('/').to_string()
    } else {
        format!("https://{address}")
    };
    ServerAddress { base, address }
}

/// What is wrong with `server` as an address for a runbook (message, hint), if anything.
/// A value holding credentials is never echoed.
pub fn server_issue(server: &str) -> Option<(String, Option<String>)> {
    let server = server.trim();
    let rest = server
        .strip_prefix("https://")
        .or_else(|| server.strip_prefix("http://"))
        .unwrap_or(server);
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Some((
            "the value holds credentials; a server address in a runbook must not".into(),
            Some(
                "put the token in the environment and name the variable in `token_env`; secrets never go in a runbook"
                    .into(),
            ),
        ));
    }
    let example = Some("write it as the argocd CLI takes it, e.g. argocd.example.com:443".into());
    if rest.contains("://") {
        return Some((
            format!("`{server}` is not an Argo CD server address"),
            example,
        ));
    }
    if authority.is_empty() || server.contains(char::is_whitespace) {
        return Some((format!("`{server}` has no host"), example));
    }
    if server.contains(['?', '#', '$']) {
        return Some((
            format!(
                "`{server}` must be host[:port][/root], without a query, a fragment or a variable"
            ),
            None,
        ));
    }
    // `host:port` (an IPv6 host is bracketed: `[::1]:8080`).
    let port = match authority.rsplit_once(':') {
        Some(("", _)) => return Some((format!("`{server}` has no host"), example)),
        Some((_, port)) if !port.contains(']') => Some(port),
        _ => None,
    };
    if let Some(port) = port
        && !port.parse::<u16>().is_ok_and(|p| p > 0)
    {
        return Some((format!("`{server}`: `{port}` is not a port"), example));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_address_as_the_cli_does() {
        let a = server_address(" argocd.example.com:8443/argo-cd/ ");
        assert_eq!(a.address, "argocd.example.com:8443/argo-cd");
        assert_eq!(a.base, "https://argocd.example.com:8443/argo-cd");
        let a = server_address("https://argocd.example.com");
        assert_eq!(
            (a.base.as_str(), a.address.as_str()),
            ("https://argocd.example.com", "argocd.example.com")
        );
        assert_eq!(
            server_address("http://127.0.0.1:8080/").base,
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn a_good_address_has_no_issue_and_a_bad_one_says_why() {
        for ok in [
            "argocd.example.com",
            "argocd.example.com:443",
            "argocd.example.com:8443/argo-cd",
            "https://argocd.example.com",
            "[::1]:8080",
        ] {
            assert_eq!(server_issue(ok), None, "{ok}");
        }
        let msg = |s: &str| server_issue(s).map(|i| i.0).unwrap_or_default();
        let creds = msg("admin:s3cr3t@argocd.example.com");
        assert!(creds.contains("credentials"), "{creds}");
        assert!(!creds.contains("s3cr3t"), "{creds}");
        assert!(!msg("https://tok@argocd.example.com").contains("tok@"));
        assert_eq!(
            msg("grpc://argocd.example.com"),
            "`grpc://argocd.example.com` is not an Argo CD server address"
        );
        assert_eq!(msg(":443"), "`:443` has no host");
        assert_eq!(
            msg("argocd.example.com:https"),
            "`argocd.example.com:https`: `https` is not a port"
        );
        assert_eq!(
            msg("argocd.$ENV.example.com"),
            "`argocd.$ENV.example.com` must be host[:port][/root], without a query, a fragment or a variable"
        );
    }
}
