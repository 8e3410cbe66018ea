//! The runbook view (`R`): reducer tests and snapshots — opening, search with `n`/`N`,
//! jumping to the selected step's section and back, and running a code block (a step's
//! and a reference section's) through the step path.

use std::path::Path;

use ratatui::crossterm::event::KeyCode;

use crate::domain::journal::Entry;
use crate::domain::runbook::StepId;
use crate::ui::effect::{Effect, ShellEffect};
use crate::ui::state::{App, Intent, Layer};
use crate::ui::testkit::*;
use crate::ui::update::update;

const RUNBOOK: &str = "# Checkout API rollback

Use this when a release of checkout-api misbehaves.

## Pre-rollback checklist

- [ ] Page the on-call owner
- [ ] Freeze deploys

| Severity | Error rate | Action |
|---|---|---|
| SEV-1 | > 10% | Roll back now |
| SEV-2 | > 5% | Roll back within 15 min |

## Roll back

Undo the last rollout:

```bash
kubectl rollout undo deployment/checkout-api -n shop
```

## Verify

```promql
sum(rate(http_requests_total{code=~\"5..\"}[5m])) > 0.05
```

## Useful commands

Pods and their restarts:

```sh
# who is crash looping
kubectl get pods -n shop -l app=checkout-api
echo \"done\"
```

```yaml
resources:
  limits:
    memory: 512Mi
```
";

fn console() -> App {
    let rb = crate::domain::runbook::parse(Path::new("checkout.md"), RUNBOOK).expect("loads");
    let mut app = app_for(rb);
    app.size = (100, 30);
    app
}

fn view(app: &App) -> &crate::ui::state::runbook_view::RunbookView {
    match app.layers.last() {
        Some(Layer::RunbookView(v)) => v,
        _ => panic!("the runbook view is not the top layer"),
    }
}

#[test]
fn r_opens_the_whole_runbook_rendered() {
    let mut app = console();
    assert!(update(&mut app, key('R')).is_empty());
    let v = view(&app);
    assert_eq!(v.text.lines.len(), RUNBOOK.lines().count());
    assert_eq!(v.blocks.len(), 4);
    let s = screen(&app, 100, 30);
    assert!(s.contains("Runbook — Checkout API rollback"), "{s}");
    assert!(s.contains("▍▍ Pre-rollback checklist  (prepare)"), "{s}");
    insta::assert_snapshot!(s);
    update(&mut app, code(KeyCode::Esc));
    assert!(app.layers.is_empty());
}

#[test]
fn search_moves_to_each_match_and_n_wraps() {
    let mut app = console();
    update(&mut app, key('R'));
    update(&mut app, key('/'));
    typed(&mut app, "kubectl");
    let typing = screen(&app, 100, 30);
    assert!(typing.contains("/kubectl▏"), "{typing}");
    update(&mut app, code(KeyCode::Enter));
    let v = view(&app);
    // Lines 20 (the undo) and 35 (get pods), 0-based 19 and 34.
    assert_eq!(v.text.search.matches, vec![19, 34]);
    // The first match is on screen: as near the top as the text allows (43 lines, 27 rows).
    assert_eq!((v.text.search.current, v.text.scroll), (Some(0), 16));
    insta::assert_snapshot!(screen(&app, 100, 30));
    update(&mut app, key('n'));
    assert_eq!(view(&app).text.search.current, Some(1));
    update(&mut app, key('n'));
    assert_eq!(
        view(&app).text.search.current,
        Some(0),
        "n after the last match wraps"
    );
    update(&mut app, key('g'));
    update(&mut app, key('n'));
    assert_eq!(
        view(&app).text.scroll,
        16,
        "n moves the view back to the match"
    );
    update(&mut app, key('N'));
    assert_eq!(view(&app).text.search.current, Some(0));
}

#[test]
fn r_opens_at_the_selected_steps_section_s_jumps_back_to_it_and_b_goes_back() {
    let mut app = console();
    // Select the rollback step in the Procedure pane.
    let undo = app
        .runbook
        .steps()
        .find(|s| s.title.contains("Undo") || s.text.contains("rollout undo"))
        .map(|s| s.id)
        .expect("undo step");
    app.cursor = app.flat_index_of(undo).expect("in a phase");
    // `R` opens at the selected step's section, its block selected.
    update(&mut app, key('R'));
    let v = view(&app);
    assert_eq!(v.text.scroll, 14, "the `## Roll back` heading is line 15");
    assert_eq!(v.selected_block().and_then(|b| b.step), Some(undo));
    // `b` goes back to the top, `s` to the step's section again.
    update(&mut app, key('b'));
    assert_eq!(view(&app).text.scroll, 0);
    update(&mut app, key('s'));
    let v = view(&app);
    assert_eq!(v.text.scroll, 14);
    assert_eq!(v.selected_block().and_then(|b| b.step), Some(undo));
    update(&mut app, key('b'));
    assert_eq!(view(&app).text.scroll, 0);
}

#[test]
fn r_on_a_steps_block_asks_as_the_step_does() {
    let mut app = console();
    // The view opens at the selected step's section with the first block on screen, the
    // undo, selected.
    update(&mut app, key('R'));
    let undo = view(&app)
        .selected_block()
        .and_then(|b| b.step)
        .expect("a step's block");
    assert!(update(&mut app, key('r')).is_empty());
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("no confirmation")
    };
    assert_eq!(c.intent, Intent::RunCommand { step: undo });
    assert_eq!(
        c.body,
        vec![
            "kubectl rollout undo deployment/checkout-api -n shop".to_string(),
            // The step path says what a changing line changes (issue 14 point 3).
            "⚠ line 1 changes: rollout undo deployment/checkout-api".to_string()
        ]
    );
}

#[test]
fn a_reference_block_runs_through_the_step_path_after_confirmation_and_is_journaled() {
    let mut app = console();
    update(&mut app, key('R'));
    // The undo is selected on opening; then the PromQL check, then the reference
    // section's shell block.
    for _ in 0..2 {
        update(&mut app, code(KeyCode::Tab));
    }
    let block = view(&app).selected_block().cloned().expect("selected");
    assert!(block.reference);
    assert_eq!(block.step, None);
    let id = app.view_step_at(block.first_line).expect("a view step");
    assert_eq!(id, StepId(app.runbook.steps().count() as u32));
    let (_, noted) = send(&mut app, key('r'));
    assert_eq!(
        noted,
        vec![Entry::NoteAdded {
            text: format!(
                "{id}: asked to run the block of runbook view: Useful commands (line 33)"
            ),
            step: Some(id),
        }]
    );
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("no confirmation: a shell block always asks first")
    };
    assert_eq!(c.intent, Intent::RunCommand { step: id });
    assert!(
        c.title.contains("runbook view: Useful commands (line 33)"),
        "{}",
        c.title
    );
    insta::assert_snapshot!(screen(&app, 100, 30));
    let (effects, written) = send(&mut app, key('y'));
    let started = written.iter().find_map(|e| match e {
        Entry::CommandStarted { step, command, .. } => Some((*step, command.clone())),
        _ => None,
    });
    assert_eq!(
        started,
        // The step path runs a block line by line (issue 14 point 1): the first line.
        Some((
            id,
            "line 1/2: kubectl get pods -n shop -l app=checkout-api".to_string()
        ))
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Shell(ShellEffect::Line { .. }))),
        "{effects:?}"
    );
}

#[test]
fn a_yaml_block_runs_nothing() {
    let mut app = console();
    update(&mut app, key('R'));
    update(&mut app, code(KeyCode::BackTab));
    assert_eq!(
        view(&app).selected_block().map(|b| b.lang.as_str()),
        Some("yaml")
    );
    assert!(update(&mut app, key('r')).is_empty());
    assert!(matches!(app.layers.last(), Some(Layer::RunbookView(_))));
    assert!(
        app.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("only shell blocks run"))
    );
}
