//! Binding a runbook's Markdown decision table to live metrics.
//!
//! Runbooks carry their severity matrix as a table written for people:
//!
//! ```markdown
//! | Severity | Error rate | p95 latency  | Action                  |
//! |----------|------------|--------------|-------------------------|
//! | SEV-1    | > 10%      | > 2s         | Roll back immediately   |
//! | SEV-2    | 5–10%      | 2x baseline  | Roll back within 15 min |
//! | SEV-3    | Customer complaints only  || Monitor                 |
//! ```
//!
//! A row is *bound* when its cells name a metric (a key of `metrics.queries`, matched by
//! its words: `error_rate` ↔ "Error rate", `latency_p95` ↔ "p95 latency" or "95th
//! percentile latency") and give a threshold the binder can read; it then becomes a
//! [`Condition`] evaluated live. Anything else stays display-only, with the reason.
//!
//! Reading rules (see `docs/decision-matrix.md`):
//! - The metric is the one named in the cell before the threshold, else the one named
//!   by the column header.
//! - Thresholds: `> 5%`, `>= 2s`, `≥ 500ms`, `above 10%`, `more than 1.5 s`, `under
//!   99%`, `at least 3`, `5%+`, ranges `5–10%` / `between 5% and 10%` (inclusive), and
//!   `2x baseline` / `3× normal` (= `metric > 2 * baseline(metric)`).
//! - Units: `%` is a ratio (`5%` = 0.05); `ms`, `s`, `min`, `h` are seconds, as
//!   Prometheus reports latency.
//! - Several clauses in one cell join with the connective written between them (`and`,
//!   else `or`); thresholds in different cells of a row join with `or`: any one symptom
//!   is enough for the row's severity.
//! - `for 5 minutes`, `sustained for 10m`, `over 5 min` after a threshold is the row's
//!   `for` duration.

use std::time::Duration;

use serde::Serialize;

use super::condition::{CmpOp, Condition};
use super::matrix::Rule;
use super::parser::parse_condition;
use super::severity::Severity;
use crate::domain::runbook::DecisionTable;

/// A decision table with each row bound to metrics where possible.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundTable {
    /// 1-based line of the table in the runbook.
    pub line: usize,
    pub headers: Vec<String>,
    pub severity_column: usize,
    /// The column holding the action, when a header says so ("Action", "Response", …).
    pub action_column: Option<usize>,
    pub rows: Vec<BoundRow>,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundRow {
    /// 0-based index among the table's body rows.
    pub index: usize,
    /// The cells as written.
    pub cells: Vec<String>,
    pub severity: Option<Severity>,
    pub binding: RowBinding,
}

/// Whether a row can be evaluated live.
#[derive(Debug, Clone, PartialEq)]
pub enum RowBinding {
    /// The row reads as a condition over named metrics.
    Live {
        /// The condition in the matrix language, e.g. `error_rate > 0.1 or latency_p95 > 2`.
        when: String,
        condition: Condition,
        /// The row's `for` duration (zero when none is written).
        hold: Duration,
        /// Cells that name a metric but whose threshold could not be read; they are
        /// left out of the condition (so the row may fire less often, never more).
        ignored: Vec<String>,
    },
    /// Shown as written, not evaluated.
    DisplayOnly { reason: String },
}

/// Words in a header that mark the action column.
const ACTION_HEADERS: &[&str] = &["action", "actions", "response", "decision", "do", "next"];

impl BoundTable {
    /// Binds every row of `table` to the metrics named `metrics`.
    pub fn bind<'a>(
        table: &DecisionTable,
        metrics: impl IntoIterator<Item = &'a str>,
    ) -> BoundTable {
        let metrics: Vec<MetricWords> = metrics.into_iter().map(MetricWords::new).collect();
        let action_column = table.headers.iter().position(|h| {
            words(h)
                .iter()
                .any(|w| ACTION_HEADERS.contains(&w.text.as_str()))
        });
        let header_metric: Vec<Option<&str>> = table
            .headers
            .iter()
            .map(|h| match find_metric(&words(h), &metrics) {
                Found::One(m) => Some(m),
                _ => None,
            })
            .collect();
        let rows = table
            .rows
            .iter()
            .enumerate()
            .map(|(index, cells)| {
                let severity = cells
                    .get(table.severity_column)
                    .and_then(|c| Severity::find_in(c));
                let binding = if metrics.is_empty() {
                    RowBinding::DisplayOnly {
                        reason: "the runbook defines no metrics.queries".into(),
                    }
                } else {
                    bind_row(
                        cells,
                        table.severity_column,
                        action_column,
                        &header_metric,
                        &metrics,
                    )
                };
                BoundRow {
                    index,
                    cells: cells.clone(),
                    severity,
                    binding,
                }
            })
            .collect();
        BoundTable {
            line: table.line,
            headers: table.headers.clone(),
            severity_column: table.severity_column,
            action_column,
            rows,
        }
    }

    /// The live rows that name a severity, as matrix rules (action from the action
    /// column), in table order, paired with their row index.
    pub fn rules(&self) -> Vec<(usize, Rule)> {
        self.rows
            .iter()
            .filter_map(|row| {
                let RowBinding::Live {
                    when,
                    condition,
                    hold,
                    ..
                } = &row.binding
                else {
                    return None;
                };
                let severity = row.severity.clone()?;
                let action = self
                    .action_column
                    .and_then(|c| row.cells.get(c))
                    .map(|a| a.trim().to_string())
                    .unwrap_or_default();
                Some((
                    row.index,
                    Rule {
                        when: when.clone(),
                        condition: condition.clone(),
                        hold: *hold,
                        severity,
                        action,
                        approval: None,
                    },
                ))
            })
            .collect()
    }
}

fn bind_row(
    cells: &[String],
    severity_column: usize,
    action_column: Option<usize>,
    header_metric: &[Option<&str>],
    metrics: &[MetricWords],
) -> RowBinding {
    let mut parts: Vec<String> = Vec::new();
    let mut ignored = Vec::new();
    let mut hold = Duration::ZERO;
    let mut mentioned = false;
    for (col, cell) in cells.iter().enumerate() {
        if col == severity_column || Some(col) == action_column || is_blank(cell) {
            continue;
        }
        let fallback = header_metric.get(col).copied().flatten();
        match read_cell(cell, fallback, metrics) {
            CellReading::Clauses { source, hold: h } => {
                parts.push(source);
                hold = hold.max(h);
            }
            CellReading::MetricWithoutThreshold(metric) => {
                mentioned = true;
                ignored.push(format!(
                    "`{}`: names {metric} but gives no threshold",
                    cell.trim()
                ));
            }
            CellReading::Ambiguous(names) => {
                mentioned = true;
                ignored.push(format!(
                    "`{}`: could mean {}",
                    cell.trim(),
                    names.join(" or ")
                ));
            }
            CellReading::Nothing => {}
        }
    }
    if parts.is_empty() {
        let names: Vec<&str> = metrics.iter().map(|m| m.name).collect();
        let reason = if mentioned {
            ignored.join("; ")
        } else {
            format!("no cell names a metric ({})", names.join(", "))
        };
        return RowBinding::DisplayOnly { reason };
    }
    let when = if parts.len() == 1 {
        parts.remove(0)
    } else {
        parts
            .iter()
            .map(|p| format!("({p})"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match parse_condition(&when) {
        Ok(condition) => RowBinding::Live {
            when,
            condition,
            hold,
            ignored,
        },
        Err(e) => RowBinding::DisplayOnly {
            reason: format!("`{when}` is not a valid condition: {e}"),
        },
    }
}

fn is_blank(cell: &str) -> bool {
    matches!(
        cell.trim().trim_matches('*').to_lowercase().as_str(),
        "" | "-" | "—" | "–" | "n/a" | "na" | "none" | "any"
    )
}

enum CellReading {
    /// Matrix-language source for the cell's clauses.
    Clauses {
        source: String,
        hold: Duration,
    },
    MetricWithoutThreshold(String),
    Ambiguous(Vec<String>),
    Nothing,
}

/// A metric name split into the words people write.
struct MetricWords<'a> {
    name: &'a str,
    words: Vec<String>,
}

impl<'a> MetricWords<'a> {
    fn new(name: &'a str) -> Self {
        MetricWords {
            name,
            words: words(name).into_iter().map(|w| w.text).collect(),
        }
    }
}

enum Found<'a> {
    One(&'a str),
    Many(Vec<&'a str>),
    None,
}

/// Words too generic to identify a metric on their own.
const GENERIC: &[&str] = &[
    "rate", "total", "count", "sum", "avg", "second", "percent", "by",
];

/// The metric named among `text`: first the metrics whose words all occur (the one
/// with most words wins: `latency_p99` over `latency`); failing that, the metrics
/// sharing the most non-generic words with the text ("p95 > 2s" names `latency_p95`,
/// "Errors" names `error_rate`). A tie is ambiguous.
fn find_metric<'a>(text: &[Word], metrics: &'a [MetricWords<'a>]) -> Found<'a> {
    let has = |w: &String| text.iter().any(|t| &t.text == w);
    let full = best_by(metrics, |m| {
        (!m.words.is_empty() && m.words.iter().all(has)).then_some(m.words.len())
    });
    if !matches!(full, Found::None) {
        return full;
    }
    best_by(metrics, |m| {
        let n = m
            .words
            .iter()
            .filter(|w| !GENERIC.contains(&w.as_str()) && has(w))
            .count();
        (n > 0).then_some(n)
    })
}

/// The metrics with the highest score.
fn best_by<'a>(
    metrics: &'a [MetricWords<'a>],
    score: impl Fn(&MetricWords) -> Option<usize>,
) -> Found<'a> {
    let mut best: Vec<&str> = Vec::new();
    let mut top = 0;
    for m in metrics {
        let Some(s) = score(m) else { continue };
        if s > top {
            top = s;
            best = vec![m.name];
        } else if s == top {
            best.push(m.name);
        }
    }
    match best.as_slice() {
        [] => Found::None,
        [one] => Found::One(one),
        _ => Found::Many(best),
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Word {
    /// Lower-case, singular, with a few synonyms folded (`5xx` → `error`, `95th
    /// percentile` → `p95`).
    text: String,
}

/// Splits text into normalised words (letters and digits; everything else separates,
/// including `_`).
fn words(text: &str) -> Vec<Word> {
    let raw: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let w = raw[i].as_str();
        // "95th percentile" → "p95"; "median" → "p50"
        if let Some(n) = w
            .strip_suffix("th")
            .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
            && raw.get(i + 1).is_some_and(|p| p.starts_with("percentile"))
        {
            out.push(Word {
                text: format!("p{n}"),
            });
            i += 2;
            continue;
        }
        let text = match w {
            "median" => "p50".to_string(),
            "5xx" | "errors" | "err" | "failures" | "failure" | "failed" => "error".to_string(),
            "latencies" => "latency".to_string(),
            "ratio" | "percentage" => "rate".to_string(),
            _ if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") => {
                w[..w.len() - 1].to_string()
            }
            _ => w.to_string(),
        };
        out.push(Word { text });
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------
// Reading thresholds out of a cell.

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    /// A number with its unit, if any (`%`, `ms`, `s`, `min`, `h`, `x`).
    Num(f64, Option<Unit>),
    Op(CmpOp),
    /// `-`, `–`, `—` between numbers (a range), or the word `to`.
    Dash,
    /// `+` right after a number: "5%+".
    Plus,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Percent,
    Seconds(f64),
    Times,
}

fn unit_of(s: &str) -> Option<Unit> {
    Some(match s {
        "%" => Unit::Percent,
        "ms" | "msec" | "millisecond" | "milliseconds" => Unit::Seconds(0.001),
        "s" | "sec" | "secs" | "second" | "seconds" => Unit::Seconds(1.0),
        "m" | "min" | "mins" | "minute" | "minutes" => Unit::Seconds(60.0),
        "h" | "hr" | "hrs" | "hour" | "hours" => Unit::Seconds(3600.0),
        "x" | "×" | "times" => Unit::Times,
        _ => return None,
    })
}

fn tokenize(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '>' | '<' | '≥' | '≤' => {
                let (op, len) = match (c, next) {
                    ('>', Some('=')) => (CmpOp::Ge, 2),
                    ('<', Some('=')) => (CmpOp::Le, 2),
                    ('>', _) => (CmpOp::Gt, 1),
                    ('<', _) => (CmpOp::Lt, 1),
                    ('≥', _) => (CmpOp::Ge, 1),
                    _ => (CmpOp::Le, 1),
                };
                out.push(Tok::Op(op));
                i += len;
            }
            '-' | '–' | '—' => {
                out.push(Tok::Dash);
                i += 1;
            }
            '+' if matches!(out.last(), Some(Tok::Num(..))) => {
                out.push(Tok::Plus);
                i += 1;
            }
            c if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let number: String = chars[start..i].iter().collect();
                let suffix_start = i;
                while i < chars.len() && (chars[i].is_alphabetic() || chars[i] == '%') {
                    i += 1;
                }
                let suffix: String = chars[suffix_start..i].iter().collect::<String>();
                let value = number
                    .trim_end_matches('.')
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite());
                match (value, suffix.as_str()) {
                    (Some(v), "") => out.push(Tok::Num(v, None)),
                    (Some(v), s) => match unit_of(&s.to_lowercase()) {
                        Some(u) => out.push(Tok::Num(v, Some(u))),
                        // "5xx", "95th": a word, not a number.
                        None => out.push(Tok::Word(format!("{number}{s}").to_lowercase())),
                    },
                    (None, _) => {}
                }
            }
            c if c.is_alphabetic() => {
                let start = i;
                while i < chars.len() && chars[i].is_alphanumeric() {
                    i += 1;
                }
                let w: String = chars[start..i].iter().collect::<String>().to_lowercase();
                // A unit written apart from its number: "2 s", "5 minutes", "2 x baseline".
                if let (Some(Tok::Num(v, None)), Some(u)) = (out.last().cloned(), unit_of(&w)) {
                    out.pop();
                    out.push(Tok::Num(v, Some(u)));
                } else if w == "to" && matches!(out.last(), Some(Tok::Num(..))) {
                    out.push(Tok::Dash);
                } else {
                    out.push(Tok::Word(w));
                }
            }
            '%' => {
                if let Some(Tok::Num(v, None)) = out.last().cloned() {
                    out.pop();
                    out.push(Tok::Num(v, Some(Unit::Percent)));
                }
                i += 1;
            }
            '×' => {
                if let Some(Tok::Num(v, None)) = out.last().cloned() {
                    out.pop();
                    out.push(Tok::Num(v, Some(Unit::Times)));
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// Comparison words and the operator they mean; multi-word phrases first.
const OP_WORDS: &[(&[&str], CmpOp)] = &[
    (&["more", "than"], CmpOp::Gt),
    (&["greater", "than"], CmpOp::Gt),
    (&["higher", "than"], CmpOp::Gt),
    (&["at", "least"], CmpOp::Ge),
    (&["less", "than"], CmpOp::Lt),
    (&["lower", "than"], CmpOp::Lt),
    (&["fewer", "than"], CmpOp::Lt),
    (&["at", "most"], CmpOp::Le),
    (&["above"], CmpOp::Gt),
    (&["over"], CmpOp::Gt),
    (&["exceeds"], CmpOp::Gt),
    (&["exceeding"], CmpOp::Gt),
    (&["exceed"], CmpOp::Gt),
    (&["below"], CmpOp::Lt),
    (&["under"], CmpOp::Lt),
];

/// An operator starting at `toks[i]`: the operator and how many tokens it used.
fn op_at(toks: &[Tok], i: usize) -> Option<(CmpOp, usize)> {
    match toks.get(i)? {
        Tok::Op(op) => Some((*op, 1)),
        Tok::Word(_) => OP_WORDS.iter().find_map(|(phrase, op)| {
            phrase
                .iter()
                .enumerate()
                .all(|(k, w)| matches!(toks.get(i + k), Some(Tok::Word(t)) if t == w))
                .then_some((*op, phrase.len()))
        }),
        _ => None,
    }
}

/// The value of a number token in base units, unless it is a multiplier.
fn scalar(v: f64, unit: Option<Unit>) -> Option<f64> {
    match unit {
        None => Some(v),
        Some(Unit::Percent) => Some(v / 100.0),
        Some(Unit::Seconds(f)) => Some(v * f),
        Some(Unit::Times) => None,
    }
}

fn fmt_num(v: f64) -> String {
    // Round away float noise from unit scaling (5 / 100 = 0.05, not 0.05000000000000001);
    // large values have none worth removing, and scaling them could overflow.
    if v.abs() < 1e6 {
        format!("{}", (v * 1e12).round() / 1e12)
    } else {
        format!("{v}")
    }
}

fn is_baseline_word(t: Option<&Tok>) -> bool {
    matches!(t, Some(Tok::Word(w)) if ["baseline", "normal", "usual", "typical", "base"].contains(&w.as_str()))
}

/// A `for` duration starting at `toks[i]`: "for 5 minutes", "sustained for 10m",
/// "over 5 min", "lasting 2m". Returns the duration and tokens used.
fn hold_at(toks: &[Tok], i: usize) -> Option<(Duration, usize)> {
    let mut j = i;
    while let Some(Tok::Word(w)) = toks.get(j) {
        if [
            "for",
            "over",
            "sustained",
            "lasting",
            "during",
            "longer",
            "more",
            "than",
        ]
        .contains(&w.as_str())
        {
            j += 1;
        } else {
            break;
        }
    }
    if j == i {
        return None;
    }
    if let Some(Tok::Op(CmpOp::Gt | CmpOp::Ge)) = toks.get(j) {
        j += 1;
    }
    match toks.get(j) {
        Some(Tok::Num(v, Some(Unit::Seconds(f)))) if *f >= 1.0 && v.is_finite() && *v >= 0.0 => {
            Some((Duration::from_secs_f64((v * f).min(1e9)), j + 1 - i))
        }
        _ => None,
    }
}

/// Reads one cell.
fn read_cell(cell: &str, header_metric: Option<&str>, metrics: &[MetricWords]) -> CellReading {
    let toks = tokenize(cell);
    // (connective before it, clause); ranges hold an `and` of their own.
    let mut clauses: Vec<(&str, String)> = Vec::new();
    let mut hold = Duration::ZERO;
    // Words seen since the previous clause: where this clause's metric is named.
    let mut segment: Vec<String> = Vec::new();
    let mut connective = "or";
    let mut last_metric: Option<String> = None;
    let mut mentioned: Option<String> = None;
    let mut ambiguous: Option<Vec<String>> = None;
    let mut i = 0;
    while i < toks.len() {
        if !clauses.is_empty()
            && matches!(
                find_metric(&words(&segment.join(" ")), metrics),
                Found::None
            )
            && let Some((d, used)) = hold_at(&toks, i)
        {
            hold = hold.max(d);
            i += used;
            continue;
        }
        // Where is a threshold starting here, and what operator does it imply?
        let (op, value_at) = match op_at(&toks, i) {
            Some((op, used)) => (Some(op), i + used),
            None => match toks.get(i) {
                Some(Tok::Num(..)) => (None, i),
                Some(Tok::Word(w)) => {
                    if w == "and" {
                        connective = "and";
                    } else if w == "or" {
                        connective = "or";
                    }
                    if w == "between" {
                        (Some(CmpOp::Ge), i + 1)
                    } else {
                        segment.push(w.clone());
                        i += 1;
                        continue;
                    }
                }
                _ => {
                    i += 1;
                    continue;
                }
            },
        };
        let metric = match find_metric(&words(&segment.join(" ")), metrics) {
            Found::One(m) => Some(m.to_string()),
            Found::Many(names) => {
                ambiguous = Some(names.into_iter().map(str::to_string).collect());
                None
            }
            Found::None => last_metric
                .clone()
                .or_else(|| header_metric.map(str::to_string)),
        };
        let Some(metric) = metric else {
            i = value_at.max(i + 1);
            segment.clear();
            continue;
        };
        mentioned = Some(metric.clone());
        let Some(Tok::Num(v, unit)) = toks.get(value_at).cloned() else {
            i = value_at.max(i + 1);
            continue;
        };
        let mut used = value_at + 1;
        let clause = if unit == Some(Unit::Times) {
            // "2x baseline", "> 3× normal": above a multiple of the baseline.
            if is_baseline_word(toks.get(used)) {
                used += 1;
            }
            let op = op.unwrap_or(CmpOp::Gt);
            Some(format!(
                "{metric} {} {} * baseline({metric})",
                op.symbol(),
                fmt_num(v)
            ))
        } else if let Some(lo) = scalar(v, unit) {
            // A range "5–10%", "between 5% and 10%", "5 to 10%"; the unit of the upper
            // end applies to the lower when the lower has none.
            let range_end = match (toks.get(used), toks.get(used + 1)) {
                (Some(Tok::Dash), Some(Tok::Num(hi, hu))) => Some((*hi, *hu)),
                (Some(Tok::Word(w)), Some(Tok::Num(hi, hu)))
                    if w == "and"
                        && op == Some(CmpOp::Ge)
                        && toks.get(i) == Some(&Tok::Word("between".into())) =>
                {
                    Some((*hi, *hu))
                }
                _ => None,
            };
            if let Some((hi, hu)) = range_end {
                used += 2;
                let lo = if unit.is_none() {
                    scalar(v, hu)
                } else {
                    Some(lo)
                };
                match (lo, scalar(hi, hu)) {
                    (Some(lo), Some(hi)) => Some(format!(
                        "{metric} >= {} and {metric} <= {}",
                        fmt_num(lo),
                        fmt_num(hi)
                    )),
                    _ => None,
                }
            } else if toks.get(used) == Some(&Tok::Plus) {
                used += 1;
                Some(format!("{metric} >= {}", fmt_num(lo)))
            } else {
                op.map(|op| format!("{metric} {} {}", op.symbol(), fmt_num(lo)))
            }
        } else {
            None
        };
        match clause {
            Some(c) => {
                clauses.push((connective, c));
                connective = "or";
                last_metric = Some(metric);
                segment.clear();
                i = used;
            }
            None => i = used,
        }
    }
    if !clauses.is_empty() {
        let several = clauses.len() > 1;
        let mut source = String::new();
        for (k, (connective, clause)) in clauses.iter().enumerate() {
            if k > 0 {
                source += &format!(" {connective} ");
            }
            if several && clause.contains(" and ") {
                source += &format!("({clause})");
            } else {
                source += clause;
            }
        }
        return CellReading::Clauses { source, hold };
    }
    if let Some(names) = ambiguous {
        return CellReading::Ambiguous(names);
    }
    if let Some(m) = mentioned {
        return CellReading::MetricWithoutThreshold(m);
    }
    match find_metric(&words(cell), metrics) {
        Found::One(m) => CellReading::MetricWithoutThreshold(m.to_string()),
        Found::Many(names) => {
            CellReading::Ambiguous(names.into_iter().map(str::to_string).collect())
        }
        // Under a metric's column, a cell with no threshold still concerns that metric.
        Found::None => match header_metric {
            Some(m) => CellReading::MetricWithoutThreshold(m.to_string()),
            None => CellReading::Nothing,
        },
    }
}

/// A row's binding as plain data, for `status --format json` and the pane.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowSummary {
    pub index: usize,
    pub severity: Option<Severity>,
    pub when: Option<String>,
    pub display_only_reason: Option<String>,
}

impl BoundRow {
    /// The row as plain data.
    pub fn summary(&self) -> RowSummary {
        let (when, reason) = match &self.binding {
            RowBinding::Live { when, .. } => (Some(when.clone()), None),
            RowBinding::DisplayOnly { reason } => (None, Some(reason.clone())),
        };
        RowSummary {
            index: self.index,
            severity: self.severity.clone(),
            when,
            display_only_reason: reason,
        }
    }
}

#[cfg(test)]
#[path = "table_binding_tests.rs"]
mod tests;
