//! Frame render time of the console (DESIGN.md §6: p50 ≤ 2 ms, no per-frame work
//! proportional to history). Renders a busy session — a real runbook, a long journal,
//! a full output buffer — into ratatui's `TestBackend` at 200×50 and at 80×24.

use std::path::Path;

use backout::adapters::runbook_file;
use backout::domain::journal::{Entry, Record};
use backout::domain::runbook::StepId;
use backout::ui::keymap::Keymap;
use backout::ui::msg::{Msg, Stream};
use backout::ui::state::{App, SessionInfo};
use backout::ui::theme::Theme;
use backout::ui::update::update;
use backout::ui::view;
use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn busy_app() -> App {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks/deployment-rollback.md");
    let runbook = runbook_file::load(&path).expect("runbook loads");
    let t0 = Utc
        .with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
        .single()
        .expect("time");
    let steps: Vec<StepId> = runbook
        .phases
        .iter()
        .flat_map(|p| p.steps.iter().map(|s| s.id))
        .collect();
    // 10,000 journal records: ticks, unticks and notes over the runbook's steps.
    let records: Vec<Record> = (0..10_000u64)
        .map(|i| {
            let step = steps[(i as usize) % steps.len()];
            let entry = match i % 3 {
                0 => Entry::StepTicked {
                    step,
                    title: "tick".into(),
                },
                1 => Entry::NoteAdded {
                    text: format!("note {i}"),
                    step: Some(step),
                },
                _ => Entry::StepUnticked {
                    step,
                    title: "untick".into(),
                },
            };
            Record {
                seq: i + 1,
                ts: t0 + chrono::Duration::seconds(i as i64),
                actor: "alice@laptop".into(),
                entry,
                prev: String::new(),
                hash: String::new(),
            }
        })
        .collect();
    let mut app = App::new(
        runbook,
        SessionInfo {
            id: "20261122-030000-checkout-api-1a2b".into(),
            actor: "alice@laptop".into(),
        },
        records,
        Theme::dark(),
        Keymap::defaults(),
        t0,
    );
    app.output.run = Some(1);
    for i in 0..5_000 {
        update(
            &mut app,
            Msg::Output {
                run: 1,
                stream: Stream::Stdout,
                line: format!(
                    "line {i}: Waiting for deployment \"checkout-api\" rollout to finish: 2 of 3 updated replicas are available..."
                ),
            },
        );
    }
    app
}

fn bench(c: &mut Criterion) {
    let app = busy_app();
    for (w, h) in [(200u16, 50u16), (80, 24)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        c.bench_function(&format!("render_frame_{w}x{h}"), |b| {
            b.iter(|| {
                terminal.draw(|f| view::render(&app, f)).expect("draw");
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
