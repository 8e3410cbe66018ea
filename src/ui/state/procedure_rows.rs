//! The procedure's rows: every step, except that a group of alternatives shows as ONE
//! choice row where its first step stands, followed by the steps of the member chosen (none
//! before a choice). The members not taken are not rows: the procedure pane draws them
//! collapsed under the choice row, and they never count towards a phase.

use crate::domain::progress::Progress;
use crate::domain::runbook::Runbook;

/// A row of the procedure: where a flat step index lives in the runbook, or a group of
/// alternatives' choice row (`choice`: the group, an index into `Runbook::alternatives`;
/// `index` is then the position of the group's first step in the phase).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepPos {
    pub phase: usize,
    pub index: usize,
    pub choice: Option<usize>,
}

impl StepPos {
    pub fn step(phase: usize, index: usize) -> StepPos {
        StepPos {
            phase,
            index,
            choice: None,
        }
    }
}

/// The rows of the procedure, in document order (see the module documentation).
pub fn procedure_rows(runbook: &Runbook, progress: &Progress) -> Vec<StepPos> {
    let mut rows = Vec::new();
    let mut shown_groups = Vec::new();
    for (p, phase) in runbook.phases.iter().enumerate() {
        for (i, step) in phase.steps.iter().enumerate() {
            // A step naming no group (or a group the runbook lacks) is an ordinary row.
            let Some(alt) = step
                .alternative
                .filter(|a| runbook.alternatives.get(a.group).is_some())
            else {
                rows.push(StepPos::step(p, i));
                continue;
            };
            if !shown_groups.contains(&alt.group) {
                shown_groups.push(alt.group);
                rows.push(StepPos {
                    phase: p,
                    index: i,
                    choice: Some(alt.group),
                });
            }
            if chosen_member(runbook, progress, alt.group) == Some(alt.member) {
                rows.push(StepPos::step(p, i));
            }
        }
    }
    rows
}

/// The index of the member chosen in group `group` (an index into
/// [`Runbook::alternatives`]).
pub fn chosen_member(runbook: &Runbook, progress: &Progress, group: usize) -> Option<usize> {
    let g = runbook.alternatives.get(group)?;
    let key = progress.chosen(&g.id)?;
    crate::domain::alternatives::member_index(g, key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::journal::Entry;
    use crate::domain::journal::testing::build;

    fn options() -> Runbook {
        crate::domain::runbook::parse(
            std::path::Path::new("options-a-to-d.md"),
            include_str!("../../../tests/runbooks/teams/options-a-to-d.md"),
        )
        .expect("parses")
    }

    fn chose(member: &str) -> Progress {
        let (records, _) = build(vec![(
            "alice@ops",
            Entry::AlternativeChosen {
                group: "alt-1".into(),
                member: member.into(),
                title: String::new(),
                previous: None,
                by: "alice@ops".into(),
            },
        )]);
        Progress::replay(&records)
    }

    #[test]
    fn a_group_is_one_row_until_chosen_then_the_chosen_steps_follow_it() {
        let book = options();
        let group = &book.alternatives[0];
        assert_eq!(group.members.len(), 4);
        let all = book.steps().count();
        let members: usize = group.members.iter().map(|m| m.steps.len()).sum();

        let before = procedure_rows(&book, &Progress::default());
        assert_eq!(before.iter().filter(|r| r.choice == Some(0)).count(), 1);
        assert_eq!(before.len(), all - members + 1);

        let after = procedure_rows(&book, &chose("B"));
        let b = &group.members[1].steps;
        assert_eq!(after.len(), all - members + 1 + b.len());
        let choice = after.iter().position(|r| r.choice.is_some()).expect("row");
        let shown: Vec<_> = after[choice + 1..choice + 1 + b.len()]
            .iter()
            .map(|r| book.phases[r.phase].steps[r.index].id)
            .collect();
        assert_eq!(&shown, b, "B's steps right under the choice row");
        // The steps that are no rows are exactly those outside the choice.
        for progress in [Progress::default(), chose("B")] {
            let rows = procedure_rows(&book, &progress);
            let hidden: std::collections::BTreeSet<_> = book
                .steps()
                .map(|s| s.id)
                .filter(|id| {
                    !rows.iter().any(|r| {
                        r.choice.is_none() && book.phases[r.phase].steps[r.index].id == *id
                    })
                })
                .collect();
            assert_eq!(
                hidden,
                crate::domain::alternatives::steps_outside_the_choice(&book, &progress)
            );
        }
        assert_eq!(chosen_member(&book, &chose("b"), 0), Some(1));
        assert_eq!(chosen_member(&book, &chose("Z"), 0), None);
    }
}
