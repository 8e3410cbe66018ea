//! From Markdown blocks to phases, steps and reference sections.
//!
//! Rules (see `docs/runbook-format.md`):
//!
//! - A heading whose words name a phase (or that front matter `phases:` maps) starts a phase.
//! - A heading below a phase heading stays in that phase as a section, unless it names a
//!   *different* phase, which then starts. A phase heading with nothing under it but deeper
//!   phase headings only groups them ("## Rollback steps" over "### 1. Assess", "### 2.
//!   Initiate", …) and is not a phase itself.
//! - A heading that names no phase, at the level of the current phase heading or above,
//!   ends the phase: it starts a reference section, shown for reading.
//! - A single H1 at the top is the title, neither phase nor reference.
//! - With no phase heading at all, every step goes into one Execution phase named after
//!   the title (with a warning).
//! - Steps are task items, shell blocks and PromQL blocks. In a section (the text between a
//!   heading and the next) with no task item, the items of a top-level numbered list are
//!   checklist steps too. In a phase with no step at all, the items of top-level bullet lists
//!   are (never in the implicit phase of a runbook without phase headings).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use super::commands;
use super::comment_blocks;
use super::decision_table;
use super::front_matter::HeadingRole;
use super::markdown::{self, Block, Context};
use super::model::{
    Alternative, AlternativeGroup, AlternativeRef, CommandBlock, DecisionTable, Phase, PhaseKind,
    ReferenceSection, Section, SectionRole, Step, StepId, StepKind,
};
use super::phase_words;
use super::placeholders::Collector;
use super::promql;
use super::roles;
use super::source::{Findings, Pos, Source};
use super::time_budget;

mod builder;
mod drafts;
mod finish;
#[cfg(test)]
mod list_item_tests;
mod numbered_choices;
mod titles;

use titles::leading_comment;
pub(super) use titles::{first_sentence, one_liner};

/// The numbered members of choices ("### 2. Full revert" under "## Rollback strategies"),
/// by block index (see [`numbered_choices`]).
type Numbered = BTreeMap<usize, roles::AlternativeHeading>;

/// Explicit heading → role mapping from front matter, keyed by [`phase_words::match_key`].
pub(super) type Overrides = BTreeMap<String, HeadingRole>;

/// What the Markdown body of a runbook holds.
#[derive(Debug, Default)]
pub(super) struct Outline {
    /// Front matter `title`, else the first H1, else the file stem.
    pub title: String,
    pub phases: Vec<Phase>,
    pub references: Vec<ReferenceSection>,
    pub decision_tables: Vec<DecisionTable>,
    pub placeholders: Collector,
    /// Every heading (plain text and 1-based line), for `phases:` checks and hints.
    pub headings: Vec<(String, usize)>,
    /// `match_key`s of the overrides that matched a heading.
    pub overrides_used: Vec<String>,
    /// Every heading but the title, with its role.
    pub sections: Vec<Section>,
    pub alternatives: Vec<AlternativeGroup>,
}

impl Outline {
    pub fn step_count(&self) -> usize {
        self.phases.iter().map(|p| p.steps.len()).sum()
    }
}

/// Builds the outline of the body starting at byte `base` of `source.text`.
pub(super) fn build(
    file: &Path,
    source: &Source,
    base: usize,
    overrides: &Overrides,
    front_title: Option<&str>,
    stem: &str,
    findings: &mut Findings,
) -> Outline {
    let full = source.text.as_str();
    let blocks = markdown::blocks(full, base, |offset| source.line_index(offset));
    let title_heading = title_heading(&blocks);
    let heading_title = blocks.iter().find_map(|block| match block {
        Block::Heading { level: 1, text, .. } if !text.is_empty() => Some(text.as_str()),
        _ => None,
    });
    let title = front_title
        .filter(|t| !t.trim().is_empty())
        .or(heading_title)
        .unwrap_or(stem)
        .trim()
        .to_string();

    // The words of each heading, computed once for its phase naming, alternative and
    // reference words.
    let heading_words: Vec<Option<Vec<String>>> = blocks
        .iter()
        .map(|block| match block {
            Block::Heading { text, .. } => Some(phase_words::words(text)),
            _ => None,
        })
        .collect();
    // How each heading names a phase (front matter first, then its words).
    let namings: Vec<Option<Naming>> = blocks
        .iter()
        .zip(&heading_words)
        .map(|(block, words)| match (block, words) {
            (Block::Heading { text, .. }, Some(words)) => {
                let explicit = (!overrides.is_empty())
                    .then(|| phase_words::match_key(text))
                    .and_then(|key| {
                        let kind = overrides.get(&key)?.phase()?;
                        Some(Naming::Explicit(kind, key))
                    });
                explicit.or_else(|| phase_words::naming_of(words).map(Naming::Words))
            }
            _ => None,
        })
        .collect();
    let numbered = numbered_choices::numbered_choices(&blocks, &heading_words);
    let hints = role_hints(&blocks, &heading_words, &numbered, title_heading, overrides);
    drop(heading_words);
    let any_phase = namings.iter().enumerate().any(|(i, n)| match n {
        Some(Naming::Explicit(..)) => true,
        Some(Naming::Words(_)) => Some(i) != title_heading,
        None => false,
    });

    // Sections (text between two headings) that hold a task item: there, numbered lists are
    // prose. Indexed by the number of headings before the block.
    let mut task_sections = vec![false];
    for block in &blocks {
        match block {
            Block::Heading { .. } => task_sections.push(false),
            Block::Task { .. } => {
                if let Some(last) = task_sections.last_mut() {
                    *last = true;
                }
            }
            _ => {}
        }
    }
    let mut section_index = 0usize;

    let mut b = Builder {
        file,
        source,
        findings,
        out: Outline {
            title: title.clone(),
            ..Outline::default()
        },
        phases: Vec::new(),
        references: Vec::new(),
        current: Current::Reference(0),
        any_phase,
        pending: None,
        under_heading: None,
        over_paragraph: None,
    };
    if any_phase {
        // Text before the first section: kept as a reference named after the title.
        b.references
            .push(ReferenceBuild::new(title.clone(), 1, None, base));
    } else {
        let line = title_heading
            .and_then(|i| blocks.get(i))
            .map_or(1, |h| source.line_index(h.range().start) + 1);
        b.phases.push(PhaseBuild::new(
            PhaseKind::Execution,
            title.clone(),
            line,
            0,
            base,
        ));
        b.current = Current::Phase(0);
    }

    let groups = group_drafts(&blocks, &hints, &numbered, source);
    for (i, (block, naming)) in blocks.into_iter().zip(namings).enumerate() {
        // A block directly under a subheading (nothing between them) may be titled by it;
        // so may one under an alternative's heading and one paragraph.
        let under_heading = b.under_heading.take();
        let over_paragraph = b.over_paragraph.take();
        match block {
            Block::Heading { level, text, range } => {
                section_index += 1;
                let line = source.line_index(range.start) + 1;
                if Some(i) == title_heading && !matches!(naming, Some(Naming::Explicit(..))) {
                    if let (true, Some(preamble)) = (any_phase, b.references.first_mut()) {
                        preamble.line = line;
                        preamble.start = range.end;
                    }
                    b.out.headings.push((text, line));
                    continue;
                }
                let hint = hints.get(i).copied().unwrap_or_default();
                b.heading(level, &text, range, line, naming, hint);
                b.out.headings.push((text, line));
            }
            Block::Table {
                headers,
                rows,
                range,
            } => {
                if let Some(severity_column) = decision_table::severity_column(&headers, &rows) {
                    b.out.decision_tables.push(DecisionTable {
                        line: source.line_index(range.start) + 1,
                        headers,
                        rows,
                        severity_column,
                    });
                }
                b.content();
            }
            Block::Prose { .. } => b.content(),
            Block::Paragraph { plain, range } => {
                b.content();
                if under_heading.is_some() && b.in_alternative() {
                    b.over_paragraph = under_heading;
                }
                let markdown = || {
                    full.get(range.clone())
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                };
                b.prose(&plain, markdown, range.clone());
            }
            Block::Item {
                ordered,
                merged,
                plain,
                markdown,
                range,
            } => {
                let tasks_here = task_sections.get(section_index).copied().unwrap_or(false);
                let use_ = match (ordered, tasks_here) {
                    (true, false) => Some(Use::Step),
                    (true, true) => None,
                    (false, _) => Some(Use::Fallback),
                };
                b.item(use_, merged, &plain, markdown, range);
            }
            block @ Block::Task { .. } => b.step(block, None),
            block @ Block::Code { .. } => {
                let heading = match (&under_heading, &over_paragraph) {
                    (Some(h), _) => Some(Heading::Directly(h)),
                    (None, Some(h)) => Some(Heading::OverParagraph(h)),
                    (None, None) => None,
                };
                b.step(block, heading)
            }
        }
    }
    b.close(full.len());
    if !any_phase {
        let steps = b.phases.first().map_or(0, |p| p.phase.steps.len());
        if steps > 0 {
            b.findings.push(
                Pos::START.warning(
                    file,
                    format!(
                        "no phase headings found: all {steps} step{} are in one Execution phase",
                        if steps == 1 { "" } else { "s" }
                    ),
                    Some(
                        "name sections after their phase (Preparation, Execution, Verification, \
                     Communication, Post-rollback) or map headings in front matter `phases:`"
                            .into(),
                    ),
                ),
            );
        }
    }
    b.finish(groups)
}

/// The role hints of every block (default for blocks that are not headings).
fn role_hints(
    blocks: &[Block],
    heading_words: &[Option<Vec<String>>],
    numbered: &Numbered,
    title_heading: Option<usize>,
    overrides: &Overrides,
) -> Vec<RoleHint> {
    let mapped = |text: &str| {
        (!overrides.is_empty())
            .then(|| overrides.get(&phase_words::match_key(text)).copied())
            .flatten()
    };
    let mut infos = Vec::new();
    let mut at = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        if let (Block::Heading { level, text, .. }, Some(Some(words))) =
            (block, heading_words.get(i))
            && Some(i) != title_heading
        {
            let alternative = match mapped(text) {
                Some(HeadingRole::Alternative) => Some(
                    roles::alternative_of(words)
                        .unwrap_or_else(roles::AlternativeHeading::situation),
                ),
                Some(_) => None,
                // A numbered way to roll back under "Rollback strategies" is one whatever
                // its words ("1. Emergency rollback" beside "2. Full revert").
                None => numbered
                    .get(&i)
                    .cloned()
                    .or_else(|| roles::alternative_of(words)),
            };
            infos.push(roles::HeadingInfo {
                level: *level,
                alternative,
            });
            at.push(i);
        }
    }
    let groups = roles::groups(&infos);
    let mut hints = vec![RoleHint::default(); blocks.len()];
    for (h, &i) in at.iter().enumerate() {
        if let (Some(Block::Heading { text, .. }), Some(Some(words))) =
            (blocks.get(i), heading_words.get(i))
            && let Some(hint) = hints.get_mut(i)
        {
            hint.reference = match mapped(text) {
                Some(HeadingRole::Reference) => Some(true),
                Some(_) => None,
                None => roles::reference_words_of(words),
            };
            hint.mapped = mapped(text).filter(|r| r.phase().is_none());
            hint.alternative = groups.get(&h).copied();
        }
    }
    hints
}

/// The groups of alternatives, with their members' titles, lines and metadata (steps and
/// phase are filled in by [`Builder::finish`]).
fn group_drafts(
    blocks: &[Block],
    hints: &[RoleHint],
    numbered: &Numbered,
    source: &Source,
) -> Vec<AlternativeGroup> {
    let mut groups: Vec<AlternativeGroup> = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let (Some((g, m)), Block::Heading { text, range, level }) =
            (hints.get(i).and_then(|h| h.alternative), block)
        else {
            continue;
        };
        // The member's text runs to the next heading of its level or above.
        let end = blocks[i + 1..]
            .iter()
            .find_map(|b| match b {
                Block::Heading {
                    level: l, range, ..
                } if l <= level => Some(range.start),
                _ => None,
            })
            .unwrap_or(source.text.len());
        let body = source.text.get(range.end..end).unwrap_or_default();
        let line = source.line_index(range.start) + 1;
        if groups.len() <= g {
            groups.push(AlternativeGroup {
                id: format!("alt-{}", g + 1),
                label: String::new(),
                line,
                phase: PhaseKind::Execution,
                members: Vec::new(),
            });
        }
        let key = numbered
            .get(&i)
            .cloned()
            .or_else(|| roles::alternative(text))
            .map(|a| a.key)
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| (m + 1).to_string());
        if let Some(group) = groups.get_mut(g) {
            group.members.push(Alternative {
                key,
                title: text.clone(),
                line,
                meta: roles::read_meta(body),
                steps: Vec::new(),
            });
        }
    }
    for group in &mut groups {
        let titles: Vec<&str> = group.members.iter().map(|m| m.title.as_str()).collect();
        group.label = one_liner(&format!("Choose one: {}", titles.join(" / ")));
    }
    groups
}

/// The index of the heading that is the document's title: the only H1, placed first.
fn title_heading(blocks: &[Block]) -> Option<usize> {
    let mut h1s = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, Block::Heading { level: 1, .. }));
    let (first, _) = h1s.next()?;
    let first_heading = blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { .. }))?;
    (h1s.next().is_none() && first == first_heading).then_some(first)
}

/// How a heading names a phase.
enum Naming {
    /// Mapped in front matter `phases:` (with its match key).
    Explicit(PhaseKind, String),
    /// By its words.
    Words(phase_words::Naming),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Current {
    Phase(usize),
    Reference(usize),
}

struct PhaseBuild {
    phase: Phase,
    level: u8,
    /// Byte offset where the phase's content starts (after its heading).
    start: usize,
    end: usize,
    /// Sub-headings open inside the phase, outermost first.
    sections: Vec<OpenSection>,
    /// The group of alternatives this phase was started for (outside any phase heading).
    group: Option<usize>,
    /// Anything under the heading at all (prose, tables, sub-headings, steps).
    has_content: bool,
    /// Source ranges of its steps, cut from the body.
    step_ranges: Vec<Range<usize>>,
    /// Top-level bullet items (with their section): its steps if it has no other.
    fallback: Vec<(Draft, Option<String>)>,
    /// Top-level bullets and paragraphs, in order: the steps of a prose runbook (one with
    /// no step of any other kind anywhere).
    prose: Vec<(Draft, Option<String>)>,
}

impl PhaseBuild {
    fn new(kind: PhaseKind, title: String, line: usize, level: u8, start: usize) -> Self {
        PhaseBuild {
            phase: Phase {
                kind,
                time_budget: time_budget::parse(&title),
                title,
                line,
                body: String::new(),
                steps: Vec::new(),
            },
            level,
            start,
            end: start,
            sections: Vec::new(),
            group: None,
            has_content: false,
            step_ranges: Vec::new(),
            fallback: Vec::new(),
            prose: Vec::new(),
        }
    }
}

/// A sub-heading open inside a phase.
struct OpenSection {
    level: u8,
    text: String,
    /// (group, member) when the heading is an alternative.
    alternative: Option<(usize, usize)>,
    /// Reference material inside the phase ("### Risks"): its steps are not steps.
    reference: bool,
}

/// What the words and siblings of a heading say, computed before the walk.
#[derive(Debug, Clone, Copy, Default)]
struct RoleHint {
    /// See [`roles::reference_words`].
    reference: Option<bool>,
    /// (group, member) when the heading is one of a group of alternatives.
    alternative: Option<(usize, usize)>,
    /// Mapped to `alternative` or `reference` in front matter `phases:`.
    mapped: Option<HeadingRole>,
}

struct ReferenceBuild {
    title: String,
    /// Named as reference by its words ("Prevention", "Contacts"): everything under it
    /// stays reference.
    explicit: bool,
    line: usize,
    /// Heading level; `None` for the text before the first heading.
    level: Option<u8>,
    start: usize,
    end: usize,
    /// Steps written here, which stay reference: checklist items, commands, PromQL blocks.
    stray: [usize; 3],
}

impl ReferenceBuild {
    fn new(title: String, line: usize, level: Option<u8>, start: usize) -> Self {
        ReferenceBuild {
            title,
            explicit: false,
            line,
            level,
            start,
            end: start,
            stray: [0; 3],
        }
    }
}

/// A step before it has its id and section.
struct Draft {
    kind: StepKind,
    title: String,
    text: String,
    line: usize,
    /// Source ranges it occupies (block and introducing prose).
    ranges: Vec<Range<usize>>,
    /// Where its placeholders are written.
    placeholder_source: PlaceholderSource,
    /// The alternative it is written under, set where it is placed.
    alternative: Option<AlternativeRef>,
}

/// Which text of a drafted step its placeholders are found in.
enum PlaceholderSource {
    /// Its text, read as prose (no shell rules).
    Text,
    /// The query of a PromQL step, read as prose.
    Query,
    /// The script of a command step, with its lexing (quoting and assignments respected).
    Script(commands::Lexed),
}

/// What a drafted step is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// A step (or, in a reference section, a stray one).
    Step,
    /// A step only if its phase has no other.
    Fallback,
}

struct Builder<'a> {
    file: &'a Path,
    source: &'a Source,
    findings: &'a mut Findings,
    out: Outline,
    phases: Vec<PhaseBuild>,
    references: Vec<ReferenceBuild>,
    current: Current,
    any_phase: bool,
    /// An item whose text introduces the next code block: it is the step only when the
    /// block makes none.
    pending: Option<(Draft, Use)>,
    /// The subheading just read (a section inside a phase, not a phase heading): it titles
    /// a command block written directly under it when it says what the block does.
    under_heading: Option<String>,
    /// An alternative's heading with one paragraph read under it ("### 2. Full revert",
    /// then "The application itself is broken. Undo the whole rollout."): it titles the
    /// command block after that paragraph, which says when more often than what.
    over_paragraph: Option<String>,
}

/// The subheading a code block is written under, as [`Builder::step`] is told.
#[derive(Debug, Clone, Copy)]
enum Heading<'h> {
    /// Nothing between them.
    Directly(&'h str),
    /// An alternative's heading, one paragraph between them.
    OverParagraph(&'h str),
}
