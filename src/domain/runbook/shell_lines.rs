//! A shell block's logical lines as `/bin/sh` reads them: comments removed (a `#` that
//! starts a word outside quotes, to the end of its physical line), continuation lines
//! joined (an odd number of backslashes ending a line, outside quotes and comments), and a
//! quoted string that spans lines kept whole. Used to plan which lines run natively and
//! what a drill may run: reading a line differently from the shell would run (or hide)
//! something the operator did not see.

/// The logical lines of `script`, trimmed, blank ones dropped. A quote still open at the
/// end is closed by the end of the script (the shell would refuse such a script).
pub fn logical_lines(script: &str) -> Vec<String> {
    split(script).0
}

/// Whether a quote is still open at the end of `script` (the shell would refuse it).
pub fn has_unterminated_quote(script: &str) -> bool {
    split(script).1
}

fn split(script: &str) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for raw in script.lines() {
        let mut in_comment = false;
        let mut escaped = false;
        let mut line = String::new();
        let mut prev: Option<char> = None;
        for c in raw.chars() {
            if in_comment {
                continue;
            }
            if escaped {
                line.push(c);
                escaped = false;
                prev = Some(c);
                continue;
            }
            match (quote, c) {
                (Some('\''), '\'') => quote = None,
                (Some('"'), '"') => quote = None,
                (Some('"') | None, '\\') => escaped = true,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '#') if prev.is_none_or(char::is_whitespace) => {
                    in_comment = true;
                    continue;
                }
                (None, _) => {}
            }
            line.push(c);
            prev = Some(c);
        }
        if quote.is_some() {
            // The string goes on on the next line.
            cur.push_str(&line);
            cur.push('\n');
            continue;
        }
        if escaped {
            // An odd number of trailing backslashes (outside a comment): a continuation.
            line.pop();
            cur.push_str(&line);
            cur.push(' ');
            continue;
        }
        cur.push_str(&line);
        let whole = std::mem::take(&mut cur);
        let t = whole.trim();
        if !t.is_empty() {
            out.push(t.to_string());
        }
    }
    let t = cur.trim();
    if !t.is_empty() {
        out.push(t.to_string());
    }
    (out, quote.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_as_the_shell_reads_them() {
        let cases: &[(&str, &[&str])] = &[
            (
                "kubectl get pods\n\n# a comment\nkubectl get deploy",
                &["kubectl get pods", "kubectl get deploy"],
            ),
            (
                "kubectl -n x annotate deployment/web --overwrite \\\n  a=b",
                &["kubectl -n x annotate deployment/web --overwrite    a=b"],
            ),
            // A backslash inside a comment does not continue the line.
            (
                "# pause Argo CD first \\\nargocd app set web --sync-policy none",
                &["argocd app set web --sync-policy none"],
            ),
            (
                "kubectl rollout history deployment/x  # note \\\nargocd app set x",
                &["kubectl rollout history deployment/x", "argocd app set x"],
            ),
            // An escaped backslash ends the line.
            (
                "echo paused \\\\\nargocd app set x",
                &["echo paused \\\\", "argocd app set x"],
            ),
            // A quoted string across lines is one logical line.
            (
                "echo 'Pausing delivery\necho ' && argocd app set x",
                &["echo 'Pausing delivery\necho ' && argocd app set x"],
            ),
            // `#` inside a word or quotes is not a comment.
            ("echo a#b \"#c\"", &["echo a#b \"#c\""]),
        ];
        for (script, want) in cases {
            assert_eq!(logical_lines(script), *want, "{script:?}");
        }
        assert!(has_unterminated_quote("echo 'open"));
        assert!(!has_unterminated_quote("echo 'closed'"));
    }
}
