//! Numbered ways to roll back: under a heading that offers a choice ("## Rollback
//! strategies", "## Rollback options", "## Ways to roll back"), subheadings numbered but
//! without a series word ("### 1. Agent rollback", "### 2. Full revert", "### 3)
//! Feature-flag kill switch") are the alternatives an incident commander picks from, not
//! steps in a row and not reference.
//!
//! The rule reads the parent's words and the children's content:
//!
//! - the parent offers ways to roll back ([`roles::offers_choice_of`]: a plural choice noun
//!   and a rollback word, no reference word — "## Useful commands" and "## Appendix" keep
//!   their numbered subheadings as reference);
//! - every direct subheading (the level just below it) is numbered, carries no series word
//!   of its own ("Option A", "Strategy 2": those group by the series already), no reference
//!   word, and names no phase but execution ("### 3. Verify" under it makes a sequence);
//! - their numbers differ (a member is picked by its number), and at least two of them
//!   hold something to do (a command block or a task item).

use std::collections::BTreeMap;

use super::super::markdown::Block;
use super::super::model::PhaseKind;
use super::super::phase_words;
use super::super::roles::{self, AlternativeHeading};

/// The alternative heading of each numbered member of a choice, by block index.
pub(super) fn numbered_choices(
    blocks: &[Block],
    heading_words: &[Option<Vec<String>>],
) -> BTreeMap<usize, AlternativeHeading> {
    let level_at = |i: usize| match blocks.get(i) {
        Some(Block::Heading { level, .. }) => Some(*level),
        _ => None,
    };
    let words_at = |i: usize| heading_words.get(i).and_then(Option::as_deref);
    // The end (exclusive) of the section of the heading at `i`.
    let end_of = |i: usize, level: u8, limit: usize| {
        (i + 1..limit)
            .find(|&j| level_at(j).is_some_and(|l| l <= level))
            .unwrap_or(limit)
    };
    let mut out = BTreeMap::new();
    for (i, block) in blocks.iter().enumerate() {
        let Block::Heading { level, .. } = block else {
            continue;
        };
        if !words_at(i).is_some_and(roles::offers_choice_of) {
            continue;
        }
        let end = end_of(i, *level, blocks.len());
        let Some(child_level) = (i + 1..end).filter_map(level_at).min() else {
            continue;
        };
        let children: Vec<usize> = (i + 1..end)
            .filter(|&j| level_at(j) == Some(child_level))
            .collect();
        if children.len() < 2 {
            continue;
        }
        let mut members = Vec::with_capacity(children.len());
        let mut with_steps = 0;
        for &c in &children {
            let Some(words) = words_at(c) else {
                break;
            };
            let Some(number) = roles::leading_number(words) else {
                break;
            };
            let series = roles::alternative_of(words).is_some_and(|a| !a.series.is_empty());
            let phase =
                phase_words::naming_of(words).is_some_and(|n| n.kind() != PhaseKind::Execution);
            if series || phase || roles::reference_words_of(words).is_some() {
                break;
            }
            let body = c + 1..end_of(c, child_level, end);
            if blocks[body]
                .iter()
                .any(|b| matches!(b, Block::Code { .. } | Block::Task { .. }))
            {
                with_steps += 1;
            }
            members.push((
                c,
                AlternativeHeading {
                    key: number.to_string(),
                    series: roles::NUMBERED_SERIES.to_string(),
                },
            ));
        }
        // Each member is picked by its number: they must differ.
        let mut keys: Vec<&str> = members.iter().map(|(_, a)| a.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        if members.len() == children.len() && keys.len() == members.len() && with_steps >= 2 {
            out.extend(members);
        }
    }
    out
}
