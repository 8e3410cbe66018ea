//! The decision matrix: a header with the severity that holds, its action, how long it
//! has held and the RTO countdown; then one row per rule (severity, when, for, state,
//! action). The firing row is drawn in its severity's colour, pending rows show their
//! hold progress, unknown rows say what is unknown. When rows do not fit, the firing,
//! pending and unknown ones are kept first. A decision table's rows that bind to no
//! query follow as guidance rows (`· SEV-3 … guidance`) in the room left.
//!
//! Without metrics, a runbook's decision table is shown as guidance rows in the same
//! style (severity, condition, target time, approval): the header says the severity
//! declared by hand (`S`), its RTO clock and the approval still owed, and the declared
//! row is drawn in its severity's colour.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::decision::{RuleState, RuleVerdict};
use crate::domain::duration_text::compact;
use crate::ui::format::{ellipsize, rto_left, secs_between};
use crate::ui::state::App;
use crate::ui::state::metrics::{LiveMetrics, MatrixSource};
use crate::ui::theme::Role;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(live) = &app.metrics else {
        guidance(app, frame, area);
        return;
    };
    let t = &app.theme;
    let title = match live.matrix_source {
        MatrixSource::FrontMatter => "Decision matrix".to_string(),
        MatrixSource::Table { line } => format!("Decision matrix · table line {line}"),
    };
    let Some(inner) = super::framed_pane(app, frame, area, title, false) else {
        return;
    };
    let width = inner.width as usize;
    let mut lines = vec![header(app, live, width)];
    let Some(verdict) = &live.verdict else {
        for rule in live.matrix.rules().iter().take(inner.height as usize - 1) {
            lines.push(Line::from(Span::styled(
                ellipsize(
                    &format!("  {:<6} {}", rule.severity.label(), rule.when),
                    width,
                ),
                t.style(Role::Muted),
            )));
        }
        let room = (inner.height as usize).saturating_sub(lines.len());
        lines.extend(guidance_lines(app, live, width, room));
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    };
    // Which rows fit: the most telling first, then shown in matrix order.
    let room = inner.height as usize - 1;
    let rank = |r: &RuleVerdict| match r.state {
        RuleState::Firing => 0,
        RuleState::Pending => 1,
        RuleState::Unknown => 2,
        RuleState::Inactive => 3,
    };
    let mut order: Vec<&RuleVerdict> = verdict.rules.iter().collect();
    order.sort_by_key(|r| (rank(r), r.rule));
    let mut shown: Vec<&RuleVerdict> = order.into_iter().take(room).collect();
    shown.sort_by_key(|r| r.rule);
    let deciding = verdict.deciding_rule().map(|r| r.rule);

    let cols = RuleColumns::fit(width);
    let (sev_w, for_w, state_w) = (cols.sev_w, cols.for_w, cols.state_w);
    let (rest, when_w, action_w) = (cols.rest, cols.when_w, cols.action_w);
    for r in shown {
        let (marker, state, state_role) = match r.state {
            RuleState::Firing => (
                "▶",
                format!("held {}", compact(r.held_for.as_secs())),
                Role::Error,
            ),
            RuleState::Pending => (
                "…",
                format!(
                    "{} / {}",
                    compact(r.held_for.as_secs()),
                    compact(r.hold.as_secs())
                ),
                Role::Pending,
            ),
            RuleState::Unknown => ("?", "unknown".to_string(), Role::Warning),
            RuleState::Inactive => (" ", "ok".to_string(), Role::Muted),
        };
        let last = match r.state {
            RuleState::Unknown => r
                .reasons
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            _ => r.action.clone(),
        };
        let hold = if r.hold.is_zero() {
            "—".to_string()
        } else {
            compact(r.hold.as_secs())
        };
        // Narrow: an unknown row still says what is unknown, at the condition's expense.
        let (when_w, action_w) = if action_w == 0 && r.state == RuleState::Unknown {
            (rest / 2, rest - rest / 2 - 1)
        } else {
            (when_w, action_w)
        };
        let mut text = format!(
            "{marker} {:<sev_w$} {:<when_w$} {:<for_w$} {:<state_w$}",
            ellipsize(r.severity.label(), sev_w),
            ellipsize(&r.when, when_w),
            hold,
            ellipsize(&state, state_w),
        );
        if action_w > 0 {
            text.push(' ');
            text.push_str(&ellipsize(&last, action_w));
        }
        let text = ellipsize(&text, width);
        let line = if r.state == RuleState::Firing {
            let mut style = t.severity(r.severity.label());
            if Some(r.rule) == deciding {
                style = style.add_modifier(Modifier::BOLD | Modifier::REVERSED);
            }
            Line::from(Span::styled(text, style))
        } else {
            let role = match r.state {
                RuleState::Inactive => Role::Muted,
                _ => state_role,
            };
            Line::from(Span::styled(text, t.style(role)))
        };
        lines.push(line);
    }
    // The table's rows that bind to no query, in the room the live rows leave.
    let room = (inner.height as usize).saturating_sub(lines.len());
    lines.extend(guidance_lines(app, live, width, room));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The widths of a rule row's columns after its marker: severity, `for`, state, the
/// condition and the action, in `width` columns.
struct RuleColumns {
    sev_w: usize,
    for_w: usize,
    state_w: usize,
    /// What the condition and the action share.
    rest: usize,
    when_w: usize,
    action_w: usize,
}

impl RuleColumns {
    fn fit(width: usize) -> Self {
        let (sev_w, for_w, state_w) = (6, 4, 11);
        let rest = width.saturating_sub(2 + sev_w + 1 + for_w + 1 + state_w + 1);
        // Narrow: the header already names the action, so the condition gets the room.
        let (when_w, action_w) = if width < 60 {
            (rest, 0)
        } else {
            let when_w = (rest / 2).max(8).min(rest);
            (when_w, rest.saturating_sub(when_w + 1))
        };
        Self {
            sev_w,
            for_w,
            state_w,
            rest,
            when_w,
            action_w,
        }
    }
}

/// The decision table's rows that bind to no metric, in the live rows' columns: `·`,
/// severity, the row's condition, `—`, `guidance`, its action and approval (muted: they
/// are read, not evaluated; `S` declares from them).
fn guidance_lines(app: &App, live: &LiveMetrics, width: usize, room: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let cols = RuleColumns::fit(width);
    let (sev_w, for_w, state_w) = (cols.sev_w, cols.for_w, cols.state_w);
    let (when_w, action_w) = (cols.when_w, cols.action_w);
    live.guidance_rows
        .iter()
        .filter_map(|i| app.severity.rows.get(*i))
        .take(room)
        .map(|row| {
            let label = crate::domain::decision::row_label(row);
            let mut last = row
                .action
                .clone()
                .filter(|a| *a != label)
                .unwrap_or_default();
            if let Some(a) = row
                .approval
                .as_deref()
                .and_then(crate::domain::decision::approval_needed)
            {
                if !last.is_empty() {
                    last.push_str(" · ");
                }
                last.push_str(&format!("approval: {}", a.required));
            }
            let mut text = format!(
                "· {:<sev_w$} {:<when_w$} {:<for_w$} {:<state_w$}",
                ellipsize(row.severity.trim(), sev_w),
                ellipsize(&label, when_w),
                "—",
                "guidance",
            );
            if action_w > 0 {
                text.push(' ');
                text.push_str(&ellipsize(&last, action_w));
            }
            Line::from(Span::styled(ellipsize(&text, width), t.style(Role::Muted)))
        })
        .collect()
}

/// `SEV-1 Roll back now · for 1m20s · RTO 3m40s left`, or what is (not) known: the
/// severity has held for 1m20s (each rule's own hold is in its row).
fn header(app: &App, live: &LiveMetrics, width: usize) -> Line<'static> {
    let t = &app.theme;
    let Some(v) = &live.verdict else {
        return Line::from(Span::styled(
            ellipsize("Waiting for the first metrics…", width),
            t.style(Role::Muted),
        ));
    };
    let mut spans = Vec::new();
    let mut text_len = 0;
    let mut push = |spans: &mut Vec<Span<'static>>, text: String, style| {
        let room = width.saturating_sub(text_len);
        let text = ellipsize(&text, room);
        text_len += text.chars().count();
        spans.push(Span::styled(text, style));
    };
    match &v.highest_severity {
        Some(sev) => {
            push(
                &mut spans,
                format!(" {} ", sev.label()),
                t.severity(sev.label())
                    .add_modifier(Modifier::BOLD | Modifier::REVERSED),
            );
            let mut tail = Vec::new();
            if let Some(since) = v.severity_since {
                tail.push(format!("for {}", compact(secs_between(since, app.now))));
            }
            if let Some(deadline) = v.rto_deadline {
                tail.push(rto_left(deadline, app.now).0);
            }
            // The countdown matters more than the action's full text.
            let tail = if tail.is_empty() {
                String::new()
            } else {
                format!(" · {}", tail.join(" · "))
            };
            let action = v.recommended_action.clone().unwrap_or_default();
            let room = width.saturating_sub(sev.label().chars().count() + 3 + tail.chars().count());
            push(
                &mut spans,
                format!(" {}", ellipsize(&action, room)),
                t.style(Role::Title),
            );
            let over = v.rto_deadline.is_some_and(|d| d < app.now);
            push(
                &mut spans,
                tail,
                if over {
                    t.style(Role::OverBudget)
                } else {
                    t.style(Role::Base)
                },
            );
        }
        None if live.matrix.is_empty() && live.guidance_rows.is_empty() => {
            // Metrics but no decision table: nothing can fire; say what to do instead.
            push(
                &mut spans,
                "No decision matrix in the runbook: S declares a severity".to_string(),
                t.style(Role::Muted),
            );
        }
        None => {
            let mut text = "No rule fires".to_string();
            if !v.pending.is_empty() {
                text.push_str(&format!(" · {} pending", v.pending.len()));
            }
            if !v.unknown.is_empty() {
                text.push_str(&format!(
                    " · {} unknown (data missing or stale)",
                    v.unknown.len()
                ));
            }
            let role = if v.unknown.is_empty() {
                Role::Done
            } else {
                Role::Warning
            };
            push(&mut spans, text, t.style(role));
        }
    }
    Line::from(spans)
}

/// The decision table without metrics: what the operator declared, then every row.
fn guidance(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let title = match app.runbook.decision_tables.first() {
        Some(table) => format!("Decision table · line {} · S declares", table.line),
        None => "Decision table".to_string(),
    };
    let Some(inner) = super::framed_pane(app, frame, area, title, false) else {
        return;
    };
    let width = inner.width as usize;
    let declared = app.severity.current.as_ref();
    let mut lines = vec![match declared {
        Some(d) => {
            let mut tail = vec![format!(
                "declared {} ago",
                compact(secs_between(d.at, app.now))
            )];
            if let Some(deadline) = d.rto_deadline {
                tail.push(rto_left(deadline, app.now).0);
            }
            if let Some(a) = app.severity.open_approval() {
                tail.push(if a.deferred {
                    format!("approval owed: {}", a.required)
                } else {
                    format!("approval needed: {} (A)", a.required)
                });
            } else if let Some(who) = d.approval.as_ref().and_then(|a| a.approver.as_deref()) {
                tail.push(format!("approved by {who}"));
            }
            let sev = format!(" {} ", d.severity);
            let rest = format!(" {} · {}", d.reason, tail.join(" · "));
            let room = width.saturating_sub(sev.chars().count());
            Line::from(vec![
                Span::styled(
                    ellipsize(&sev, width),
                    t.severity(&d.severity)
                        .add_modifier(Modifier::BOLD | Modifier::REVERSED),
                ),
                Span::styled(
                    ellipsize(&rest, room),
                    if app.severity.open_approval().is_some() {
                        t.style(Role::Warning)
                    } else {
                        t.style(Role::Title)
                    },
                ),
            ])
        }
        None => Line::from(Span::styled(
            ellipsize("No severity declared · S declares one from a row", width),
            t.style(Role::Muted),
        )),
    }];
    let sev_w = 8;
    let time_w = 14;
    let rest = width.saturating_sub(2 + sev_w + 1 + time_w + 1);
    for row in app
        .severity
        .rows
        .iter()
        .take((inner.height as usize).saturating_sub(1))
    {
        let label = crate::domain::decision::row_label(row);
        let is_declared = declared.is_some_and(|d| {
            d.row.as_deref() == Some(label.as_str()) && d.severity.trim() == row.severity.trim()
        });
        let mut what = label;
        if let Some(action) = row.action.as_deref().filter(|a| *a != what) {
            what.push_str(&format!(" → {action}"));
        }
        if let Some(a) = row
            .approval
            .as_deref()
            .and_then(crate::domain::decision::approval_needed)
        {
            what.push_str(&format!(" · approval: {}", a.required));
        }
        let text = format!(
            "{} {:<sev_w$} {:<rest$} {:<time_w$}",
            if is_declared { "▶" } else { " " },
            ellipsize(&row.severity, sev_w),
            ellipsize(&what, rest),
            ellipsize(row.timeline.as_deref().unwrap_or("—"), time_w),
        );
        let style = if is_declared {
            t.severity(&row.severity)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            t.style(Role::Muted)
        };
        lines.push(Line::from(Span::styled(ellipsize(&text, width), style)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
