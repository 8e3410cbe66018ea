//! What a shell command would reach outside a simulated drill.
//!
//! In `backout drill` the cluster is the in-process simulator and shell `kubectl` is
//! pinned to it, but a runbook written for real incidents also holds commands for the
//! world outside: `argocd app set … --sync-policy none`, `curl -X POST "$SLACK_WEBHOOK_URL"`.
//! Run from a drill on an operator's laptop, those would reach their real Argo CD and their
//! real incident channel. This module names the programs a script would start that are
//! not known to stay on the machine (or on the simulator), so the console can rehearse the
//! step instead of running it. Pure and conservative: anything it cannot read (command
//! substitution, a shell keyword it does not follow) counts as reaching outside.

/// Programs that stay on the machine: the pinned `kubectl` and text filters that cannot
/// start other programs (`awk`'s `system()` and GNU `sed`'s `e` can: they are not here).
const STAYS_LOCAL: &[&str] = &[
    "kubectl", "echo", "printf", "grep", "egrep", "fgrep", "jq", "yq", "head", "tail", "sort",
    "uniq", "wc", "cut", "tr", "cat", "column", "date", "sleep", "true", "false", "test", "[",
    "base64",
];

/// kubectl flags that leave the pinned simulator (another kubeconfig, server or identity).
const KUBECTL_LEAVES: &[&str] = &[
    "--kubeconfig",
    "--server",
    "-s",
    "--token",
    "--as",
    "--username",
];

/// kubectl's own verbs; any other first word runs a `kubectl-NAME` plugin from PATH.
const KUBECTL_VERBS: &[&str] = &[
    "get",
    "describe",
    "logs",
    "rollout",
    "scale",
    "set",
    "annotate",
    "label",
    "patch",
    "apply",
    "create",
    "delete",
    "edit",
    "exec",
    "top",
    "auth",
    "config",
    "version",
    "api-resources",
    "explain",
    "wait",
    "diff",
    "replace",
    "expose",
    "autoscale",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "events",
    "cluster-info",
    "port-forward",
    "cp",
    "attach",
    "run",
    "debug",
];

/// The programs of `script` that may reach outside a simulated drill, in first-seen order
/// (`["argocd", "curl"]`); empty when every command stays local.
pub fn outside_commands(script: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |name: String| {
        if !out.contains(&name) {
            out.push(name);
        }
    };
    if super::runbook::shell_lines::has_unterminated_quote(script) {
        add("an unterminated quote".into());
    }
    for line in super::runbook::shell_lines::logical_lines(script) {
        if line.contains("$(") || line.contains('`') || line.contains("<(") {
            add("a command substitution".into());
        }
        if line.contains("<<") {
            add("a here-document".into());
        }
        if line.contains("/dev/tcp/") || line.contains("/dev/udp/") {
            add("a network redirection".into());
        }
        for segment in segments(&line) {
            let mut words = segment.split_whitespace().peekable();
            // Leading redirections, variable assignments (`FOO=bar cmd`) and wrappers
            // that run the next word (`sudo`, `env`, `time`, `exec`, `command`, `nohup`).
            while let Some(&w) = words.peek() {
                let assignment = w.split_once('=').filter(|(k, _)| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                });
                if let Some((k, _)) = assignment
                    && matches!(k, "KUBECONFIG" | "PATH" | "LD_PRELOAD")
                {
                    add(format!("{k}="));
                }
                let redirection = w.starts_with(['>', '<'])
                    || w.starts_with(char::is_numeric) && w.contains(['>', '<']);
                // Shell keywords that a command follows (`if kubectl …`, `do kubectl …`).
                let keyword = matches!(
                    w,
                    "if" | "then" | "else" | "elif" | "while" | "until" | "do" | "!"
                );
                if assignment.is_some()
                    || redirection
                    || keyword
                    || matches!(w, "sudo" | "env" | "time" | "exec" | "command" | "nohup")
                {
                    words.next();
                    // A bare `>` or `<` takes the next word as its file.
                    if redirection
                        && matches!(w.trim_start_matches(char::is_numeric), ">" | ">>" | "<")
                    {
                        words.next();
                    }
                } else {
                    break;
                }
            }
            let Some(program) = words.next() else {
                continue;
            };
            // `for x in …`, `case … in`, and the words that close a block run nothing.
            if matches!(program, "for" | "case" | "select" | "done" | "fi" | "esac") {
                continue;
            }
            // Only a bare name is the tool itself: `./curl`, `/tmp/jq` are whatever they are.
            if program.contains('/') || !STAYS_LOCAL.contains(&program) {
                add(program.to_string());
                continue;
            }
            if program == "kubectl" {
                let args: Vec<&str> = words.collect();
                let leaves = args.iter().any(|a| {
                    KUBECTL_LEAVES
                        .iter()
                        .any(|f| *a == *f || a.starts_with(&format!("{f}=")))
                });
                // The first word that is not a flag (or a flag's value) is the verb.
                let verb = first_verb(&args);
                if leaves {
                    add("kubectl with another kubeconfig, server or identity".into());
                } else if verb.is_some_and(|v| !KUBECTL_VERBS.contains(&v)) {
                    add(format!("kubectl {} (a plugin)", verb.unwrap_or_default()));
                }
            }
        }
    }
    out
}

/// kubectl's verb: the first argument that is neither a flag nor a flag's value (flags
/// written `--flag value` take the next word; `-n x`, `--namespace x`, `--context x`).
fn first_verb<'a>(args: &[&'a str]) -> Option<&'a str> {
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if a.starts_with('-') {
            let takes_value = !a.contains('=')
                && matches!(
                    a,
                    "-n" | "--namespace"
                        | "--context"
                        | "--cluster"
                        | "--user"
                        | "-l"
                        | "--selector"
                        | "-o"
                        | "--output"
                        | "--request-timeout"
                        | "-v"
                );
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        return Some(a);
    }
    None
}

/// The line split at the separators between commands (`|`, `;`, `&`, brackets) that are
/// outside quotes.
fn segments(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut brace = 0usize;
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        if escaped {
            cur.push(c);
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('"'), '"') => quote = None,
            (Some('"'), '\\') | (None, '\\') => escaped = true,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            // `${NAME}` is a word, not a group.
            (None, '{') if cur.ends_with('$') => brace += 1,
            (None, '}') if brace > 0 => brace -= 1,
            // `2>&1`, `>&2`, `&>file`: part of a redirection, not a separator.
            (None, '&') if cur.ends_with(['>', '<']) || next == Some('>') => {}
            (None, '|' | ';' | '&' | '(' | ')' | '{' | '}') if brace == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            (None, _) => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_that_reach_outside_are_named() {
        let cases: &[(&str, &[&str])] = &[
            ("kubectl -n shop rollout undo deployment/web", &[]),
            (
                "kubectl -n shop get pods -l app=web | grep -v Running | wc -l",
                &[],
            ),
            (
                "argocd app set checkout-api --sync-policy none",
                &["argocd"],
            ),
            (
                "curl -fsS -X POST \"$SLACK_WEBHOOK_URL\" -H 'Content-Type: application/json' \\\n  -d '{\"text\": \"rolled back\"}'",
                &["curl"],
            ),
            (
                "# pause delivery\nargocd app set web --sync-policy none\nkubectl rollout undo deploy/web && curl -X POST https://hooks.example/x",
                &["argocd", "curl"],
            ),
            (
                "FOO=1 sudo /usr/local/bin/helm rollback web 3",
                &["/usr/local/bin/helm"],
            ),
            (
                "echo \"$(curl -s https://status.example)\"",
                &["a command substitution"],
            ),
            ("for p in a b; do kubectl delete pod $p; done", &[]),
            (
                "if kubectl get deploy web; then argocd app sync web; fi",
                &["argocd"],
            ),
            ("", &[]),
            // Redirections are not programs.
            (
                "kubectl -n checkout rollout undo deployment/checkout-api 2>&1 | tail -1",
                &[],
            ),
            (
                "kubectl get pods >&2 && kubectl get deploy &>/dev/null",
                &[],
            ),
            ("kubectl -n ${NS} get pods", &[]),
            ("> /tmp/out echo hi", &[]),
            // What the review found slipping through.
            (
                "kubectl -n checkout rollout undo deployment/checkout-api\nkubectl -n checkout rollout status deployment/checkout-api && curl -X POST https://hooks.example/x",
                &["curl"],
            ),
            (
                "KUBECONFIG=~/.kube/config kubectl -n checkout rollout undo deployment/checkout-api",
                &["KUBECONFIG="],
            ),
            (
                "kubectl --kubeconfig ~/.kube/config rollout undo deployment/x",
                &["kubectl with another kubeconfig, server or identity"],
            ),
            ("kubectl -n x foo bar", &["kubectl foo (a plugin)"]),
            (
                "# pause Argo CD first \\\nargocd app set checkout-api --sync-policy none",
                &["argocd"],
            ),
            (
                "echo 'Pausing delivery\necho ' && argocd app set checkout-api --sync-policy none",
                &["argocd"],
            ),
            (
                "kubectl get deploy -o name | awk '{system(\"argocd app set x\")}'",
                &["awk"],
            ),
            (
                "echo \"$payload\" > /dev/tcp/hooks.internal/80",
                &["a network redirection"],
            ),
            ("./kubectl get pods", &["./kubectl"]),
            (
                "cat <<EOF | kubectl apply -f -\nkind: ConfigMap\nEOF",
                &["a here-document", "kind:", "EOF"],
            ),
        ];
        for (script, want) in cases {
            assert_eq!(outside_commands(script), *want, "{script}");
        }
    }
}
