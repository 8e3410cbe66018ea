//! What a step changes, in a few words derived from its commands, so that a read-only
//! sounding title ("List deployment history") can never hide a rollback:
//! `rollout undo → revision 42`, `scale deployment/web to 0`, `POST …/deployment/rollback`,
//! `argocd app rollback`, `helm rollback web → revision 3`, `delete deployment/web`.

use super::model::{Step, StepKind};

impl Step {
    /// The change this step makes, from its mutating command lines: a rollback among them
    /// leads (`rollout undo …`, `… rollback`, `git revert`), else the first; `+N` when more
    /// lines change something; `None` for a step that changes nothing.
    pub fn change(&self) -> Option<String> {
        let StepKind::Command(block) = &self.kind else {
            return None;
        };
        summarise(
            block
                .lines
                .iter()
                .filter_map(|l| change_of(&l.text))
                .collect(),
        )
    }

    /// Whether the step changes something (see [`Step::change`]).
    pub fn is_mutating(&self) -> bool {
        self.change().is_some()
    }
}

/// The change a command's text makes (its lines as journaled by `CommandStarted`), in
/// the same words as [`Step::change`]; `None` when no line changes anything.
pub fn command_change(text: &str) -> Option<String> {
    summarise(text.lines().filter_map(change_of).collect())
}

/// One badge for several changes: the first rollback, else the first change, then `+N`.
fn summarise(mut changes: Vec<String>) -> Option<String> {
    let lead = changes.iter().position(|c| is_rollback(c)).unwrap_or(0);
    if lead >= changes.len() {
        return None;
    }
    let first = changes.remove(lead);
    Some(match changes.len() {
        0 => first,
        more => format!("{first} +{more}"),
    })
}

/// Whether a change puts something back (what a read-only title must never hide).
fn is_rollback(change: &str) -> bool {
    change.starts_with("rollout undo")
        || change.contains("rollback")
        || change.starts_with("git revert")
}

/// The change one command line makes, if any.
pub fn change_of(line: &str) -> Option<String> {
    let words = super::block_lines::command_words(line);
    let (&program, args) = words.split_first()?;
    // Positional words, without flags and the values of flags that take one.
    let mut positional: Vec<&str> = Vec::new();
    let mut skip = false;
    for a in args.iter().copied() {
        if std::mem::take(&mut skip) {
            continue;
        }
        if a.starts_with('-') {
            skip = !a.contains('=') && VALUE_FLAGS.contains(&a);
            continue;
        }
        positional.push(a);
    }
    let flag = |name: &str| {
        args.iter().enumerate().find_map(|(i, a)| {
            a.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('='))
                .map(str::to_string)
                .or_else(|| (*a == name).then(|| args.get(i + 1).map(|v| v.to_string()))?)
        })
    };
    match program {
        "kubectl" | "oc" => kubectl_change(&positional, &flag),
        "argocd" => match positional.as_slice() {
            [
                "app",
                verb @ ("rollback" | "sync" | "set" | "delete" | "terminate-op"),
                ..,
            ] => Some(format!("argocd app {verb}")),
            _ => None,
        },
        "helm" => match positional.as_slice() {
            ["rollback", release, revision, ..] => {
                Some(format!("helm rollback {release} → revision {revision}"))
            }
            ["rollback", release] => Some(format!("helm rollback {release}")),
            [verb @ ("upgrade" | "uninstall" | "install"), release, ..] => {
                Some(format!("helm {verb} {release}"))
            }
            _ => None,
        },
        "curl" | "http" | "wget" => {
            let method = flag("-X")
                .or_else(|| flag("--request"))?
                .to_ascii_uppercase();
            if method == "GET" || method == "HEAD" {
                return None;
            }
            let url = positional
                .iter()
                .find(|a| a.contains("://") || a.starts_with('/'))?;
            Some(format!("{method} {}", short_url(url)))
        }
        "git" => match positional.first().copied() {
            Some(verb @ ("revert" | "push" | "reset")) => Some(format!("git {verb}")),
            _ => None,
        },
        _ => None,
    }
}

/// Flags whose value is the next word (`-n web`).
const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "-l",
    "--selector",
    "-o",
    "--output",
    "-c",
    "--container",
    "-X",
    "--request",
    "-H",
    "--header",
    "-d",
    "--data",
    "--server",
    "--grpc-web-root-path",
];

fn kubectl_change(positional: &[&str], flag: &impl Fn(&str) -> Option<String>) -> Option<String> {
    // `deployment/web`, or `service payments` written as two words.
    let target = |rest: &[&str]| match rest {
        [kind, name, ..] if !kind.contains('/') && !name.contains('=') && !name.contains('.') => {
            format!("{kind}/{name}")
        }
        [one, ..] => one.to_string(),
        [] => String::new(),
    };
    match positional {
        ["rollout", "undo", rest @ ..] => Some(match flag("--to-revision") {
            Some(rev) => format!("rollout undo {} → revision {rev}", target(rest)),
            None => format!("rollout undo {}", target(rest)),
        }),
        [
            "rollout",
            verb @ ("restart" | "pause" | "resume"),
            rest @ ..,
        ] => Some(format!("rollout {verb} {}", target(rest))),
        ["scale", rest @ ..] => {
            let replicas = flag("--replicas").unwrap_or_else(|| "?".into());
            Some(format!("scale {} to {replicas}", target(rest)))
        }
        ["delete", rest @ ..] => Some(format!("delete {}", target(rest))),
        ["set", what, rest @ ..] => Some(format!("set {what} {}", target(rest))),
        [
            verb @ ("patch" | "apply" | "replace" | "edit" | "annotate" | "label" | "cordon"
            | "drain"),
            rest @ ..,
        ] => Some(format!("{verb} {}", target(rest))),
        _ => None,
    }
    .map(|s| s.trim_end().replace("  ", " "))
}

/// `https://api.example.com/v1/deployment/rollback` → `…/deployment/rollback`.
fn short_url(url: &str) -> String {
    let path = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .trim_matches(['"', '\'']);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [.., a, b] if segments.len() > 2 => format!("…/{a}/{b}"),
        _ => url.trim_matches(['"', '\'']).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{change_of, command_change};

    #[test]
    fn a_rollback_leads_the_badge_of_a_step_changing_several_things() {
        assert_eq!(
            command_change(
                "kubectl -n p apply -f -\nkubectl -n p rollout undo deployment/api\nkubectl -n p scale deployment/w --replicas=4"
            )
            .as_deref(),
            Some("rollout undo deployment/api +2")
        );
        assert_eq!(
            command_change(
                "kubectl -n p apply -f a.yaml\nkubectl -n p rollout restart deployment/api"
            )
            .as_deref()
            .map(|c| c.starts_with("apply")),
            Some(true)
        );
        assert_eq!(command_change("kubectl get pods"), None);
    }

    #[test]
    fn changes_from_commands() {
        let cases = [
            (
                "kubectl -n web rollout undo deployment/web --to-revision=42",
                Some("rollout undo deployment/web → revision 42"),
            ),
            (
                "kubectl rollout undo deployment/web",
                Some("rollout undo deployment/web"),
            ),
            (
                "kubectl scale deployment/web --replicas=0",
                Some("scale deployment/web to 0"),
            ),
            (
                "curl -X POST http://localhost:8080/deployment/rollback",
                Some("POST …/deployment/rollback"),
            ),
            ("argocd app rollback shop 12", Some("argocd app rollback")),
            (
                "kubectl delete deployment web",
                Some("delete deployment/web"),
            ),
            (
                "helm rollback web 3",
                Some("helm rollback web → revision 3"),
            ),
            ("kubectl rollout history deployment/web", None),
            ("kubectl get pods", None),
            ("curl http://localhost:8080/health", None),
            ("", None),
        ];
        for (line, want) in cases {
            assert_eq!(change_of(line).as_deref(), want, "{line}");
        }
    }
}
