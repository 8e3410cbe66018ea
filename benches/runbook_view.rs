//! The runbook view (`R`) on a 1 MB runbook: opening it (code blocks found, every line
//! styled) and the frame while scrolling it a page at a time at 200×50 (DESIGN.md §6:
//! frame p50 ≤ 2 ms). Only the visible window is turned into widgets, so the frame does
//! not grow with the runbook.

use std::fmt::Write as _;
use std::path::Path;

use backout::domain::runbook;
use backout::ui::keymap::Keymap;
use backout::ui::msg::Msg;
use backout::ui::state::runbook_view::RunbookView;
use backout::ui::state::{App, SessionInfo};
use backout::ui::theme::Theme;
use backout::ui::update::update;
use backout::ui::view;
use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const TARGET_BYTES: usize = 1 << 20;

/// The project's own runbook, its sections repeated (numbered) until the text is 1 MB,
/// with a reference section of commands and a table in each round.
fn big_runbook() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks/deployment-rollback.md");
    let base = std::fs::read_to_string(path).expect("runbook");
    let body = base.split_once("\n# ").map_or(base.as_str(), |(_, rest)| {
        rest.split_once('\n').map_or("", |(_, b)| b)
    });
    let mut doc = String::from("# Checkout API rollback (1 MB)\n\n");
    let mut n = 0;
    while doc.len() < TARGET_BYTES {
        doc.push_str(body);
        let _ = write!(
            doc,
            "\n## Useful commands {n}\n\n| Severity | Error rate | Action |\n|---|---|---|\n\
             | SEV-1 | > 10% | Roll back now |\n\n```sh\nkubectl get pods -n checkout -l app=checkout-api\n\
             kubectl describe deployment/checkout-api -n checkout\n```\n\n"
        );
        n += 1;
    }
    doc
}

fn app(text: &str) -> App {
    let rb = runbook::parse(Path::new("big.md"), text).expect("runbook parses");
    let t0 = Utc
        .with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
        .single()
        .expect("time");
    let mut app = App::new(
        rb,
        SessionInfo {
            id: "bench".into(),
            actor: "alice@laptop".into(),
        },
        Vec::new(),
        Theme::dark(),
        Keymap::defaults(),
        t0,
    );
    app.size = (200, 50);
    app
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn bench(c: &mut Criterion) {
    let text = big_runbook();
    let mut app = app(&text);
    c.bench_function("runbook_view_open_1mb", |b| {
        b.iter(|| RunbookView::open(&app.runbook))
    });
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT)),
    );
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let mut pages = 0usize;
    c.bench_function("runbook_view_scroll_frame_1mb_200x50", |b| {
        b.iter(|| {
            // A page down each frame, back to the top at the end.
            pages += 1;
            if pages.is_multiple_of(2_000) {
                update(&mut app, key(KeyCode::Home));
            } else {
                update(&mut app, key(KeyCode::PageDown));
            }
            terminal.draw(|f| view::render(&app, f)).expect("draw");
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
