//! `backout undo deployment/NAME [--to-revision N] [--dry-run=none|client|server] [--yes]`: the console's
//! native rollback path without the terminal UI — RBAC preflight, server dry-run and
//! diff, typed confirmation, journal (a session in mode `cli`), the Lease lock, the
//! request, and the rollout followed until complete, failed or timed out.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::status::connect_options;
use super::{CliError, UndoArgs, deployment_name, with_causes};
use crate::adapters::identity;
use crate::adapters::journal_file::JournalFile;
use crate::adapters::kube::actions::FollowProgress;
use crate::adapters::kube::lease::{DEFAULT_DURATION, holder_identity};
use crate::adapters::kube::{
    ActionError, ActionRunner, ClientPlanned, Connection, FollowOutcome, LeaseGuard, Planned,
    Preflight, connect,
};
use crate::adapters::session_store::{SessionStart, SessionStore};
use crate::domain::cluster::change_of;
use crate::domain::cluster::{ClusterAction, Target};
use crate::domain::duration;
use crate::domain::journal::{ChangeDetail, Entry};

fn msg(e: impl std::fmt::Display) -> CliError {
    CliError::Message(e.to_string())
}

/// Prints a refusal and returns exit code 1 ("ran, but the answer is no").
fn refuse(text: impl std::fmt::Display) -> ExitCode {
    crate::stderr_line!("backout: {text}");
    ExitCode::from(1)
}

/// `--dry-run`'s strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DryRun {
    /// Act.
    None,
    /// Plan from reads only and print the request; nothing else reaches the server.
    Client,
    /// Send the request with `dryRun=All` and print the diff of its answer.
    Server,
}

/// The value clap gives a bare `--dry-run` (kubectl's `NoOptDefVal`).
pub const BARE_DRY_RUN: &str = "unchanged";

/// kubectl's reading of `--dry-run` (`GetDryRunStrategy`, staging/src/k8s.io/kubectl/pkg/
/// cmd/util/helpers.go, 1.32): `none|client|server`; a bare `--dry-run` and the old
/// booleans still work with a deprecation warning (bare and `true` mean client, `false`
/// none); anything else is refused with kubectl's message. The warning is returned.
pub fn dry_run_strategy(value: &str) -> Result<(DryRun, Option<String>), CliError> {
    let boolean = |s: DryRun, with: &str| {
        Ok((
            s,
            Some(format!(
                "--dry-run={value} is deprecated (boolean value) and can be replaced with \
                 --dry-run={with}."
            )),
        ))
    };
    match value {
        "none" => Ok((DryRun::None, None)),
        "client" => Ok((DryRun::Client, None)),
        "server" => Ok((DryRun::Server, None)),
        BARE_DRY_RUN => Ok((
            DryRun::Client,
            Some("--dry-run is deprecated and can be replaced with --dry-run=client.".into()),
        )),
        // Go's strconv.ParseBool.
        "true" | "1" | "t" | "T" | "TRUE" | "True" => boolean(DryRun::Client, "client"),
        "false" | "0" | "f" | "F" | "FALSE" | "False" => boolean(DryRun::None, "none"),
        other => Err(CliError::Message(format!(
            "Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
        ))),
    }
}

pub fn run(args: UndoArgs) -> Result<ExitCode, CliError> {
    let name = deployment_name(&args.deployment)?;
    let (dry_run, warning) = dry_run_strategy(&args.dry_run)?;
    if let Some(w) = warning {
        crate::stderr_line!("backout: warning: {w}");
    }
    let timeout = duration::parse(&args.timeout, duration::Syntax::GO)
        .map_err(|e| msg(format!("--timeout: invalid duration: {e}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(undo(args, name, timeout, dry_run))
}

async fn undo(
    args: UndoArgs,
    name: String,
    timeout: Duration,
    dry_run: DryRun,
) -> Result<ExitCode, CliError> {
    let conn = connect(&connect_options(&args.cluster)?)
        .await
        .map_err(msg)?;
    // Exec credential plugins prompt here, before anything else is printed.
    conn.preflight().await.map_err(|e| msg(with_causes(&e)))?;
    banner(&conn);
    let target = Target {
        context: Some(conn.context.clone()),
        namespace: conn.namespace.clone(),
        deployment: name.clone(),
    };
    let action = ClusterAction::Undo {
        to_revision: args.to_revision.filter(|n| *n != 0),
    };
    let kubectl = action.kubectl_command(&target);
    println!("equivalent: {kubectl}");
    let runner = ActionRunner::new(conn.client.clone(), target.clone(), conn.read_only);

    // A time-out names the server it was waiting for.
    let server = conn.server.clone();
    let at = |e: ActionError| e.at_server(&server);
    match runner.preflight(&action).await.map_err(|e| msg(at(e)))? {
        Preflight::Allowed { checks } => {
            let list: Vec<String> = checks.iter().map(|c| c.describe()).collect();
            println!("preflight: allowed ({})", list.join(", "));
        }
        Preflight::Denied { reason, .. } => {
            return Ok(refuse(format!("preflight: not allowed: {reason}")));
        }
    }
    if dry_run == DryRun::Client {
        return match runner.client_dry_run(&action).await {
            Ok(ClientPlanned::Skip { message }) => {
                println!("{message}");
                Ok(ExitCode::SUCCESS)
            }
            Ok(ClientPlanned::Change { request, success }) => {
                println!("client dry-run: the request that would be sent:");
                println!("{}", serde_json::to_string_pretty(&request).map_err(msg)?);
                println!("{success} (dry run)");
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => Ok(refuse(e)),
        };
    }
    if conn.read_only {
        return Ok(refuse(
            "read-only mode: stopped before the dry-run; nothing was sent that changes the cluster",
        ));
    }
    let diff = match runner.dry_run(&action).await {
        Ok(Planned::Skip { message }) => {
            println!("{message}");
            return Ok(ExitCode::SUCCESS);
        }
        Ok(Planned::Change { diff, .. }) => diff,
        Err(e) => return Ok(refuse(at(e))),
    };
    println!(
        "server dry-run: {} line(s) removed, {} added",
        diff.removed, diff.added
    );
    print!("{}", diff.text());
    if dry_run == DryRun::Server {
        println!("dry run: nothing changed");
        return Ok(ExitCode::SUCCESS);
    }
    if !args.yes && !confirm(&name)? {
        return Ok(refuse("not confirmed; nothing changed"));
    }

    // The journal: a session of its own, the intent on disk before the request.
    let store = SessionStore::from_env().map_err(msg)?;
    let command_line = format!("backout undo deployment/{name}\n\n    {kubectl}\n");
    let title = format!("undo deployment/{name}");
    let start = SessionStart {
        mode: "cli",
        ..SessionStart::new(Path::new("(backout undo)"), command_line.as_bytes(), &title)
    };
    let session = store.create(&start).map_err(msg)?;
    let mut journal = session.journal;
    let actor = identity::actor();
    let append = |journal: &mut JournalFile, e: Entry| journal.append(&actor, e).map_err(msg);
    println!("session {}", session.dir.id);

    let holder = holder_identity(
        &identity::user_name(),
        &identity::host_name(),
        &session.dir.id,
    );
    let lease = match LeaseGuard::acquire(
        conn.client.clone(),
        &conn.namespace,
        &name,
        &holder,
        DEFAULT_DURATION,
    )
    .await
    {
        Ok(l) => l,
        Err(e) => {
            append(&mut journal, Entry::SessionClosed)?;
            return Ok(refuse(e.at_server(&server)));
        }
    };
    // Before → after for the report, read from the revision history now (best effort:
    // without it the change is journaled with what is known).
    let history = crate::cli::status::read_status(&conn, &name)
        .await
        .ok()
        .map(|s| s.rollout);
    let change = ChangeDetail {
        via: Some("backout undo".into()),
        confirmed_by: Some(if args.yes {
            format!("{actor} (--yes)")
        } else {
            actor.clone()
        }),
        previewed: Some("server dry-run + diff".into()),
        ..change_of::change_detail(history.as_ref(), &action)
    };
    append(
        &mut journal,
        Entry::ClusterActionRequested {
            action: kubectl.clone(),
            target: target.to_string(),
            change: Some(change),
        },
    )?;
    let executed = runner.execute(&action, &lease).await;
    let (outcome, ok) = match executed {
        Err(e) => (at(e).to_string(), false),
        Ok(done) => {
            println!("{}", done.message);
            if done.skipped {
                (done.message, true)
            } else {
                let mut last = String::new();
                let followed = runner
                    .follow(timeout, |p| match p {
                        FollowProgress::Observed { status, .. } => {
                            if status.message() != last {
                                last = status.message().to_string();
                                println!("{last}");
                            }
                        }
                        FollowProgress::WatchError { error } => {
                            crate::stderr_line!("backout: watch interrupted, retrying: {error}")
                        }
                    })
                    .await;
                match followed {
                    Ok(FollowOutcome::Complete { message }) => {
                        (format!("{}; {message}", done.message), true)
                    }
                    Ok(FollowOutcome::Failed { message }) => {
                        (format!("{}; {message}", done.message), false)
                    }
                    Ok(FollowOutcome::TimedOut { last }) => (
                        format!(
                            "{}; rollout not complete after {}: {last}",
                            done.message,
                            crate::domain::duration_text::compact(timeout.as_secs())
                        ),
                        false,
                    ),
                    Err(e) => (
                        format!("{}; cannot follow the rollout: {}", done.message, at(e)),
                        false,
                    ),
                }
            }
        }
    };
    append(
        &mut journal,
        Entry::ClusterActionFinished {
            action: kubectl,
            outcome: outcome.clone(),
            ok,
        },
    )?;
    append(&mut journal, Entry::SessionClosed)?;
    if let Err(e) = lease.release().await {
        crate::stderr_line!("backout: warning: {e} (it expires by itself)");
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        refuse(outcome)
    })
}

fn banner(conn: &Connection) {
    if conn.is_production {
        println!("!!! PRODUCTION: context {} !!!", conn.context);
    }
    println!(
        "context {}  namespace {}  server {}{}",
        conn.context,
        conn.namespace,
        conn.server,
        if conn.read_only { "  (read-only)" } else { "" }
    );
}

/// Asks for the deployment name on stdin.
fn confirm(name: &str) -> Result<bool, CliError> {
    print!("Type the deployment name ({name}) to roll it back: ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_run_values_read_as_kubectl_reads_them() {
        assert_eq!(dry_run_strategy("none").unwrap(), (DryRun::None, None));
        assert_eq!(dry_run_strategy("client").unwrap(), (DryRun::Client, None));
        assert_eq!(dry_run_strategy("server").unwrap(), (DryRun::Server, None));
        let (s, w) = dry_run_strategy(BARE_DRY_RUN).unwrap();
        assert_eq!(s, DryRun::Client);
        assert_eq!(
            w.as_deref(),
            Some("--dry-run is deprecated and can be replaced with --dry-run=client.")
        );
        let (s, w) = dry_run_strategy("false").unwrap();
        assert_eq!(s, DryRun::None);
        assert_eq!(
            w.as_deref(),
            Some(
                "--dry-run=false is deprecated (boolean value) and can be replaced with --dry-run=none."
            )
        );
        assert_eq!(dry_run_strategy("1").unwrap().0, DryRun::Client);
        let e = dry_run_strategy("Server").unwrap_err().to_string();
        assert_eq!(
            e,
            r#"Invalid dry-run value (Server). Must be "none", "server", or "client"."#
        );
    }
}
