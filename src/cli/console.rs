//! `backout RUNBOOK` and `backout resume [SESSION]`: the interactive console.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;

use super::console_verify::{VerifyOverrides, verify_feed};
use super::drill_session::{DrillMeta, ran_on_the_simulator, write_meta};
use super::drill_setup::{DrillSetup, SIM_CONTEXT};
use super::prometheus_url::prometheus_client;
use super::{CliError, ConsoleArgs};
use super::{connection_plan, console_connect, shell_env};
use crate::adapters::config::UserConfig;
use crate::adapters::identity;
use crate::adapters::journal_file::JournalFile;
use crate::adapters::prometheus::PrometheusSource;
use crate::adapters::session_store::{SessionDir, SessionStart, SessionStore};
use crate::domain::journal::{Entry, Record};
use crate::domain::redact::Redactor;
use crate::domain::runbook::{self, Runbook};
use crate::domain::session_state::SessionState;
use crate::runtime::cluster_connect::Connector;
use crate::runtime::console::{self, Feeds, Outcome};
use crate::runtime::journal_port::JournalAppend;
use crate::runtime::logging;
use crate::runtime::metrics_task::MetricsFeed;
use crate::runtime::terminal::TerminalGuard;
use crate::ui::keymap::Keymap;
use crate::ui::state::messaging::Messaging;
use crate::ui::state::metrics::LiveMetrics;
use crate::ui::state::target::TargetState;
use crate::ui::state::view_spot::ViewSpot;
use crate::ui::state::{AppBuilder, Flash, FlashLevel, SessionInfo};
use crate::ui::theme::Theme;

/// Opens a new session on a runbook.
pub fn open(path: &Path, args: &ConsoleArgs) -> Result<ExitCode, CliError> {
    open_session(path, args, None, None).map(|(code, _)| code)
}

/// Opens a new session on a runbook, in drill mode (`SessionStarted.mode` `drill`) when
/// `drill` is given. Returns the session's directory when one was created.
pub(crate) fn open_session(
    path: &Path,
    args: &ConsoleArgs,
    drill: Option<DrillSetup>,
    meta: Option<&DrillMeta>,
) -> Result<(ExitCode, Option<SessionDir>), CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::Message(format!("cannot read {}: {e}", path.display())))?;
    let runbook = match runbook::load_bytes(path, &bytes) {
        Ok(r) => r,
        Err(e) => {
            crate::stderr_line!("{e}");
            crate::stderr_line!(
                "backout: {} does not load; fix the errors above (`backout check` lists them too).",
                path.display()
            );
            return Ok((ExitCode::from(1), None));
        }
    };
    let store = SessionStore::from_env().map_err(message)?;
    let mut start = SessionStart::new(path, &bytes, &runbook.title);
    if drill.is_some() {
        start.mode = "drill";
    }
    let new = store.create(&start).map_err(message)?;
    let dir = new.dir.clone();
    if let Some(meta) = meta {
        write_meta(&dir, meta)?;
    }
    let mut args = args.clone();
    if let Some(yaml) = drill.as_ref().and_then(|d| d.kubeconfig_yaml.as_deref()) {
        let path = dir.path.join("kubeconfig");
        crate::sim::kubeconfig::write(&path, yaml)
            .map_err(|e| CliError::Message(format!("cannot write {}: {e}", path.display())))?;
        args.kubeconfig = Some(path);
        args.context = Some(SIM_CONTEXT.to_string());
    }
    let args = &args;
    let mut notices = Vec::new();
    if !runbook.warnings.is_empty() {
        notices.push(format!(
            "{} runbook warning(s); `backout check {}` lists them",
            runbook.warnings.len(),
            path.display()
        ));
    }
    let code = run(
        runbook,
        new.dir,
        new.journal,
        vec![new.started],
        notices,
        args,
        drill,
    )?;
    Ok((code, Some(dir)))
}

/// Reopens a session where it was.
pub fn resume(session: Option<&str>, args: &ConsoleArgs) -> Result<ExitCode, CliError> {
    let store = SessionStore::from_env().map_err(message)?;
    if let Some(note) = store.leftovers_note() {
        crate::stderr_line!("backout: {note}");
    }
    let dir = match session {
        Some(id) => store.open(id),
        None => store.latest(),
    }
    .map_err(message)?;
    // A console that is just quitting lets go of the session within a moment.
    let started = std::time::Instant::now();
    while dir.is_live() {
        if started.elapsed() >= std::time::Duration::from_secs(1) {
            return Err(CliError::Message(format!(
                "session {} is open in another console right now; close that one first",
                dir.id
            )));
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    if ran_on_the_simulator(&dir) {
        return Err(CliError::Message(format!(
            "session {id} is a drill on the simulator, which lived in the process that ran \
             it and cannot be brought back.\n\
             Its journal is intact: `backout drill --report {id}` scores it, `backout report \
             {id}` shows what was done, and `backout drill` starts a new drill.",
            id = dir.id
        )));
    }
    let (mut journal, recovered) = dir.open_journal().map_err(message)?;
    let notices: Vec<String> = recovered.warnings.clone();
    for w in &notices {
        crate::stderr_line!("backout: warning: {w}");
    }
    let copy = dir.runbook_copy_path();
    let bytes = std::fs::read(&copy).map_err(|e| {
        CliError::Message(format!(
            "cannot read the session's runbook copy {}: {e}",
            copy.display()
        ))
    })?;
    let runbook = runbook::load_bytes(&copy, &bytes).map_err(|e| {
        CliError::Message(format!("the session's runbook copy no longer loads:\n{e}"))
    })?;
    let resumed = journal
        .append(
            &identity::actor(),
            Entry::SessionResumed {
                host: identity::host_name(),
            },
        )
        .map_err(message)?;
    let mut records = recovered.records;
    records.push(resumed);
    run(runbook, dir, journal, records, notices, args, None)
}

fn run(
    runbook: Runbook,
    dir: SessionDir,
    mut journal: JournalFile,
    mut records: Vec<Record>,
    mut notices: Vec<String>,
    args: &ConsoleArgs,
    drill: Option<DrillSetup>,
) -> Result<ExitCode, CliError> {
    // A drill's readings for a runbook that names no metrics (`cli/drill_metrics.rs`).
    let runbook = super::drill_metrics::with_added_queries(
        runbook,
        drill.as_ref().and_then(|d| d.added_metrics.as_ref()),
    );
    // The journal folded once: the plan, the notices and the console read this state.
    let mut state = SessionState::replay(&records);
    if !state.secret_placeholders.is_empty() {
        notices.push("secret values were not journaled: they will be asked for again".into());
    }
    // Flags, else the session's journaled connection, else the runbook's `target`, else
    // the target its kubectl lines name (confirmed in the console before connecting).
    let plan = connection_plan::plan(&runbook, args, &state);
    let args = &plan.args;
    let _log = crate::adapters::session_store::log_dir()
        .ok()
        .and_then(|d| logging::init(&d));
    tracing::info!(session = %dir.id, runbook = %runbook.source.display(), "console opening");
    let config = UserConfig::load();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (theme, theme_warnings) = Theme::resolve(
        args.theme.as_deref(),
        &config.themes,
        config.theme_override.as_deref(),
        no_color,
    );
    let (keymap, keymap_warnings) = match &config.keymap {
        Some(src) => Keymap::with_overrides(src, "keymap.toml"),
        None => (Keymap::defaults(), Vec::new()),
    };
    let mut warnings: Vec<String> = config.warnings.clone();
    warnings.extend(theme_warnings);
    warnings.extend(keymap_warnings);
    for w in &warnings {
        tracing::warn!("{w}");
    }
    let rt = console_runtime()?;
    // Before the terminal is taken: exec credential plugins may prompt here.
    let start = console_connect::connect_at_start(&rt, &runbook, args, plan.to_confirm.as_ref());
    // Journaled at start (a new session, or flags overriding the resumed connection);
    // a target read from the runbook is journaled when the operator accepts it.
    let in_drill = drill.is_some() || args.drill;
    if plan.journal && plan.to_confirm.is_none() && !in_drill {
        let entry = connection_plan::connection_entry(
            &console_connect::journaled_args(args),
            start
                .connected
                .as_ref()
                .map(|(c, n)| (c.as_str(), n.as_str())),
            plan.source,
        );
        let record = journal.append(&identity::actor(), entry).map_err(message)?;
        state.apply(&record);
        records.push(record);
    }
    let pin = start.pin.clone();
    // The deploy API's token variable named by the front matter (masked like ours).
    let deploy_token_env = runbook
        .front
        .as_ref()
        .and_then(|f| f.deploy_api.as_ref())
        .and_then(|d| d.token_env.clone());
    let argocd_front = runbook.front.as_ref().and_then(|f| f.argocd.clone());
    let actor = identity::actor();
    let now = Utc::now();
    let mut app = AppBuilder::with_state(
        runbook,
        SessionInfo {
            id: dir.id.clone(),
            actor: actor.clone(),
        },
        (records, state),
        theme,
        keymap,
        now,
    );
    app.redactor(Redactor::from_vars(std::env::vars()));
    let mut shown: Vec<String> = notices;
    // Drills write every message to the session's outbox unless real sinks are asked for.
    let outbox_only = (args.drill || drill.is_some() || app.progress().mode == "drill")
        && !args.drill_real_messages;
    let notify = crate::runtime::notify_feed::setup(
        app.runbook().front.as_ref(),
        |k| std::env::var(k).ok(),
        app.runbook()
            .source
            .parent()
            .unwrap_or_else(|| Path::new(".")),
        &dir.path,
        outbox_only,
        &app.state().deliveries,
    );
    for s in &notify.secrets {
        app.add_secret(s.clone());
        journal.add_secret(s.clone());
    }
    let messaging = Messaging::new(notify.sinks, outbox_only, app.state());
    app.messaging(messaging);
    for p in &notify.problems {
        tracing::warn!("{p}");
    }
    shown.extend(notify.problems);
    let verify_overrides = VerifyOverrides {
        scale: drill.as_ref().and_then(|d| d.verify_time_scale),
        ca_pem: drill.as_ref().and_then(|d| d.verify_ca_pem.clone()),
        sim_url: drill.as_ref().and_then(|d| d.verify_sim_url.clone()),
        metrics: drill.as_ref().and_then(|d| d.verify_metrics.clone()),
        simulated_only: drill.as_ref().is_some_and(|d| d.kubeconfig_yaml.is_some())
            && args.prometheus_url.is_none(),
    };
    // A drill on the simulator rehearses the shell commands that would reach beyond it.
    let on_the_simulator = drill.as_ref().is_some_and(|d| d.kubeconfig_yaml.is_some());
    app.rehearse_outside_commands(on_the_simulator);
    // ... except `argocd` lines, when the simulator serves Argo CD: they run against it.
    let mut argo = drill
        .as_ref()
        .and_then(|d| d.argocd.clone())
        .unwrap_or_default();
    app.argocd_on_the_simulator(on_the_simulator && !argo.env.is_empty());
    // ... and `curl` lines to its deploy service, bound to the runbook's `DEPLOY_API`.
    let sim_env = |key: &str| {
        argo.env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    app.deploy_api_on_the_simulator(
        sim_env("DEPLOY_API")
            .filter(|_| on_the_simulator)
            .map(|base| (base, sim_env("DEPLOY_API_TOKEN"))),
    );
    if let Ok(token) = std::env::var("DEPLOY_API_TOKEN")
        && !token.is_empty()
    {
        app.add_secret(token.clone());
        journal.add_secret(token);
    }
    // The front matter's `deploy_api.token_env`, set: bound as a secret, never asked for.
    if let Some(name) = deploy_token_env
        && let Ok(token) = std::env::var(&name)
        && !token.trim().is_empty()
    {
        journal.add_secret(token.trim().to_string());
        app.deploy_api_token(name, token.trim().to_string());
    }
    app.argocd_server_from_env(std::env::var("ARGOCD_SERVER").is_ok_and(|s| !s.trim().is_empty()));
    if let Ok(token) = std::env::var("ARGOCD_AUTH_TOKEN")
        && !token.is_empty()
    {
        app.add_secret(token.clone());
        journal.add_secret(token);
    }
    // The front matter's `argocd:` (where the environment names no server), its token read
    // from the variable `token_env` names: masked like ARGOCD_AUTH_TOKEN, never logged. A
    // drill on the simulator never reaches the runbook's own (production) Argo CD.
    argo.runbook = argocd_front.filter(|_| !on_the_simulator).map(|a| {
        let token = a
            .token_env
            .as_deref()
            .and_then(|name| std::env::var(name).ok())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        if let Some(t) = &token {
            app.add_secret(t.clone());
            journal.add_secret(t.clone());
        }
        crate::runtime::argo_exec::ArgoFromRunbook {
            server: a.server.trim().to_string(),
            token: token.map(crate::adapters::secret::Secret::new),
            insecure: a.insecure,
        }
    });
    let (fallback_metrics, timeline) = match drill {
        Some(d) => {
            app.drill_intro(d.intro);
            (d.fallback_metrics, d.timeline)
        }
        None => (None, None),
    };
    // A drill on the simulator reads real Prometheus only when told to (`--prometheus-url`,
    // e.g. one scraping the simulator), never the runbook's or PROMETHEUS_URL's production.
    let prometheus = if on_the_simulator && args.prometheus_url.is_none() {
        Ok(None)
    } else {
        metrics_feed(app.runbook(), args)
    };
    let feed = match (prometheus, fallback_metrics) {
        // A drill without a Prometheus reads the simulator's model instead.
        (Ok(None) | Err(_), Some((source, label))) => {
            let metrics = LiveMetrics::for_runbook(app.runbook(), app.state(), label);
            app.metrics(metrics);
            app.has_metrics().then(|| MetricsFeed::drill(source))
        }
        (result, _) => match result {
            Ok(Some((feed, label))) => {
                let label = app.mask_secrets(&label);
                let metrics = LiveMetrics::for_runbook(app.runbook(), app.state(), label);
                app.metrics(metrics);
                app.has_metrics().then_some(feed)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!("metrics: {e}");
                shown.push(format!("metrics off: {e}"));
                None
            }
        },
    };
    let shell_env = match shell_env::shell_env(args, pin, &dir.path) {
        Ok(env) => env,
        Err(e) => {
            tracing::warn!("kubectl context for shell steps: {e}");
            shown.push(format!(
                "kubectl in shell steps could not be pinned to the console's context: {e}"
            ));
            // At least the kubeconfig the console was given (a drill's simulator).
            args.kubeconfig
                .iter()
                .map(|p| ("KUBECONFIG".to_string(), p.to_string_lossy().into_owned()))
                .collect()
        }
    };
    let console_connect::StartConnection {
        feed: cluster,
        live,
        off,
        form,
        ..
    } = start;
    if let Some(live) = live {
        app.cluster(live);
    }
    app.target(TargetState {
        base: console_connect::connection_base(args),
        off,
        ..TargetState::default()
    });
    if let Some(form) = form {
        app.target_form(form);
    }
    if let Some(spot) = crate::adapters::view_spot_file::read::<ViewSpot>(&dir.path) {
        app.view_spot(spot);
    }
    if let Some(n) = crate::ui::update::resume_notice(app.progress()) {
        shown.insert(0, n);
    }
    shown.extend(warnings.iter().map(|w| format!("config: {w}")));
    if let Some(first) = shown.first() {
        let more = if shown.len() > 1 {
            format!(" (+{} more in the log)", shown.len() - 1)
        } else {
            String::new()
        };
        app.notice(Flash {
            level: FlashLevel::Warning,
            text: format!("{first}{more}"),
            until: now + chrono::Duration::seconds(10),
        });
    }

    let app = app.build();
    let mut verify = verify_feed(
        &app.runbook,
        args,
        cluster.as_ref(),
        feed.as_ref(),
        &verify_overrides,
    );
    if let Some(v) = verify.as_mut() {
        v.prober.shell_env = shell_env.clone();
    }
    let sink = SessionJournal {
        file: journal,
        actor,
    };
    let pin_args = args.clone();
    let pin_dir = dir.path.clone();
    let connector = Connector::new(console_connect::base_options(args)).with_shell_pin(Box::new(
        move |context: &str, namespace: &str| {
            shell_env::shell_env(
                &pin_args,
                Some((context.to_string(), Some(namespace.to_string()))),
                &pin_dir,
            )
            .map_err(|e| tracing::warn!("kubectl context for shell steps: {e}"))
            .ok()
        },
    ));
    let (outcome, spot) = rt.block_on(async {
        let mut guard = TerminalGuard::enter()?;
        let outcome = console::run(
            app,
            sink,
            Feeds {
                metrics: feed,
                cluster,
                notifier: notify.feed,
                verify,
                drill: timeline,
                shell_env,
                drafts: crate::runtime::drafts::DraftExec::to_stdout(dir.path.clone()),
                connector: Some(connector),
                argo,
            },
            &mut guard.terminal,
        )
        .await;
        drop(guard);
        outcome
    })?;
    if let Err(e) = crate::adapters::view_spot_file::write(&dir.path, &spot) {
        tracing::warn!("cannot keep where the console was left: {e}");
    }
    // Commands still running (only possible after a terminal loss) are not waited for.
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    match outcome {
        // `resume` refuses a drill on the simulator: point at its scorecard instead.
        Outcome::Quit if super::drill_session::ran_on_the_simulator(&dir) => {
            crate::stderr_line!("Drill {} saved.", dir.id);
            crate::stderr_line!("  scorecard: backout drill --report {}", dir.id);
            crate::stderr_line!("  report: backout report {}", dir.id);
        }
        Outcome::Quit => {
            crate::stderr_line!("Session {} saved.", dir.id);
            crate::stderr_line!("  resume: backout resume {}", dir.id);
            crate::stderr_line!("  report: backout report {}", dir.id);
        }
        Outcome::Terminated => tracing::warn!("terminated by signal; session {} saved", dir.id),
    }
    Ok(ExitCode::SUCCESS)
}

/// The metrics source for a runbook with `metrics.queries`, when a Prometheus URL
/// resolves: `--prometheus-url`, else the runbook's `metrics.prometheus`, else
/// `PROMETHEUS_URL`. `Ok(None)` when there is nothing to show.
fn metrics_feed(
    runbook: &Runbook,
    args: &ConsoleArgs,
) -> Result<Option<(MetricsFeed, String)>, String> {
    let Some(front) = &runbook.front else {
        return Ok(None);
    };
    let Some(metrics) = front.metrics.as_ref().filter(|m| !m.queries.is_empty()) else {
        return Ok(None);
    };
    let Some((client, url)) = prometheus_client(runbook, args.prometheus_url.as_deref())? else {
        return Ok(None);
    };
    let source = PrometheusSource::new(client, metrics.queries.clone());
    let mut feed = MetricsFeed::new(Arc::new(source));
    feed.baseline_offset = metrics.baseline_offset.map(|d| d.0);
    Ok(Some((feed, url)))
}

/// The journal file with the operator as the actor of every record.
struct SessionJournal {
    file: JournalFile,
    actor: String,
}

impl JournalAppend for SessionJournal {
    fn append(&mut self, entry: Entry) -> Result<Record, String> {
        self.file
            .append(&self.actor, entry)
            .map_err(|e| e.to_string())
    }
}

/// The console's tokio runtime: one worker, so the cluster watchers, their HTTP
/// connections and the channels to the console's loop stay on one thread and a watch
/// chunk is not handed from one worker to the other (the wake-ups between two workers
/// were 14 % of the console's CPU under churn: docs/performance.md, issue 19). The loop
/// itself runs on the calling thread (`block_on`), so drawing and keys do not wait for
/// the watchers; blocking work goes to tokio's blocking pool as before. Under a stream
/// of watch events the worker's wake-ups are kept
/// [`WAKE_SLICE`](crate::runtime::wake_pacer::WAKE_SLICE) apart (`runtime::wake_pacer`).
fn console_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    use crate::runtime::wake_pacer::{WAKE_SLICE, WakePacer};
    let pacer = std::sync::Arc::new(WakePacer::new(WAKE_SLICE, std::time::Instant::now()));
    let (park, unpark) = pacer.hooks();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .on_thread_park(park)
        .on_thread_unpark(unpark)
        .build()
}

fn message(e: impl std::fmt::Display) -> CliError {
    CliError::Message(e.to_string())
}

#[cfg(test)]
mod tests {
    /// One worker thread (issue 19), with the I/O and time drivers the watchers need.
    #[test]
    fn the_console_runtime_has_one_worker_and_its_drivers() {
        let rt = super::console_runtime().expect("runtime");
        assert_eq!(rt.metrics().num_workers(), 1);
        let slept = rt.block_on(async {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            l.local_addr()
        });
        assert!(slept.is_ok());
    }
}
