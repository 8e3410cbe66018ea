//! Numbered ways to roll back under a heading that offers a choice ("## Rollback options"
//! over "### 1. Agent rollback", "### 2. Full revert", "### 3) Feature-flag kill switch")
//! are alternatives to choose from, not steps in a row, while numbered subheadings of
//! reference ("## Useful commands", "## Appendix") stay reference. On the corpus runbook
//! `tests/runbooks/teams/rollback-options-numbered.md` and on small runbooks written here;
//! the console's choice popup offers the three and picks one by its number.

use std::path::Path;

use backout::adapters::runbook_file;
use backout::domain::journal::Entry;
use backout::domain::runbook::{Runbook, SectionRole};
use backout::ui::effect::{Effect, JournalEffect};
use backout::ui::keymap::Keymap;
use backout::ui::msg::Msg;
use backout::ui::state::session::SessionInfo;
use backout::ui::state::{App, Layer};
use backout::ui::theme::Theme;
use backout::ui::update::update;
use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const FIXTURE: &str = "tests/runbooks/teams/rollback-options-numbered.md";

fn fixture() -> Runbook {
    runbook_file::load(Path::new(FIXTURE)).expect("the fixture loads")
}

fn parse(text: &str) -> Runbook {
    backout::domain::runbook::parse(Path::new("t.md"), text).expect("loads")
}

fn role_of<'a>(rb: &'a Runbook, heading: &str) -> &'a SectionRole {
    &rb.sections
        .iter()
        .find(|s| s.heading == heading)
        .unwrap_or_else(|| panic!("no section `{heading}` in {:#?}", rb.sections))
        .role
}

#[test]
fn numbered_rollback_options_are_one_choice_keyed_by_their_numbers() {
    let rb = fixture();
    assert_eq!(rb.alternatives.len(), 1, "{:#?}", rb.alternatives);
    let group = &rb.alternatives[0];
    let members: Vec<(&str, &str)> = group
        .members
        .iter()
        .map(|m| (m.key.as_str(), m.title.as_str()))
        .collect();
    assert_eq!(
        members,
        [
            ("1", "1. Agent rollback"),
            ("2", "2. Full revert"),
            ("3", "3) Feature-flag kill switch"),
        ]
    );
    // Each member brings its own commands; none is a step of the phase before a choice.
    for m in &group.members {
        assert!(!m.steps.is_empty(), "{}", m.title);
        for id in &m.steps {
            let step = rb.step(*id).expect("step");
            assert!(step.alternative.is_some(), "{}", step.title);
        }
    }
    // Each member's step is titled by the way it is, not by the paragraph saying when.
    let titles: Vec<&str> = group
        .members
        .iter()
        .flat_map(|m| &m.steps)
        .filter_map(|id| rb.step(*id))
        .map(|s| s.title.as_str())
        .collect();
    assert_eq!(
        titles,
        ["Agent rollback", "Full revert", "Feature-flag kill switch"]
    );
    for heading in ["1. Agent rollback", "2. Full revert"] {
        assert!(
            matches!(role_of(&rb, heading), SectionRole::Alternative { .. }),
            "{heading}"
        );
    }
}

#[test]
fn numbered_subheadings_of_reference_stay_reference() {
    let rb = fixture();
    for heading in [
        "Useful commands",
        "1. Logs of the newest pod",
        "2. Events",
        "Appendix",
        "1. Why three options",
        "2. Owners",
    ] {
        assert_eq!(role_of(&rb, heading), &SectionRole::Reference, "{heading}");
    }
    // Their kubectl lines are readable and runnable from the runbook view, never steps.
    let useful = rb
        .sections
        .iter()
        .find(|s| s.heading == "Useful commands")
        .map(|s| s.line)
        .expect("Useful commands");
    assert!(rb.steps().all(|s| s.line < useful), "{:#?}", rb.phases);
}

/// The words of the parent decide, and the children's content: a sequence of numbered
/// steps, a numbered list of reference, numbered phases and a single runnable child are
/// not a choice.
#[test]
fn what_is_not_a_choice() {
    let steps = parse(
        "# Rollback\n\n## Rollback steps\n\n### 1. Scale down\n\n```sh\nkubectl -n a scale deployment/web --replicas=0\n```\n\n### 2. Undo\n\n```sh\nkubectl -n a rollout undo deployment/web\n```\n",
    );
    assert!(steps.alternatives.is_empty(), "{:#?}", steps.alternatives);
    assert_eq!(steps.steps().count(), 2);

    let commands = parse(
        "# Rollback\n\n## Roll back\n\n```sh\nkubectl -n a rollout undo deployment/web\n```\n\n## Useful commands\n\n### 1. Pods\n\n```sh\nkubectl -n a get pods\n```\n\n### 2. Events\n\n```sh\nkubectl -n a get events\n```\n",
    );
    assert!(commands.alternatives.is_empty());
    assert_eq!(role_of(&commands, "1. Pods"), &SectionRole::Reference);

    let phases = parse(
        "# Rollback\n\n## Rollback options\n\n### 1. Undo\n\n```sh\nkubectl -n a rollout undo deployment/web\n```\n\n### 2. Verify\n\n```sh\nkubectl -n a rollout status deployment/web\n```\n",
    );
    assert!(phases.alternatives.is_empty(), "{:#?}", phases.alternatives);

    let one_runnable = parse(
        "# Rollback\n\n## Rollback strategies\n\n### 1. Undo\n\n```sh\nkubectl -n a rollout undo deployment/web\n```\n\n### 2. Background\n\nWhy we roll back at all.\n",
    );
    assert!(one_runnable.alternatives.is_empty());
}

/// "## Ways to roll back" names the execution phase itself: its numbered children are
/// still the choice, with a member that has nothing to run recorded as a decision.
#[test]
fn ways_to_roll_back_inside_a_phase() {
    let rb = parse(
        "# Web rollback\n\n## Ways to roll back\n\n### 1. Undo\n\n```sh\nkubectl -n a rollout undo deployment/web\n```\n\n### 2. Pin the image\n\n```sh\nkubectl -n a set image deployment/web web=web:1.4.2\n```\n\n### 4. Ask the vendor\n\nOpen a P1 with the vendor.\n\n## Verify\n\n- [ ] Errors back to normal\n",
    );
    assert_eq!(rb.alternatives.len(), 1, "{:#?}", rb.alternatives);
    let keys: Vec<&str> = rb.alternatives[0]
        .members
        .iter()
        .map(|m| m.key.as_str())
        .collect();
    assert_eq!(keys, ["1", "2", "4"]);
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    terminal
        .draw(|f| backout::ui::view::render(app, f))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn the_choice_popup_offers_the_three_and_a_number_picks_one() {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
        .single()
        .expect("time");
    let mut app = App::new(
        fixture(),
        SessionInfo {
            id: "20261122-030000-ledger".into(),
            actor: "alice@laptop".into(),
        },
        Vec::new(),
        Theme::dark(),
        Keymap::defaults(),
        now,
    );
    app.size = (160, 48);
    // Down to the "Choose one" row.
    for _ in 0..app.steps.len() {
        if app.selected_choice().is_some() {
            break;
        }
        update(&mut app, key('j'));
    }
    assert_eq!(app.selected_choice(), Some(0), "{}", screen(&app));
    update(&mut app, key('c'));
    assert!(
        matches!(app.layers.last(), Some(Layer::Choice(c)) if c.group == 0),
        "{:?}",
        app.layers.last().map(std::mem::discriminant)
    );
    let s = screen(&app);
    for shown in [
        "Choose one · execute",
        " 1  Agent rollback",
        " 2  Full revert",
        " 3  Feature-flag kill switch",
        "1/2/3 chooses",
    ] {
        assert!(s.contains(shown), "`{shown}` not on screen:\n{s}");
    }
    // The previewed member's commands name the deployment.
    assert!(
        s.contains("$ kubectl -n payments set image deployment/ledger-api"),
        "{s}"
    );
    // `2` picks the full revert: the choice is journaled by its number.
    let fx = update(&mut app, key('2'));
    let chosen = fx.iter().find_map(|e| match e {
        Effect::Journal(JournalEffect::Append {
            entry: Entry::AlternativeChosen { member, title, .. },
            ..
        }) => Some((member.clone(), title.clone())),
        _ => None,
    });
    assert_eq!(
        chosen,
        Some(("2".to_string(), "2. Full revert".to_string())),
        "{fx:?}"
    );
}
