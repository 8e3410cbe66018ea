//! Choosing one of a group of alternatives ("Option A … Option D"): which member a choice
//! names, how a member is labelled in the choice row, and which member the runbook's
//! decision table recommends.

use std::collections::BTreeSet;

use crate::domain::progress::Progress;
use crate::domain::runbook::{
    Alternative, AlternativeGroup, AlternativeMeta, MatrixRow, Runbook, StepId,
};

/// The index of the member whose key is `key` (`B`, `2`; case-insensitive).
pub fn member_index(group: &AlternativeGroup, key: &str) -> Option<usize> {
    group
        .members
        .iter()
        .position(|m| m.key.eq_ignore_ascii_case(key.trim()))
}

/// "A Quick rollback" for "Option A: Quick rollback": the key, then the heading after its
/// label (the whole heading when it has no `label:` part).
pub fn member_label(member: &Alternative) -> String {
    let title = short_title(member);
    if title.is_empty() {
        member.key.clone()
    } else {
        format!("{} {title}", member.key)
    }
}

/// The heading after its `Option A:` label or its own number (`1. Automated rollback`
/// under key `1`: the key is shown beside it already), or the whole heading.
pub fn short_title(member: &Alternative) -> &str {
    let title = match member.title.split_once(':') {
        Some((_, rest)) if !rest.trim().is_empty() => rest.trim(),
        _ => member.title.trim(),
    };
    match title
        .strip_prefix(member.key.as_str())
        .and_then(|rest| rest.strip_prefix(['.', ')']))
    {
        Some(rest) if !rest.trim().is_empty() => rest.trim(),
        _ => title,
    }
}

/// The steps that do not count towards the procedure: those of every member not chosen —
/// of a group with a choice made (the members "not taken") and of a group not chosen yet
/// (its choice is the open item instead). The console's progress and anything counting
/// open steps (the report, a drill's scorecard) leave these out.
pub fn steps_outside_the_choice(runbook: &Runbook, progress: &Progress) -> BTreeSet<StepId> {
    runbook
        .alternatives
        .iter()
        .flat_map(|g| {
            let chosen = progress.chosen(&g.id).and_then(|k| member_index(g, k));
            g.members
                .iter()
                .enumerate()
                .filter(move |(i, _)| Some(*i) != chosen)
                .flat_map(|(_, m)| m.steps.iter().copied())
        })
        .collect()
}

/// `When: … · Duration: … · Complexity: … · Risk: …`, the parts the runbook gives.
pub fn meta_line(meta: &AlternativeMeta) -> Option<String> {
    let parts: Vec<String> = [
        ("When", &meta.when),
        ("Duration", &meta.duration),
        ("Complexity", &meta.complexity),
        ("Risk", &meta.risk),
    ]
    .into_iter()
    .filter_map(|(label, v)| v.as_ref().map(|v| format!("{label}: {v}")))
    .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// The member a text names ("Strategy 2", "Option A", "Application rollback"), if exactly
/// one does.
pub fn member_named(group: &AlternativeGroup, text: &str) -> Option<usize> {
    let text = words(text);
    let named: Vec<usize> = group
        .members
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            let label = m.title.split_once(':').map(|(label, _)| label);
            let by_label = label.is_some_and(|l| contains_words(&text, &words(l)));
            let short = words(short_title(m));
            let by_title = !short.is_empty() && contains_words(&text, &short);
            by_label || by_title
        })
        .map(|(i, _)| i)
        .collect();
    match named.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// The member the decision table recommends: the strategy of the row for `severity` (the
/// declared or firing one) when it names a member; without a severity (or a row for it),
/// the first row whose strategy names one (tables list the most severe first).
pub fn recommended(
    group: &AlternativeGroup,
    rows: &[MatrixRow],
    severity: Option<&str>,
) -> Option<usize> {
    let naming = |r: &MatrixRow| r.strategy.as_deref().and_then(|s| member_named(group, s));
    if let Some(sev) = severity {
        let sev = words(sev);
        if let Some(row) = rows
            .iter()
            .find(|r| !sev.is_empty() && words(&r.severity) == sev)
            && let Some(m) = naming(row)
        {
            return Some(m);
        }
    }
    rows.iter().find_map(naming)
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `needle` occurs in `hay` as consecutive whole words.
fn contains_words(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::runbook::{AlternativeMeta, PhaseKind};

    fn group(titles: &[(&str, &str)]) -> AlternativeGroup {
        AlternativeGroup {
            id: "alt-1".into(),
            label: "Choose one".into(),
            line: 1,
            phase: PhaseKind::Execution,
            members: titles
                .iter()
                .map(|(key, title)| Alternative {
                    key: key.to_string(),
                    title: title.to_string(),
                    line: 1,
                    meta: AlternativeMeta::default(),
                    steps: Vec::new(),
                })
                .collect(),
        }
    }

    fn row(severity: &str, strategy: &str) -> MatrixRow {
        MatrixRow {
            severity: severity.into(),
            strategy: Some(strategy.into()),
            ..MatrixRow::default()
        }
    }

    fn strategies() -> AlternativeGroup {
        group(&[
            ("1", "Strategy 1: Feature flag"),
            ("2", "Strategy 2: Application rollback"),
            ("10", "Strategy 10: Rebuild"),
        ])
    }

    #[test]
    fn labels_drop_the_option_word() {
        let g = group(&[
            ("A", "Option A: Quick rollback"),
            ("1", "Emergency rollback (SEV-1)"),
        ]);
        assert_eq!(member_label(&g.members[0]), "A Quick rollback");
        assert_eq!(member_label(&g.members[1]), "1 Emergency rollback (SEV-1)");
        // A heading numbered as its key does not show the number twice; another number
        // in the heading is the heading's own.
        let numbered = group(&[
            ("1", "1. Automated Rollback (Recommended)"),
            ("2", "2) Manual rollback"),
            ("3", "12 factor restart"),
            ("4", "4."),
        ]);
        assert_eq!(
            member_label(&numbered.members[0]),
            "1 Automated Rollback (Recommended)"
        );
        assert_eq!(member_label(&numbered.members[1]), "2 Manual rollback");
        assert_eq!(member_label(&numbered.members[2]), "3 12 factor restart");
        assert_eq!(member_label(&numbered.members[3]), "4 4.");
        assert_eq!(member_index(&g, "a"), Some(0));
        assert_eq!(member_index(&g, "Z"), None);
        assert_eq!(meta_line(&AlternativeMeta::default()), None);
        let meta = AlternativeMeta {
            when: Some("the release is broken".into()),
            risk: Some("low".into()),
            ..AlternativeMeta::default()
        };
        assert_eq!(
            meta_line(&meta).as_deref(),
            Some("When: the release is broken · Risk: low")
        );
    }

    #[test]
    fn a_strategy_is_named_by_its_label_or_its_title_by_whole_words() {
        let g = strategies();
        assert_eq!(member_named(&g, "Strategy 2"), Some(1));
        assert_eq!(member_named(&g, "strategy 1 (flag first)"), Some(0));
        assert_eq!(member_named(&g, "Strategy 10"), Some(2), "not Strategy 1");
        assert_eq!(member_named(&g, "application rollback now"), Some(1));
        assert_eq!(member_named(&g, "Fix forward"), None);
        assert_eq!(member_named(&g, "Strategy 1 or Strategy 2"), None, "two");
    }

    /// The shape of `tests/runbooks/teams/decision-table-impact.md`.
    #[test]
    fn the_row_of_the_severity_recommends_else_the_first_naming_one() {
        let g = strategies();
        let rows = [
            row("Critical", "Strategy 2"),
            row("High", "Strategy 1"),
            row("Low", "Fix forward"),
        ];
        assert_eq!(recommended(&g, &rows, Some("High")), Some(0));
        assert_eq!(recommended(&g, &rows, Some("critical")), Some(1));
        assert_eq!(recommended(&g, &rows, None), Some(1));
        // A severity whose row names no member: the first row that does.
        assert_eq!(recommended(&g, &rows, Some("Low")), Some(1));
        assert_eq!(recommended(&g, &[row("Low", "Fix forward")], None), None);
    }

    #[test]
    fn the_steps_outside_the_choice_are_every_member_but_the_chosen_one() {
        let book = crate::domain::runbook::parse(
            std::path::Path::new("options-a-to-d.md"),
            include_str!("../../tests/runbooks/teams/options-a-to-d.md"),
        )
        .expect("loads");
        let ids = |ns: &[u32]| ns.iter().map(|n| StepId(*n)).collect::<BTreeSet<_>>();
        let none = Progress::default();
        assert_eq!(steps_outside_the_choice(&book, &none), ids(&[1, 2, 3, 4]));
        let (records, _) = crate::domain::journal::testing::build(vec![(
            "alice@ops",
            crate::domain::journal::Entry::AlternativeChosen {
                group: "alt-1".into(),
                member: "B".into(),
                title: "Option B: Specific version".into(),
                previous: None,
                by: "alice@ops".into(),
            },
        )]);
        let chose_b = Progress::replay(&records);
        assert_eq!(steps_outside_the_choice(&book, &chose_b), ids(&[1, 3, 4]));
    }
}
