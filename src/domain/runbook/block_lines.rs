//! How a command block runs: cut into the logical lines the shell reads one at a time
//! (backslash continuations, quotes spanning lines, here-documents, `if`/`for`/`while` …
//! `fi`/`done`, and pipes or `&&`/`||` chains ending a line stay one unit), each line
//! exactly as written so the shell reads what the operator saw; and which lines never end
//! by design (follows: `kubectl get -w`, `kubectl logs -f`, `watch`, `tail -f`,
//! `argocd … --watch`).
//!
//! The cut is the runbook lexer's (`commands::lex`), the one that also finds placeholders
//! and quoting contexts, so a line is never read two ways.

use super::commands::{join_continuations, lex};

/// The logical lines of `script`, as written (trimmed), comment-only and blank lines left
/// out.
pub fn block_lines(script: &str) -> Vec<String> {
    let lexed = lex(script);
    lexed
        .commands
        .iter()
        // A command that is only continuations (a lone `\` at the end) is no line, as the
        // loader's command lines leave it out (`commands::command_lines_lexed`).
        .filter(|r| !join_continuations(script, (*r).clone(), &lexed.continuations).is_empty())
        .filter_map(|r| script.get(r.clone()))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// How a line of a block is named in the step, the output and the journal: `line 2/3`.
pub fn line_label(index: usize, total: usize) -> String {
    format!("line {}/{total}", index + 1)
}

/// The line a journaled command names (`line 2/3: kubectl …` → `(2, 3)`, 1-based).
pub fn line_of(command: &str) -> Option<(usize, usize)> {
    let rest = command.strip_prefix("line ")?;
    let (label, _) = rest.split_once(':')?;
    let (n, total) = label.split_once('/')?;
    let total = total.split_whitespace().next()?;
    Some((n.parse().ok()?, total.parse().ok()?))
}

/// A line that runs until it is stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Follow {
    /// Streams until stopped (`kubectl get -w`, `kubectl logs -f`, `tail -f`,
    /// `argocd app get --watch`).
    Stream,
    /// `watch [-n N] CMD`: `command` re-run every `every_secs`, the output replaced each
    /// time.
    Repeat { every_secs: u64, command: String },
}

/// A command line's words from its program on: `sudo` and leading `NAME=value`
/// assignments skipped, the program as its file name (`/usr/bin/kubectl` → `kubectl`).
pub(super) fn command_words(line: &str) -> Vec<&str> {
    let mut words: Vec<&str> = line
        .split_whitespace()
        .skip_while(|w| *w == "sudo" || (w.contains('=') && !w.starts_with('-')))
        .collect();
    if let Some(program) = words.first_mut() {
        *program = program.rsplit('/').next().unwrap_or(program);
    }
    words
}

/// Whether `line` never ends by design, and how to run it. `kubectl rollout status` ends
/// on its own (with the rollout) and is not a follow.
pub fn follow_of(line: &str) -> Option<Follow> {
    let words = command_words(line);
    let (&program, args) = words.split_first()?;
    // A pipeline or chain follows when its first command does (`kubectl logs -f x | grep`).
    let own: Vec<&str> = args
        .iter()
        .copied()
        .take_while(|w| !matches!(*w, "|" | "||" | "&&" | ";"))
        .collect();
    let has = |flags: &[&str]| {
        own.iter().any(|a| {
            flags.contains(a)
                || flags
                    .iter()
                    .any(|f| f.starts_with("--") && a.strip_prefix(f) == Some("=true"))
        })
    };
    match program {
        "watch" => watch_of(args),
        "kubectl" | "oc" => {
            // The verb: the first word that is neither a flag nor a global flag's value.
            let mut verb = None;
            let mut skip = false;
            for a in &own {
                if std::mem::take(&mut skip) {
                    continue;
                }
                if a.starts_with('-') {
                    skip = !a.contains('=')
                        && matches!(*a, "-n" | "--namespace" | "--context" | "--kubeconfig");
                    continue;
                }
                verb = Some(*a);
                break;
            }
            match verb {
                Some("get") if has(&["-w", "--watch", "--watch-only"]) => Some(Follow::Stream),
                Some("logs") if has(&["-f", "--follow"]) => Some(Follow::Stream),
                Some("events") if has(&["-w", "--watch"]) => Some(Follow::Stream),
                _ => None,
            }
        }
        "tail" if has(&["-f", "-F", "--follow"]) => Some(Follow::Stream),
        "argocd" if has(&["--watch", "-w"]) => Some(Follow::Stream),
        "stern" => Some(Follow::Stream),
        _ => None,
    }
}

/// `watch [-n N | --interval N | -nN] [-d] [-t] … CMD…`: procps' options before the
/// command (upstream `procps/src/watch.c`, default interval 2 s).
fn watch_of(args: &[&str]) -> Option<Follow> {
    let mut every_secs: u64 = 2;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let interval = if *a == "-n" || *a == "--interval" {
            i += 1;
            args.get(i).copied()
        } else if let Some(v) = a.strip_prefix("--interval=") {
            Some(v)
        } else if let Some(v) = a.strip_prefix("-n").filter(|v| !v.is_empty()) {
            Some(v)
        } else if a.starts_with('-') {
            None
        } else {
            break;
        };
        if let Some(v) = interval {
            // Fractions (`-n 0.5`) round up to a whole second; at least one.
            every_secs = v
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && *f > 0.0)
                .map_or(2, |f| (f.ceil() as u64).clamp(1, 3600));
        }
        i += 1;
    }
    let rest = args.get(i..)?;
    if rest.is_empty() {
        return None;
    }
    let joined = rest.join(" ");
    // `watch 'a | b'` hands one quoted argument to `sh -c`.
    let command = match joined.as_bytes() {
        [q @ (b'\'' | b'"'), .., last] if q == last && joined.len() >= 2 => {
            joined[1..joined.len() - 1].to_string()
        }
        _ => joined,
    };
    Some(Follow::Repeat {
        every_secs,
        command,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `tests/runbook_never_panics.rs`: a block ending in a lone `\` after a line
    /// that is no shell (YAML) had one more line to run than the step had command lines.
    #[test]
    fn a_lone_continuation_at_the_end_is_no_line_as_in_the_steps_command_lines() {
        let script = "## 1. Prepare (3 min)\n{weight: 3\nlayout: page\ntags: [a, b\n\\\n";
        assert_eq!(block_lines(script), ["{weight: 3"]);
    }

    #[test]
    fn a_block_is_cut_into_the_lines_the_shell_reads_one_at_a_time() {
        let cases: &[(&str, &[&str])] = &[
            (
                "kubectl get pods\n\n# a comment\nkubectl get deploy",
                &["kubectl get pods", "kubectl get deploy"],
            ),
            // A continuation stays one line, as written.
            (
                "kubectl -n x annotate deployment/web \\\n  a=b\necho done",
                &[
                    "kubectl -n x annotate deployment/web \\\n  a=b",
                    "echo done",
                ],
            ),
            // A here-document is part of its command.
            (
                "cat <<EOF | kubectl apply -f -\nkind: X\nEOF\necho applied",
                &[
                    "cat <<EOF | kubectl apply -f -\nkind: X\nEOF",
                    "echo applied",
                ],
            ),
            // Compound commands are one unit.
            (
                "for i in 1 2 3; do\n  echo $i\ndone\nif true; then\n  echo y\nfi\nwhile false; do\n  :\ndone",
                &[
                    "for i in 1 2 3; do\n  echo $i\ndone",
                    "if true; then\n  echo y\nfi",
                    "while false; do\n  :\ndone",
                ],
            ),
            // A pipe or a chain ending a line goes on on the next.
            (
                "kubectl get pods |\n  grep web\ntrue &&\n  echo ok\nfalse ||\n  echo recovered",
                &[
                    "kubectl get pods |\n  grep web",
                    "true &&\n  echo ok",
                    "false ||\n  echo recovered",
                ],
            ),
            // A quote across lines is one line.
            (
                "curl -d '{\n  \"a\": 1\n}' http://x\necho sent",
                &["curl -d '{\n  \"a\": 1\n}' http://x", "echo sent"],
            ),
        ];
        for (script, want) in cases {
            assert_eq!(block_lines(script), *want, "{script:?}");
        }
    }

    #[test]
    fn lines_that_never_end_by_design_are_follows() {
        let stream = Some(Follow::Stream);
        let cases: &[(&str, Option<Follow>)] = &[
            ("kubectl get pods -w", stream.clone()),
            ("kubectl get pods -n web --watch", stream.clone()),
            ("kubectl -n web get deploy/x --watch=true", stream.clone()),
            ("kubectl logs -f deploy/web", stream.clone()),
            (
                "kubectl logs deploy/web --follow | grep ERROR",
                stream.clone(),
            ),
            ("tail -f /var/log/app.log", stream.clone()),
            ("argocd app get shop --watch", stream.clone()),
            ("kubectl get pods", None),
            ("kubectl logs deploy/web --tail=50", None),
            ("kubectl rollout status deployment/web", None),
            ("kubectl rollout status deployment/web -w", None),
            ("tail -n 50 app.log", None),
            ("kubectl get pods | grep -w web", None),
            (
                "watch -n 5 kubectl get pods",
                Some(Follow::Repeat {
                    every_secs: 5,
                    command: "kubectl get pods".into(),
                }),
            ),
            (
                "watch -n 5 'kubectl get pods | grep web'",
                Some(Follow::Repeat {
                    every_secs: 5,
                    command: "kubectl get pods | grep web".into(),
                }),
            ),
            (
                "watch kubectl top pods",
                Some(Follow::Repeat {
                    every_secs: 2,
                    command: "kubectl top pods".into(),
                }),
            ),
            (
                "watch -n0.5 -d date",
                Some(Follow::Repeat {
                    every_secs: 1,
                    command: "date".into(),
                }),
            ),
            ("watch", None),
        ];
        for (line, want) in cases {
            assert_eq!(follow_of(line), *want, "{line}");
        }
    }
}
