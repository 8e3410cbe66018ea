//! Whole-screen snapshots of the console's main states (ratatui `TestBackend` + insta).

use chrono::Duration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

use crate::domain::journal::Entry;
use crate::ui::msg::{Msg, Stream};
use crate::ui::state::App;
use crate::ui::testkit::*;
use crate::ui::theme::Theme;
use crate::ui::update::update;
use crate::ui::view;

/// Screen text plus the styles, for theme snapshots.
fn styled_screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| view::render(app, f)).expect("draw");
    format!("{:?}", terminal.backend().buffer())
}

fn mid_phase() -> App {
    let mut app = app();
    app.state
        .progress
        .bindings
        .insert("service-name".into(), "checkout-api".into());
    send(&mut app, key(' '));
    send(&mut app, key('j'));
    update(&mut app, key('s'));
    typed(&mut app, "deploys already frozen by release bot");
    send(&mut app, code(KeyCode::Enter));
    send(&mut app, key('j'));
    app.now = t0() + Duration::seconds(95);
    app
}

#[test]
fn start() {
    let app = app();
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn mid_phase_with_a_skipped_step() {
    let app = mid_phase();
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn confirm_dialog_shows_the_exact_command() {
    let mut app = mid_phase();
    update(&mut app, key('r'));
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn command_running_with_streaming_output() {
    let mut app = mid_phase();
    update(&mut app, key('r'));
    send(&mut app, key('y'));
    for line in [
        "deployment.apps/checkout-api rolled back",
        "Waiting for rollout to finish: 1 of 3 updated replicas are available...",
    ] {
        update(
            &mut app,
            Msg::Output {
                run: 1,
                stream: Stream::Stdout,
                line: line.into(),
            },
        );
    }
    update(
        &mut app,
        Msg::Output {
            run: 1,
            stream: Stream::Stderr,
            line: "W1122 warning: context deadline approaching".into(),
        },
    );
    app.now = t0() + Duration::seconds(104);
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn failed_command() {
    let mut app = mid_phase();
    update(&mut app, key('r'));
    send(&mut app, key('y'));
    update(
        &mut app,
        Msg::Output {
            run: 1,
            stream: Stream::Stderr,
            line: "error: no rollout history found for deployment \"checkout-api\"".into(),
        },
    );
    send(
        &mut app,
        Msg::LineExited {
            block: 1,
            run: 1,
            exit_code: Some(1),
            shell_gone: false,
            duration_ms: 431,
        },
    );
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn placeholder_prompt() {
    let mut app = app();
    app.cursor = 2;
    update(&mut app, key('r'));
    typed(&mut app, "checkout-a");
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn note_editing() {
    let mut app = mid_phase();
    update(&mut app, key('n'));
    typed(&mut app, "Error rate still 11 % after undo.");
    update(&mut app, code(KeyCode::Enter));
    typed(&mut app, "Paging the database on-call.");
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn help_overlay_lists_every_key_from_the_keymap() {
    let mut app = app();
    update(&mut app, key('?'));
    insta::assert_snapshot!(screen(&app, 120, 50));
}

#[test]
fn smallest_supported_terminal() {
    let app = mid_phase();
    insta::assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn terminal_too_small() {
    let app = app();
    insta::assert_snapshot!(screen(&app, 70, 20));
}

#[test]
fn journal_pane_shows_the_newest_records() {
    let mut app = mid_phase();
    update(&mut app, key('n'));
    typed(&mut app, "ic: bob; comms: carol");
    send(&mut app, ctrl('s'));
    assert!(matches!(
        app.records.last().map(|r| &r.entry),
        Some(Entry::NoteAdded { .. })
    ));
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn each_theme() {
    for name in ["dark", "light", "high-contrast"] {
        let mut app = mid_phase();
        app.theme = Theme::preset(name).0;
        insta::assert_snapshot!(format!("theme_{name}"), styled_screen(&app, 80, 24));
    }
}

#[test]
fn no_color() {
    let mut app = mid_phase();
    app.theme.no_color = true;
    insta::assert_snapshot!(styled_screen(&app, 80, 24));
}

// ---------------------------------------------------------------- metrics and matrix

fn healthy() -> App {
    let mut app = metrics_app();
    send(
        &mut app,
        metrics_msg(
            1,
            5,
            &[
                ("error_rate", Some(0.004), 5),
                ("latency_p95", Some(0.21), 5),
            ],
        ),
    );
    send(
        &mut app,
        metrics_msg(
            2,
            10,
            &[
                ("error_rate", Some(0.005), 10),
                ("latency_p95", Some(0.23), 10),
            ],
        ),
    );
    app.now = t0() + Duration::seconds(12);
    app
}

/// Error rate past SEV-1 for over a minute, and latency over twice its baseline for less
/// than its 5 minutes: SEV-1 holds, the latency SEV-2 row is pending.
fn sev1_firing() -> App {
    let mut app = healthy();
    for (g, s) in [(3, 20), (4, 50), (5, 85)] {
        send(
            &mut app,
            metrics_msg(
                g,
                s,
                &[
                    ("error_rate", Some(0.14), s),
                    ("latency_p95", Some(0.55), s),
                ],
            ),
        );
    }
    app.now = t0() + Duration::seconds(87);
    app
}

#[test]
fn metrics_healthy() {
    let app = healthy();
    let text = screen(&app, 120, 32);
    assert!(text.contains("0.5 %") && text.contains("230 ms"), "{text}");
    assert!(text.contains("No rule fires"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn metrics_sev1_firing_with_a_pending_row() {
    let app = sev1_firing();
    let text = screen(&app, 120, 32);
    assert!(text.contains("SEV-1") && text.contains("RTO"), "{text}");
    assert!(text.contains(" / 5m"), "pending progress shown: {text}");
    insta::assert_snapshot!(text);
}

#[test]
fn metrics_sev1_badge_is_in_its_severity_colour() {
    let app = sev1_firing();
    let mut terminal = Terminal::new(TestBackend::new(120, 32)).expect("terminal");
    terminal.draw(|f| view::render(&app, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    let header: String = (0..120).map(|x| buffer[(x, 0)].symbol()).collect();
    let x = header.find("SEV-1").expect("badge in the header");
    let x = header[..x].chars().count() as u16;
    let expected = app.theme.severity("SEV-1");
    assert_eq!(buffer[(x, 0)].fg, expected.fg.expect("sev1 has a colour"));
}

#[test]
fn metrics_stale_query() {
    let mut app = healthy();
    // The error-rate query starts failing; latency's last sample is 90 s old.
    send(
        &mut app,
        metrics_msg(
            3,
            100,
            &[("error_rate", None, 100), ("latency_p95", Some(0.23), 10)],
        ),
    );
    app.now = t0() + Duration::seconds(100);
    let text = screen(&app, 120, 32);
    assert!(text.contains("FAILED"), "{text}");
    assert!(text.contains("STALE"), "{text}");
    assert!(text.contains("unknown"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn metrics_at_80x24() {
    let app = sev1_firing();
    let text = screen(&app, 80, 24);
    assert!(text.contains("SEV-1"), "{text}");
    assert!(text.contains("error_rate"), "{text}");
    assert!(
        text.contains("Undo the rollout") || text.contains("#1"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn help_lists_b_only_when_metrics_are_configured() {
    let text = |app: &App| -> String {
        crate::ui::popups::help::lines(app)
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(!text(&app()).contains("baseline"));
    let with = text(&metrics_app());
    assert!(with.contains("re-capture metric baselines"), "{with}");
}

mod cluster {
    use super::*;
    use crate::domain::cluster::{ClusterEvent, EventRow, Stream, WatchState};

    fn feed(app: &mut App, ev: ClusterEvent) {
        let fx = update(app, Msg::Cluster(ev));
        assert!(fx.is_empty(), "watcher messages cause no effects: {fx:?}");
    }

    fn healthy() -> App {
        let mut app = cluster_app("staging-eu", false);
        feed(
            &mut app,
            ClusterEvent::PodsResynced(
                ["x7k2p", "m4q9z", "b8n3d"]
                    .iter()
                    .map(|s| {
                        pod(
                            &format!("checkout-api-5d9f7-{s}"),
                            "Running",
                            1,
                            0,
                            "v3",
                            "5d9f7",
                        )
                    })
                    .collect(),
            ),
        );
        feed(&mut app, ClusterEvent::Rollout(rollout(3, 3, 3, 3)));
        feed(
            &mut app,
            ClusterEvent::Events(vec![EventRow {
                warning: false,
                reason: "ScalingReplicaSet".into(),
                object: "Deployment/checkout-api".into(),
                message: "Scaled up replica set checkout-api-5d9f7 to 3".into(),
                count: 1,
                last_seen: Some(t0()),
            }]),
        );
        app
    }

    #[test]
    fn healthy_pods_and_rollout() {
        let app = healthy();
        let c = app.cluster.as_ref().expect("cluster");
        assert_eq!(c.pods.len(), 3);
        assert_eq!(c.current_index(), Some(2));
        insta::assert_snapshot!(screen(&app, 120, 40));
    }

    #[test]
    fn healthy_at_80x24_keeps_every_pane() {
        let app = healthy();
        let s = screen(&app, 80, 24);
        for title in ["Rollout", "Pods 3", "Output", "Journal", "staging-eu/shop"] {
            assert!(s.contains(title), "{title} missing:\n{s}");
        }
        insta::assert_snapshot!(s);
    }

    #[test]
    fn a_wide_pods_pane_shows_the_template_hash_and_the_node() {
        let app = healthy();
        let s = screen(&app, 220, 40);
        let row = s
            .lines()
            .find(|l| l.contains("checkout-api-5d9f7-b8n3d"))
            .expect("pod row");
        assert!(row.contains("5d9f7 node-a"), "{row}");
        assert!(s.contains("HASH  NODE"), "{s}");
    }

    #[test]
    fn rolling_with_the_gauge_mid_way() {
        let mut app = healthy();
        feed(&mut app, ClusterEvent::Rollout(rollout(4, 2, 3, 2)));
        feed(
            &mut app,
            ClusterEvent::PodUpserted(pod(
                "checkout-api-77c4b-q1w2e",
                "ContainerCreating",
                0,
                0,
                "v4",
                "77c4b",
            )),
        );
        let s = screen(&app, 120, 40);
        assert!(s.contains(" 50% upd 2/4 rdy 3/4 avl 2/4"), "{s}");
        insta::assert_snapshot!(s);
    }

    #[test]
    fn crash_looping_pods() {
        let mut app = healthy();
        for (n, r) in [("a1", 7), ("b2", 5)] {
            feed(
                &mut app,
                ClusterEvent::PodUpserted(pod(
                    &format!("checkout-api-77c4b-{n}"),
                    "CrashLoopBackOff",
                    0,
                    r,
                    "v4",
                    "77c4b",
                )),
            );
        }
        feed(
            &mut app,
            ClusterEvent::Events(vec![EventRow {
                warning: true,
                reason: "BackOff".into(),
                object: "Pod/checkout-api-77c4b-a1".into(),
                message: "Back-off restarting failed container".into(),
                count: 12,
                last_seen: Some(t0()),
            }]),
        );
        let s = screen(&app, 120, 40);
        assert!(s.contains("2 unhealthy"), "{s}");
        assert!(s.contains("BackOff Pod/checkout-api-77c4b-a1 ×12"), "{s}");
        insta::assert_snapshot!(s);
    }

    #[test]
    fn a_stream_that_is_not_live_shows_stale_in_its_title() {
        let mut app = healthy();
        feed(
            &mut app,
            ClusterEvent::WatchState {
                stream: Stream::Pods,
                state: WatchState::Reconnecting {
                    attempt: 3,
                    error: "connection refused".into(),
                },
            },
        );
        app.now = t0() + Duration::seconds(42);
        let s = screen(&app, 120, 40);
        assert!(
            s.contains("Pods 3 · stale: reconnecting (attempt 3), updated 42s ago"),
            "{s}"
        );
        assert!(!s.contains("Rollout deploy/checkout-api · stale"), "{s}");
        insta::assert_snapshot!(s);
    }

    #[test]
    fn a_silent_api_server_shows_stale_with_the_age_in_every_cluster_pane() {
        let mut app = healthy();
        for stream in [Stream::Pods, Stream::Rollout, Stream::Events] {
            feed(
                &mut app,
                ClusterEvent::WatchState {
                    stream,
                    state: WatchState::Silent {
                        last_heard: t0() + Duration::seconds(19),
                    },
                },
            );
        }
        app.now = t0() + Duration::seconds(42);
        let stale = "stale 23 s — no answer from the API server";
        let s = screen(&app, 260, 40);
        assert!(s.contains(&format!("Pods 3 · {stale}")), "{s}");
        assert!(
            s.contains(&format!("Rollout deploy/checkout-api · {stale}")),
            "{s}"
        );
        assert!(s.contains(&format!("Events · {stale}")), "{s}");
        // Narrower, the age comes first so that a cut title still shows it.
        let s = screen(&app, 140, 40);
        assert!(
            s.contains("Rollout deploy/checkout-api · stale 23 s"),
            "{s}"
        );
    }

    #[test]
    fn a_production_context_gets_a_banner_in_every_theme() {
        let mut app = cluster_app("prod-eu-1", true);
        feed(&mut app, ClusterEvent::Rollout(rollout(3, 3, 3, 3)));
        let s = screen(&app, 120, 40);
        assert!(
            s.lines()
                .next()
                .is_some_and(|l| l.contains("▲ PRODUCTION ▲") && l.contains("prod-eu-1/shop")),
            "{s}"
        );
        insta::assert_snapshot!(s);
        for name in ["dark", "light", "high-contrast"] {
            let (theme, _) = Theme::resolve(Some(name), &Default::default(), None, false);
            let style = theme.style(crate::ui::theme::Role::Production);
            assert!(
                style.bg.is_some() && style.bg != theme.style(crate::ui::theme::Role::StatusBar).bg,
                "{name}: the banner must stand out"
            );
        }
        let (plain, _) = Theme::resolve(Some("dark"), &Default::default(), None, true);
        let style = plain.style(crate::ui::theme::Role::Production);
        assert!(
            style
                .add_modifier
                .contains(ratatui::style::Modifier::REVERSED),
            "NO_COLOR: reversed"
        );
    }

    #[test]
    fn without_a_cluster_tab_never_lands_on_the_rollout_pane() {
        let mut app = app();
        for _ in 0..4 {
            update(&mut app, code(KeyCode::Tab));
            assert_ne!(app.focus, crate::ui::state::Pane::Rollout);
        }
        let mut app = healthy();
        update(&mut app, code(KeyCode::Tab));
        assert_eq!(app.focus, crate::ui::state::Pane::Rollout);
        assert_eq!(
            app.cluster.as_ref().unwrap().undo_target(),
            None,
            "current selected"
        );
        // Newest first: j moves down the list, to an older revision.
        update(&mut app, key('j'));
        assert_eq!(app.cluster.as_ref().unwrap().undo_target(), Some(2));
        update(&mut app, key('G'));
        assert_eq!(app.cluster.as_ref().unwrap().undo_target(), Some(1));
        update(&mut app, key('g'));
        assert_eq!(app.cluster.as_ref().unwrap().undo_target(), None);
    }
}

mod cluster_popups {
    use super::*;
    use crate::domain::cluster::{AccessCheck, Preflight};
    use crate::ui::state::cluster::ClusterStep;

    #[test]
    fn denied_action_popup() {
        let mut app = rollout_focused(false);
        update(&mut app, key('u'));
        update(
            &mut app,
            step(
                1,
                ClusterStep::Preflight(Ok(Preflight::Denied {
                    reason: "RBAC: user \"dev@example.com\" cannot patch deployments.apps in namespace \"shop\"".into(),
                    checks: vec![AccessCheck {
                        verb: "patch".into(),
                        group: "apps".into(),
                        resource: "deployments".into(),
                        subresource: String::new(),
                        allowed: false,
                        reason: String::new(),
                    }],
                })),
            ),
        );
        let s = screen(&app, 120, 40);
        assert!(
            s.contains("Not allowed") && s.contains("✗ patch deployments.apps"),
            "{s}"
        );
        insta::assert_snapshot!(s);
    }

    #[test]
    fn diff_and_typed_confirmation_popup() {
        let mut app = rollout_focused(false);
        update(&mut app, key('u'));
        update(
            &mut app,
            step(
                1,
                ClusterStep::Preflight(Ok(Preflight::Allowed { checks: vec![] })),
            ),
        );
        update(&mut app, step(1, ClusterStep::Planned(Ok(undo_plan()))));
        typed(&mut app, "checkout");
        update(&mut app, code(KeyCode::Enter));
        let s = screen(&app, 120, 40);
        assert!(
            s.contains("+  image: registry.example/checkout-api:v2"),
            "{s}"
        );
        assert!(
            s.contains("kubectl rollout undo deployment/checkout-api"),
            "{s}"
        );
        assert!(
            s.contains("Type the deployment name exactly (checkout-api)"),
            "{s}"
        );
        insta::assert_snapshot!(s);
    }

    #[test]
    fn typed_confirmation_fits_80x24() {
        let mut app = rollout_focused(true);
        update(&mut app, key('u'));
        update(
            &mut app,
            step(
                1,
                ClusterStep::Preflight(Ok(Preflight::Allowed { checks: vec![] })),
            ),
        );
        update(&mut app, step(1, ClusterStep::Planned(Ok(undo_plan()))));
        let s = screen(&app, 80, 24);
        assert!(s.contains("Type the deployment name (checkout-api)"), "{s}");
        assert!(s.contains("PRODUCTION"), "{s}");
        insta::assert_snapshot!(s);
    }
}

#[test]
fn metrics_and_cluster_share_the_right_column_at_80x24_and_120x40() {
    use crate::domain::cluster::ClusterEvent;
    let mut app = metrics_app();
    app.cluster = Some(crate::ui::state::cluster::LiveCluster::new(
        "staging-eu",
        "shop",
        "checkout-api",
        false,
        false,
    ));
    update(
        &mut app,
        Msg::Cluster(ClusterEvent::Rollout(rollout(3, 3, 3, 3))),
    );
    for (w, h) in [(80, 24), (120, 40)] {
        let s = screen(&app, w, h);
        for title in ["Metrics", "Rollout", "Pods", "Output", "Journal"] {
            assert!(s.contains(title), "{w}x{h}: {title} missing:\n{s}");
        }
        // The revision to undo to is always on screen.
        assert!(s.contains("*  3 v3"), "{w}x{h}:\n{s}");
    }
    insta::assert_snapshot!(screen(&app, 120, 40));
    insta::assert_snapshot!("metrics_and_cluster_80x24", screen(&app, 80, 24));
}

/// The error-rate sparkline is drawn in bands: bars above the SEV-1 line in the SEV-1
/// colour, quiet bars in the info colour.
#[test]
fn metrics_sparkline_bars_take_the_colour_of_their_band() {
    let bars = |app: &App| -> Vec<ratatui::style::Color> {
        let mut terminal = Terminal::new(TestBackend::new(120, 32)).expect("terminal");
        terminal.draw(|f| view::render(app, f)).expect("draw");
        let buffer = terminal.backend().buffer();
        let y = (0..32)
            .find(|&y| {
                let row: String = (0..120).map(|x| buffer[(x, y)].symbol()).collect();
                row.contains("│error_rate")
            })
            .expect("error_rate row");
        (0..120)
            .filter(|&x| "▁▂▃▄▅▆▇█".contains(buffer[(x, y)].symbol()))
            .map(|x| buffer[(x, y)].fg)
            .collect()
    };
    let quiet = bars(&healthy());
    let info = healthy()
        .theme
        .style(crate::ui::theme::Role::Info)
        .fg
        .expect("info colour");
    assert!(
        !quiet.is_empty() && quiet.iter().all(|c| *c == info),
        "{quiet:?}"
    );
    let firing = bars(&sev1_firing());
    let sev1 = healthy().theme.severity("SEV-1").fg.expect("sev1 colour");
    assert!(firing.contains(&sev1), "{firing:?}");
}

/// A blank line between a block's commands is shown blank (no `$ ` prompt of its own), and
/// blank lines at the block's end are not shown: a command block written as
/// "# 1. …\ncurl …\n\n# 2. …" reads as the runbook wrote it.
#[test]
fn blank_and_comment_lines_in_a_command_block_carry_no_prompt() {
    let mut book = runbook();
    book.phases[1].steps[0] = command(
        2,
        "Check, then roll back",
        "# 1. Check the status\ncurl http://localhost:8080/deployment/status\n\n# 2. Roll back\ncurl -X POST http://localhost:8080/deployment/rollback\n\n",
    );
    let mut app = app_for(book);
    send(&mut app, key('j'));
    send(&mut app, key('j'));
    let text = screen(&app, 120, 32);
    let step: Vec<&str> = text.lines().filter_map(|l| l.split('│').nth(1)).collect();
    let body = step.join("\n");
    // A comment explains the next line: shown without the prompt, not as a command.
    assert!(body.contains("  # 1. Check the status"), "{text}");
    assert!(!body.contains("$ # 1."), "{text}");
    assert!(
        body.contains("$ curl -X POST http://localhost:8080/deployment/rollback"),
        "{text}"
    );
    for l in &step {
        assert_ne!(
            l.trim(),
            "$",
            "a blank script line shown as a bare prompt:\n{text}"
        );
    }
}

/// Metrics but no decision matrix (a drill's readings for a team runbook that names none):
/// nothing can fire, so the matrix pane does not say "No rule fires" as if rules were
/// watched; it says that there is none and how to declare a severity.
#[test]
fn metrics_without_a_matrix_say_there_is_none_and_how_to_declare() {
    let mut app = app();
    app.runbook = metrics_runbook();
    if let Some(front) = app.runbook.front.as_mut() {
        front.matrix.clear();
        front.rto.clear();
    }
    app.metrics = crate::ui::state::metrics::LiveMetrics::for_runbook(
        &app.runbook,
        &crate::domain::session_state::SessionState::replay(&app.records),
        "simulator model (bad-deploy)",
    );
    send(
        &mut app,
        metrics_msg(
            1,
            5,
            &[
                ("error_rate", Some(0.12), 5),
                ("latency_p95", Some(0.48), 5),
            ],
        ),
    );
    let text = screen(&app, 120, 32);
    assert!(text.contains("12.0 %"), "{text}");
    assert!(
        text.contains("No decision matrix in the runbook: S declares a severity"),
        "{text}"
    );
    assert!(!text.contains("No rule fires"), "{text}");
}
