//! The event loop: sources → `Msg` → `update` → effects → executor; draw when dirty,
//! at most 30 frames a second. Nothing draws while waiting on I/O, and no I/O happens
//! while drawing.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{Event, EventStream};
use tokio::sync::mpsc;

use crate::adapters::identity;
use crate::adapters::kube::lease::{DEFAULT_DURATION, LeaseError, holder_identity};
use crate::adapters::kube::watch::{WatchHandle, spawn_watchers};
use crate::adapters::kube::{ActionRunner, LeaseGuard};
use crate::adapters::metrics_source::{MetricsSource, Window};
use crate::adapters::shell::{self, CommandHandle, OutputStream, ShellEvent};
use crate::domain::cluster::{ClusterEvent, Target};
use crate::domain::journal::Entry;
use crate::ui::cluster::{ClusterStep, LockRefusal};
use crate::ui::effect::Effect;
use crate::ui::live::{MetricReading, MetricsUpdate};
use crate::ui::msg::{Msg, Stream};
use crate::ui::state::App;
use crate::ui::update::update;
use crate::ui::view;

use super::journal_port::JournalAppend;
use super::notify_feed::{NotifierFeed, NotifyTask, refuse};
use super::verification::{VerifyExec, VerifyFeed};

const FRAME: Duration = Duration::from_millis(33);
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

/// Where the metrics task reads from, and how often.
pub struct MetricsFeed {
    pub source: Arc<dyn MetricsSource>,
    /// Time between refreshes.
    pub every: Duration,
    /// How far back each sparkline reaches.
    pub span: Duration,
    /// Points per sparkline (one range query per metric per refresh, at this resolution).
    pub points: u16,
    /// `metrics.baseline_offset`: read baselines this far back, at the first refresh and
    /// whenever the operator re-captures them.
    pub baseline_offset: Option<Duration>,
}

impl MetricsFeed {
    /// A refresh every 5 s, sparklines of the last 10 minutes at 10 s resolution.
    pub fn new(source: Arc<dyn MetricsSource>) -> MetricsFeed {
        MetricsFeed {
            source,
            every: Duration::from_secs(5),
            span: Duration::from_secs(600),
            points: 60,
            baseline_offset: None,
        }
    }

    /// For a drill's simulated metrics (computed in-process, nothing to spare): a refresh
    /// every 2 s so the matrix follows a compressed scenario closely.
    pub fn drill(source: Arc<dyn MetricsSource>) -> MetricsFeed {
        MetricsFeed {
            every: Duration::from_secs(2),
            ..MetricsFeed::new(source)
        }
    }
}

/// The cluster the console watches (and acts on): a connected client and the target.
pub struct ClusterFeed {
    pub client: kube::Client,
    pub target: Target,
    pub read_only: bool,
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
    /// Environment every shell command gets before its own (`KUBECONFIG` pinning the
    /// console's context: `adapters::kube::shell_context`).
    pub shell_env: Vec<(String, String)>,
}

/// Runs the console until the operator quits. Waits for every queued journal write
/// before returning. With a metrics feed, an owned task refreshes every named query
/// and sends the results as `Msg::Metrics`.
pub async fn run<B: Backend, J: JournalAppend>(
    mut app: App,
    journal: J,
    feeds: Feeds,
    terminal: &mut Terminal<B>,
) -> std::io::Result<Outcome>
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
    } = feeds;
    let mut verify = verify.map(VerifyExec::new);
    let (tx, mut rx) = mpsc::channel::<Msg>(MSG_QUEUE);
    let writer = JournalWriter::start(journal, tx.clone());
    spawn_input(tx.clone());
    spawn_ticks(tx.clone());
    spawn_signals(tx.clone());
    // Set to ask the metrics task for offset baselines at its next refresh.
    let baseline_request = Arc::new(AtomicBool::new(true));
    let poller = metrics.map(|feed| spawn_metrics(tx.clone(), feed, baseline_request.clone()));
    let watcher = cluster.as_ref().map(|c| spawn_cluster(tx.clone(), c));
    let (drill, drill_start) = match drill {
        Some(mut d) => {
            let start = d.on_start.take();
            (Some(d), start)
        }
        None => (None, None),
    };
    let drill_start = std::sync::Mutex::new(drill_start);
    let timeline = drill.map(|d| super::drill_feed::spawn_drill(tx.clone(), d));
    let actions = cluster.map(|c| ClusterExec::new(c, &app.session.id));
    let mut commands: HashMap<u32, CommandHandle> = HashMap::new();
    let notifier = notifier.map(|n| NotifyTask::spawn(n, tx.clone()));

    if let Ok(size) = terminal.size() {
        app.size = (size.width, size.height);
    }
    app.now = Utc::now();
    let resend = crate::ui::messages::resend_unfinished(&mut app);
    execute(
        &mut app,
        resend,
        &writer,
        &tx,
        &mut commands,
        &Targets {
            actions: actions.as_ref(),
            baseline_request: &baseline_request,
            notifier: notifier.as_ref(),
            shell_env: &shell_env,
            drill_start: &drill_start,
        },
        verify.as_mut(),
    );
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    let mut terminated = false;
    let mut drawn_once = false;
    // Crash drill for the terminal-restore tests: panic right after the first frame.
    let crash_after_first_frame = std::env::var_os(CRASH_TEST_ENV).is_some();
    loop {
        if dirty && last_draw.elapsed() >= FRAME {
            terminal
                .draw(|f| view::render(&app, f))
                .map_err(std::io::Error::other)?;
            last_draw = Instant::now();
            dirty = false;
            if !drawn_once {
                drawn_once = true;
                super::first_frame::record();
            }
            if crash_after_first_frame {
                crash_for_test();
            }
        }
        let msg = if dirty {
            // A frame is owed: take messages until it is due (coalescing bursts of output).
            tokio::select! {
                msg = rx.recv() => msg,
                _ = tokio::time::sleep(FRAME.saturating_sub(last_draw.elapsed())) => continue,
            }
        } else {
            rx.recv().await
        };
        let Some(msg) = msg else { break };
        terminated |= matches!(msg, Msg::Terminate);
        let fx = update(&mut app, msg);
        dirty = true;
        execute(
            &mut app,
            fx,
            &writer,
            &tx,
            &mut commands,
            &Targets {
                actions: actions.as_ref(),
                baseline_request: &baseline_request,
                notifier: notifier.as_ref(),
                shell_env: &shell_env,
                drill_start: &drill_start,
            },
            verify.as_mut(),
        );
        if app.quitting {
            break;
        }
    }
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
    Ok(if terminated {
        Outcome::Terminated
    } else {
        Outcome::Quit
    })
}

/// Where effects other than journal writes and commands go.
struct Targets<'a> {
    actions: Option<&'a ClusterExec>,
    baseline_request: &'a AtomicBool,
    notifier: Option<&'a NotifyTask>,
    shell_env: &'a [(String, String)],
    /// Starts the drill's timeline, once.
    drill_start: &'a std::sync::Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

fn execute(
    app: &mut App,
    effects: Vec<Effect>,
    writer: &JournalWriter,
    tx: &mpsc::Sender<Msg>,
    commands: &mut HashMap<u32, CommandHandle>,
    targets: &Targets,
    mut verify: Option<&mut VerifyExec>,
) {
    let Targets {
        actions,
        baseline_request,
        notifier,
        shell_env,
        drill_start,
    } = *targets;
    for effect in effects {
        match effect {
            Effect::ReadBaselines => baseline_request.store(true, Ordering::SeqCst),
            Effect::Verify(v) => match verify.as_deref_mut() {
                Some(exec) => exec.run(v, tx.clone()),
                None => tracing::error!("verification effect without probes: {v:?}"),
            },
            Effect::ClusterPreflight { .. }
            | Effect::ClusterDryRun { .. }
            | Effect::ClusterLock { .. }
            | Effect::ClusterExecute { .. }
            | Effect::ClusterFollow { .. }
            | Effect::ClusterRelease { .. } => match actions {
                Some(a) => a.run(effect, tx.clone()),
                None => tracing::error!("cluster effect without a cluster: {effect:?}"),
            },
            Effect::Journal { req, entry } => writer.send(req, entry),
            Effect::Spawn { run, script, env } => {
                let (etx, mut erx) = mpsc::channel::<ShellEvent>(256);
                // The step's own variables come last, so they win.
                let env: Vec<(String, String)> = shell_env.iter().cloned().chain(env).collect();
                match shell::spawn(&script, &env, etx) {
                    Ok(handle) => {
                        commands.insert(run, handle);
                        let tx = tx.clone();
                        tokio::spawn(async move {
                            while let Some(ev) = erx.recv().await {
                                let msg = match ev {
                                    ShellEvent::Line { stream, text } => Msg::Output {
                                        run,
                                        stream: match stream {
                                            OutputStream::Stdout => Stream::Stdout,
                                            OutputStream::Stderr => Stream::Stderr,
                                        },
                                        line: text,
                                    },
                                    ShellEvent::Exited {
                                        exit_code,
                                        signal,
                                        duration,
                                    } => Msg::Exited {
                                        run,
                                        exit_code,
                                        duration_ms: duration.as_millis() as u64,
                                        cancelled: signal.is_some() && exit_code.is_none(),
                                    },
                                };
                                if tx.send(msg).await.is_err() {
                                    break;
                                }
                            }
                        });
                    }
                    Err(e) => {
                        let _ = tx.try_send(Msg::SpawnFailed {
                            run,
                            error: e.to_string(),
                        });
                    }
                }
            }
            Effect::Cancel { run } => {
                if let Some(h) = commands.get(&run) {
                    h.cancel();
                }
            }
            Effect::Deliver { sink, msg } => match notifier {
                Some(n) => n.send(sink, *msg, tx),
                None => refuse(tx, sink, *msg, "no message sinks in this console"),
            },
            Effect::Quit => app.quitting = true,
            Effect::StartDrill => {
                let start = drill_start.lock().unwrap_or_else(|p| p.into_inner()).take();
                if let Some(start) = start {
                    start();
                }
            }
        }
    }
}

/// The journal on its own thread: appends in order, fsyncs, answers with `Msg::Journaled`.
struct JournalWriter {
    queue: std::sync::mpsc::Sender<(u64, Entry)>,
    thread: std::thread::JoinHandle<()>,
}

impl JournalWriter {
    fn start<J: JournalAppend>(mut journal: J, tx: mpsc::Sender<Msg>) -> JournalWriter {
        let (queue, rx) = std::sync::mpsc::channel::<(u64, Entry)>();
        let thread = std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || {
                while let Ok((req, entry)) = rx.recv() {
                    let result = journal.append(entry);
                    if let Err(e) = &result {
                        tracing::error!("journal append failed: {e}");
                    }
                    // The console may be gone (quitting): the record is on disk anyway.
                    let _ = tx.blocking_send(Msg::Journaled { req, result });
                }
            })
            .expect("spawning the journal thread");
        JournalWriter { queue, thread }
    }

    fn send(&self, req: u64, entry: Entry) {
        if self.queue.send((req, entry)).is_err() {
            tracing::error!("journal thread is gone; entry not written");
        }
    }

    /// Waits until every queued entry is on disk.
    fn finish(self) {
        drop(self.queue);
        let _ = self.thread.join();
    }
}

fn spawn_input(tx: mpsc::Sender<Msg>) {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(ev) = events.next().await {
            let msg = match ev {
                Ok(Event::Key(k)) => Msg::Key(k),
                Ok(Event::Paste(s)) => Msg::Paste(s),
                Ok(Event::Resize(width, height)) => Msg::Resize { width, height },
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!("terminal input error: {e}");
                    break;
                }
            };
            if tx.send(msg).await.is_err() {
                break;
            }
        }
    });
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

fn spawn_ticks(tx: mpsc::Sender<Msg>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            every.tick().await;
            for line in super::terminal::take_background_panics() {
                if tx.send(Msg::BackgroundPanic(line)).await.is_err() {
                    return;
                }
            }
            if tx.send(Msg::Tick(Utc::now())).await.is_err() {
                break;
            }
        }
    });
}

/// Refreshes every named query each `feed.every`, one refresh at a time: the current
/// values (queried concurrently) and one range query per metric for its sparkline.
/// Each refresh carries a growing generation number so a late one cannot overwrite a
/// newer one.
fn spawn_metrics(
    tx: mpsc::Sender<Msg>,
    feed: MetricsFeed,
    baseline_request: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(feed.every);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut generation = 0u64;
        loop {
            every.tick().await;
            generation += 1;
            let at = Utc::now();
            let source = feed.source.as_ref();
            let window = Window::sized_to(at, feed.span, feed.points);
            let names = source.names();
            let (current, series) = futures::join!(
                source.current(at),
                futures::future::join_all(names.iter().map(|n| source.series(n, window)))
            );
            let mut series: BTreeMap<String, Vec<f64>> = names
                .into_iter()
                .zip(series)
                .map(|(n, s)| {
                    let values = match s {
                        Ok(samples) => samples.iter().map(|x| x.value).collect(),
                        Err(why) => {
                            tracing::debug!(metric = %n, ?why, "no series for the sparkline");
                            Vec::new()
                        }
                    };
                    (n, values)
                })
                .collect();
            let readings = current
                .into_iter()
                .map(|(name, reading)| {
                    let series = series.remove(&name).unwrap_or_default();
                    (name, MetricReading { reading, series })
                })
                .collect();
            let baselines = match feed.baseline_offset {
                Some(offset) if baseline_request.swap(false, Ordering::SeqCst) => {
                    Some(read_offset_baselines(source, at, offset).await)
                }
                _ => None,
            };
            let update = MetricsUpdate {
                generation,
                at,
                readings,
                baselines,
            };
            if tx.send(Msg::Metrics(update)).await.is_err() {
                break;
            }
        }
    })
}

/// Every metric's baseline read `offset` back (Prometheus `offset`), concurrently.
async fn read_offset_baselines(
    source: &dyn MetricsSource,
    at: chrono::DateTime<Utc>,
    offset: Duration,
) -> BTreeMap<String, Result<f64, crate::domain::decision::Absence>> {
    let names = source.names();
    let read = futures::future::join_all(
        names
            .iter()
            .map(|n| source.baseline_at_offset(n, at, offset)),
    )
    .await;
    names
        .into_iter()
        .zip(read)
        .map(|(n, r)| (n, r.map(|b| b.value)))
        .collect()
}

/// Carries out the steps of cluster actions, each in its own task, answering with
/// `Msg::ClusterStep`. Holds the Lease locks taken, by action.
struct ClusterExec {
    runner: ActionRunner,
    client: kube::Client,
    namespace: String,
    deployment: String,
    holder: String,
    leases: Arc<tokio::sync::Mutex<HashMap<u64, LeaseGuard>>>,
    follow_timeout: Duration,
}

impl ClusterExec {
    fn new(feed: ClusterFeed, session: &str) -> ClusterExec {
        ClusterExec {
            runner: ActionRunner::new(feed.client.clone(), feed.target.clone(), feed.read_only),
            client: feed.client,
            namespace: feed.target.namespace,
            deployment: feed.target.deployment,
            holder: holder_identity(&identity::user_name(), &identity::host_name(), session),
            leases: Arc::default(),
            follow_timeout: Duration::from_secs(300),
        }
    }

    fn run(&self, effect: Effect, tx: mpsc::Sender<Msg>) {
        let runner = self.runner.clone();
        let leases = self.leases.clone();
        let send = move |tx: mpsc::Sender<Msg>, op: u64, step: ClusterStep| async move {
            let _ = tx.send(Msg::ClusterStep { op, step }).await;
        };
        match effect {
            Effect::ClusterPreflight { op, action } => {
                tokio::spawn(async move {
                    let r = runner.preflight(&action).await.map_err(|e| e.to_string());
                    send(tx, op, ClusterStep::Preflight(r)).await;
                });
            }
            Effect::ClusterDryRun { op, action } => {
                tokio::spawn(async move {
                    let r = runner.dry_run(&action).await.map_err(|e| e.to_string());
                    send(tx, op, ClusterStep::Planned(r)).await;
                });
            }
            Effect::ClusterLock { op } => {
                let (client, ns, name, holder) = (
                    self.client.clone(),
                    self.namespace.clone(),
                    self.deployment.clone(),
                    self.holder.clone(),
                );
                tokio::spawn(async move {
                    let r = match LeaseGuard::acquire(client, &ns, &name, &holder, DEFAULT_DURATION)
                        .await
                    {
                        Ok(guard) => {
                            leases.lock().await.insert(op, guard);
                            Ok(())
                        }
                        Err(e @ LeaseError::Held(_)) => Err(LockRefusal::Held(e.to_string())),
                        Err(e) => Err(LockRefusal::Failed(e.to_string())),
                    };
                    send(tx, op, ClusterStep::Locked(r)).await;
                });
            }
            Effect::ClusterExecute { op, action } => {
                tokio::spawn(async move {
                    let held = leases.lock().await;
                    let r = match held.get(&op) {
                        Some(guard) => runner
                            .execute(&action, guard)
                            .await
                            .map_err(|e| e.to_string()),
                        None => Err("the lock was not held; nothing was sent".to_string()),
                    };
                    drop(held);
                    send(tx, op, ClusterStep::Executed(r)).await;
                });
            }
            Effect::ClusterFollow { op } => {
                let timeout = self.follow_timeout;
                tokio::spawn(async move {
                    let progress = tx.clone();
                    let r = runner
                        .follow(timeout, |p| {
                            // Progress is best effort: a full queue drops an observation,
                            // never the outcome.
                            let _ = progress.try_send(Msg::ClusterStep {
                                op,
                                step: ClusterStep::Progress(p),
                            });
                        })
                        .await
                        .map_err(|e| e.to_string());
                    send(tx, op, ClusterStep::Followed(r)).await;
                });
            }
            Effect::ClusterRelease { op } => {
                tokio::spawn(async move {
                    let guard = leases.lock().await.remove(&op);
                    if let Some(g) = guard
                        && let Err(e) = g.release().await
                    {
                        tracing::warn!("releasing the lock: {e} (it expires by itself)");
                    }
                });
            }
            _ => {}
        }
    }

    /// Releases every lock still held (quitting).
    async fn release_all(self) {
        let guards: Vec<LeaseGuard> = self.leases.lock().await.drain().map(|(_, g)| g).collect();
        for g in guards {
            if let Err(e) = g.release().await {
                tracing::warn!("releasing the lock: {e} (it expires by itself)");
            }
        }
    }
}

/// Starts the pod, rollout and event watchers of the target and forwards what they
/// report as `Msg::Cluster`, over the same bounded channel (a slow console slows the
/// watchers; nothing grows). The watchers stop when the handle is stopped or dropped.
fn spawn_cluster(
    tx: mpsc::Sender<Msg>,
    feed: &ClusterFeed,
) -> (WatchHandle, tokio::task::JoinHandle<()>) {
    let (ctx, mut crx) = mpsc::channel::<ClusterEvent>(256);
    let handle = spawn_watchers(feed.client.clone(), &feed.target, ctx);
    let forward = tokio::spawn(async move {
        while let Some(ev) = crx.recv().await {
            if tx.send(Msg::Cluster(ev)).await.is_err() {
                break;
            }
        }
    });
    (handle, forward)
}

fn spawn_signals(tx: mpsc::Sender<Msg>) {
    use tokio::signal::unix::{SignalKind, signal};
    tokio::spawn(async move {
        let (Ok(mut term), Ok(mut hup), Ok(mut int), Ok(mut quit)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::quit()),
        ) else {
            tracing::warn!("could not install SIGTERM/SIGHUP/SIGINT/SIGQUIT handlers");
            return;
        };
        loop {
            tokio::select! {
                _ = term.recv() => {}
                _ = hup.recv() => {}
                _ = int.recv() => {}
                _ = quit.recv() => {}
            }
            if tx.send(Msg::Terminate).await.is_err() {
                break;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::metrics_source::Window;
    use crate::domain::decision::{Absence, Reading, Sample};
    use chrono::DateTime;
    use futures::future::BoxFuture;

    /// `up` answers 1.0 with a three-point series; `down` fails.
    struct Fake;

    impl MetricsSource for Fake {
        fn names(&self) -> Vec<String> {
            vec!["down".into(), "up".into()]
        }
        fn value_at<'a>(&'a self, name: &'a str, at: DateTime<Utc>) -> BoxFuture<'a, Reading> {
            Box::pin(async move {
                match name {
                    "up" => Reading::Sample(Sample { value: 1.0, at }),
                    _ => Reading::Absent(Absence::Failed("HTTP 503".into())),
                }
            })
        }
        fn series<'a>(
            &'a self,
            name: &'a str,
            window: Window,
        ) -> BoxFuture<'a, Result<Vec<Sample>, Absence>> {
            Box::pin(async move {
                match name {
                    "up" => Ok((0..3)
                        .map(|i| Sample {
                            value: f64::from(i),
                            at: window.end,
                        })
                        .collect()),
                    _ => Err(Absence::NoData),
                }
            })
        }
    }

    /// With `baseline_offset`, the first refresh carries the baselines read that far back,
    /// later ones only when the console asks again.
    #[tokio::test]
    async fn offset_baselines_come_with_the_first_refresh_and_on_request() {
        let (tx, mut rx) = mpsc::channel::<Msg>(4);
        let mut feed = MetricsFeed::new(Arc::new(Fake));
        feed.every = Duration::from_millis(10);
        feed.baseline_offset = Some(Duration::from_secs(86_400));
        let request = Arc::new(AtomicBool::new(true));
        let task = spawn_metrics(tx, feed, request.clone());
        let mut next = async || match rx.recv().await {
            Some(Msg::Metrics(u)) => u,
            other => panic!("expected a metrics refresh, got {other:?}"),
        };
        let first = next().await;
        let read = first.baselines.expect("read at the first refresh");
        assert_eq!(read["up"], Ok(1.0));
        assert_eq!(read["down"], Err(Absence::Failed("HTTP 503".into())));
        assert_eq!(next().await.baselines, None, "not asked again");
        request.store(true, Ordering::SeqCst);
        // The request may land while a refresh is already under way: wait for the one
        // that carries it.
        let mut got = None;
        for _ in 0..3 {
            if let Some(b) = next().await.baselines {
                got = Some(b);
                break;
            }
        }
        assert!(got.is_some(), "re-read after the request");
        task.abort();
    }

    #[tokio::test]
    async fn the_metrics_task_sends_numbered_refreshes_until_the_console_is_gone() {
        let (tx, mut rx) = mpsc::channel::<Msg>(4);
        let mut feed = MetricsFeed::new(Arc::new(Fake));
        feed.every = Duration::from_millis(10);
        let task = spawn_metrics(tx, feed, Arc::new(AtomicBool::new(true)));
        let mut generations = Vec::new();
        for _ in 0..2 {
            let Some(Msg::Metrics(u)) = rx.recv().await else {
                panic!("expected a metrics refresh")
            };
            generations.push(u.generation);
            let up = &u.readings["up"];
            assert!(matches!(up.reading, Reading::Sample(Sample { value, .. }) if value == 1.0));
            assert_eq!(up.series, [0.0, 1.0, 2.0]);
            let down = &u.readings["down"];
            assert_eq!(
                down.reading,
                Reading::Absent(Absence::Failed("HTTP 503".into()))
            );
            assert!(down.series.is_empty());
            assert_eq!(u.baselines, None, "no offset configured: none read");
        }
        assert_eq!(generations, [1, 2]);
        drop(rx);
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the task ends once nobody listens")
            .expect("no panic");
    }
}
