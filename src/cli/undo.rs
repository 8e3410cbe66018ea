//! `backout undo deployment/NAME [--to-revision N] [--dry-run] [--yes]`: the console's
//! native rollback path without the terminal UI — RBAC preflight, server dry-run and
//! diff, typed confirmation, journal (a session in mode `cli`), the Lease lock, the
//! request, and the rollout followed until complete, failed or timed out.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::status::connect_options;
use super::{CliError, UndoArgs, deployment_name};
use crate::adapters::identity;
use crate::adapters::journal_file::JournalFile;
use crate::adapters::kube::actions::FollowProgress;
use crate::adapters::kube::lease::{DEFAULT_DURATION, holder_identity};
use crate::adapters::kube::{
    ActionRunner, Connection, FollowOutcome, LeaseGuard, Planned, Preflight, connect,
};
use crate::adapters::session_store::{SessionStart, SessionStore};
use crate::domain::cluster::{ClusterAction, Target};
use crate::domain::duration;
use crate::domain::journal::Entry;

fn msg(e: impl std::fmt::Display) -> CliError {
    CliError::Message(e.to_string())
}

/// Prints a refusal and returns exit code 1 ("ran, but the answer is no").
fn refuse(text: impl std::fmt::Display) -> ExitCode {
    eprintln!("backout: {text}");
    ExitCode::from(1)
}

pub fn run(args: UndoArgs) -> Result<ExitCode, CliError> {
    let name = deployment_name(&args.deployment)?;
    let timeout = duration::parse(&args.timeout, duration::Syntax::GO)
        .map_err(|e| msg(format!("--timeout: invalid duration: {e}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(undo(args, name, timeout))
}

async fn undo(args: UndoArgs, name: String, timeout: Duration) -> Result<ExitCode, CliError> {
    let conn = connect(&connect_options(&args.cluster))
        .await
        .map_err(msg)?;
    // Exec credential plugins prompt here, before anything else is printed.
    conn.preflight().await.map_err(msg)?;
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

    match runner.preflight(&action).await.map_err(msg)? {
        Preflight::Allowed { checks } => {
            let list: Vec<String> = checks.iter().map(|c| c.describe()).collect();
            println!("preflight: allowed ({})", list.join(", "));
        }
        Preflight::Denied { reason, .. } => {
            return Ok(refuse(format!("preflight: not allowed: {reason}")));
        }
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
        Err(e) => return Ok(refuse(e)),
    };
    println!(
        "server dry-run: {} line(s) removed, {} added",
        diff.removed, diff.added
    );
    print!("{}", diff.text());
    if args.dry_run {
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
            return Ok(refuse(e));
        }
    };
    append(
        &mut journal,
        Entry::ClusterActionRequested {
            action: kubectl.clone(),
            target: target.to_string(),
        },
    )?;
    let executed = runner.execute(&action, &lease).await;
    let (outcome, ok) = match executed {
        Err(e) => (e.to_string(), false),
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
                            eprintln!("backout: watch interrupted, retrying: {error}")
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
                        format!("{}; cannot follow the rollout: {e}", done.message),
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
        eprintln!("backout: warning: {e} (it expires by itself)");
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
