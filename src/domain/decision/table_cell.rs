//! Reading one cell of a decision table: its thresholds (`> 5%`, `5–10%`, `2x baseline`,
//! `for 5 minutes`) as matrix-language clauses, or why it has none.

use std::time::Duration;

use super::condition::CmpOp;
use super::metric_words::{Found, MetricWords, find_metric, words};

pub(super) enum CellReading {
    /// Matrix-language source for the cell's clauses.
    Clauses {
        source: String,
        hold: Duration,
    },
    MetricWithoutThreshold(String),
    /// A count per unit of time under a metric (`> 100/min`): not a value the metric reads.
    RateFor(String),
    Ambiguous(Vec<String>),
    Nothing,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
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
pub(super) enum Unit {
    Percent,
    Seconds(f64),
    Times,
    /// A count per unit of time (`100/min`, `50 per second`): a rate, not a ratio, a
    /// duration or a multiple; no threshold of the matrix's metrics reads it.
    PerTime,
}

pub(super) fn unit_of(s: &str) -> Option<Unit> {
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

pub(super) fn tokenize(text: &str) -> Vec<Tok> {
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
                } else if w == "per" && matches!(out.last(), Some(Tok::Num(..))) {
                    // "50 per minute": a rate (the word after `per` goes with it).
                    if let Some(Tok::Num(v, _)) = out.pop() {
                        out.push(Tok::Num(v, Some(Unit::PerTime)));
                    }
                    while i < chars.len() && !chars[i].is_alphanumeric() {
                        i += 1;
                    }
                    while i < chars.len() && chars[i].is_alphanumeric() {
                        i += 1;
                    }
                } else if w == "to" && matches!(out.last(), Some(Tok::Num(..))) {
                    out.push(Tok::Dash);
                } else {
                    out.push(Tok::Word(w));
                }
            }
            // "100/min", "5/s": the number is a rate; the unit after the slash goes with it.
            '/' if matches!(out.last(), Some(Tok::Num(..))) => {
                if let Some(Tok::Num(v, _)) = out.pop() {
                    out.push(Tok::Num(v, Some(Unit::PerTime)));
                }
                i += 1;
                while i < chars.len() && chars[i].is_alphabetic() {
                    i += 1;
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
pub(super) const OP_WORDS: &[(&[&str], CmpOp)] = &[
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
pub(super) fn op_at(toks: &[Tok], i: usize) -> Option<(CmpOp, usize)> {
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
pub(super) fn scalar(v: f64, unit: Option<Unit>) -> Option<f64> {
    match unit {
        None => Some(v),
        Some(Unit::Percent) => Some(v / 100.0),
        Some(Unit::Seconds(f)) => Some(v * f),
        Some(Unit::Times | Unit::PerTime) => None,
    }
}

pub(super) fn fmt_num(v: f64) -> String {
    // Round away float noise from unit scaling (5 / 100 = 0.05, not 0.05000000000000001);
    // large values have none worth removing, and scaling them could overflow.
    if v.abs() < 1e6 {
        format!("{}", (v * 1e12).round() / 1e12)
    } else {
        format!("{v}")
    }
}

pub(super) fn is_baseline_word(t: Option<&Tok>) -> bool {
    matches!(t, Some(Tok::Word(w)) if ["baseline", "normal", "usual", "typical", "base"].contains(&w.as_str()))
}

/// A `for` duration starting at `toks[i]`: "for 5 minutes", "sustained for 10m",
/// "over 5 min", "lasting 2m". Returns the duration and tokens used.
pub(super) fn hold_at(toks: &[Tok], i: usize) -> Option<(Duration, usize)> {
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
pub(super) fn read_cell(
    cell: &str,
    header_metric: Option<&str>,
    metrics: &[MetricWords],
) -> CellReading {
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
    let mut rate_for: Option<String> = None;
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
        if let Some(Tok::Num(_, Some(Unit::PerTime))) = toks.get(value_at) {
            rate_for = Some(metric.clone());
        }
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
    if let Some(m) = rate_for {
        return CellReading::RateFor(m);
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
