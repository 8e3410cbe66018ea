//! Live metrics and the decision matrix, as the console holds them: what the metrics
//! task last reported, the signals the matrix reads, the matrix's `for` clocks and its
//! latest verdict. Changed only by `update`; drawn by the metrics and matrix panes.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::domain::decision::{
    Absence, Baseline, BaselineSource, BoundTable, CmpOp, Matrix, MatrixState, Reading, Severity,
    Signals, Threshold, Unavailable, Verdict,
};
use crate::domain::runbook::Runbook;
use crate::domain::session_state::SessionState;

/// How many points of each series the console keeps for its sparkline.
pub const SERIES_POINTS: usize = 120;

/// One named query's result in a metrics refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricReading {
    /// The current value (with the time it describes), or why there is none.
    pub reading: Reading,
    /// The recent values, oldest first, for the sparkline (empty when the range query
    /// failed; the reading says what is wrong).
    pub series: Vec<f64>,
}

/// One refresh of every named query, from the metrics task.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsUpdate {
    /// Increases with every refresh; an update older than the last one applied is dropped.
    pub generation: u64,
    /// When the refresh was asked for (the evaluation time of its queries).
    pub at: DateTime<Utc>,
    pub readings: BTreeMap<String, MetricReading>,
    /// Baselines read with `offset` in this refresh (only when they were asked for: at
    /// the first refresh and after a re-capture), by name, or why one could not be read.
    pub baselines: Option<BTreeMap<String, Result<f64, Absence>>>,
}

/// A region of a metric's range that a matrix rule calls a severity: `op value` holds
/// there (e.g. `> 0.10` is SEV-1).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub op: CmpOp,
    pub value: f64,
    pub severity: Severity,
}

impl Band {
    /// The most severe band `value` falls into, if any.
    pub fn of(bands: &[Band], value: f64) -> Option<&Band> {
        if !value.is_finite() {
            return None;
        }
        bands
            .iter()
            .filter(|b| b.op.holds(value, b.value))
            .max_by(|a, b| a.severity.cmp(&b.severity))
    }
}

/// Where the matrix's rules come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatrixSource {
    /// `matrix:` in the front matter.
    FrontMatter,
    /// The Markdown decision table at this line, bound to the named queries.
    Table { line: usize },
}

/// Everything the metrics and matrix panes show.
#[derive(Debug, Clone)]
pub struct LiveMetrics {
    /// Query names in the order shown (the keys of `metrics.queries`).
    pub names: Vec<String>,
    /// Where the values come from, e.g. the Prometheus URL, for the pane title.
    pub source_label: String,
    pub matrix: Matrix,
    pub matrix_source: MatrixSource,
    /// 0-based indices of the decision table's rows that bind to no query (none for a
    /// front matter matrix): shown as guidance rows below the live ones.
    pub guidance_rows: Vec<usize>,
    pub signals: Signals,
    pub state: MatrixState,
    pub verdict: Option<Verdict>,
    /// The constant thresholds of every rule, by metric (for the metrics pane).
    pub thresholds: BTreeMap<String, Vec<Threshold>>,
    /// The same thresholds with the severity of the rule each comes from: the bands the
    /// metrics pane colours its sparklines by.
    pub bands: BTreeMap<String, Vec<Band>>,
    pub series: BTreeMap<String, Vec<f64>>,
    /// The latest refresh's failure of a query, kept while its older sample ages.
    pub failures: BTreeMap<String, Absence>,
    /// The generation of the last update applied.
    pub generation: Option<u64>,
    pub last_update: Option<DateTime<Utc>>,
    /// Baselines have been captured (or restored from the journal) this session.
    pub baseline_captured: bool,
    /// `metrics.baseline_offset`: baselines are read from Prometheus this far back
    /// instead of being taken from the current values.
    pub baseline_offset: Option<Duration>,
}

impl LiveMetrics {
    /// The live state for a runbook with `metrics.queries`, or `None` without them.
    ///
    /// The matrix is the front matter's; without one, the first Markdown decision table
    /// bound to the queries. Baselines captured earlier in the session (a resume) and the
    /// severity last recorded are restored from the session state.
    pub fn for_runbook(
        runbook: &Runbook,
        session: &SessionState,
        source_label: impl Into<String>,
    ) -> Option<LiveMetrics> {
        let front = runbook.front.as_ref()?;
        let queries = &front.metrics.as_ref()?.queries;
        if queries.is_empty() {
            return None;
        }
        let names: Vec<String> = queries.keys().cloned().collect();
        // The loader has already rejected a matrix that does not build; be total anyway.
        let from_front = Matrix::from_front_matter(front).unwrap_or_default();
        let (matrix, matrix_source, guidance_rows) = match runbook.decision_tables.first() {
            Some(table) if from_front.is_empty() => {
                let bound = BoundTable::bind(table, names.iter().map(String::as_str));
                let live_rows = bound.rules();
                let guidance_rows = (0..table.rows.len())
                    .filter(|i| !live_rows.iter().any(|(index, _)| index == i))
                    .collect();
                let rules = live_rows.into_iter().map(|(_, r)| r).collect();
                let rto = from_front
                    .rto_targets()
                    .map(|(s, d)| (s.clone(), d))
                    .collect();
                (
                    Matrix::new(rules, rto),
                    MatrixSource::Table { line: table.line },
                    guidance_rows,
                )
            }
            _ => (from_front, MatrixSource::FrontMatter, Vec::new()),
        };
        let mut thresholds: BTreeMap<String, Vec<Threshold>> = BTreeMap::new();
        let mut bands: BTreeMap<String, Vec<Band>> = BTreeMap::new();
        for rule in matrix.rules() {
            for th in rule.condition.thresholds() {
                let band = Band {
                    op: th.op,
                    value: th.value,
                    severity: rule.severity.clone(),
                };
                let list = bands.entry(th.metric.clone()).or_default();
                if !list.contains(&band) {
                    list.push(band);
                }
                let list = thresholds.entry(th.metric.clone()).or_default();
                if !list.contains(&th) {
                    list.push(th);
                }
            }
        }
        let mut signals = Signals::default();
        let mut baseline_captured = false;
        let restored = session
            .baselines
            .as_ref()
            .map(|b| (b.at, &b.values, &b.offset_secs));
        if let Some((at, values, offset_secs)) = restored {
            let source = match offset_secs {
                Some(s) => BaselineSource::PromOffset {
                    offset: Duration::from_secs(*s),
                },
                None => BaselineSource::SessionStart,
            };
            for (name, value) in values {
                signals.set_baseline(
                    name.clone(),
                    Baseline {
                        value: *value,
                        captured_at: at,
                        source,
                    },
                );
            }
            baseline_captured = true;
        }
        let baseline_offset = front
            .metrics
            .as_ref()
            .and_then(|m| m.baseline_offset)
            .map(|d| d.0);
        // A resumed session carries on from the severity its journal last recorded,
        // instead of waiting out every `for` again and journaling the same change twice.
        let state = session
            .progress
            .severity_changes
            .last()
            .map(|c| (c.at, &c.to, &c.rule))
            .and_then(|(at, to, rule)| {
                let severity = Severity::parse(to.as_deref()?).ok()?;
                Some(MatrixState::resumed(&matrix, severity, at, rule.as_deref()))
            })
            .unwrap_or_default();
        Some(LiveMetrics {
            names,
            source_label: source_label.into(),
            matrix,
            matrix_source,
            guidance_rows,
            signals,
            state,
            verdict: None,
            baseline_offset,
            thresholds,
            bands,
            series: BTreeMap::new(),
            failures: BTreeMap::new(),
            generation: None,
            last_update: None,
            baseline_captured,
        })
    }

    /// Takes in a refresh: readings into the signals (a failed query does not erase a
    /// sample that is still fresh: it goes stale on its own, and the failure is shown),
    /// series for the sparklines. Returns false when the update is older than one
    /// already applied.
    pub fn absorb(&mut self, update: MetricsUpdate) -> bool {
        if self.generation.is_some_and(|g| update.generation <= g) {
            return false;
        }
        self.generation = Some(update.generation);
        self.last_update = Some(update.at);
        for (name, m) in update.readings {
            match m.reading {
                Reading::Sample(s) => {
                    self.failures.remove(&name);
                    self.signals.set_sample(name.clone(), s.value, s.at);
                }
                Reading::Absent(absence) => {
                    let keep = matches!(
                        self.signals.reading(&name),
                        Some(Reading::Sample(s)) if !self.signals.is_stale(s.at, update.at)
                    );
                    if !keep {
                        self.signals.set_absent(name.clone(), absence.clone());
                    }
                    self.failures.insert(name.clone(), absence);
                }
            }
            let mut series = m.series;
            if series.len() > SERIES_POINTS {
                series.drain(..series.len() - SERIES_POINTS);
            }
            self.series.insert(name, series);
        }
        true
    }

    /// Whether every named query has a usable value at `now`.
    pub fn complete(&self, now: DateTime<Utc>) -> bool {
        self.names
            .iter()
            .all(|n| self.signals.value(n, now).is_ok() && !self.failures.contains_key(n))
    }

    /// Captures baselines from the current values; returns the values captured (for the
    /// journal) and the names that could not be, with the reason.
    pub fn capture_baselines(
        &mut self,
        now: DateTime<Utc>,
    ) -> (BTreeMap<String, f64>, Vec<String>) {
        let skipped = self.signals.capture_baselines(now);
        let values = self
            .signals
            .baselines()
            .iter()
            .filter(|(_, b)| b.captured_at == now)
            .map(|(k, b)| (k.clone(), b.value))
            .collect();
        self.baseline_captured = true;
        let skipped = skipped
            .into_iter()
            .map(|(name, why)| format!("{name}: {why}"))
            .collect();
        (values, skipped)
    }

    /// Takes in baselines read with `offset`; returns the values set (for the journal)
    /// and the names that could not be read, with the reason. A name without a value
    /// keeps the baseline it had.
    pub fn absorb_offset_baselines(
        &mut self,
        read: BTreeMap<String, Result<f64, Absence>>,
        now: DateTime<Utc>,
        offset: Duration,
    ) -> (BTreeMap<String, f64>, Vec<String>) {
        let mut values = BTreeMap::new();
        let mut skipped = Vec::new();
        for (name, result) in read {
            match result {
                Ok(value) if value.is_finite() => {
                    self.signals.set_baseline(
                        name.clone(),
                        Baseline {
                            value,
                            captured_at: now,
                            source: BaselineSource::PromOffset { offset },
                        },
                    );
                    values.insert(name, value);
                }
                Ok(value) => skipped.push(format!("{name}: the value {offset:?} back is {value}")),
                Err(why) => {
                    skipped.push(format!("{name}: {}", Unavailable::Absent { absence: why }))
                }
            }
        }
        if !values.is_empty() {
            self.baseline_captured = true;
        }
        (values, skipped)
    }

    /// Evaluates the matrix at `now`, keeping the verdict.
    ///
    /// Evaluation time never goes backwards: a refresh asked for before the last tick
    /// but answered after it is evaluated at the tick's time, or a rule that has just
    /// fired would fall back to pending and the severity would flap.
    pub fn step(&mut self, now: DateTime<Utc>) -> &Verdict {
        let now = self.verdict.as_ref().map_or(now, |v| v.at.max(now));
        let verdict = self.state.step(&self.matrix, &self.signals, now);
        self.verdict.insert(verdict)
    }

    /// The severity that fires now, if any.
    pub fn severity(&self) -> Option<&str> {
        self.verdict
            .as_ref()
            .and_then(|v| v.highest_severity.as_ref())
            .map(|s| s.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::runbook::DecisionTable;
    use crate::ui::testkit::{metrics_runbook, runbook};

    #[test]
    fn bands_carry_the_severity_of_their_rule_and_the_most_severe_wins() {
        let live = LiveMetrics::for_runbook(
            &metrics_runbook(),
            &crate::domain::session_state::SessionState::default(),
            "x",
        )
        .expect("live");
        let bands = &live.bands["error_rate"];
        let got: Vec<(f64, &str)> = bands
            .iter()
            .map(|b| (b.value, b.severity.label()))
            .collect();
        assert_eq!(got, [(0.10, "SEV-1"), (0.02, "SEV-2")]);
        let label = |v: f64| Band::of(bands, v).map(|b| b.severity.label().to_string());
        assert_eq!(label(0.01), None);
        assert_eq!(label(0.05).as_deref(), Some("SEV-2"));
        assert_eq!(
            label(0.5).as_deref(),
            Some("SEV-1"),
            "inside both: the worse"
        );
        assert_eq!(label(f64::NAN), None);
    }

    #[test]
    fn without_queries_there_is_nothing_live() {
        assert!(
            LiveMetrics::for_runbook(
                &runbook(),
                &crate::domain::session_state::SessionState::default(),
                "x"
            )
            .is_none()
        );
    }

    #[test]
    fn front_matter_rules_come_first_and_give_thresholds() {
        let live = LiveMetrics::for_runbook(
            &metrics_runbook(),
            &crate::domain::session_state::SessionState::default(),
            "x",
        )
        .expect("live");
        assert_eq!(live.matrix_source, MatrixSource::FrontMatter);
        assert_eq!(live.matrix.rules().len(), 4);
        assert_eq!(live.names, ["error_rate", "latency_p95"]);
        let values: Vec<f64> = live.thresholds["error_rate"]
            .iter()
            .map(|t| t.value)
            .collect();
        assert_eq!(values, [0.10, 0.02]);
        assert!(
            !live.thresholds.contains_key("latency_p95"),
            "baseline comparisons have no fixed line"
        );
    }

    #[test]
    fn without_a_front_matter_matrix_the_markdown_table_is_bound() {
        let mut rb = metrics_runbook();
        if let Some(f) = rb.front.as_mut() {
            f.matrix.clear();
        }
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        rb.decision_tables.push(DecisionTable {
            line: 48,
            headers: row(&["Severity", "Error rate", "Action"]),
            rows: vec![
                row(&["SEV-1", "> 10% for 1 min", "Roll back now"]),
                row(&["SEV-3", "Customer complaints only", "Monitor"]),
            ],
            severity_column: 0,
        });
        let live = LiveMetrics::for_runbook(
            &rb,
            &crate::domain::session_state::SessionState::default(),
            "x",
        )
        .expect("live");
        assert_eq!(live.matrix_source, MatrixSource::Table { line: 48 });
        let rules = live.matrix.rules();
        assert_eq!(rules.len(), 1, "only the row that reads as a condition");
        assert_eq!(live.guidance_rows, [1], "the other row is guidance");
        assert_eq!(rules[0].severity.label(), "SEV-1");
        assert_eq!(rules[0].hold, std::time::Duration::from_secs(60));
        assert_eq!(rules[0].action, "Roll back now");
        assert!(
            live.matrix.rto(&rules[0].severity).is_some(),
            "RTO targets kept from the front matter"
        );
    }
}
