//! A runbook's `curl` line, as far as the console runs it itself against a deploy API:
//! `curl [-fsSL] [-X METHOD] [-H 'Header: value'] [-d BODY] URL [| jq [-r] FILTER]`, with
//! the bearer token named by an environment variable (`-H "Authorization: Bearer
//! $DEPLOY_API_TOKEN"`), never written on the line (it would be journaled). Anything else
//! (other flags, shell operators, a second pipe, variables elsewhere) is not recognised:
//! the line stays a shell line.

/// One `curl` request, and the `jq` it is piped into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurlCall {
    /// `GET` unless `-X` (or `-d`: `POST`) says otherwise.
    pub method: String,
    pub url: String,
    /// Headers other than `Authorization`.
    pub headers: Vec<(String, String)>,
    /// The environment variable holding the bearer token (`DEPLOY_API_TOKEN`).
    pub token_env: Option<String>,
    /// `-d` / `--data`.
    pub data: Option<String>,
    /// `-f` / `--fail`: curl itself exits 22 on an HTTP error (without it, 0).
    pub fail: bool,
    /// The words of the `jq` the response is piped into (`["jq", "-r", ".health"]`).
    pub jq: Option<Vec<String>>,
}

impl CurlCall {
    /// A request that changes something (typed confirmation, journaled as a change).
    pub fn mutates(&self) -> bool {
        !matches!(self.method.as_str(), "GET" | "HEAD" | "OPTIONS")
    }

    /// The request's path under `base` (`/deployment/status`), when it is aimed at it.
    pub fn path_under(&self, base: &str) -> Option<String> {
        let base = base.trim_end_matches('/');
        let rest = self.url.strip_prefix(base)?;
        if rest.is_empty() {
            return Some("/".into());
        }
        (rest.starts_with('/') || rest.starts_with('?')).then(|| rest.to_string())
    }

    /// The preview: `POST /deployment/rollback` (and what the response goes through).
    pub fn preview(&self, base: &str) -> String {
        let path = self.path_under(base).unwrap_or_else(|| self.url.clone());
        let mut s = format!("{} {path}", self.method);
        if let Some(jq) = &self.jq {
            s.push_str(&format!(" | {}", jq.join(" ")));
        }
        s
    }
}

/// `Some` for a line whose command is `curl`: the call, or why it stays a shell line.
pub fn parse_curl_line(line: &str) -> Option<Result<CurlCall, String>> {
    let line = line.trim();
    let line = line.strip_prefix("$ ").unwrap_or(line);
    if line.split_whitespace().next() != Some("curl") {
        return None;
    }
    Some(parse(line))
}

fn parse(line: &str) -> Result<CurlCall, String> {
    let words = crate::domain::cluster::shell_words::curl_words(line)?;
    let mut parts = words.split(|w| w == "|");
    let curl = parts.next().unwrap_or_default();
    let jq = match parts.next() {
        None => None,
        Some(jq) if jq.first().map(String::as_str) == Some("jq") => Some(jq.to_vec()),
        Some(_) => return Err("piped into something other than jq".into()),
    };
    if parts.next().is_some() {
        return Err("more than one pipe".into());
    }
    let mut call = CurlCall {
        method: String::new(),
        url: String::new(),
        headers: Vec::new(),
        token_env: None,
        data: None,
        fail: false,
        jq,
    };
    let mut it = curl.iter().skip(1);
    let mut url = None;
    while let Some(w) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match w.as_str() {
            "-X" | "--request" => call.method = value(w)?.to_uppercase(),
            "-H" | "--header" => header(&mut call, &value(w)?)?,
            "-d" | "--data" | "--data-raw" => call.data = Some(value(w)?),
            "--fail" | "--fail-with-body" => call.fail = true,
            "--silent" | "--show-error" | "--location" => {}
            s if s.starts_with("--") => return Err(format!("curl flag {s} is not run natively")),
            s if s.starts_with('-') && s.len() > 1 => {
                for c in s[1..].chars() {
                    match c {
                        'f' => call.fail = true,
                        's' | 'S' | 'L' => {}
                        _ => return Err(format!("curl flag -{c} is not run natively")),
                    }
                }
            }
            s if url.is_none() => url = Some(s.to_string()),
            s => return Err(format!("a second URL ({s})")),
        }
    }
    call.url = url.ok_or("no URL")?;
    if call.url.contains('$') {
        return Err("the URL holds an unset variable".into());
    }
    if !(call.url.starts_with("https://") || call.url.starts_with("http://")) {
        return Err("not an http(s) URL".into());
    }
    if call.method.is_empty() {
        call.method = if call.data.is_some() { "POST" } else { "GET" }.into();
    }
    Ok(call)
}

fn header(call: &mut CurlCall, h: &str) -> Result<(), String> {
    let (name, value) = h.split_once(':').ok_or("a header without a colon")?;
    let value = value.trim();
    if name.trim().eq_ignore_ascii_case("authorization") {
        let var = value
            .strip_prefix("Bearer ")
            .map(str::trim)
            .and_then(|v| v.strip_prefix('$'))
            .map(|v| v.trim_start_matches('{').trim_end_matches('}'))
            .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .ok_or("the Authorization header must name the token's variable (Bearer $NAME)")?;
        call.token_env = Some(var.to_string());
        return Ok(());
    }
    if value.contains('$') {
        return Err("a header holds a variable".into());
    }
    call.headers
        .push((name.trim().to_string(), value.to_string()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://127.0.0.1:8443/deploy-api";

    fn call(line: &str) -> CurlCall {
        parse_curl_line(line)
            .expect("a curl line")
            .unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    #[test]
    fn the_runbooks_deploy_api_lines_are_recognised() {
        // runbooks/storefront-deploy-api-rollback.md, placeholders filled.
        let c = call(
            r#"curl -fsS -X POST -H "Authorization: Bearer $DEPLOY_API_TOKEN" "https://127.0.0.1:8443/deploy-api/deployment/rollback""#,
        );
        assert_eq!(c.method, "POST");
        assert!(c.fail && c.mutates());
        assert_eq!(c.token_env.as_deref(), Some("DEPLOY_API_TOKEN"));
        assert_eq!(c.path_under(BASE).as_deref(), Some("/deployment/rollback"));
        assert_eq!(c.preview(BASE), "POST /deployment/rollback");
        let c = call(
            r#"curl -s -H 'Authorization: Bearer ${DEPLOY_API_TOKEN}' https://127.0.0.1:8443/deploy-api/deployment/status | jq '.currentEnvironment'"#,
        );
        assert_eq!((c.method.as_str(), c.fail), ("GET", false));
        assert!(!c.mutates());
        assert_eq!(
            c.jq,
            Some(vec!["jq".to_string(), ".currentEnvironment".to_string()])
        );
        assert_eq!(
            c.preview(BASE),
            "GET /deployment/status | jq .currentEnvironment"
        );
        let c = call("curl https://127.0.0.1:8443/deploy-api/health | jq -r .health");
        assert_eq!(c.token_env, None);
        assert_eq!(c.path_under(BASE).as_deref(), Some("/health"));
        // Another host: recognised as curl, but not under the deploy API.
        let c = call("curl -fsS https://status.example.com/api/v2/status.json");
        assert_eq!(c.path_under(BASE), None);
        assert_eq!(
            call("curl https://127.0.0.1:8443/deploy-api-other/x").path_under(BASE),
            None
        );
        assert_eq!(call("curl -d '{}' https://h/x").method, "POST");
    }

    #[test]
    fn what_stays_a_shell_line_says_why() {
        assert_eq!(parse_curl_line("kubectl get pods"), None);
        for (line, why) in [
            (
                "curl -H 'Authorization: Bearer s3cr3t' https://h/x",
                "the Authorization header must name the token's variable",
            ),
            (
                "curl https://h/x | grep blue",
                "piped into something other than jq",
            ),
            ("curl https://h/x | jq . | head", "more than one pipe"),
            ("curl -o out.json https://h/x", "curl flag -o"),
            ("curl --cacert ca.pem https://h/x", "curl flag --cacert"),
            ("curl https://h/x && echo ok", "shell operator &"),
            ("curl \"$DEPLOY_API/health\"", "unset variable"),
            ("curl \"https://h/$(whoami)\"", "command substitution"),
            ("curl", "no URL"),
        ] {
            let err = parse_curl_line(line).expect("curl").expect_err(line);
            assert!(err.contains(why), "{line}: {err}");
        }
    }
}
