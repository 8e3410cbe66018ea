//! Shell blocks: prompts, logical command lines, `kubectl` detection.
//!
//! The lexing is [`super::shell_lexer`]; which program a line runs is
//! [`super::shell_programs`]. Both are re-exported here for the loader's other files.

use std::ops::Range;

use super::comment_blocks::{self, GapTitle};
use super::model::{CommandLine, ForeignLine};
pub(super) use super::shell_lexer::{Ctx, Lexed, lex};
use super::shell_programs::KNOWN_PROGRAMS;
pub(super) use super::shell_programs::{invokes_kubectl, program};
use super::text_lines;

/// Languages whose blocks are shell commands.
pub(super) fn is_shell_lang(lang: &str) -> bool {
    matches!(
        lang,
        "sh" | "bash"
            | "shell"
            | "zsh"
            | "ksh"
            | "console"
            | "shell-session"
            | "shellsession"
            | "sh-session"
            | "terminal"
    )
}

/// Languages whose blocks are console sessions: `$ ` prompts, output lines in between.
fn is_console_lang(lang: &str) -> bool {
    matches!(
        lang,
        "console" | "shell-session" | "shellsession" | "sh-session" | "terminal"
    )
}

/// A block's script with prompts removed, and for each script line the block line it came from.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Script {
    pub text: String,
    /// `lines[k]` = 0-based line of the block content that script line `k` came from;
    /// empty when every line is kept (script line `k` is block line `k`).
    pub lines: Vec<usize>,
}

/// Prepares the script of a shell block. Console sessions (`console` blocks, or any shell
/// block whose first line starts with `$ `) keep only the prompted commands, their
/// continuation lines, and nothing of the output.
pub(super) fn script(lang: &str, content: &str) -> Script {
    let plain = || Script {
        text: content.to_string(),
        lines: Vec::new(),
    };
    if !content.contains('$') {
        return plain();
    }
    // A session: a console block with a prompted line, or a block opening with a prompt.
    let first = text_lines::lines(content)
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let session = if prompt(first).is_some() {
        true
    } else {
        is_console_lang(lang) && text_lines::lines(content).any(|l| prompt(l).is_some())
    };
    if !session {
        return plain();
    }
    let mut text = String::new();
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut in_command = false;
    for (n, line) in text_lines::lines(content).enumerate() {
        let kept = if let Some(cmd) = prompt(line) {
            current.clear();
            Some(cmd)
        } else if in_command {
            // A continuation; interactive shells show it after a `> ` prompt.
            Some(line.strip_prefix("> ").unwrap_or(line))
        } else {
            None
        };
        match kept {
            Some(cmd) => {
                text.push_str(cmd);
                text.push('\n');
                lines.push(n);
                current.push_str(cmd);
                current.push('\n');
                in_command = lex(&current).incomplete;
            }
            None => in_command = false,
        }
    }
    Script { text, lines }
}

/// The command after a `$ ` prompt.
fn prompt(line: &str) -> Option<&str> {
    let t = line.trim_start();
    if t == "$" {
        return Some("");
    }
    t.strip_prefix("$ ")
}

/// Logical command lines of a script. `first_line` is the runbook line (1-based) of the
/// block's first content line; `script.lines` maps script lines to block lines.
#[cfg(test)]
pub(super) fn command_lines(script: &Script, first_line: usize) -> Vec<CommandLine> {
    command_lines_lexed(script, &lex(&script.text), first_line)
}

/// [`command_lines`] for a script already lexed.
pub(super) fn command_lines_lexed(
    script: &Script,
    lexed: &Lexed,
    first_line: usize,
) -> Vec<CommandLine> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', script.text.as_bytes()).map(|i| i + 1))
        .collect();
    let mut previous_end: Option<usize> = None;
    let mut title: Option<String> = None;
    lexed
        .commands
        .iter()
        .filter_map(|range| {
            let gap = gap_lines(&script.text, previous_end, range.start);
            previous_end = Some(range.end);
            title = match comment_blocks::gap_title(gap) {
                GapTitle::Own(t) => Some(t),
                GapTitle::Inherit => title.take(),
                GapTitle::None => None,
            };
            let text = join_continuations(&script.text, range.clone(), &lexed.continuations);
            if text.is_empty() {
                return None;
            }
            Some(CommandLine {
                line: first_line + block_line(script, &line_starts, range.start),
                is_kubectl: invokes_kubectl(&text),
                text,
                title: title.clone(),
            })
        })
        .collect()
}

/// The whole lines between the end of the previous command (its line's rest excluded) and
/// the line where the next starts (that line excluded).
fn gap_lines(script: &str, previous_end: Option<usize>, start: usize) -> &str {
    let from = previous_end.unwrap_or(0).min(start);
    let Some(gap) = script.get(from..start) else {
        return "";
    };
    let gap = match previous_end {
        Some(_) => gap.split_once('\n').map_or("", |(_, rest)| rest),
        None => gap,
    };
    gap.rfind('\n').map_or("", |k| &gap[..=k])
}

/// The 0-based line of the block that script offset `at` is on.
fn block_line(script: &Script, line_starts: &[usize], at: usize) -> usize {
    let script_line = line_starts.partition_point(|&s| s <= at).saturating_sub(1);
    script
        .lines
        .get(script_line)
        .copied()
        .unwrap_or(script_line)
}

/// The lines of a script that are no shell (SQL, YAML), at their runbook lines.
pub(super) fn foreign_lines(script: &Script, lexed: &Lexed, first_line: usize) -> Vec<ForeignLine> {
    if lexed.foreign.is_empty() {
        return Vec::new();
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', script.text.as_bytes()).map(|i| i + 1))
        .collect();
    lexed
        .foreign
        .iter()
        .filter_map(|(range, kind)| {
            Some(ForeignLine {
                line: first_line + block_line(script, &line_starts, range.start),
                kind: *kind,
                text: script.text.get(range.clone())?.trim().to_string(),
            })
        })
        .collect()
}

/// The command's text with `\`-newline continuations joined into single spaces.
pub(super) fn join_continuations(
    script: &str,
    range: Range<usize>,
    continuations: &[usize],
) -> String {
    let Some(slice) = script.get(range.clone()) else {
        return String::new();
    };
    let first = continuations.partition_point(|&c| c < range.start);
    let inside: Vec<usize> = continuations[first..]
        .iter()
        .take_while(|&&c| c < range.end)
        .map(|&c| c - range.start)
        .collect();
    if inside.is_empty() {
        return slice.trim().to_string();
    }
    let mut out = String::with_capacity(slice.len());
    let mut from = 0;
    for c in inside {
        out.push_str(slice[from..c].trim_end());
        out.push(' ');
        from = c + 2;
        while slice
            .as_bytes()
            .get(from)
            .is_some_and(|b| *b == b' ' || *b == b'\t')
        {
            from += 1;
        }
    }
    out.push_str(&slice[from.min(slice.len())..]);
    out.trim().to_string()
}

/// Whether an unlabelled block reads as shell commands: its first command, and at least
/// half of all its commands, start with a well-known program or a path to a script.
pub(super) fn looks_like_shell(content: &str) -> bool {
    let script = script("", content);
    let lexed = lex(&script.text);
    let firsts: Vec<bool> = lexed
        .commands
        .iter()
        .filter_map(|r| script.text.get(r.clone()))
        .map(|cmd| {
            let first = cmd.split_whitespace().next().unwrap_or("");
            first.starts_with("./")
                || first.starts_with("~/")
                || (first.starts_with('/') && first.len() > 1)
                || program(cmd).is_some_and(|p| KNOWN_PROGRAMS.contains(&p))
        })
        .collect();
    match firsts.first() {
        Some(true) => firsts.iter().filter(|k| **k).count() * 2 >= firsts.len(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(lang: &str, content: &str) -> Vec<(usize, String, bool)> {
        command_lines(&script(lang, content), 10)
            .into_iter()
            .map(|l| (l.line, l.text, l.is_kubectl))
            .collect()
    }

    #[test]
    fn logical_lines_join_continuations_and_drop_comments() {
        let got = lines(
            "bash",
            "# Roll back\nkubectl rollout undo deployment/api \\\n  -n prod\n\n  # wait\nkubectl rollout status deployment/api -n prod # until done\n",
        );
        assert_eq!(
            got,
            [
                (
                    11,
                    "kubectl rollout undo deployment/api -n prod".into(),
                    true
                ),
                (
                    15,
                    "kubectl rollout status deployment/api -n prod # until done".into(),
                    true
                ),
            ]
        );
    }

    #[test]
    fn a_quote_spanning_lines_is_one_command() {
        let got = lines(
            "bash",
            "curl -X POST $SLACK_WEBHOOK -d '{\n  \"text\": \"done # not a comment\"\n}'\necho ok\n",
        );
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0].1,
            "curl -X POST $SLACK_WEBHOOK -d '{\n  \"text\": \"done # not a comment\"\n}'"
        );
        assert_eq!(got[1], (13, "echo ok".into(), false));
    }

    #[test]
    fn heredoc_is_part_of_its_command() {
        let text = "cat <<'EOF' | kubectl apply -f -\nkind: ConfigMap\n# not a comment\nEOF\nkubectl get cm\n";
        let got = lines("sh", text);
        assert_eq!(got.len(), 2);
        assert!(got[0].1.starts_with("cat <<'EOF'"));
        assert!(got[0].1.ends_with("EOF"));
        assert_eq!(got[1], (14, "kubectl get cm".into(), true));
        let lexed = lex(text);
        assert!(lexed.runs.iter().any(|(_, c)| *c == Ctx::HeredocLiteral));
        assert!(!lexed.runs.iter().any(|(_, c)| *c == Ctx::Comment));
    }

    #[test]
    fn console_prompts_are_stripped_and_output_dropped() {
        let content = "$ kubectl rollout history deployment/api\ndeployment.apps/api\nREVISION  CHANGE-CAUSE\n1         <none>\n$ kubectl rollout undo deployment/api \\\n>   --to-revision=1\ndeployment.apps/api rolled back\n";
        let s = script("console", content);
        assert_eq!(
            s.text,
            "kubectl rollout history deployment/api\nkubectl rollout undo deployment/api \\\n  --to-revision=1\n"
        );
        assert_eq!(s.lines, [0, 4, 5]);
        let got = command_lines(&s, 20);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].line, 24);
        assert_eq!(
            got[1].text,
            "kubectl rollout undo deployment/api --to-revision=1"
        );
    }

    #[test]
    fn bash_block_with_prompts_is_a_console_session() {
        let s = script("bash", "$ kubectl get pods\nNAME READY\napi-1 1/1\n");
        assert_eq!(s.text, "kubectl get pods\n");
    }

    #[test]
    fn console_block_without_prompts_is_plain_shell() {
        let s = script("console", "kubectl get pods\n");
        assert_eq!(s.text, "kubectl get pods\n");
    }

    #[test]
    fn kubectl_detection_skips_sudo_env_and_assignments() {
        for (line, want) in [
            ("kubectl get pods", true),
            ("sudo -E kubectl get pods", true),
            ("KUBECONFIG=/tmp/k kubectl get pods", true),
            ("env A=1 /usr/local/bin/kubectl get pods", true),
            ("kubectl get pods | grep api", true),
            ("watch kubectl get pods", false),
            ("echo kubectl", false),
            ("kubectl-foo", false),
        ] {
            assert_eq!(invokes_kubectl(line), want, "{line}");
        }
    }

    #[test]
    fn unlabelled_blocks_that_read_as_shell() {
        assert!(looks_like_shell("kubectl get pods\ncurl -s http://x\n"));
        assert!(looks_like_shell("# check\n./scripts/health.sh prod\n"));
        assert!(looks_like_shell(
            "$ helm rollback api 3\nRollback was a success!\n"
        ));
        assert!(!looks_like_shell(
            "DEPLOYMENT ROLLBACK EXECUTED\nEnvironment: [BLUE/GREEN]\n"
        ));
        assert!(!looks_like_shell("Dear customers,\ncurl is down\n"));
        assert!(!looks_like_shell(""));
    }

    #[test]
    fn contexts() {
        let s = "echo \"$A\" '$B' # $C\nawk '{print $NF}' $D";
        let lexed = lex(s);
        let ctx_of = |needle: &str| {
            let at = s.find(needle).expect("needle");
            lexed
                .runs
                .iter()
                .find(|(r, _)| r.contains(&at))
                .map(|(_, c)| *c)
        };
        assert_eq!(ctx_of("$A"), Some(Ctx::Double));
        assert_eq!(ctx_of("$B"), Some(Ctx::Single));
        assert_eq!(ctx_of("$C"), Some(Ctx::Comment));
        assert_eq!(ctx_of("$NF"), Some(Ctx::Single));
        assert_eq!(ctx_of("$D"), Some(Ctx::Code));
    }

    #[test]
    fn lexing_never_panics_on_odd_input() {
        for s in [
            "\\",
            "'",
            "\"\\",
            "cat <<EOF\nbody without its end",
            "cat <<EOF\n",
            "<<",
            "<<'",
            "<<-",
            "cat <<EOF",
            "a\\\n",
            "$'\\",
            "#",
            "é\\é'é",
        ] {
            let lexed = lex(s);
            // Every range lies inside the script, on character boundaries.
            for r in lexed.runs.iter().map(|(r, _)| r).chain(&lexed.commands) {
                assert!(s.get(r.clone()).is_some(), "{s:?}: {r:?}");
            }
            let _ = super::super::placeholders::in_script(s);
            let _ = command_lines(&script("console", s), 1);
            let _ = looks_like_shell(s);
        }
    }
}
