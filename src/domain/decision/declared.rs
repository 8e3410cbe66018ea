//! The severity the operator declared by hand (`S`), with its RTO clock and the approval
//! the decision table asks for, live and on resume. The journal's part (the declaration and
//! the approvals recorded since) is folded once, by the session state's
//! [`SeverityRecord`]; this file reads it with the runbook's decision table rows.
//!
//! A declaration names a row of the runbook's decision table (by its label, see
//! [`row_label`]) or a bare severity. The row's timeline (`< 15 minutes`, `1 hour`) or the
//! front matter's `rto` gives the RTO target, journaled as `rto_secs`; the clock runs from
//! the declaration's timestamp. A row whose approval column names someone ("VP
//! Engineering", "EM (can approve after)") leaves an approval open until an
//! `ApprovalRecorded` for that severity is journaled; "approve after" (deferred) keeps a
//! reminder that the approval is still owed.

use chrono::{DateTime, Duration, Utc};

use crate::domain::journal::Record;
use crate::domain::runbook::MatrixRow;
use crate::domain::session_state::{Declaration, SeverityRecord};

use super::severity::Severity;

/// The severity declared last, and what it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub severity: String,
    pub reason: String,
    /// The table row's label, when declared from a row.
    pub row: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
    /// When the RTO target runs out (the declaration's time plus `rto_secs`).
    pub rto_deadline: Option<DateTime<Utc>>,
    /// The approval the row asks for, and what was recorded for it.
    pub approval: Option<Approval>,
}

/// An approval a decision table row asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// Who must approve, as the table says ("VP Engineering").
    pub required: String,
    /// The table allows approving after the fact.
    pub can_defer: bool,
    /// Who approved; `None` while it is open.
    pub approver: Option<String>,
    /// Recorded as "approve after": still owed.
    pub deferred: bool,
}

impl Approval {
    /// Still to be given (never recorded, or recorded as "approve after").
    pub fn open(&self) -> bool {
        self.approver.is_none() || self.deferred
    }
}

/// One entry of the declaration popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeverityChoice {
    /// A row of the decision table (index into `rows`).
    Row(usize),
    /// A severity on its own.
    Bare(String),
}

/// The declaration in force read with the decision table's rows (to know what a declared
/// row asks for). The journal is folded once, by [`SeverityRecord::apply`] (part of
/// [`crate::domain::session_state::SessionState`]); this is what that record means for
/// the runbook's table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeverityState {
    pub rows: Vec<MatrixRow>,
    pub current: Option<Declared>,
    /// What the journal says (the declaration, its approvals, the acknowledgement).
    pub record: SeverityRecord,
}

impl SeverityState {
    pub fn new(rows: Vec<MatrixRow>) -> SeverityState {
        SeverityState {
            rows,
            current: None,
            record: SeverityRecord::default(),
        }
    }

    /// The state of `record` (a session state's [`SeverityRecord`]) for these rows.
    pub fn of(rows: Vec<MatrixRow>, record: &SeverityRecord) -> SeverityState {
        let current = record.declared.as_ref().map(|d| declared(&rows, d));
        SeverityState {
            rows,
            current,
            record: record.clone(),
        }
    }

    /// `new(rows)` with every record applied in order.
    pub fn replay(rows: Vec<MatrixRow>, records: &[Record]) -> SeverityState {
        let mut state = SeverityState::new(rows);
        for r in records {
            state.apply(r);
        }
        state
    }

    /// Moves the state by one journal record: [`SeverityRecord::apply`], then read again.
    pub fn apply(&mut self, record: &Record) {
        self.record.apply(record);
        self.current = self
            .record
            .declared
            .as_ref()
            .map(|d| declared(&self.rows, d));
    }

    /// What `S` offers: every table row, then each severity on its own (the table's
    /// severities, or SEV-1..SEV-4 without a table).
    pub fn choices(&self) -> Vec<SeverityChoice> {
        let mut out: Vec<SeverityChoice> = (0..self.rows.len()).map(SeverityChoice::Row).collect();
        let mut bare: Vec<String> = Vec::new();
        for r in &self.rows {
            let label = r
                .severity
                .trim()
                .trim_matches(|c| c == '*' || c == '_')
                .trim();
            if !label.is_empty() && !bare.iter().any(|b| same_severity(b, label)) {
                bare.push(label.to_string());
            }
        }
        if bare.is_empty() {
            bare = (1..=4).map(|n| format!("SEV-{n}")).collect();
        }
        out.extend(bare.into_iter().map(SeverityChoice::Bare));
        out
    }

    /// The decision table's row a choice is (`None` for a bare severity).
    pub fn row_of(&self, choice: &SeverityChoice) -> Option<&MatrixRow> {
        match choice {
            SeverityChoice::Row(i) => self.rows.get(*i),
            SeverityChoice::Bare(_) => None,
        }
    }

    /// The severity a choice declares and the row it names (its label).
    pub fn chosen(&self, choice: &SeverityChoice) -> Option<(String, Option<String>)> {
        match choice {
            SeverityChoice::Row(i) => self.rows.get(*i).map(|r| {
                let sev = r
                    .severity
                    .trim()
                    .trim_matches(|c| c == '*' || c == '_')
                    .trim();
                (sev.to_string(), Some(row_label(r)))
            }),
            SeverityChoice::Bare(s) => Some((s.clone(), None)),
        }
    }

    /// The approval still owed for the declared severity, if any.
    pub fn open_approval(&self) -> Option<&Approval> {
        self.current
            .as_ref()
            .and_then(|d| d.approval.as_ref())
            .filter(|a| a.open())
    }
}

/// A declaration with what its row asks for: the RTO deadline, the approval and how far
/// the approvals recorded since went (one for another severity, or after the approval
/// was given for good, changes nothing).
fn declared(rows: &[MatrixRow], d: &Declaration) -> Declared {
    let mut approval = d
        .row
        .as_deref()
        .and_then(|label| {
            rows.iter()
                .find(|r| row_label(r) == label && same_severity(&r.severity, &d.severity))
        })
        .and_then(|r| r.approval.as_deref())
        .and_then(approval_needed);
    for given in &d.approvals {
        if same_severity(&d.severity, &given.severity)
            && let Some(a) = approval.as_mut()
            && (a.approver.is_none() || a.deferred)
        {
            a.approver = Some(given.approver.clone());
            a.deferred = given.deferred;
        }
    }
    Declared {
        severity: d.severity.clone(),
        reason: d.reason.clone(),
        row: d.row.clone(),
        by: d.by.clone(),
        at: d.at,
        rto_deadline: d
            .rto_secs
            .and_then(|s| i64::try_from(s).ok())
            .and_then(Duration::try_seconds)
            .and_then(|dur| d.at.checked_add_signed(dur)),
        approval,
    }
}

/// How a row is named in the journal: its condition, else its action, strategy or
/// severity.
pub fn row_label(row: &MatrixRow) -> String {
    row.condition
        .as_deref()
        .or(row.action.as_deref())
        .or(row.strategy.as_deref())
        .unwrap_or(&row.severity)
        .trim()
        .to_string()
}

fn same_severity(a: &str, b: &str) -> bool {
    match (Severity::find_in(a), Severity::find_in(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.trim().eq_ignore_ascii_case(b.trim()),
    }
}

/// What an approval cell asks for: nobody ("None", "Not required", "-", "No", "N/A")
/// or someone, maybe after the fact ("EM (can approve after)", "post-hoc").
pub fn approval_needed(cell: &str) -> Option<Approval> {
    let text = cell.trim().trim_matches(|c| c == '*' || c == '_').trim();
    let lower = text.to_lowercase();
    let none = [
        "",
        "-",
        "—",
        "–",
        "n/a",
        "na",
        "none",
        "no",
        "not required",
        "no approval",
        "not needed",
        "no approval needed",
        "no approval required",
    ];
    if none.contains(&lower.as_str()) || lower.starts_with("none") || lower.starts_with("not ") {
        return None;
    }
    let can_defer = [
        "after",
        "post-hoc",
        "post hoc",
        "retroactive",
        "retrospective",
    ]
    .iter()
    .any(|w| lower.contains(w));
    Some(Approval {
        required: text.to_string(),
        can_defer,
        approver: None,
        deferred: false,
    })
}

/// The first time in a timeline cell, in seconds: `< 15 minutes`, `Immediate (< 5 min)`,
/// `1 hour`, `30m`, `Within 2 hrs`, `1.5 hours`. `None` when it names no time.
pub fn timeline_secs(cell: &str) -> Option<u64> {
    let chars: Vec<char> = cell.to_lowercase().chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        let number: String = chars[start..i].iter().collect();
        // A range such as `5-10 min` counts its upper end.
        let mut j = i;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        if j < chars.len() && matches!(chars[j], '-' | '–') {
            continue;
        }
        let unit: String = chars[j..]
            .iter()
            .take_while(|c| c.is_alphabetic())
            .collect();
        let per = match unit.as_str() {
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            _ => continue,
        };
        let value: f64 = number.parse().ok()?;
        let secs = value * per;
        if secs.is_finite() && secs > 0.0 && secs < 1e9 {
            return Some(secs.round() as u64);
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::journal::{Entry, GENESIS};
    use chrono::TimeZone;

    fn rec(seq: u64, secs: i64, entry: Entry) -> Record {
        Record {
            seq,
            ts: Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap() + Duration::seconds(secs),
            actor: "ic@host".into(),
            entry,
            prev: GENESIS.into(),
            hash: String::new(),
        }
    }

    fn rows() -> Vec<MatrixRow> {
        vec![
            MatrixRow {
                severity: "Critical".into(),
                condition: Some("Service down".into()),
                timeline: Some("Immediate (< 15 min)".into()),
                approval: Some("VP Engineering (can approve after)".into()),
                ..MatrixRow::default()
            },
            MatrixRow {
                severity: "Medium".into(),
                condition: Some("Minor bugs".into()),
                timeline: Some("Next release".into()),
                approval: Some("None".into()),
                ..MatrixRow::default()
            },
        ]
    }

    fn declared(severity: &str, row: Option<&str>, rto: Option<u64>) -> Entry {
        Entry::SeverityDeclared {
            severity: severity.into(),
            reason: "checkout 500s".into(),
            row: row.map(String::from),
            rto_secs: rto,
            by: "ic@host".into(),
        }
    }

    fn approval(severity: &str, who: &str, deferred: bool) -> Entry {
        Entry::ApprovalRecorded {
            severity: severity.into(),
            approver: who.into(),
            deferred,
            by: "ic@host".into(),
        }
    }

    #[test]
    fn a_row_that_asks_for_approval_keeps_it_open_until_given() {
        let mut s = SeverityState::new(rows());
        s.apply(&rec(
            1,
            0,
            declared("Critical", Some("Service down"), Some(900)),
        ));
        let d = s.current.clone().expect("declared");
        assert_eq!(d.rto_deadline, Some(d.at + Duration::seconds(900)));
        let open = s.open_approval().expect("approval open");
        assert_eq!(open.required, "VP Engineering (can approve after)");
        assert!(open.can_defer);
        s.apply(&rec(2, 30, approval("Critical", "Dana (VP)", true)));
        assert!(
            s.open_approval().is_some_and(|a| a.deferred),
            "deferred is still owed"
        );
        s.apply(&rec(3, 60, approval("Critical", "Dana (VP)", false)));
        assert_eq!(s.open_approval(), None);
        assert_eq!(
            s.current.unwrap().approval.unwrap().approver.as_deref(),
            Some("Dana (VP)")
        );
    }

    #[test]
    fn a_row_without_approval_or_a_bare_severity_asks_for_none() {
        let mut s = SeverityState::new(rows());
        s.apply(&rec(1, 0, declared("Medium", Some("Minor bugs"), None)));
        assert_eq!(s.open_approval(), None);
        s.apply(&rec(2, 5, declared("SEV-1", None, Some(300))));
        assert_eq!(s.open_approval(), None);
        assert_eq!(s.current.as_ref().unwrap().severity, "SEV-1");
    }

    #[test]
    fn an_approval_for_another_severity_leaves_it_open() {
        let mut s = SeverityState::new(rows());
        s.apply(&rec(1, 0, declared("Critical", Some("Service down"), None)));
        s.apply(&rec(2, 1, approval("SEV-3", "someone", false)));
        assert!(s.open_approval().is_some());
        // `critical` and `SEV-1` are the same level.
        s.apply(&rec(3, 2, approval("SEV-1", "Dana", false)));
        assert_eq!(s.open_approval(), None);
    }

    #[test]
    fn replay_equals_applying_live() {
        let records = vec![
            rec(1, 0, declared("Critical", Some("Service down"), Some(900))),
            rec(2, 10, Entry::SessionClosed),
            rec(3, 20, approval("Critical", "Dana", false)),
            rec(4, 40, declared("Medium", Some("Minor bugs"), None)),
        ];
        let mut live = SeverityState::new(rows());
        for r in &records {
            live.apply(r);
        }
        assert_eq!(SeverityState::replay(rows(), &records), live);
        assert_eq!(live.current.unwrap().severity, "Medium");
    }

    #[test]
    fn choices_are_the_rows_then_each_severity_once() {
        let s = SeverityState::new(rows());
        let c = s.choices();
        assert_eq!(
            c,
            vec![
                SeverityChoice::Row(0),
                SeverityChoice::Row(1),
                SeverityChoice::Bare("Critical".into()),
                SeverityChoice::Bare("Medium".into()),
            ]
        );
        assert_eq!(
            s.chosen(&c[0]),
            Some(("Critical".into(), Some("Service down".into())))
        );
        assert_eq!(SeverityState::default().choices().len(), 4);
    }

    #[test]
    fn approval_cells() {
        assert_eq!(approval_needed("None"), None);
        assert_eq!(approval_needed("-"), None);
        assert_eq!(approval_needed("Not required"), None);
        let a = approval_needed("**Engineering Manager**").unwrap();
        assert_eq!(a.required, "Engineering Manager");
        assert!(!a.can_defer);
        assert!(
            approval_needed("IC; VP can approve after")
                .unwrap()
                .can_defer
        );
    }

    #[test]
    fn timelines() {
        assert_eq!(timeline_secs("Immediate (< 15 min)"), Some(900));
        assert_eq!(timeline_secs("< 5 minutes"), Some(300));
        assert_eq!(timeline_secs("1 hour"), Some(3600));
        assert_eq!(timeline_secs("Within 2 hrs"), Some(7200));
        assert_eq!(timeline_secs("30m"), Some(1800));
        assert_eq!(timeline_secs("5-10 min"), Some(600));
        assert_eq!(timeline_secs("1.5 hours"), Some(5400));
        assert_eq!(timeline_secs("Immediate"), None);
        assert_eq!(timeline_secs("Next release"), None);
        assert_eq!(timeline_secs("P1"), None);
        assert_eq!(timeline_secs("99999999999999999999 days"), None);
    }
}
