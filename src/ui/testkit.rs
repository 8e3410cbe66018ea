//! Test support: a small runbook built in code, an `App` over it, and a driver that plays
//! the runtime's part for journal writes.

use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::journal::{Entry, Record};
use crate::domain::runbook::{
    CommandBlock, CommandLine, Phase, PhaseKind, Placeholder, PlaceholderForm, Runbook, Step,
    StepId, StepKind,
};

use super::effect::{Effect, JournalEffect};
use super::keymap::Keymap;
use super::msg::Msg;
use super::state::{App, SessionInfo};
use super::theme::Theme;
use super::update::update;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
        .single()
        .expect("valid time")
}

fn checklist(id: u32, title: &str) -> Step {
    Step {
        id: StepId(id),
        line: 10 + id as usize,
        title: title.into(),
        text: title.into(),
        section: None,
        kind: StepKind::Checklist {
            checked_in_source: false,
        },
        alternative: None,
    }
}

pub fn command(id: u32, title: &str, script: &str) -> Step {
    Step {
        id: StepId(id),
        line: 10 + id as usize,
        title: title.into(),
        text: format!("{title}\n\n```sh\n{script}\n```"),
        section: None,
        kind: StepKind::Command(CommandBlock {
            lang: "sh".into(),
            script: script.into(),
            lines: script
                .lines()
                .map(|l| CommandLine {
                    line: 12,
                    text: l.into(),
                    is_kubectl: l.starts_with("kubectl"),
                    title: None,
                })
                .collect(),
            foreign: Vec::new(),
        }),
        alternative: None,
    }
}

/// Three phases: two checklist items, a command with a placeholder, a command with a
/// secret, and a verification item.
pub fn runbook() -> Runbook {
    let phase = |kind, title: &str, steps| Phase {
        kind,
        title: title.into(),
        line: 1,
        time_budget: Some(std::time::Duration::from_secs(300)),
        body: String::new(),
        steps,
    };
    Runbook {
        source: PathBuf::from("checkout.md"),
        title: "Checkout API rollback".into(),
        front: None,
        phases: vec![
            phase(
                PhaseKind::Preparation,
                "1. Pre-rollback checklist",
                vec![
                    checklist(0, "Page the on-call owner"),
                    checklist(1, "Freeze deploys"),
                ],
            ),
            phase(
                PhaseKind::Execution,
                "2. Roll back",
                vec![
                    command(
                        2,
                        "Undo the rollout",
                        "kubectl rollout undo deployment/<service-name> -n checkout",
                    ),
                    command(
                        3,
                        "Tell the deploy API",
                        "curl -H \"Authorization: Bearer $DEPLOY_TOKEN\" https://deploy.example/rollback",
                    ),
                ],
            ),
            phase(
                PhaseKind::Verification,
                "3. Verify",
                vec![checklist(4, "Error rate back under 1 %")],
            ),
        ],
        references: vec![],
        decision_tables: vec![],
        placeholders: vec![
            Placeholder {
                name: "service-name".into(),
                form: PlaceholderForm::Angle,
            },
            Placeholder {
                name: "DEPLOY_TOKEN".into(),
                form: PlaceholderForm::Dollar,
            },
        ],
        warnings: vec![],
        info: vec![],
        checks: Vec::new(),
        sections: vec![],
        alternatives: vec![],
        message_templates: vec![],
        markdown: String::new(),
        deploy_api_inferred: Default::default(),
    }
}

pub fn app() -> App {
    app_for(runbook())
}

/// A console on `book`, started by alice at [`t0`], 120×40.
pub fn app_for(book: Runbook) -> App {
    let started = record(
        1,
        Entry::SessionStarted {
            runbook_path: "checkout.md".into(),
            runbook_sha256: "ab".repeat(32),
            title: "Checkout API rollback".into(),
            mode: "live".into(),
            host: "laptop".into(),
        },
        t0(),
    );
    let mut app = App::new(
        book,
        SessionInfo {
            id: "20261122-030000-checkout-api-rollback-1a2b".into(),
            actor: "alice@laptop".into(),
        },
        vec![started],
        Theme::dark(),
        Keymap::defaults(),
        t0(),
    );
    app.size = (120, 40);
    app
}

pub fn record(seq: u64, entry: Entry, ts: DateTime<Utc>) -> Record {
    Record {
        seq,
        ts,
        actor: "alice@laptop".into(),
        entry,
        prev: String::new(),
        hash: String::new(),
    }
}

pub fn key(c: char) -> Msg {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(KeyCode::Char(c), mods))
}

pub fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        let fx = update(app, key(c));
        assert!(fx.is_empty(), "typing produced effects: {fx:?}");
    }
}

/// Plays the runtime: every journal write succeeds at once (a second apart); returns the
/// other effects and the entries written, in order.
pub fn settle(app: &mut App, effects: Vec<Effect>) -> (Vec<Effect>, Vec<Entry>) {
    let mut queue: std::collections::VecDeque<Effect> = effects.into();
    let mut others = Vec::new();
    let mut written = Vec::new();
    while let Some(fx) = queue.pop_front() {
        match fx {
            Effect::Journal(JournalEffect::Append { req, entry }) => {
                let seq = app.records.last().map_or(1, |r| r.seq + 1);
                let ts = t0() + chrono::Duration::seconds(seq as i64);
                written.push(entry.clone());
                let more = update(
                    app,
                    Msg::Journaled {
                        req,
                        result: Ok(record(seq, entry, ts)),
                    },
                );
                queue.extend(more);
            }
            other => others.push(other),
        }
    }
    (others, written)
}

/// Sends a message and settles its journal writes.
pub fn send(app: &mut App, msg: Msg) -> (Vec<Effect>, Vec<Entry>) {
    let fx = update(app, msg);
    settle(app, fx)
}

/// The test runbook with `metrics.queries` (`error_rate`, `latency_p95`), a four-rule
/// matrix and RTO targets, as `deployment-rollback.md` has.
pub fn metrics_runbook() -> Runbook {
    use crate::domain::runbook::front_matter::{DurationSpec, FrontMatter, MatrixRule, Metrics};
    use std::time::Duration as Std;
    let rule = |when: &str, secs: u64, severity: &str, action: &str| MatrixRule {
        when: when.into(),
        for_: Some(DurationSpec(Std::from_secs(secs))),
        severity: severity.into(),
        action: action.into(),
        approval: None,
    };
    let mut rb = runbook();
    rb.front = Some(FrontMatter {
        metrics: Some(Metrics {
            prometheus: None,
            queries: [
                (
                    "error_rate".to_string(),
                    "sum(rate(errors[2m]))".to_string(),
                ),
                (
                    "latency_p95".to_string(),
                    "histogram_quantile(0.95, x)".to_string(),
                ),
            ]
            .into_iter()
            .collect(),
            baseline_offset: None,
        }),
        matrix: vec![
            rule(
                "error_rate > 0.10",
                60,
                "SEV-1",
                "Roll back now; page the owner",
            ),
            rule(
                "error_rate > 0.02",
                180,
                "SEV-2",
                "Roll back within 15 minutes",
            ),
            rule(
                "latency_p95 > 2 * baseline(latency_p95)",
                300,
                "SEV-2",
                "Roll back within 15 minutes",
            ),
            rule(
                "latency_p95 > 1.5 * baseline(latency_p95)",
                600,
                "SEV-3",
                "Investigate; roll back if it does not recover",
            ),
        ],
        rto: [
            ("SEV-1".to_string(), DurationSpec(Std::from_secs(300))),
            ("SEV-2".to_string(), DurationSpec(Std::from_secs(900))),
        ]
        .into_iter()
        .collect(),
        ..Default::default()
    });
    rb
}

/// `app()` over [`metrics_runbook`] with the metrics panes on.
pub fn metrics_app() -> App {
    let mut app = app();
    app.runbook = metrics_runbook();
    app.metrics = crate::ui::state::metrics::LiveMetrics::for_runbook(
        &app.runbook,
        &crate::domain::session_state::SessionState::replay(&app.records),
        "http://prometheus:9090",
    );
    assert!(app.metrics.is_some(), "metrics configured");
    app
}

/// A metrics refresh: `(name, value, seconds after t0 the sample describes)`, with a
/// short rising series; `None` for a failed query.
pub fn metrics_msg(generation: u64, at_secs: i64, values: &[(&str, Option<f64>, i64)]) -> Msg {
    use crate::domain::decision::{Absence, Reading, Sample};
    use crate::ui::state::metrics::{MetricReading, MetricsUpdate};
    let at = t0() + chrono::Duration::seconds(at_secs);
    let readings = values
        .iter()
        .map(|(name, v, s)| {
            let reading = match v {
                Some(value) => Reading::Sample(Sample {
                    value: *value,
                    at: t0() + chrono::Duration::seconds(*s),
                }),
                None => Reading::Absent(Absence::Failed("HTTP 503 Service Unavailable".into())),
            };
            let series = match v {
                Some(value) => (0..20)
                    .map(|i| value * (0.5 + f64::from(i) / 38.0))
                    .collect(),
                None => Vec::new(),
            };
            (name.to_string(), MetricReading { reading, series })
        })
        .collect();
    Msg::Metrics(MetricsUpdate {
        generation,
        at,
        readings,
        baselines: None,
    })
}

/// A pod row as the watchers send it.
pub fn pod(
    name: &str,
    status: &str,
    ready: u16,
    restarts: u32,
    tag: &str,
    hash: &str,
) -> crate::domain::cluster::PodRow {
    crate::domain::cluster::PodRow {
        name: name.into(),
        status: status.into(),
        ready,
        total: 1,
        restarts,
        started: Some(t0() - chrono::Duration::minutes(12)),
        image_tag: tag.into(),
        template_hash: hash.into(),
        node: "node-a".into(),
    }
}

/// The `checkout-api` Deployment with revisions 1–3 (3 current, image `v3`) and
/// `desired` replicas of which `updated`/`ready`/`available` are as given.
pub fn rollout(
    desired: i32,
    updated: i32,
    ready: i32,
    available: i32,
) -> crate::domain::cluster::RolloutView {
    use crate::domain::cluster::{Condition, DeploymentFacts, ReplicaSetFacts, RolloutView};
    let d = DeploymentFacts {
        name: "checkout-api".into(),
        generation: 3,
        observed_generation: 3,
        desired: Some(desired),
        replicas: desired.max(updated),
        updated,
        ready,
        available,
        unavailable: (desired - available).max(0),
        paused: false,
        conditions: vec![Condition {
            type_: "Available".into(),
            status: if available >= desired {
                "True"
            } else {
                "False"
            }
            .into(),
            reason: if available >= desired {
                "MinimumReplicasAvailable"
            } else {
                "MinimumReplicasUnavailable"
            }
            .into(),
            message: String::new(),
        }],
        ..DeploymentFacts::default()
    };
    let sets: Vec<ReplicaSetFacts> = (1..=3)
        .map(|n| ReplicaSetFacts {
            name: format!("checkout-api-rs{n}"),
            revision: Some(n),
            images: vec![format!("registry.example/checkout-api:v{n}")],
            change_cause: Some(format!("deploy v{n}")),
            created: Some(t0()),
            replicas: if n == 3 { desired } else { 0 },
            ready: if n == 3 { ready } else { 0 },
            matches_template: n == 3,
        })
        .collect();
    RolloutView::build(&d, &sets)
}

/// The test app watching `checkout-api` in `shop` on `context`, with every stream live.
pub fn cluster_app(context: &str, production: bool) -> App {
    use crate::domain::cluster::{ClusterEvent, Stream, WatchState};
    let mut app = app();
    app.cluster = Some(crate::ui::state::cluster::LiveCluster::new(
        context,
        "shop",
        "checkout-api",
        production,
        false,
    ));
    for stream in [Stream::Pods, Stream::Rollout, Stream::Events] {
        update(
            &mut app,
            Msg::Cluster(ClusterEvent::WatchState {
                stream,
                state: WatchState::Live { since: t0() },
            }),
        );
    }
    app
}

/// A cluster app showing the healthy `checkout-api` rollout, focus on the Rollout pane.
pub fn rollout_focused(production: bool) -> App {
    let mut app = cluster_app(
        if production {
            "prod-eu-1"
        } else {
            "staging-eu"
        },
        production,
    );
    update(
        &mut app,
        Msg::Cluster(crate::domain::cluster::ClusterEvent::Rollout(rollout(
            3, 3, 3, 3,
        ))),
    );
    update(&mut app, code(KeyCode::Tab));
    assert_eq!(app.focus, super::state::Pane::Rollout);
    app
}

/// The dry-run plan of undoing `checkout-api` from v3 to v2.
pub fn undo_plan() -> crate::domain::cluster::Planned {
    crate::domain::cluster::Planned::Change {
        diff: crate::domain::cluster::Diff {
            lines: vec![
                "@@ spec.template @@".into(),
                " containers:".into(),
                "-  image: registry.example/checkout-api:v3".into(),
                "+  image: registry.example/checkout-api:v2".into(),
            ],
            added: 1,
            removed: 1,
        },
        kubectl: "kubectl rollout undo deployment/checkout-api --context staging-eu -n shop".into(),
    }
}

/// A step of cluster action `op`.
pub fn step(op: u64, step: super::state::cluster::ClusterStep) -> Msg {
    Msg::ClusterStep { op, step }
}

/// The screen `view::render` draws at `width`×`height`, as text (trailing spaces trimmed).
pub fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
        .expect("terminal");
    terminal
        .draw(|f| crate::ui::view::render(app, f))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The ten pod names of the drill console: one Deployment, one template hash, names
/// that differ only in their random suffix (as a real ReplicaSet names its pods).
pub const DRILL_PODS: [&str; 10] = [
    "checkout-api-7f8f966c9d-wjsw8",
    "checkout-api-7f8f966c9d-x2b9q",
    "checkout-api-7f8f966c9d-4hm7t",
    "checkout-api-7f8f966c9d-kq5zn",
    "checkout-api-7f8f966c9d-p8d2c",
    "checkout-api-7f8f966c9d-r6vxl",
    "checkout-api-7f8f966c9d-b3njf",
    "checkout-api-7f8f966c9d-t9wcs",
    "checkout-api-7f8f966c9d-m2gkh",
    "checkout-api-7f8f966c9d-z7plq",
];

/// The console as a `bad-deploy` drill shows it: the metrics runbook with a SEV-1 error
/// rate, the `checkout-api` rollout mid-way to a bad image, ten pods (three crash
/// looping) and a BackOff event.
pub fn drill_console() -> App {
    use crate::domain::cluster::{ClusterEvent, EventRow, Stream, WatchState};
    let mut app = metrics_app();
    app.cluster = Some(crate::ui::state::cluster::LiveCluster::new(
        "drill-sim",
        "shop",
        "checkout-api",
        false,
        false,
    ));
    for stream in [Stream::Pods, Stream::Rollout, Stream::Events] {
        update(
            &mut app,
            Msg::Cluster(ClusterEvent::WatchState {
                stream,
                state: WatchState::Live { since: t0() },
            }),
        );
    }
    update(
        &mut app,
        metrics_msg(
            1,
            0,
            &[
                ("error_rate", Some(0.18), 0),
                ("latency_p95", Some(0.42), 0),
            ],
        ),
    );
    update(
        &mut app,
        Msg::Cluster(ClusterEvent::Rollout(rollout(10, 3, 7, 7))),
    );
    let pods = DRILL_PODS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if i < 3 {
                pod(
                    name,
                    "CrashLoopBackOff",
                    0,
                    6 + i as u32,
                    "v3.1.0-rc2",
                    "7f8f966c9d",
                )
            } else {
                pod(name, "Running", 1, 0, "v3.1.0-rc2", "7f8f966c9d")
            }
        })
        .collect();
    update(&mut app, Msg::Cluster(ClusterEvent::PodsResynced(pods)));
    update(
        &mut app,
        Msg::Cluster(ClusterEvent::Events(vec![EventRow {
            warning: true,
            reason: "BackOff".into(),
            object: format!("Pod/{}", DRILL_PODS[0]),
            message: "Back-off restarting failed container checkout-api".into(),
            count: 14,
            last_seen: Some(t0()),
        }])),
    );
    app
}
