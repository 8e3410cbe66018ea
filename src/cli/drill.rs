//! `backout drill`: a rollback drill. Starts the simulated cluster in-process with a
//! scenario, writes a kubeconfig for it into the session directory, and opens the console
//! on the scenario's runbook through the same kube client path as a real cluster. The
//! scenario's timeline is journaled as `DrillEvent`s as it plays; metrics come from
//! Prometheus when one is configured, else from the simulator's model. When the console
//! closes, the scorecard is computed from the journal, saved to the drill history and
//! shown.
//!
//! `backout drill --context NAME --runbook FILE` runs the same timed flow against a real
//! cluster: no simulator, no fault injection; the clock starts when the console opens.
//!
//! `backout drills` lists the history (see [`list`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use super::console::open_session;
pub use super::drill_scores::{list, score_session};
use super::drill_scores::{report, theme};
use super::drill_session::DrillMeta;
use super::drill_setup::DrillSetup;
use super::{CliError, ConsoleArgs, DrillArgs};
use crate::adapters::drill_history;
use crate::adapters::runbook_file;
use crate::adapters::session_store::{SessionDir, home_dir};
use crate::domain::drill_record::card_text;
use crate::runtime::drill_feed::{DrillFeed, follow_timeline};
use crate::runtime::scorecard_screen;
use crate::sim::metrics_source::SimMetricsSource;
use crate::sim::{Scenario, SimConfig, Simulator};
use crate::ui::state::drill::DrillIntro;

/// The scenario `backout drill` runs with no arguments.
pub const DEFAULT_SCENARIO: &str = "bad-deploy";

/// Runbooks the built-in scenarios name, built into the binary so that `backout drill`
/// works from any directory (by file name, as the scenarios' `runbook:` ends).
pub const BUILTIN_RUNBOOKS: &[(&str, &str)] = &[
    (
        "deployment-rollback.md",
        include_str!("../../runbooks/deployment-rollback.md"),
    ),
    (
        "search-latency-rollback.md",
        include_str!("../../runbooks/search-latency-rollback.md"),
    ),
    (
        "crashloop-rollback.md",
        include_str!("../../runbooks/crashloop-rollback.md"),
    ),
    (
        "stuck-rollout-rollback.md",
        include_str!("../../runbooks/stuck-rollout-rollback.md"),
    ),
    (
        "cart-flag-rollback.md",
        include_str!("../../runbooks/cart-flag-rollback.md"),
    ),
    (
        "storefront-switch-back.md",
        include_str!("../../runbooks/storefront-switch-back.md"),
    ),
    (
        "argocd-rollback.md",
        include_str!("../../runbooks/argocd-rollback.md"),
    ),
    (
        "storefront-deploy-api-rollback.md",
        include_str!("../../runbooks/storefront-deploy-api-rollback.md"),
    ),
];

/// What a drill will run on.
#[derive(Debug)]
pub enum Plan {
    /// The simulator with a scenario, and the runbook to open.
    Simulated {
        scenario: Box<Scenario>,
        runbook: PathBuf,
    },
    /// A real cluster's context (no simulator), and the runbook to open.
    Cluster { context: String, runbook: PathBuf },
}

/// Decides what to run from the arguments; starts nothing.
pub fn plan(args: &DrillArgs, console: &ConsoleArgs) -> Result<Plan, CliError> {
    if let Some(context) = &console.context {
        if args.scenario.is_some() {
            return Err(CliError::Message(
                "--context drills a real cluster, where scenarios do not play: drop --scenario \
                 (or drop --context to drill on the simulator)"
                    .into(),
            ));
        }
        let Some(runbook) = args.runbook.clone() else {
            return Err(CliError::Message(format!(
                "a drill on context {context:?} needs the runbook to work: add --runbook FILE"
            )));
        };
        return Ok(Plan::Cluster {
            context: context.clone(),
            runbook,
        });
    }
    let default = super::drill_target::default_scenario(args.runbook.as_deref(), DEFAULT_SCENARIO);
    let name = args.scenario.as_deref().unwrap_or(default);
    let dir = super::sim::drills_dir();
    let scenario = Scenario::load(name, &dir).map_err(|e| CliError::Message(e.to_string()))?;
    let runbook = match &args.runbook {
        Some(r) => r.clone(),
        None => {
            let Some(rel) = scenario.runbook.as_deref() else {
                return Err(CliError::Message(format!(
                    "scenario {:?} names no runbook (add `runbook:` to it, or pass --runbook FILE)",
                    scenario.name
                )));
            };
            let base = if Path::new(name).is_file() {
                Path::new(name)
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default()
            } else {
                dir
            };
            resolve_runbook(&base, rel)?
        }
    };
    Ok(Plan::Simulated {
        scenario: Box::new(scenario),
        runbook,
    })
}

/// `base/rel` when it exists, else the built-in copy of that runbook (written under the
/// data directory, since a session starts from a file).
fn resolve_runbook(base: &Path, rel: &str) -> Result<PathBuf, CliError> {
    let path = lexically_normal(&base.join(rel));
    if path.is_file() {
        return Ok(path);
    }
    let file = Path::new(rel)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((_, text)) = BUILTIN_RUNBOOKS.iter().find(|(n, _)| *n == file) else {
        return Err(CliError::Message(format!(
            "the scenario's runbook {} does not exist",
            path.display()
        )));
    };
    let dir = home_dir().map_err(message)?.join("drill-runbooks");
    crate::adapters::private_files::create_dir_all(&dir)?;
    let out = dir.join(&file);
    crate::adapters::private_files::write(&out, text.as_bytes())?;
    Ok(out)
}

/// `runbooks/drills/../x.md` as `runbooks/x.md`: the path the journal, the report and the
/// screen show (a `..` after a normal component is dropped with it; leading ones stay).
fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// Runs `backout drill`.
pub fn run(args: DrillArgs, console: &ConsoleArgs) -> Result<ExitCode, CliError> {
    if let Some(session) = &args.report {
        return report(Some(session.as_str()).filter(|s| !s.is_empty()));
    }
    // A stop signal during the drill ends the console and skips the scorecard screen's
    // wait for a key: the scorecard is written and printed, and the drill exits.
    scorecard_screen::watch_stop_signals();
    match plan(&args, console)? {
        Plan::Simulated { scenario, runbook } => simulated(*scenario, &runbook, &args, console),
        Plan::Cluster { context, runbook } => on_cluster(&context, &runbook, console),
    }
}

fn simulated(
    mut scenario: Scenario,
    runbook_path: &Path,
    args: &DrillArgs,
    console: &ConsoleArgs,
) -> Result<ExitCode, CliError> {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err(CliError::Message(format!(
            "--speed must be a positive number, not {}",
            args.speed
        )));
    }
    super::sim::limit_malloc_arenas();
    let book = runbook_file::load(runbook_path).ok();
    // The scenario plays on the deployment and namespace the runbook's lines name.
    let (console, retargeted) =
        super::drill_target::play_on_runbook_target(&mut scenario, book.as_ref(), console);
    let console = &console;
    // The runbook's metrics, or the model's four readings when it names none.
    let metrics = super::drill_metrics::drill_metrics(book.as_ref(), console);
    // The runbook's ```promql checks are read from what their expressions measure.
    let check_queries = book
        .as_ref()
        .map(|b| crate::domain::verify::check_queries(&b.checks))
        .unwrap_or_default();
    let sim_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("sim")
        .enable_all()
        .build()?;
    let name = scenario.name.clone();
    let mut intro = intro_for(&scenario, args.speed);
    if let Some(line) = retargeted.describe() {
        intro.story.insert(1, line);
    }
    super::drill_target::tell_deploy_api(&mut intro, book.as_ref(), args.scenario.is_none());
    if let Some(added) = &metrics.added {
        let at = intro.story.len().saturating_sub(1);
        intro
            .story
            .insert(at, super::drill_metrics::intro_line(added));
    }
    intro.tasks = super::drill_tasks::tasks(super::drill_tasks::TaskFacts::of(
        book.as_ref(),
        scenario.deploy_api.is_some(),
    ));
    let handle = sim_rt
        .block_on(Simulator::start(SimConfig {
            speed: args.speed,
            seed: args.seed,
            scenario: Some(scenario),
            // Nothing happens while the operator reads the intro.
            hold_timeline: true,
            ..SimConfig::default()
        }))
        .map_err(message)?;
    // The simulator's model serves the metrics pane and the matrix (named queries) and
    // the verification checks (named queries and ```promql blocks) when no Prometheus is
    // configured.
    let fallback_metrics =
        match SimMetricsSource::for_runbook_and_checks(&handle, &metrics.front, check_queries) {
            Ok(Some(source)) => {
                for n in source.unmapped() {
                    tracing::warn!("simulator metrics: {n:?} maps to nothing in the model");
                }
                let source: Arc<dyn crate::adapters::metrics_source::MetricsSource> =
                    Arc::new(source);
                Some((source, format!("simulator model ({name})")))
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!("simulator metrics: {e}");
                None
            }
        };
    let (tx, mut feed) = DrillFeed::channel();
    feed.on_start = Some(handle.timeline_starter());
    let shared = Arc::clone(handle.shared());
    sim_rt.spawn(follow_timeline(
        move || {
            shared
                .timeline_played()
                .into_iter()
                .map(|t| match t.error {
                    Some(e) => format!("{} (failed: {e})", t.what),
                    None => t.what,
                })
                .collect()
        },
        tx,
        Duration::from_millis(250),
    ));
    let setup = DrillSetup {
        verify_metrics: fallback_metrics.as_ref().map(|(s, _)| Arc::clone(s)),
        fallback_metrics,
        timeline: Some(feed),
        intro,
        kubeconfig_yaml: Some(handle.kubeconfig_yaml()),
        verify_time_scale: Some(args.verify_speed),
        verify_ca_pem: Some(handle.ca_pem().to_string()),
        verify_sim_url: Some(handle.url()),
        argocd: Some(crate::runtime::argo_exec::ArgoSetup {
            env: vec![
                (
                    "ARGOCD_SERVER".into(),
                    format!("{}{}", handle.addr(), crate::sim::argocd::api::ROOT_PATH),
                ),
                (
                    "ARGOCD_AUTH_TOKEN".into(),
                    crate::sim::auth::ADMIN_TOKEN.into(),
                ),
                // The simulator's deploy service (`curl` lines to `$DEPLOY_API`).
                (
                    "DEPLOY_API".into(),
                    format!("{}{}", handle.url(), crate::sim::deploy_api::ROOT_PATH),
                ),
                (
                    "DEPLOY_API_TOKEN".into(),
                    crate::sim::auth::ADMIN_TOKEN.into(),
                ),
            ],
            ca_pem: Some(handle.ca_pem().to_string()),
            runbook: None,
        }),
        added_metrics: metrics.added,
    };
    let meta = DrillMeta {
        scenario: Some(name),
        cluster: "simulator".into(),
    };
    let result = open_session(runbook_path, console, Some(setup), Some(&meta));
    sim_rt.block_on(handle.shutdown());
    sim_rt.shutdown_timeout(Duration::from_millis(200));
    finish(result, console)
}

fn on_cluster(
    context: &str,
    runbook_path: &Path,
    console: &ConsoleArgs,
) -> Result<ExitCode, CliError> {
    let (tx, mut feed) = DrillFeed::channel();
    // The clock starts when the operator leaves the intro: no scenario to wait for.
    let started = tx.clone();
    let name = context.to_string();
    feed.on_start = Some(Box::new(move || {
        let _ = started.send(format!("drill started on context {name}"));
    }));
    let setup = DrillSetup {
        fallback_metrics: None,
        verify_metrics: None,
        timeline: Some(feed),
        intro: DrillIntro {
            title: format!("Drill on context {context}"),
            story: vec![
                format!(
                    "A timed rollback drill against the real cluster of context {context}: no \
                     simulator, no fault injection."
                ),
                "The clock is running from now.".into(),
            ],
            tasks: super::drill_tasks::tasks(super::drill_tasks::TaskFacts::scenario_only(false)),
            undo_rolls_back: true,
        },
        kubeconfig_yaml: None,
        // A real cluster recovers in real time: its watch windows are not compressed.
        verify_time_scale: None,
        verify_ca_pem: None,
        verify_sim_url: None,
        argocd: None,
        added_metrics: None,
    };
    let meta = DrillMeta {
        scenario: None,
        cluster: context.to_string(),
    };
    let result = open_session(runbook_path, console, Some(setup), Some(&meta));
    drop(tx);
    finish(result, console)
}

/// Scores the session that just ended, saves it to the history, shows the scorecard
/// screen and prints the scorecard.
fn finish(
    result: Result<(ExitCode, Option<SessionDir>), CliError>,
    console: &ConsoleArgs,
) -> Result<ExitCode, CliError> {
    let (code, dir) = result?;
    let Some(dir) = dir else { return Ok(code) };
    let record = score_session(&dir)?;
    let home = home_dir().map_err(message)?;
    if let Err(e) = drill_history::save(&home, &record) {
        crate::stderr_line!("backout: the drill history could not be saved: {e}");
    }
    let (history, _) = drill_history::list(&home);
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        let theme = theme(console);
        if let Err(e) = scorecard_screen::show(&theme, Some(&record), &history) {
            tracing::warn!("scorecard screen: {e}");
        }
    }
    // The terminal may be gone (closed on the scorecard): printing must not panic.
    let mut out = std::io::stdout().lock();
    for line in card_text(&record) {
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    Ok(code)
}

/// The intro of a simulated drill: the scenario's story and what to do.
pub fn intro_for(scenario: &Scenario, speed: f64) -> DrillIntro {
    let mut story = Vec::new();
    if !scenario.description.is_empty() {
        story.push(scenario.description.clone());
    }
    let first = scenario
        .timeline
        .iter()
        .filter_map(|e| crate::sim::scenario::parse_duration(&e.at).map(|at| (at, e)))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    story.push(match first {
        Some((at, e)) => format!(
            "The service is healthy now. In about {} something happens: {}.",
            crate::domain::duration_text::compact_f64(at / speed),
            e.describe()
        ),
        None => "The service is healthy now.".into(),
    });
    story.push(format!(
        "Simulated cluster at {speed}× speed; the clock starts when the scenario acts."
    ));
    DrillIntro {
        title: format!("Drill: {}", scenario.name),
        story,
        tasks: super::drill_tasks::tasks(super::drill_tasks::TaskFacts::scenario_only(
            scenario.deploy_api.is_some(),
        )),
        undo_rolls_back: scenario.deploy_api.is_none(),
    }
}

fn message(e: impl std::fmt::Display) -> CliError {
    CliError::Message(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(scenario: Option<&str>, runbook: Option<&str>) -> DrillArgs {
        DrillArgs {
            scenario: scenario.map(String::from),
            speed: 1.0,
            verify_speed: 10.0,
            runbook: runbook.map(PathBuf::from),
            seed: 1,
            report: None,
        }
    }

    #[test]
    fn no_arguments_plan_bad_deploy_with_the_deployment_rollback_runbook() {
        let Plan::Simulated { scenario, runbook } =
            plan(&args(None, None), &ConsoleArgs::default()).expect("plans")
        else {
            panic!("expected the simulator");
        };
        assert_eq!(scenario.name, "bad-deploy");
        assert_eq!(
            runbook.file_name().and_then(|f| f.to_str()),
            Some("deployment-rollback.md")
        );
        assert!(runbook.is_file());
    }

    #[test]
    fn a_context_plans_a_real_cluster_drill_and_needs_a_runbook_but_no_scenario() {
        let console = ConsoleArgs {
            context: Some("staging".into()),
            ..ConsoleArgs::default()
        };
        match plan(
            &args(None, Some("runbooks/deployment-rollback.md")),
            &console,
        ) {
            Ok(Plan::Cluster { context, runbook }) => {
                assert_eq!(context, "staging");
                assert_eq!(runbook, PathBuf::from("runbooks/deployment-rollback.md"));
            }
            other => panic!("expected a cluster drill, got {other:?}"),
        }
        let err = plan(&args(None, None), &console).expect_err("needs --runbook");
        assert!(err.to_string().contains("--runbook"), "{err}");
        let err = plan(&args(Some("bad-deploy"), Some("x.md")), &console)
            .expect_err("no scenario on a real cluster");
        assert!(err.to_string().contains("drop --scenario"), "{err}");
    }

    #[test]
    fn scenario_runbook_paths_are_shown_without_dot_dot() {
        assert_eq!(
            lexically_normal(Path::new("runbooks/drills/../deployment-rollback.md")),
            PathBuf::from("runbooks/deployment-rollback.md")
        );
        assert_eq!(
            lexically_normal(Path::new("../x/./y/../z.md")),
            PathBuf::from("../x/z.md")
        );
        assert_eq!(
            lexically_normal(Path::new("/a/b/../../c")),
            PathBuf::from("/c")
        );
    }

    #[test]
    fn the_intro_says_what_happens_when_at_the_given_speed() {
        let s = Scenario::load("bad-deploy", Path::new("runbooks/drills")).expect("loads");
        let intro = intro_for(&s, 10.0);
        let text = intro.story.join(" ");
        assert!(text.contains("In about 6s"), "{text}");
        assert!(text.contains("bad release 1.6.0"), "{text}");
        assert!(
            intro.undo_rolls_back,
            "a Deployment rolled back: u is the way"
        );
        let api = Scenario::load("blue-green-api", Path::new("runbooks/drills")).expect("loads");
        assert!(
            !intro_for(&api, 10.0).undo_rolls_back,
            "a deploy service's traffic switch: u would roll the wrong thing"
        );
    }
}

#[cfg(test)]
mod scenario_tests {
    use super::*;
    use crate::sim::metrics_source::ModelMetric;

    /// Every shipped scenario names a runbook that loads without warnings, targets the
    /// scenario's namespace and one of its deployments, and names only metrics the
    /// simulator's model computes (so a drill without Prometheus shows them all).
    #[test]
    fn every_shipped_scenario_opens_a_runbook_that_fits_it() {
        let dir = Path::new("runbooks/drills");
        for (name, _) in crate::sim::scenario::BUILTIN {
            let plan = plan(
                &DrillArgs {
                    scenario: Some((*name).into()),
                    speed: 1.0,
                    verify_speed: 10.0,
                    runbook: None,
                    seed: 1,
                    report: None,
                },
                &ConsoleArgs::default(),
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            let Plan::Simulated { scenario, runbook } = plan else {
                panic!("{name}: simulated")
            };
            assert!(
                runbook.starts_with(dir.parent().unwrap()),
                "{name}: {runbook:?}"
            );
            let rb = runbook_file::load(&runbook).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(rb.warnings.is_empty(), "{name}: {:?}", rb.warnings);
            // Its ```promql checks too: read from what their expressions measure.
            for (q, expr) in crate::domain::verify::check_queries(&rb.checks) {
                assert!(
                    ModelMetric::of(&q).is_some() || ModelMetric::of_promql(&expr).is_some(),
                    "{name}: the promql check {q} ({expr}) maps to nothing"
                );
            }
            let front = rb.front.expect("front matter");
            let target = front.target.expect("target");
            assert_eq!(
                target.namespace.as_deref(),
                Some(scenario.namespace.as_str()),
                "{name}"
            );
            let deployment = target.deployment.expect("target.deployment");
            assert!(
                scenario.apps.iter().any(|a| a.name == deployment),
                "{name}: no app {deployment}"
            );
            let metrics = front.metrics.expect("metrics");
            for q in metrics.queries.keys() {
                assert!(ModelMetric::of(q).is_some(), "{name}: {q} maps to nothing");
            }
            assert!(!front.matrix.is_empty(), "{name}: a decision matrix");
            assert!(!front.rto.is_empty(), "{name}: RTO targets");
            assert!(
                BUILTIN_RUNBOOKS
                    .iter()
                    .any(|(f, _)| runbook.file_name().is_some_and(|n| n == *f)),
                "{name}: runbook built in"
            );
        }
    }
}
