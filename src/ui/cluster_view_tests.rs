//! Drill-down from the cluster panes: Tab focus on Pods and Events, `l` logs (a stream
//! stopped when its view closes or restarts, late lines dropped, the bounded buffer), `d`
//! describe, `y` YAML, `d` on a revision, `d`/Enter on an event; snapshots of each view.

use ratatui::crossterm::event::KeyCode;

use crate::domain::cluster::read::{ClusterRead, LOG_LINES, ReadAnswer};
use crate::ui::effect::{ClusterEffect, Effect};
use crate::ui::msg::Msg;
use crate::ui::state::{App, Layer, Pane};
use crate::ui::testkit::*;
use crate::ui::update::update;

fn focus(app: &mut App, pane: Pane) {
    for _ in 0..6 {
        if app.focus == pane {
            return;
        }
        update(app, code(KeyCode::Tab));
    }
    panic!("{pane:?} never took the focus");
}

fn answer(app: &mut App, view: u64, answer: ReadAnswer) -> Vec<Effect> {
    update(app, Msg::ClusterRead { view, answer })
}

fn text_of(app: &App) -> Vec<String> {
    match app.layers.last() {
        Some(Layer::ClusterView(v)) => v
            .text
            .lines
            .iter()
            .map(crate::ui::state::text_view::line_text)
            .collect(),
        _ => panic!("no drill-down view on top"),
    }
}

#[test]
fn tab_reaches_rollout_pods_and_events_in_order() {
    let mut app = drill_console();
    let mut seen = Vec::new();
    for _ in 0..6 {
        update(&mut app, code(KeyCode::Tab));
        seen.push(app.focus);
    }
    assert_eq!(
        seen,
        vec![
            Pane::Rollout,
            Pane::Pods,
            Pane::Events,
            Pane::Output,
            Pane::Journal,
            Pane::Procedure
        ]
    );
    let mut plain = app_for(runbook());
    update(&mut plain, code(KeyCode::Tab));
    assert_eq!(
        plain.focus,
        Pane::Output,
        "no cluster: no cluster panes to focus"
    );
}

#[test]
fn logs_stream_into_the_view_and_closing_it_stops_the_stream() {
    let mut app = drill_console();
    focus(&mut app, Pane::Pods);
    update(&mut app, key('j'));
    let selected = app
        .cluster
        .as_ref()
        .and_then(|c| c.selected_pod())
        .map(|p| p.name.clone());
    let fx = update(&mut app, key('l'));
    assert_eq!(
        fx,
        vec![Effect::Cluster(ClusterEffect::Read {
            view: 1,
            read: ClusterRead::Logs {
                pod: selected.clone().expect("a pod"),
                container: None,
                previous: false,
                since_seconds: None,
            },
        })]
    );
    answer(
        &mut app,
        1,
        ReadAnswer::Containers {
            all: vec!["checkout-api".into(), "envoy".into()],
            chosen: "checkout-api".into(),
        },
    );
    answer(
        &mut app,
        1,
        ReadAnswer::Lines(vec![
            "2026-11-22T03:00:00Z level=info msg=\"starting\" version=v3.1.0-rc2".into(),
            "2026-11-22T03:00:01Z level=error msg=\"request handled\" status=500".into(),
            "2026-11-22T03:00:02Z level=fatal msg=\"panic: runtime error: invalid memory address or nil pointer dereference\"".into(),
        ]),
    );
    insta::assert_snapshot!(screen(&app, 120, 30));

    // `p`: the previous container's log: the old stream stops, a new read starts.
    let fx = update(&mut app, key('p'));
    assert_eq!(
        fx,
        vec![
            Effect::Cluster(ClusterEffect::StopRead { view: 1 }),
            Effect::Cluster(ClusterEffect::Read {
                view: 2,
                read: ClusterRead::Logs {
                    pod: selected.clone().expect("a pod"),
                    container: Some("checkout-api".into()),
                    previous: true,
                    since_seconds: None,
                },
            })
        ]
    );
    // A late line of the stopped stream is dropped (and its read stopped again).
    assert_eq!(
        answer(&mut app, 1, ReadAnswer::Lines(vec!["late".into()])),
        vec![Effect::Cluster(ClusterEffect::StopRead { view: 1 })]
    );
    assert!(text_of(&app).is_empty());
    // `c`: the next container.
    let fx = update(&mut app, key('c'));
    assert!(matches!(
        &fx[1],
        Effect::Cluster(ClusterEffect::Read { view: 3, read: ClusterRead::Logs { container: Some(c), .. } }) if c == "envoy"
    ));
    // Esc closes the view and stops its stream.
    let fx = update(&mut app, code(KeyCode::Esc));
    assert_eq!(
        fx,
        vec![Effect::Cluster(ClusterEffect::StopRead { view: 3 })]
    );
    assert!(app.layers.is_empty());
}

#[test]
fn the_server_refusing_previous_logs_is_shown_as_it_said() {
    let mut app = drill_console();
    focus(&mut app, Pane::Pods);
    update(&mut app, key('l'));
    update(&mut app, key('p'));
    answer(
        &mut app,
        2,
        ReadAnswer::Ended(Some(
            "previous terminated container \"checkout-api\" in pod \"x\" not found".into(),
        )),
    );
    assert_eq!(
        text_of(&app),
        vec!["error: previous terminated container \"checkout-api\" in pod \"x\" not found"]
    );
}

#[test]
fn the_log_view_keeps_at_most_its_bound() {
    let mut app = drill_console();
    focus(&mut app, Pane::Pods);
    update(&mut app, key('l'));
    let lines: Vec<String> = (0..LOG_LINES + 1_500)
        .map(|i| format!("line {i}"))
        .collect();
    answer(&mut app, 1, ReadAnswer::Lines(lines));
    let text = text_of(&app);
    assert_eq!(text.len(), LOG_LINES);
    assert_eq!(text[0], "line 1500");
    let Some(Layer::ClusterView(v)) = app.layers.last() else {
        panic!()
    };
    assert_eq!(v.text.dropped, 1_500);
    assert_eq!(
        v.text.scroll,
        v.text
            .max_scroll(crate::ui::popups::text_view::body_height(app.size.1)),
        "following: the newest line is on screen"
    );
}

#[test]
fn d_describes_the_pod_and_y_shows_its_yaml() {
    let mut app = drill_console();
    focus(&mut app, Pane::Pods);
    let fx = update(&mut app, key('d'));
    let Some(Effect::Cluster(ClusterEffect::Read {
        view,
        read: ClusterRead::DescribePod { pod },
    })) = fx.first().cloned()
    else {
        panic!("{fx:?}")
    };
    answer(
        &mut app,
        view,
        ReadAnswer::Text(format!(
            "Name:           {pod}\nNamespace:      shop\nContainers:\n  checkout-api:\n    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Restart Count:  8\nEvents:\n  Type     Reason   Age   From     Message\n  ----     ------   ----  ----     -------\n  Warning  BackOff  1m    kubelet  Back-off restarting failed container checkout-api\n"
        )),
    );
    insta::assert_snapshot!(screen(&app, 120, 30));
    update(&mut app, code(KeyCode::Esc));
    let fx = update(&mut app, key('y'));
    assert!(matches!(
        fx.first(),
        Some(Effect::Cluster(ClusterEffect::Read {
            read: ClusterRead::PodYaml { .. },
            ..
        }))
    ));
}

#[test]
fn d_on_a_revision_shows_what_it_changed_and_y_its_template() {
    let mut app = drill_console();
    focus(&mut app, Pane::Rollout);
    // The current revision (3) is selected: nothing to compare.
    assert!(update(&mut app, key('d')).is_empty());
    update(&mut app, key('j'));
    let fx = update(&mut app, key('d'));
    assert_eq!(
        fx,
        vec![Effect::Cluster(ClusterEffect::Read {
            view: 1,
            read: ClusterRead::RevisionDiff { revision: 2 }
        })]
    );
    answer(
        &mut app,
        1,
        ReadAnswer::Text(
            "Revision 2 (selected) against revision 3 (current)\n--- revision 3 (current)\n+++ revision 2 (selected)\n annotations: null\n containers:\n - name: checkout-api\n-  image: registry.example/checkout-api:v3\n+  image: registry.example/checkout-api:v2\n@@\n"
                .into(),
        ),
    );
    insta::assert_snapshot!(screen(&app, 120, 30));
    update(&mut app, code(KeyCode::Esc));
    let fx = update(&mut app, key('y'));
    assert!(matches!(
        fx.first(),
        Some(Effect::Cluster(ClusterEffect::Read {
            read: ClusterRead::RevisionTemplate { revision: 2 },
            ..
        }))
    ));
}

#[test]
fn enter_on_an_event_jumps_to_its_pod_and_describes_it() {
    let mut app = drill_console();
    focus(&mut app, Pane::Events);
    let fx = update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.focus, Pane::Pods);
    assert_eq!(
        app.cluster
            .as_ref()
            .and_then(|c| c.selected_pod())
            .map(|p| p.name.as_str()),
        Some(DRILL_PODS[0])
    );
    assert!(matches!(
        fx.first(),
        Some(Effect::Cluster(ClusterEffect::Read { read: ClusterRead::DescribePod { pod }, .. })) if pod == DRILL_PODS[0]
    ));
}
