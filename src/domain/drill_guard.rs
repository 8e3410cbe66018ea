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

/// Programs that stay on the machine: text filters and the pinned `kubectl`.
const STAYS_LOCAL: &[&str] = &[
    "kubectl", "echo", "printf", "grep", "egrep", "fgrep", "awk", "sed", "jq", "yq", "head",
    "tail", "sort", "uniq", "wc", "cut", "tr", "cat", "column", "date", "sleep", "true", "false",
    "test", "[", "base64",
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
    for line in logical_lines(script) {
        if line.contains("$(") || line.contains('`') || line.contains("<(") {
            add("a command substitution".into());
        }
        for segment in segments(&line) {
            let mut words = segment.split_whitespace().peekable();
            // Leading variable assignments (`FOO=bar cmd`) and wrappers that run the next
            // word (`sudo`, `env`, `time`, `exec`, `command`, `nohup`).
            while let Some(w) = words.peek() {
                let assignment = w.split_once('=').is_some_and(|(k, _)| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                });
                // Shell keywords that a command follows (`if kubectl …`, `do kubectl …`).
                let keyword = matches!(
                    *w,
                    "if" | "then" | "else" | "elif" | "while" | "until" | "do" | "!"
                );
                if assignment
                    || keyword
                    || matches!(*w, "sudo" | "env" | "time" | "exec" | "command" | "nohup")
                {
                    words.next();
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
            let name = program.rsplit('/').next().unwrap_or(program);
            if !STAYS_LOCAL.contains(&name) {
                add(name.to_string());
            }
        }
    }
    out
}

/// The line split at the separators between commands (`|`, `;`, `&`, brackets) that are
/// outside quotes.
fn segments(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in line.chars() {
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
            (None, '|' | ';' | '&' | '(' | ')' | '{' | '}') => {
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

/// Backslash continuations joined; blank lines and comments dropped.
fn logical_lines(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for raw in script.lines() {
        let line = raw.trim_end();
        if let Some(head) = line.strip_suffix('\\') {
            cur.push_str(head);
            cur.push(' ');
            continue;
        }
        cur.push_str(line);
        let full = std::mem::take(&mut cur);
        let t = full.trim();
        if !t.is_empty() && !t.starts_with('#') {
            out.push(t.to_string());
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
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
            ("FOO=1 sudo /usr/local/bin/helm rollback web 3", &["helm"]),
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
        ];
        for (script, want) in cases {
            assert_eq!(outside_commands(script), *want, "{script}");
        }
    }
}
