//! `argocd app history|get|rollback|sync|set|wait` lines, parsed with the flags the
//! `argocd` CLI defines for them (`cmd/argocd/commands/app.go` in argoproj/argo-cd).

use crate::domain::cluster::shell_words::words;

/// How `argocd app set --sync-policy` changes the automated sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncPolicyChange {
    /// `none` / `manual`: `syncPolicy.automated` removed.
    Manual,
    /// `automated` / `auto` / `automatic`, with `--self-heal` and `--auto-prune` when given.
    Automated {
        self_heal: Option<bool>,
        prune: Option<bool>,
    },
}

/// One `argocd app` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgoCommand {
    History {
        app: String,
    },
    Get {
        app: String,
        refresh: bool,
    },
    /// `id` `None`: the previous deployment (`findRevisionHistory` with -1).
    Rollback {
        app: String,
        id: Option<i64>,
        prune: bool,
    },
    Sync {
        app: String,
        revision: Option<String>,
        prune: bool,
        dry_run: bool,
    },
    SetRevision {
        app: String,
        revision: String,
    },
    SetSyncPolicy {
        app: String,
        change: SyncPolicyChange,
    },
    /// `wait` (default: health and sync and operation), `--health`, `--sync`, `--operation`.
    Wait {
        app: String,
        health: bool,
        sync: bool,
        operation: bool,
    },
}

impl ArgoCommand {
    /// The application's name.
    pub fn app(&self) -> &str {
        match self {
            Self::History { app }
            | Self::Get { app, .. }
            | Self::Rollback { app, .. }
            | Self::Sync { app, .. }
            | Self::SetRevision { app, .. }
            | Self::SetSyncPolicy { app, .. }
            | Self::Wait { app, .. } => app,
        }
    }

    /// True for commands that change the application or the cluster.
    pub fn mutates(&self) -> bool {
        matches!(
            self,
            Self::Rollback { .. }
                | Self::Sync { dry_run: false, .. }
                | Self::SetRevision { .. }
                | Self::SetSyncPolicy { .. }
        )
    }
}

/// A parsed line: the command and the connection flags written on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgoLine {
    pub command: ArgoCommand,
    /// `--server` on the line (else `ARGOCD_SERVER`).
    pub server: Option<String>,
    /// `--grpc-web-root-path` on the line.
    pub root_path: Option<String>,
    /// `--insecure`.
    pub insecure: bool,
    /// `--timeout` seconds (`rollback`, `sync`, `wait`; 0 = none, the CLI's default).
    pub timeout_secs: u64,
}

type R<T> = Result<T, String>;

/// Flags that take a value.
const VALUED: &[&str] = &[
    "--server",
    "--grpc-web-root-path",
    "--revision",
    "--sync-policy",
    "--timeout",
    "-o",
    "--output",
    "-N",
    "--app-namespace",
];

/// Flags accepted and ignored (they change nothing the console does).
const IGNORED: &[&str] = &["--grpc-web", "-o", "--output", "--loglevel", "--logformat"];

/// Parses an `argocd app …` line; `None` when the line is not `argocd`, `Err` (why) when it
/// is one the console does not run natively. `--auth-token` is refused: a token written in
/// a runbook line would land in the journal.
pub fn parse_argocd_line(line: &str) -> Option<R<ArgoLine>> {
    let line = line.trim();
    let line = line.strip_prefix("$ ").unwrap_or(line);
    let first = line.split_whitespace().next()?;
    if first != "argocd" && !first.ends_with("/argocd") {
        return None;
    }
    Some(parse(line))
}

fn parse(line: &str) -> R<ArgoLine> {
    let ws = words(line)?;
    let mut flags: Vec<(String, Option<String>)> = Vec::new();
    let mut pos: Vec<String> = Vec::new();
    let mut it = ws.into_iter().skip(1);
    while let Some(w) = it.next() {
        if let Some((k, v)) = w.split_once('=').filter(|(k, _)| k.starts_with('-')) {
            flags.push((k.to_string(), Some(v.to_string())));
        } else if w.starts_with('-') && w.len() > 1 {
            let v = if VALUED.contains(&w.as_str()) {
                Some(it.next().ok_or_else(|| format!("{w} needs a value"))?)
            } else {
                None
            };
            flags.push((w, v));
        } else {
            pos.push(w);
        }
    }
    let mut take = |names: &[&str]| -> Option<Option<String>> {
        let i = flags
            .iter()
            .position(|(k, _)| names.contains(&k.as_str()))?;
        Some(flags.remove(i).1)
    };
    if take(&["--auth-token"]).is_some() {
        return Err("--auth-token on the line: set ARGOCD_AUTH_TOKEN instead".into());
    }
    if take(&["--core", "--port-forward"]).is_some() {
        return Err("--core/--port-forward: run it in a shell".into());
    }
    let server = take(&["--server"]).flatten();
    let root_path = take(&["--grpc-web-root-path"]).flatten();
    let insecure = take(&["--insecure"]).is_some();
    let timeout_secs = match take(&["--timeout"]).flatten() {
        Some(t) => t
            .parse::<u64>()
            .map_err(|_| format!("--timeout {t:?} is not a number of seconds"))?,
        None => 0,
    };
    let verb: Vec<&str> = pos.iter().map(String::as_str).collect();
    let (app, rest) = match verb.as_slice() {
        ["app", sub, app, rest @ ..] => ((*sub, app.to_string()), rest),
        ["app", sub] => return Err(format!("argocd app {sub} needs an application name")),
        _ => return Err("only `argocd app` commands run natively".into()),
    };
    let (sub, app) = app;
    let flag = |flags: &mut Vec<(String, Option<String>)>, names: &[&str]| -> bool {
        match flags.iter().position(|(k, _)| names.contains(&k.as_str())) {
            Some(i) => {
                flags.remove(i);
                true
            }
            None => false,
        }
    };
    let command = match sub {
        "history" => ArgoCommand::History { app },
        "get" => {
            let refresh = flag(&mut flags, &["--refresh", "--hard-refresh"]);
            ArgoCommand::Get { app, refresh }
        }
        "rollback" => {
            let id = match rest {
                [] => None,
                [id] => Some(
                    id.parse::<i64>()
                        .map_err(|_| format!("history id {id:?} is not a number"))?,
                ),
                _ => return Err("argocd app rollback APPNAME [ID]".into()),
            };
            let prune = flag(&mut flags, &["--prune"]);
            return finish(
                flags,
                ArgoCommand::Rollback { app, id, prune },
                server,
                root_path,
                insecure,
                timeout_secs,
            );
        }
        "sync" => {
            let revision = take_value(&mut flags, "--revision");
            let prune = flag(&mut flags, &["--prune"]);
            let dry_run = flag(&mut flags, &["--dry-run"]);
            ArgoCommand::Sync {
                app,
                revision,
                prune,
                dry_run,
            }
        }
        "set" => {
            if let Some(revision) = take_value(&mut flags, "--revision") {
                ArgoCommand::SetRevision { app, revision }
            } else if let Some(policy) = take_value(&mut flags, "--sync-policy") {
                let change = match policy.as_str() {
                    "none" | "manual" => SyncPolicyChange::Manual,
                    "automated" | "automatic" | "auto" => SyncPolicyChange::Automated {
                        self_heal: bool_flag(&mut flags, "--self-heal")?,
                        prune: bool_flag(&mut flags, "--auto-prune")?,
                    },
                    other => return Err(format!("--sync-policy {other:?}: none or automated")),
                };
                ArgoCommand::SetSyncPolicy { app, change }
            } else {
                return Err(
                    "argocd app set runs natively with --revision or --sync-policy only".into(),
                );
            }
        }
        "wait" => {
            let health = flag(&mut flags, &["--health"]);
            let sync = flag(&mut flags, &["--sync"]);
            let operation = flag(&mut flags, &["--operation"]);
            let all = !(health || sync || operation);
            ArgoCommand::Wait {
                app,
                health: health || all,
                sync: sync || all,
                operation: operation || all,
            }
        }
        other => return Err(format!("argocd app {other} does not run natively")),
    };
    if !rest.is_empty() {
        return Err(format!("unexpected {:?}", rest.join(" ")));
    }
    finish(flags, command, server, root_path, insecure, timeout_secs)
}

fn take_value(flags: &mut Vec<(String, Option<String>)>, name: &str) -> Option<String> {
    let i = flags.iter().position(|(k, _)| k == name)?;
    flags.remove(i).1
}

/// `--self-heal`, `--self-heal=false`.
fn bool_flag(flags: &mut Vec<(String, Option<String>)>, name: &str) -> R<Option<bool>> {
    let Some(i) = flags.iter().position(|(k, _)| k == name) else {
        return Ok(None);
    };
    match flags.remove(i).1.as_deref() {
        None | Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(v) => Err(format!("{name}={v}: true or false")),
    }
}

fn finish(
    flags: Vec<(String, Option<String>)>,
    command: ArgoCommand,
    server: Option<String>,
    root_path: Option<String>,
    insecure: bool,
    timeout_secs: u64,
) -> R<ArgoLine> {
    if let Some((k, _)) = flags.iter().find(|(k, _)| !IGNORED.contains(&k.as_str())) {
        return Err(format!("flag {k} does not run natively"));
    }
    Ok(ArgoLine {
        command,
        server,
        root_path,
        insecure,
        timeout_secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(line: &str) -> ArgoCommand {
        match parse_argocd_line(line) {
            Some(Ok(l)) => l.command,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn the_gitops_runbook_lines_parse() {
        assert_eq!(
            cmd("argocd app history checkout-api"),
            ArgoCommand::History {
                app: "checkout-api".into()
            }
        );
        assert_eq!(
            cmd("argocd app rollback checkout-api 1"),
            ArgoCommand::Rollback {
                app: "checkout-api".into(),
                id: Some(1),
                prune: false
            }
        );
        assert_eq!(
            cmd("argocd app rollback checkout-api"),
            ArgoCommand::Rollback {
                app: "checkout-api".into(),
                id: None,
                prune: false
            }
        );
        assert_eq!(
            cmd("argocd app set checkout-api --sync-policy none"),
            ArgoCommand::SetSyncPolicy {
                app: "checkout-api".into(),
                change: SyncPolicyChange::Manual
            }
        );
        assert_eq!(
            cmd(
                "argocd app set checkout-api --sync-policy automated --self-heal --auto-prune=false"
            ),
            ArgoCommand::SetSyncPolicy {
                app: "checkout-api".into(),
                change: SyncPolicyChange::Automated {
                    self_heal: Some(true),
                    prune: Some(false)
                }
            }
        );
        assert_eq!(
            cmd("argocd app set checkout-api --revision 1a2b3c4"),
            ArgoCommand::SetRevision {
                app: "checkout-api".into(),
                revision: "1a2b3c4".into()
            }
        );
        assert_eq!(
            cmd("argocd app sync checkout-api --prune"),
            ArgoCommand::Sync {
                app: "checkout-api".into(),
                revision: None,
                prune: true,
                dry_run: false
            }
        );
        assert_eq!(
            cmd("argocd app wait checkout-api --health --timeout 300"),
            ArgoCommand::Wait {
                app: "checkout-api".into(),
                health: true,
                sync: false,
                operation: false
            }
        );
        assert_eq!(
            cmd("argocd app get checkout-api --refresh"),
            ArgoCommand::Get {
                app: "checkout-api".into(),
                refresh: true
            }
        );
        let l = parse_argocd_line(
            "argocd --grpc-web app wait a --timeout 120 --server argocd.example.com",
        )
        .and_then(Result::ok)
        .expect("parses");
        assert_eq!(
            (l.timeout_secs, l.server.as_deref()),
            (120, Some("argocd.example.com"))
        );
    }

    #[test]
    fn lines_that_do_not_run_natively_say_why() {
        assert_eq!(parse_argocd_line("kubectl get pods"), None);
        let why = |l: &str| {
            parse_argocd_line(l)
                .and_then(Result::err)
                .unwrap_or_default()
        };
        assert!(why("argocd app rollback a --auth-token abc").contains("ARGOCD_AUTH_TOKEN"));
        assert!(why("argocd app delete a").contains("does not run natively"));
        assert!(why("argocd login argocd.example.com").contains("only `argocd app`"));
        assert!(why("argocd app sync a --force").contains("--force"));
        assert!(why("argocd app sync a | tee out").contains("shell operator"));
        assert!(why("argocd app rollback a two").contains("not a number"));
    }

    #[test]
    fn mutating_commands_are_told_apart() {
        assert!(cmd("argocd app rollback a 1").mutates());
        assert!(cmd("argocd app set a --sync-policy none").mutates());
        assert!(!cmd("argocd app sync a --dry-run").mutates());
        assert!(!cmd("argocd app history a").mutates());
        assert!(!cmd("argocd app wait a").mutates());
    }
}
