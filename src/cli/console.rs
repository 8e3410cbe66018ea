//! `backout RUNBOOK` and `backout resume [SESSION]`: the interactive console.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;

use super::{CliError, ConsoleArgs};
use crate::adapters::config::UserConfig;
use crate::adapters::identity;
use crate::adapters::journal_file::JournalFile;
use crate::adapters::kube::{ConnectOptions, connect};
use crate::adapters::metrics_source::MetricsSource;
use crate::adapters::prometheus::{DEFAULT_TIMEOUT, PrometheusSource, client_config};
use crate::adapters::session_store::{SessionDir, SessionStart, SessionStore};
use crate::domain::cluster::Target;
use crate::domain::journal::{Entry, Record};
use crate::domain::redact::Redactor;
use crate::domain::runbook::{self, Runbook};
use crate::runtime::console::{self, ClusterFeed, Feeds, MetricsFeed, Outcome};
use crate::runtime::drill_feed::DrillFeed;
use crate::runtime::journal_port::JournalAppend;
use crate::runtime::logging;
use crate::runtime::terminal::TerminalGuard;
use crate::ui::cluster::LiveCluster;
use crate::ui::drill::DrillIntro;
use crate::ui::keymap::Keymap;
use crate::ui::live::LiveMetrics;
use crate::ui::state::{App, Flash, FlashLevel, Layer, SessionInfo};
use crate::ui::theme::Theme;

/// Opens a new session on a runbook.
pub fn open(path: &Path, args: &ConsoleArgs) -> Result<ExitCode, CliError> {
    open_session(path, args, None, None).map(|(code, _)| code)
}

/// What `backout drill` adds to a console session (see `cli/drill.rs`).
pub struct DrillSetup {
    /// Metrics when no Prometheus is configured (the simulator's model): the source and
    /// the label the metrics pane shows.
    pub fallback_metrics: Option<(Arc<dyn MetricsSource>, String)>,
    /// The scenario's timeline events as they happen.
    pub timeline: Option<DrillFeed>,
    /// The intro layer shown over the first frame.
    pub intro: DrillIntro,
    /// The simulator's kubeconfig: written into the session directory and used (with
    /// its `backout-sim` context) in place of `--kubeconfig`/`--context`.
    pub kubeconfig_yaml: Option<String>,
}

/// The context of the simulator's admin user in its kubeconfig.
pub const SIM_CONTEXT: &str = "backout-sim";

/// Opens a new session on a runbook, in drill mode (`SessionStarted.mode` `drill`) when
/// `drill` is given. Returns the session's directory when one was created.
pub(crate) fn open_session(
    path: &Path,
    args: &ConsoleArgs,
    drill: Option<DrillSetup>,
    meta: Option<&super::drill::DrillMeta>,
) -> Result<(ExitCode, Option<SessionDir>), CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::Message(format!("cannot read {}: {e}", path.display())))?;
    let runbook = match runbook::load_bytes(path, &bytes) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            eprintln!(
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
        let json = serde_json::to_vec_pretty(meta).map_err(message)?;
        std::fs::write(dir.path.join("drill.json"), json)?;
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
    let dir = match session {
        Some(id) => store.open(id),
        None => store.latest(),
    }
    .map_err(message)?;
    if dir.is_live() {
        return Err(CliError::Message(format!(
            "session {} is open in another console right now; close that one first",
            dir.id
        )));
    }
    let (mut journal, recovered) = dir.open_journal().map_err(message)?;
    let mut notices: Vec<String> = recovered.warnings.clone();
    for w in &notices {
        eprintln!("backout: warning: {w}");
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
    let secrets_to_ask = records
        .iter()
        .filter(|r| matches!(&r.entry, Entry::PlaceholderBound { secret: true, .. }))
        .count();
    if secrets_to_ask > 0 {
        notices.push("secret values were not journaled: they will be asked for again".into());
    }
    run(runbook, dir, journal, records, notices, args, None)
}

fn run(
    runbook: Runbook,
    dir: SessionDir,
    journal: JournalFile,
    records: Vec<Record>,
    notices: Vec<String>,
    args: &ConsoleArgs,
    drill: Option<DrillSetup>,
) -> Result<ExitCode, CliError> {
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
        Some(src) => Keymap::with_overrides(src),
        None => (Keymap::defaults(), Vec::new()),
    };
    let mut warnings: Vec<String> = config.warnings.clone();
    warnings.extend(theme_warnings);
    warnings.extend(keymap_warnings);
    for w in &warnings {
        tracing::warn!("{w}");
    }
    let actor = identity::actor();
    let now = Utc::now();
    let mut app = App::new(
        runbook,
        SessionInfo {
            id: dir.id.clone(),
            actor: actor.clone(),
        },
        records,
        theme,
        keymap,
        now,
    );
    app.redactor = Redactor::from_vars(std::env::vars());
    let mut shown: Vec<String> = notices;
    let (fallback_metrics, timeline) = match drill {
        Some(d) => {
            app.layers.push(Layer::DrillIntro(Box::new(d.intro)));
            (d.fallback_metrics, d.timeline)
        }
        None => (None, None),
    };
    let feed = match (metrics_feed(&app.runbook, args), fallback_metrics) {
        // A drill without a Prometheus reads the simulator's model instead.
        (Ok(None) | Err(_), Some((source, label))) => {
            app.metrics = LiveMetrics::for_runbook(&app.runbook, &app.records, label);
            app.metrics.is_some().then(|| MetricsFeed::drill(source))
        }
        (result, _) => match result {
            Ok(Some((feed, label))) => {
                let label = app.mask_secrets(&label);
                app.metrics = LiveMetrics::for_runbook(&app.runbook, &app.records, label);
                app.metrics.is_some().then_some(feed)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!("metrics: {e}");
                shown.push(format!("metrics off: {e}"));
                None
            }
        },
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // Before the terminal is taken: exec credential plugins may prompt here.
    let cluster = match cluster_options(&app.runbook, args) {
        None => None,
        Some((options, deployment)) => match rt.block_on(connect_cluster(&options)) {
            Ok(conn) => {
                app.cluster = Some(LiveCluster::new(
                    conn.context.clone(),
                    conn.namespace.clone(),
                    deployment.clone(),
                    conn.is_production,
                    conn.read_only,
                ));
                Some(ClusterFeed {
                    target: Target {
                        context: Some(conn.context.clone()),
                        namespace: conn.namespace.clone(),
                        deployment,
                    },
                    read_only: conn.read_only,
                    client: conn.client,
                })
            }
            Err(e) => {
                tracing::warn!("cluster: {e}");
                shown.insert(0, format!("cluster off: {e}"));
                None
            }
        },
    };
    shown.extend(warnings.iter().map(|w| format!("config: {w}")));
    if let Some(first) = shown.first() {
        let more = if shown.len() > 1 {
            format!(" (+{} more in the log)", shown.len() - 1)
        } else {
            String::new()
        };
        app.flash = Some(Flash {
            level: FlashLevel::Warning,
            text: format!("{first}{more}"),
            until: now + chrono::Duration::seconds(10),
        });
    }

    let sink = SessionJournal {
        file: journal,
        actor,
    };
    let outcome = rt.block_on(async {
        let mut guard = TerminalGuard::enter()?;
        let outcome = console::run(
            app,
            sink,
            Feeds {
                metrics: feed,
                cluster,
                drill: timeline,
            },
            &mut guard.terminal,
        )
        .await;
        drop(guard);
        outcome
    })?;
    // Commands still running (only possible after a terminal loss) are not waited for.
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    match outcome {
        Outcome::Quit => {
            eprintln!("Session {} saved.", dir.id);
            eprintln!("  resume: backout resume {}", dir.id);
            eprintln!("  report: backout report {}", dir.id);
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
    let mut front = front.clone();
    if let Some(url) = args
        .prometheus_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    {
        let prom = front
            .metrics
            .get_or_insert_with(Default::default)
            .prometheus
            .get_or_insert_with(Default::default);
        prom.url = Some(url.trim().to_string());
        prom.url_env = None;
    }
    let dir = runbook.source.parent().unwrap_or_else(|| Path::new("."));
    let Some(config) =
        client_config(Some(&front), |k| std::env::var(k).ok(), dir).map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    let client = config.client(DEFAULT_TIMEOUT).map_err(|e| e.to_string())?;
    let source = PrometheusSource::new(client, metrics.queries.clone());
    Ok(Some((MetricsFeed::new(Arc::new(source)), config.url)))
}

/// How to connect, when there is a deployment to watch: `--deployment` or the
/// runbook's `target.deployment`; flags win over the runbook's `target`.
fn cluster_options(runbook: &Runbook, args: &ConsoleArgs) -> Option<(ConnectOptions, String)> {
    let target = runbook.front.as_ref().and_then(|f| f.target.clone());
    let deployment = args
        .deployment
        .clone()
        .or_else(|| target.as_ref().and_then(|t| t.deployment.clone()))
        .filter(|d| !d.trim().is_empty())?;
    let target = target.unwrap_or_default();
    Some((
        ConnectOptions {
            kubeconfig: args.kubeconfig.clone(),
            context: args.context.clone(),
            namespace: args.namespace.clone(),
            target_context: target.context,
            target_namespace: target.namespace,
            read_only: args.read_only,
            ..ConnectOptions::default()
        },
        deployment,
    ))
}

/// Connects and makes the first request (`GET /version`), so that an exec credential
/// plugin runs now, on the normal terminal.
async fn connect_cluster(
    options: &ConnectOptions,
) -> Result<crate::adapters::kube::Connection, String> {
    let conn = connect(options).await.map_err(|e| e.to_string())?;
    conn.preflight().await.map_err(|e| e.to_string())?;
    Ok(conn)
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

fn message(e: impl std::fmt::Display) -> CliError {
    CliError::Message(e.to_string())
}
