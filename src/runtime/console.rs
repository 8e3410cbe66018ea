//! The event loop: sources → `Msg` → `update` → effects → executor; draw when dirty,
//! at most 30 frames a second, watch data alone at most 10 ([`FramePacer`]). Nothing draws while waiting on I/O, and no I/O happens
//! while drawing.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use chrono::Utc;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;

use crate::ui::msg::Msg;
use crate::ui::state::App;
use crate::ui::state::view_spot::ViewSpot;
use crate::ui::update::update;
use crate::ui::view;

use super::cluster_effects::ClusterEffects;
use super::cluster_exec::{ClusterExec, ClusterFeed, spawn_cluster};
use super::drill_feed::DrillStart;
use super::effects::Executors;
use super::frame_pacer::{Change, FramePacer};
use super::input::{spawn_input, spawn_signals, spawn_ticks};
use super::journal_port::JournalAppend;
use super::journal_writer::JournalWriter;
use super::metrics_task::{MetricsFeed, spawn_metrics};
use super::notify_exec::NotifyExec;
use super::notify_feed::{NotifierFeed, NotifyTask};
use super::shell_exec::ShellExec;
use super::verification::{VerifyExec, VerifyFeed};

const MSG_QUEUE: usize = 1024;
/// Set to make the console panic after its first frame (tests of terminal restoration);
/// `background` makes a background thread panic instead.
pub const CRASH_TEST_ENV: &str = "BACKOUT_CRASH_TEST";

/// How the console ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The operator quit; the session can be resumed.
    Quit,
    /// SIGTERM or SIGHUP.
    Terminated,
}

/// Everything outside the keyboard and the journal that feeds the console. Each feed is
/// optional: a runbook with no metrics or no cluster still opens.
#[derive(Default)]
pub struct Feeds {
    pub metrics: Option<MetricsFeed>,
    pub cluster: Option<ClusterFeed>,
    /// Message sinks (see `runtime::notify_feed`).
    pub notifier: Option<NotifierFeed>,
    /// Probes for the runbook's verification checks.
    pub verify: Option<VerifyFeed>,
    /// `backout drill`: the scenario's timeline events as they happen.
    pub drill: Option<super::drill_feed::DrillFeed>,
    /// Connects to another target while the console runs (the inferred target once
    /// accepted, `T`).
    pub connector: Option<super::cluster_connect::Connector>,
    /// Environment every shell command gets before its own (`KUBECONFIG` pinning the
    /// console's context: `adapters::kube::shell_context`).
    pub shell_env: Vec<(String, String)>,
    /// Where drafted messages go: the session directory and the terminal's clipboard.
    pub drafts: super::drafts::DraftExec,
    /// Where Argo CD is (`argocd` lines, the header's application line).
    pub argo: super::argo_exec::ArgoSetup,
}

/// Runs the console until the operator quits; returns how it ended and where the operator
/// was looking. Waits for every queued journal write
/// before returning. With a metrics feed, an owned task refreshes every named query
/// and sends the results as `Msg::Metrics`.
pub async fn run<B: Backend, J: JournalAppend>(
    mut app: App,
    journal: J,
    feeds: Feeds,
    terminal: &mut Terminal<B>,
) -> std::io::Result<(Outcome, ViewSpot)>
where
    B::Error: Send + Sync + 'static,
{
    let Feeds {
        metrics,
        cluster,
        notifier,
        verify,
        drill,
        shell_env,
        drafts,
        connector,
        argo,
    } = feeds;
    let verify = verify.map(VerifyExec::new);
    let (tx, mut rx) = mpsc::channel::<Msg>(MSG_QUEUE);
    let writer = JournalWriter::start(journal, tx.clone());
    spawn_input(tx.clone());
    spawn_ticks(tx.clone());
    spawn_signals(tx.clone());
    // Set to ask the metrics task for offset baselines at its next refresh.
    let baseline_request = Arc::new(AtomicBool::new(true));
    let poller = metrics.map(|feed| spawn_metrics(tx.clone(), feed, baseline_request.clone()));
    let mut watcher = cluster.as_ref().map(|c| spawn_cluster(tx.clone(), c));
    let (drill, drill_start) = match drill {
        Some(mut d) => {
            let start = d.on_start.take();
            (Some(d), DrillStart(start))
        }
        None => (None, DrillStart::default()),
    };
    let timeline = drill.map(|d| super::drill_feed::spawn_drill(tx.clone(), d));
    let mut exec = Executors {
        journal: writer,
        shell: ShellExec::new(shell_env),
        cluster: ClusterEffects {
            exec: cluster.map(|c| ClusterExec::new(c, &app.session.id)),
            connector,
        },
        baseline_request,
        notify: NotifyExec {
            notifier: notifier.map(|n| NotifyTask::spawn(n, tx.clone())),
            drafts,
        },
        verify,
        drill: drill_start,
        deploy_api: super::deploy_api_exec::DeployApiExec::new(argo.clone()),
        argo: super::argo_exec::ArgoExec::new(argo),
        tx: tx.clone(),
    };
    // The Argo CD application managing the target the console opened on.
    exec.execute(crate::ui::update::argo_watch_of(&app));

    let size = terminal.size().ok().map(|s| (s.width, s.height));
    let start = update(
        &mut app,
        Msg::Start {
            now: Utc::now(),
            size,
        },
    );
    exec.execute(start);
    let mut view_state = view::ViewState::default();
    let mut pacer = FramePacer::new(Instant::now());
    let mut terminated = false;
    let mut drawn_once = false;
    // Crash drill for the terminal-restore tests: panic right after the first frame.
    let crash_after_first_frame = std::env::var_os(CRASH_TEST_ENV).is_some();
    loop {
        if pacer.is_due(Instant::now()) {
            terminal
                .draw(|f| view::render_with(&app, &mut view_state, f))
                .map_err(std::io::Error::other)?;
            pacer.drawn(Instant::now());
            if !drawn_once {
                drawn_once = true;
                super::first_frame::record();
            }
            if crash_after_first_frame {
                crash_for_test();
            }
        }
        let msg = if let Some(due) = pacer.due() {
            // A frame is owed: take messages until it is due (coalescing bursts of output).
            tokio::select! {
                msg = rx.recv() => msg,
                _ = tokio::time::sleep_until(due.into()) => continue,
            }
        } else {
            rx.recv().await
        };
        let Some(msg) = msg else { break };
        terminated |= matches!(msg, Msg::Terminate);
        // A new target connected: its watchers and actions replace the old ones.
        if let Msg::ClusterConnected {
            generation,
            context,
            namespace,
            ..
        } = &msg
            && *generation == app.target.generation
            && let Some(feed) = exec
                .cluster
                .connector
                .as_ref()
                .and_then(|c| c.take(*generation))
        {
            // kubectl in shell steps follows the console to its new target.
            if let Some(env) = exec
                .cluster
                .connector
                .as_ref()
                .and_then(|c| c.shell_env(context, namespace))
            {
                exec.shell.set_env(env);
            }
            if let Some((mut handle, forward)) = watcher.take() {
                handle.stop();
                forward.abort();
            }
            watcher = Some(spawn_cluster(tx.clone(), &feed));
            exec.cluster.exec = Some(ClusterExec::new(feed, &app.session.id));
        }
        let change = Change::of(&msg);
        let fx = update(&mut app, msg);
        pacer.changed(change, Instant::now());
        exec.execute(fx);
        if app.quitting {
            break;
        }
    }
    exec.argo.stop();
    let Executors {
        journal: writer,
        cluster: ClusterEffects { exec: actions, .. },
        notify: NotifyExec { notifier, .. },
        mut verify,
        ..
    } = exec;
    if let Some(p) = poller {
        p.abort();
    }
    if let Some(n) = notifier {
        n.stop();
    }
    if let Some(t) = timeline {
        t.abort();
    }
    if let Some((mut handle, forward)) = watcher {
        handle.stop();
        forward.abort();
    }
    if let Some(v) = verify.as_mut() {
        v.stop_all();
    }
    writer.finish();
    if let Some(a) = actions {
        a.release_all().await;
    }
    let outcome = if terminated {
        Outcome::Terminated
    } else {
        Outcome::Quit
    };
    Ok((outcome, ViewSpot::of(&app)))
}

/// The crash drill of [`CRASH_TEST_ENV`]: the console's thread, or a background one.
fn crash_for_test() {
    if std::env::var_os(CRASH_TEST_ENV).is_some_and(|v| v == "background") {
        let _ = std::thread::Builder::new()
            .name("crash-test".into())
            .spawn(|| panic!("crash requested by {CRASH_TEST_ENV}"));
    } else {
        panic!("crash requested by {CRASH_TEST_ENV}");
    }
}
