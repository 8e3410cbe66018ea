//! One line per named query: the current value in its unit, a sparkline of the recent
//! series coloured by the matrix band each value falls in, the matrix threshold on it, the baseline, and the sample's age. A stale or
//! failing query is marked as such; its last value is never shown as if fresh.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::decision::{Absence, BaselineSource, Reading, Unavailable};
use crate::domain::duration_text::{ago, compact};
use crate::ui::format::{ellipsize, metric_value, secs_between, sparkline_reaching, threshold};
use crate::ui::state::App;
use crate::ui::state::metrics::{Band, LiveMetrics};
use crate::ui::theme::Role;

use super::pane_block;

/// What the line says about the sample's freshness.
enum Freshness {
    Fresh(u64),
    Stale(u64),
    Failed(String),
    NoData(String),
    Waiting,
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(live) = &app.metrics else {
        return;
    };
    let t = &app.theme;
    let title = format!("Metrics · {}", live.source_label);
    let block = pane_block(
        app,
        ellipsize(&title, area.width.saturating_sub(4) as usize),
        false,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let name_w = live
        .names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .min(16);
    struct Row<'a> {
        name: &'a str,
        value: String,
        fresh: Freshness,
        th: String,
        base: String,
        status: String,
        status_role: Role,
    }
    let rows: Vec<Row> = live
        .names
        .iter()
        .take(inner.height as usize)
        .map(|name| {
            let (value, fresh) = reading_of(app, live, name);
            let th = live
                .thresholds
                .get(name)
                .map(|ths| {
                    ths.iter()
                        .map(|x| threshold(name, x.op.symbol(), x.value))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            let base = live
                .signals
                .baseline(name)
                .map(|b| match b.source {
                    BaselineSource::PromOffset { offset } => format!(
                        "base -{} {}",
                        compact(offset.as_secs()),
                        metric_value(name, b.value)
                    ),
                    BaselineSource::SessionStart => {
                        format!("base {}", metric_value(name, b.value))
                    }
                })
                .unwrap_or_default();
            let (status, status_role) = match &fresh {
                Freshness::Fresh(s) => (ago(*s), Role::Muted),
                Freshness::Stale(s) => (format!("STALE {}", ago(*s)), Role::Warning),
                Freshness::Failed(e) => (format!("FAILED {e}"), Role::Error),
                Freshness::NoData(why) => (why.clone(), Role::Warning),
                Freshness::Waiting => ("waiting…".into(), Role::Muted),
            };
            Row {
                name,
                value,
                fresh,
                th,
                base,
                status,
                status_role,
            }
        })
        .collect();
    // Columns line up across rows. name value spark threshold base status: when the
    // pane is narrow the baseline goes first, then the sparkline; the status is cut last.
    let col = |f: &dyn Fn(&Row) -> usize| rows.iter().map(f).max().unwrap_or(0);
    let th_w = col(&|r| r.th.chars().count());
    let mut base_w = col(&|r| r.base.chars().count());
    let status_w = col(&|r| r.status.chars().count()).clamp(6, 28);
    let gap = |w: usize| if w == 0 { 0 } else { w + 1 };
    let fixed = name_w + 1 + 11 + 1;
    let spark_room =
        |base_w: usize| width.saturating_sub(fixed + gap(th_w) + gap(base_w) + status_w);
    if spark_room(base_w) < 9 {
        base_w = 0;
    }
    let spark_w = match spark_room(base_w) {
        w if w < 5 => 0,
        w => w.min(31),
    };
    let status_w = width.saturating_sub(fixed + gap(th_w) + gap(base_w) + spark_w);
    let mut lines = Vec::new();
    for row in &rows {
        // A fresh value that makes the deciding rule fire is drawn in its severity colour.
        let deciding = live
            .verdict
            .as_ref()
            .and_then(|v| v.deciding_rule())
            .filter(|r| r.inputs.contains_key(row.name));
        let value_style = match (&row.fresh, deciding) {
            (Freshness::Fresh(_), Some(rule)) => t
                .severity(rule.severity.label())
                .add_modifier(Modifier::BOLD),
            (Freshness::Fresh(_), None) => t.style(Role::Base),
            _ => t.style(Role::Muted),
        };
        let mut spans = vec![
            Span::styled(
                format!("{:<name_w$} ", ellipsize(row.name, name_w)),
                t.style(Role::Title),
            ),
            Span::styled(format!("{:>11} ", row.value), value_style),
        ];
        if spark_w > 0 {
            let series = live.series.get(row.name).map(Vec::as_slice).unwrap_or(&[]);
            let bands = live.bands.get(row.name).map(Vec::as_slice).unwrap_or(&[]);
            let baseline = live.signals.baseline(row.name).map(|b| b.value);
            spans.extend(banded_sparkline(app, series, bands, baseline, spark_w - 1));
            spans.push(Span::raw(" "));
        }
        if th_w > 0 {
            spans.push(Span::styled(
                format!("{:<th_w$} ", row.th),
                t.style(Role::Muted),
            ));
        }
        if base_w > 0 {
            spans.push(Span::styled(
                format!("{:<base_w$} ", row.base),
                t.style(Role::Muted),
            ));
        }
        spans.push(Span::styled(
            ellipsize(&row.status, status_w),
            t.style(row.status_role),
        ));
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The sparkline with each bar in the colour of the matrix band its value falls in
/// (quiet values in the info colour), scaled to reach the nearest threshold and the
/// baseline: the thresholds drawn as bands on the chart, and a value four times its
/// baseline drawn high even when it has been flat for the whole window.
fn banded_sparkline(
    app: &App,
    series: &[f64],
    bands: &[Band],
    baseline: Option<f64>,
    width: usize,
) -> Vec<Span<'static>> {
    let t = &app.theme;
    let nearest = bands
        .iter()
        .map(|b| b.value)
        .filter(|v| v.is_finite())
        .min_by(f64::total_cmp);
    let marks: Vec<f64> = nearest.into_iter().chain(baseline).collect();
    let text = sparkline_reaching(series, width, &marks);
    let tail = &series[series.len().saturating_sub(width)..];
    let pad = width.saturating_sub(tail.len());
    let style_of = |v: Option<f64>| match v.and_then(|v| Band::of(bands, v)) {
        Some(band) => t.severity(band.severity.label()),
        None => t.style(Role::Info),
    };
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_style = style_of(None);
    for (i, c) in text.chars().enumerate() {
        let value = i.checked_sub(pad).and_then(|j| tail.get(j).copied());
        let style = style_of(value);
        if style != run_style && !run.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut run), run_style));
        }
        run_style = style;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, run_style));
    }
    spans
}

fn reading_of(app: &App, live: &LiveMetrics, name: &str) -> (String, Freshness) {
    let last = match live.signals.reading(name) {
        Some(Reading::Sample(s)) => Some(*s),
        _ => None,
    };
    let value = last
        .map(|s| metric_value(name, s.value))
        .unwrap_or_else(|| "—".into());
    if let Some(failure) = live.failures.get(name) {
        let why = match failure {
            Absence::Failed(e) => return (value, Freshness::Failed(e.clone())),
            other => Unavailable::Absent {
                absence: other.clone(),
            }
            .to_string(),
        };
        return (value, Freshness::NoData(why));
    }
    let Some(sample) = last else {
        return (value, Freshness::Waiting);
    };
    let age = secs_between(sample.at, app.now);
    match live.signals.value(name, app.now) {
        Ok(_) => (value, Freshness::Fresh(age)),
        Err(Unavailable::Stale { .. }) => (value, Freshness::Stale(age)),
        Err(other) => (value, Freshness::NoData(other.to_string())),
    }
}
