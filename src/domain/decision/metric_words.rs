//! Naming metrics in a decision table's text: a metric name (`latency_p95`) split into
//! the words people write ("p95 latency"), and finding which metric a cell names.

/// A metric name split into the words people write.
pub(super) struct MetricWords<'a> {
    pub(super) name: &'a str,
    pub(super) words: Vec<String>,
}

impl<'a> MetricWords<'a> {
    pub(super) fn new(name: &'a str) -> Self {
        MetricWords {
            name,
            words: words(name).into_iter().map(|w| w.text).collect(),
        }
    }
}

pub(super) enum Found<'a> {
    One(&'a str),
    Many(Vec<&'a str>),
    None,
}

/// Words too generic to identify a metric on their own.
pub(super) const GENERIC: &[&str] = &[
    "rate", "total", "count", "sum", "avg", "second", "percent", "by",
];

/// The metric named among `text`: first the metrics whose words all occur (the one
/// with most words wins: `latency_p99` over `latency`); failing that, the metrics
/// sharing the most non-generic words with the text ("p95 > 2s" names `latency_p95`,
/// "Errors" names `error_rate`). A tie is ambiguous.
pub(super) fn find_metric<'a>(text: &[Word], metrics: &'a [MetricWords<'a>]) -> Found<'a> {
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
pub(super) fn best_by<'a>(
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
pub(super) struct Word {
    /// Lower-case, singular, with a few synonyms folded (`5xx` → `error`, `95th
    /// percentile` → `p95`).
    pub(super) text: String,
}

/// Splits text into normalised words (letters and digits; everything else separates,
/// including `_`).
pub(super) fn words(text: &str) -> Vec<Word> {
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
