//! The drill screen at the sizes people run it in: what must stay on screen.

use crate::ui::testkit::*;

/// Whether `name` can be told apart on `screen`: some line holds its random suffix in
/// full. Pods of one ReplicaSet share `<rs name>-` (`GenerateName`) and differ only in
/// the five random characters kubernetes adds (`randomLength = 5` in
/// kubernetes/kubernetes `staging/src/k8s.io/apiserver/pkg/storage/names/generate.go`).
fn suffix_shown(screen: &str, name: &str) -> bool {
    let suffix = name.rsplit('-').next().unwrap_or(name);
    screen.lines().any(|l| l.contains(&format!("-{suffix}")))
}

#[test]
fn every_pod_of_a_ten_pod_deployment_is_distinguishable_at_160x48() {
    let app = drill_console();
    let s = screen(&app, 160, 48);
    for name in DRILL_PODS {
        assert!(suffix_shown(&s, name), "{name} not distinguishable:\n{s}");
    }
    // The image column keeps the whole tag.
    assert!(s.contains("v3.1.0-rc2"), "{s}");
    insta::assert_snapshot!(s);
}

/// The drill screen at the four sizes people run it in: every pane on screen, the
/// revision to go back to visible, and the pods shown are told apart.
#[test]
fn the_drill_screen_at_80x24_120x40_160x48_and_200x50() {
    let app = drill_console();
    for (w, h) in [(80u16, 24u16), (120, 40), (160, 48), (200, 50)] {
        let s = screen(&app, w, h);
        for title in [
            "Procedure",
            "Metrics",
            "Rollout",
            "Pods 10",
            "Output",
            "Journal",
        ] {
            assert!(s.contains(title), "{w}x{h}: {title} missing:\n{s}");
        }
        assert!(
            s.contains("*  3 v3"),
            "{w}x{h}: current revision missing:\n{s}"
        );
        // Every pod row on screen shows the suffix of exactly one pod, a different one
        // on each row; from 160x48 on, all ten rows fit.
        let mut seen = std::collections::BTreeSet::new();
        for row in s
            .lines()
            .filter(|l| l.contains("CrashLoopBackOff") || l.contains("Running"))
        {
            let pods: Vec<&str> = DRILL_PODS
                .iter()
                .copied()
                .filter(|n| suffix_shown(row, n))
                .collect();
            assert_eq!(pods.len(), 1, "{w}x{h}: {row}\n{s}");
            assert!(seen.insert(pods[0]), "{w}x{h}: {row} twice\n{s}");
        }
        assert!(!seen.is_empty(), "{w}x{h}: no pod rows\n{s}");
        if w >= 160 {
            assert_eq!(seen.len(), DRILL_PODS.len(), "{w}x{h}:\n{s}");
        }
        insta::assert_snapshot!(format!("drill_screen_{w}x{h}"), s);
    }
}

mod output_pane {
    use super::*;
    use crate::domain::runbook::StepId;
    use crate::ui::msg::{Msg, Stream};
    use crate::ui::state::Pane;
    use crate::ui::state::output::{OutputLog, Running};
    use crate::ui::update::update;
    use crate::ui::view::layout;
    use ratatui::crossterm::event::KeyCode;
    use ratatui::layout::Rect;

    const SCREEN: Rect = Rect::new(0, 0, 160, 48);

    fn with_output(lines: usize, text: impl Fn(usize) -> String) -> crate::ui::state::App {
        let mut app = drill_console();
        update(
            &mut app,
            Msg::Resize {
                width: SCREEN.width,
                height: SCREEN.height,
            },
        );
        app.output = OutputLog::for_run(1, StepId(3), "kubectl rollout status".into());
        for i in 0..lines {
            app.output.push(Stream::Stdout, text(i));
        }
        app
    }

    fn focus_output(app: &mut crate::ui::state::App) {
        for _ in 0..4 {
            if app.focus == Pane::Output {
                return;
            }
            update(app, code(KeyCode::Tab));
        }
        assert_eq!(app.focus, Pane::Output);
    }

    #[test]
    fn grows_when_focused_and_when_a_command_runs() {
        let mut app = with_output(0, |_| String::new());
        let resting = layout(&app, SCREEN).output.height;
        focus_output(&mut app);
        let focused = layout(&app, SCREEN).output.height;
        assert!(focused >= 2 * resting, "{resting} → {focused}");
        let mut app = with_output(0, |_| String::new());
        app.running = Some(Running {
            run: 1,
            step: StepId(3),
            started: t0(),
            spawned: true,
            cancel_requested: false,
        });
        let running = layout(&app, SCREEN).output.height;
        assert!(running >= 2 * resting, "{resting} → {running}");
        // The cluster panes shrink meanwhile but stay on screen.
        let s = screen(&app, SCREEN.width, SCREEN.height);
        for title in ["Rollout", "Pods 10", "Output", "Journal"] {
            assert!(s.contains(title), "{title} missing:\n{s}");
        }
    }

    /// The rows of the Output pane's text area, below the `$ command` line.
    fn output_rows(s: &str) -> Vec<String> {
        let lines: Vec<&str> = s.lines().collect();
        let top = lines
            .iter()
            .position(|l| l.contains("Output ·"))
            .expect("output pane");
        let x = lines[top]
            .chars()
            .position(|c| c == '╭' || c == '┏')
            .unwrap_or(0);
        lines[top + 2..]
            .iter()
            .take_while(|l| {
                let c = l.chars().nth(x);
                c == Some('│') || c == Some('┃')
            })
            .map(|l| {
                l.chars()
                    .skip(x + 1)
                    .take_while(|&c| c != '│' && c != '┃')
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn scrolls_back_no_further_than_its_first_line() {
        let mut app = with_output(100, |i| format!("line {}", i + 1));
        focus_output(&mut app);
        for _ in 0..200 {
            update(&mut app, key('k'));
        }
        let max = app.output.scroll_back;
        assert!(max > 0 && max < 100, "{max}");
        let rows = output_rows(&screen(&app, SCREEN.width, SCREEN.height));
        assert_eq!(rows.first().map(String::as_str), Some("line 1"), "{rows:?}");
        assert!(rows.iter().all(|r| !r.is_empty()), "blank rows: {rows:?}");
        // One step down moves the window at once (no scroll-back hidden above the top).
        update(&mut app, key('j'));
        let rows = output_rows(&screen(&app, SCREEN.width, SCREEN.height));
        assert_eq!(rows.first().map(String::as_str), Some("line 2"), "{rows:?}");
        // `g` goes to the same top.
        update(&mut app, key('g'));
        assert_eq!(app.output.scroll_back, max);
        // Output shorter than the pane does not scroll at all.
        let mut app = with_output(3, |i| format!("line {}", i + 1));
        focus_output(&mut app);
        update(&mut app, key('k'));
        assert_eq!(app.output.scroll_back, 0);
    }

    #[test]
    fn long_lines_wrap() {
        let long: String = (0..300)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let mut app = with_output(1, |_| long.clone());
        focus_output(&mut app);
        let s = screen(&app, SCREEN.width, SCREEN.height);
        let rows = output_rows(&s);
        assert_eq!(rows.concat(), long, "{s}");
        assert!(!s.contains("xyz…"), "{s}");
    }
}

/// At 160×48 (and 120×40, 200×50) the Rollout pane's status and Argo CD lines are read
/// whole: they wrap over more rows instead of being cut (`successfully rolle…`).
#[test]
fn the_rollout_status_and_argo_cd_lines_are_read_whole_at_every_size() {
    let app = argo_managed_rollout();
    for (w, h) in [(120u16, 40u16), (160, 48), (200, 50)] {
        let s = screen(&app, w, h);
        // The Rollout pane's rows, joined: every word of both lines, none cut.
        let text = pane_text(&s, "╭ Rollout");
        for line in [
            "deployment \"checkout-api\" successfully rolled out",
            "Argo CD checkout-api: Synced 12a1ba3 · Healthy · auto-sync + self-heal",
        ] {
            assert!(text.contains(line), "{w}x{h}: {line:?} not whole:\n{s}");
        }
        // (At 120x40 the stacked pane has three rows: status, gauge, Argo CD.)
        if w >= 160 {
            assert!(s.contains("*  3 v3 deploy v3"), "{w}x{h}: revisions:\n{s}");
        }
        if (w, h) == (160, 48) {
            insta::assert_snapshot!(s);
        }
    }
}

/// The words inside the pane whose top border starts with `top`, its rows joined.
fn pane_text(screen: &str, top: &str) -> String {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let Some((row, col)) = lines.iter().enumerate().find_map(|(r, l)| {
        let text: String = l.iter().collect();
        text.find(top).map(|b| (r, text[..b].chars().count()))
    }) else {
        return String::new();
    };
    let end = (col + 1..lines[row].len())
        .find(|&c| lines[row][c] == '╮' || lines[row][c] == '┓')
        .unwrap_or(lines[row].len());
    let mut words = Vec::new();
    for l in &lines[row + 1..] {
        if matches!(l.get(col), Some('╰' | '┗')) {
            break;
        }
        let inside: String = l
            .get(col + 1..end.min(l.len()))
            .unwrap_or(&[])
            .iter()
            .collect();
        words.extend(inside.split_whitespace().map(str::to_string));
    }
    words.join(" ")
}

/// At 120×40 the Rollout pane sits above the Pods pane with three rows: status, gauge
/// and the Argo CD line. Focused (Tab), it grows to show the revisions `u` rolls back
/// to, and the Pods pane keeps its header and pods.
#[test]
fn the_focused_rollout_pane_shows_its_revisions_on_a_short_screen() {
    use crate::ui::state::Pane;
    use ratatui::crossterm::event::KeyCode;
    let mut app = argo_managed_rollout();
    let unfocused = screen(&app, 120, 40);
    assert!(!unfocused.contains("*  3 v3 deploy v3"), "{unfocused}");
    crate::ui::update::update(&mut app, code(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Rollout);
    let s = screen(&app, 120, 40);
    let text = pane_text(&s, "┏ Rollout");
    for line in [
        "deployment \"checkout-api\" successfully rolled out",
        "Argo CD checkout-api: Synced 12a1ba3 · Healthy · auto-sync + self-heal",
        "* 3 v3 deploy v3",
        "2 v2 deploy v2",
    ] {
        assert!(
            text.contains(line),
            "{line:?} not in the focused pane:\n{s}"
        );
    }
    assert!(pane_text(&s, "╭ Pods").contains("READY STATUS"), "{s}");
}

/// The drill console with a complete rollout of three revisions, managed by an Argo CD
/// application with auto-sync and self-heal.
fn argo_managed_rollout() -> crate::ui::state::App {
    use crate::domain::argocd::ArgoAppStatus;
    use crate::domain::cluster::ClusterEvent;
    use crate::ui::msg::Msg;
    let mut app = drill_console();
    crate::ui::update::update(
        &mut app,
        Msg::Cluster(ClusterEvent::Rollout(rollout(3, 3, 3, 3))),
    );
    app.argo.status = Some(ArgoAppStatus {
        name: "checkout-api".into(),
        sync: "Synced".into(),
        health: "Healthy".into(),
        revision: "12a1ba3f9c0d4e5b6a7c8d9e0f1a2b3c4d5e6f70".into(),
        auto_sync: true,
        self_heal: true,
    });
    app
}
