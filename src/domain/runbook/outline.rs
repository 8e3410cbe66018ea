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

    // How each heading names a phase (front matter first, then its words).
    let namings: Vec<Option<Naming>> = blocks
        .iter()
        .map(|block| match block {
            Block::Heading { text, .. } => {
                let explicit = (!overrides.is_empty())
                    .then(|| phase_words::match_key(text))
                    .and_then(|key| {
                        let kind = overrides.get(&key)?.phase()?;
                        Some(Naming::Explicit(kind, key))
                    });
                explicit.or_else(|| phase_words::naming(text).map(Naming::Words))
            }
            _ => None,
        })
        .collect();
    let hints = role_hints(&blocks, title_heading, overrides);
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

    let groups = group_drafts(&blocks, &hints, source);
    for (i, (block, naming)) in blocks.into_iter().zip(namings).enumerate() {
        // A block directly under a subheading (nothing between them) may be titled by it.
        let under_heading = b.under_heading.take();
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
                let markdown = full
                    .get(range.clone())
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                b.prose(&plain, &markdown, range);
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
            block @ Block::Code { .. } => b.step(block, under_heading.as_deref()),
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
        if let Block::Heading { level, text, .. } = block
            && Some(i) != title_heading
        {
            let alternative = match mapped(text) {
                Some(HeadingRole::Alternative) => Some(
                    roles::alternative(text).unwrap_or_else(roles::AlternativeHeading::situation),
                ),
                Some(_) => None,
                None => roles::alternative(text),
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
        if let Some(Block::Heading { text, .. }) = blocks.get(i)
            && let Some(hint) = hints.get_mut(i)
        {
            hint.reference = match mapped(text) {
                Some(HeadingRole::Reference) => Some(true),
                Some(_) => None,
                None => roles::reference_words(text),
            };
            hint.mapped = mapped(text).filter(|r| r.phase().is_none());
            hint.alternative = groups.get(&h).copied();
        }
    }
    hints
}

/// The groups of alternatives, with their members' titles, lines and metadata (steps and
/// phase are filled in by [`Builder::finish`]).
fn group_drafts(blocks: &[Block], hints: &[RoleHint], source: &Source) -> Vec<AlternativeGroup> {
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
        let key = roles::alternative(text)
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
    /// Text to search for placeholders, with its lexing when it is a shell script.
    placeholder_source: (String, Option<commands::Lexed>),
    /// The alternative it is written under, set where it is placed.
    alternative: Option<AlternativeRef>,
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
}

impl Builder<'_> {
    fn heading(
        &mut self,
        level: u8,
        text: &str,
        range: Range<usize>,
        line: usize,
        naming: Option<Naming>,
        hint: RoleHint,
    ) {
        let explicit = matches!(naming, Some(Naming::Explicit(..)));
        if hint.mapped.is_some() {
            let key = phase_words::match_key(text);
            if !self.out.overrides_used.contains(&key) {
                self.out.overrides_used.push(key);
            }
        }
        let naming = match naming {
            Some(Naming::Explicit(kind, key)) => {
                if !self.out.overrides_used.contains(&key) {
                    self.out.overrides_used.push(key);
                }
                Some(phase_words::Naming::Activity(kind))
            }
            Some(Naming::Words(naming)) if self.any_phase => Some(naming),
            _ => None,
        };
        // Under a phase or reference heading, a deeper heading starts a new phase only when
        // an activity word (or front matter) names a different phase; otherwise it is a
        // section of what it is under.
        let current_level = match self.current {
            Current::Phase(p) => Some(self.phases[p].level),
            Current::Reference(r) => self.references.get(r).and_then(|r| r.level),
        };
        let nested = current_level.is_some_and(|l| level > l);
        // Reference words ("Prevention", "Risks", "Alerting") win over phase words unless
        // front matter maps the heading; weak ones ("Escalation") only when no phase is named.
        let reference = !explicit
            && match hint.reference {
                Some(true) => true,
                Some(false) => naming.is_none(),
                None => false,
            };
        // Everything under a reference section stays reference.
        if nested
            && let Current::Reference(r) = self.current
            && self.references.get(r).is_some_and(|r| r.explicit)
        {
            self.section_role(text, line, level, SectionRole::Reference);
            return;
        }
        if let Current::Phase(p) = self.current {
            let phase = &self.phases[p];
            let in_group = hint
                .alternative
                .is_some_and(|(g, _)| phase.group == Some(g) && level >= phase.level);
            let open = || phase.sections.iter().filter(|s| s.level < level);
            let in_alternative = open().any(|s| s.alternative.is_some());
            let in_reference = open().any(|s| s.reference);
            // Inside a phase: alternatives, reference subsections and whatever is under an
            // alternative or reference subsection are sections of the phase.
            if (nested || in_group)
                && (reference || hint.alternative.is_some() || in_alternative || in_reference)
            {
                let kind = phase.phase.kind;
                let open = OpenSection {
                    level,
                    text: text.to_string(),
                    alternative: hint.alternative,
                    reference,
                };
                let phase = &mut self.phases[p];
                phase.sections.retain(|s| s.level < level);
                phase.sections.push(open);
                phase.has_content = true;
                let role = self.phase_section_role(p, kind);
                self.section_role(text, line, level, role);
                self.under_heading = Some(text.to_string());
                return;
            }
        }
        let kind = match naming {
            _ if reference => None,
            // A checklist before the rollback is the preparation wherever it is nested.
            Some(n) if nested && !n.is_activity() && n.kind() != PhaseKind::Preparation => None,
            other => other.map(phase_words::Naming::kind),
        };
        if nested && !reference {
            match self.current {
                Current::Phase(p) if kind.is_none() || kind == Some(self.phases[p].phase.kind) => {
                    let phase = &mut self.phases[p];
                    phase.sections.retain(|s| s.level < level);
                    phase.sections.push(OpenSection {
                        level,
                        text: text.to_string(),
                        alternative: None,
                        reference: false,
                    });
                    phase.has_content = true;
                    let kind = phase.phase.kind;
                    self.section_role(text, line, level, SectionRole::Phase { kind });
                    self.under_heading = Some(text.to_string());
                    return;
                }
                Current::Reference(_) if kind.is_none() && hint.alternative.is_none() => {
                    self.section_role(text, line, level, SectionRole::Reference);
                    return;
                }
                _ => {}
            }
        }
        self.close(range.start);
        // The first of a group of alternatives outside any phase starts an execution phase
        // named after the heading the group is under.
        let (kind, group) = match (kind, hint.alternative) {
            (None, Some((g, _))) if !reference => (Some(PhaseKind::Execution), Some(g)),
            (kind, _) => (kind, None),
        };
        match kind {
            Some(kind) => {
                let mut title = text.to_string();
                if let Current::Phase(p) = self.current {
                    let parent = &self.phases[p];
                    if parent.level < level && !parent.has_content {
                        // A heading that only groups deeper phase headings.
                        self.phases.remove(p);
                    }
                }
                if group.is_some() {
                    title = match self.current {
                        Current::Reference(r) => self
                            .references
                            .get(r)
                            .filter(|r| r.level.is_some_and(|l| l < level))
                            .map(|r| r.title.clone()),
                        Current::Phase(_) => None,
                    }
                    .unwrap_or_else(|| "Choose one".to_string());
                }
                let mut build = PhaseBuild::new(kind, title, line, level, range.end);
                build.group = group;
                if group.is_some() {
                    build.has_content = true;
                    build.sections.push(OpenSection {
                        level,
                        text: text.to_string(),
                        alternative: hint.alternative,
                        reference: false,
                    });
                }
                self.phases.push(build);
                let p = self.phases.len() - 1;
                self.current = Current::Phase(p);
                let role = self.phase_section_role(p, kind);
                self.section_role(text, line, level, role);
                if group.is_some() {
                    // The phase is named after the group; the heading is the member's.
                    self.under_heading = Some(text.to_string());
                }
            }
            None => {
                let mut r = ReferenceBuild::new(text.to_string(), line, Some(level), range.end);
                r.explicit = reference;
                self.references.push(r);
                self.current = Current::Reference(self.references.len() - 1);
                self.section_role(text, line, level, SectionRole::Reference);
            }
        }
    }

    /// The role of the innermost open section of phase `p`.
    fn phase_section_role(&self, p: usize, kind: PhaseKind) -> SectionRole {
        let phase = &self.phases[p];
        if phase.sections.iter().any(|s| s.reference) {
            return SectionRole::Reference;
        }
        match phase.sections.iter().rev().find_map(|s| s.alternative) {
            Some((group, member)) => SectionRole::Alternative {
                kind,
                group,
                member,
            },
            None => SectionRole::Phase { kind },
        }
    }

    fn section_role(&mut self, heading: &str, line: usize, level: u8, role: SectionRole) {
        self.out.sections.push(Section {
            heading: heading.to_string(),
            line,
            level,
            role,
        });
    }

    /// Ends the current phase or reference at `at`.
    fn close(&mut self, at: usize) {
        if let Some((draft, use_)) = self.pending.take() {
            self.place(draft, use_);
        }
        match self.current {
            Current::Phase(p) => {
                let phase = &mut self.phases[p];
                phase.end = at;
                let fallback = std::mem::take(&mut phase.fallback);
                if phase.phase.steps.is_empty() && self.any_phase {
                    for (draft, section) in fallback {
                        self.push_step(p, draft, section);
                    }
                }
            }
            Current::Reference(r) => {
                if let Some(r) = self.references.get_mut(r) {
                    r.end = at;
                }
            }
        }
    }

    fn content(&mut self) {
        if let Current::Phase(p) = self.current {
            self.phases[p].has_content = true;
        }
    }

    /// A task item or code block; `heading` is the subheading a code block is written
    /// directly under.
    fn step(&mut self, block: Block, heading: Option<&str>) {
        let is_code = matches!(block, Block::Code { .. });
        let merged = matches!(block, Block::Task { merged: true, .. });
        let mut drafts = self.drafts(block, heading).into_iter();
        // The item introducing a code block is the step only when the block makes none.
        let pending = if is_code { self.pending.take() } else { None };
        match (drafts.next(), pending) {
            (Some(draft), _) if merged => {
                self.content();
                self.pending = Some((draft, Use::Step));
            }
            (Some(draft), _) => {
                self.place(draft, Use::Step);
                for draft in drafts {
                    self.place(draft, Use::Step);
                }
            }
            (None, Some((draft, use_))) => self.place(draft, use_),
            (None, None) => self.content(),
        }
    }

    /// A top-level list item that is not a task item: a step (a numbered item in a section
    /// without task items), a fallback step (a bullet) or, for `None`, prose.
    fn item(
        &mut self,
        use_: Option<Use>,
        merged: bool,
        plain: &str,
        markdown: String,
        range: Range<usize>,
    ) {
        self.content();
        let (Some(use_), Current::Phase(_)) = (use_, self.current) else {
            return;
        };
        let title = match one_liner(plain) {
            t if t.is_empty() => one_liner(&markdown::collapse_spaces(
                markdown.lines().next().unwrap_or(""),
            )),
            t => t,
        };
        if title.is_empty() {
            return;
        }
        if use_ == Use::Fallback && !merged {
            self.prose(plain, &markdown, range.clone());
        }
        let draft = Draft {
            kind: StepKind::Checklist {
                checked_in_source: false,
            },
            title,
            placeholder_source: (markdown.clone(), None),
            text: markdown,
            line: self.source.line_index(range.start) + 1,
            ranges: vec![range],
            alternative: None,
        };
        if merged {
            self.pending = Some((draft, use_));
        } else {
            self.place(draft, use_);
        }
    }

    /// A top-level bullet or paragraph of a phase: a step to tick if the runbook turns out
    /// to hold nothing else to do.
    fn prose(&mut self, plain: &str, markdown: &str, range: Range<usize>) {
        let Current::Phase(p) = self.current else {
            return;
        };
        // Only a runbook with no other step uses them: stop collecting at the first step.
        if self.phases[p].sections.iter().any(|s| s.reference)
            || self.phases.iter().any(|ph| !ph.phase.steps.is_empty())
        {
            return;
        }
        let title = first_sentence(plain).unwrap_or_default();
        if title.is_empty() {
            return;
        }
        let section = self.section(p);
        let draft = Draft {
            kind: StepKind::Checklist {
                checked_in_source: false,
            },
            title,
            placeholder_source: (markdown.to_string(), None),
            text: markdown.to_string(),
            line: self.source.line_index(range.start) + 1,
            ranges: vec![range],
            alternative: self.open_alternative(p),
        };
        self.phases[p].prose.push((draft, section));
    }

    /// A runbook with nothing to do but prose: its bullets and paragraphs become the steps
    /// (the phase of a runbook without phase headings is then named "Procedure").
    fn promote_prose(&mut self) {
        if self.phases.iter().any(|p| !p.phase.steps.is_empty()) {
            return;
        }
        for p in 0..self.phases.len() {
            for (draft, section) in std::mem::take(&mut self.phases[p].prose) {
                self.push_step(p, draft, section);
            }
        }
        if !self.any_phase
            && let Some(phase) = self.phases.first_mut()
            && !phase.phase.steps.is_empty()
        {
            phase.phase.title = "Procedure".into();
        }
    }

    /// Where a drafted step goes: the current phase, its fallback steps, or the stray
    /// count of the current reference section.
    fn place(&mut self, mut draft: Draft, use_: Use) {
        match self.current {
            Current::Phase(p) if self.phases[p].sections.iter().any(|s| s.reference) => {}
            Current::Phase(p) => {
                draft.alternative = self.open_alternative(p);
                let section = self.section(p);
                match use_ {
                    Use::Step => self.push_step(p, draft, section),
                    Use::Fallback => self.phases[p].fallback.push((draft, section)),
                }
            }
            Current::Reference(_) if use_ == Use::Fallback => {}
            Current::Reference(r) => {
                if let Some(r) = self.references.get_mut(r) {
                    let slot = match draft.kind {
                        StepKind::Checklist { .. } => 0,
                        StepKind::Command(_) => 1,
                        StepKind::Promql { .. } | StepKind::Verify { .. } => 2,
                    };
                    r.stray[slot] += 1;
                }
            }
        }
    }

    /// The alternative open in phase `p`, if any.
    fn open_alternative(&self, p: usize) -> Option<AlternativeRef> {
        self.phases[p]
            .sections
            .iter()
            .rev()
            .find_map(|s| s.alternative)
            .map(|(group, member)| AlternativeRef { group, member })
    }

    /// The heading path inside phase `p`, if any.
    fn section(&self, p: usize) -> Option<String> {
        let phase = &self.phases[p];
        (!phase.sections.is_empty()).then(|| {
            phase
                .sections
                .iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join(" › ")
        })
    }

    fn push_step(&mut self, p: usize, draft: Draft, section: Option<String>) {
        let phase = &mut self.phases[p];
        phase.has_content = true;
        phase.step_ranges.extend(draft.ranges);
        match draft.placeholder_source {
            (script, Some(lexed)) => self.out.placeholders.script(&script, &lexed),
            (text, None) => self.out.placeholders.text(&text),
        }
        phase.phase.steps.push(Step {
            id: StepId(0),
            line: draft.line,
            title: draft.title,
            text: draft.text,
            section,
            kind: draft.kind,
            alternative: draft.alternative,
        });
    }

    /// The steps a block makes: one for a task item; for a code block see [`Self::code_drafts`].
    fn drafts(&mut self, block: Block, heading: Option<&str>) -> Vec<Draft> {
        match block {
            Block::Task {
                checked,
                plain,
                markdown,
                range,
                ..
            } => vec![Draft {
                kind: StepKind::Checklist {
                    checked_in_source: checked,
                },
                title: one_liner(&plain),
                placeholder_source: (markdown.clone(), None),
                text: markdown,
                line: self.source.line_index(range.start) + 1,
                ranges: vec![range],
                alternative: None,
            }],
            Block::Code {
                lang,
                content,
                range,
                content_line,
                closed,
                context,
            } => {
                if !closed {
                    self.findings
                        .push(self.source.position(range.start).warning(
                            self.file,
                            "code block is never closed: it runs to the end of the file",
                            Some(
                                "close it with a line holding only the opening fence (```)".into(),
                            ),
                        ));
                }
                let mut drafts =
                    self.code_drafts(&lang, &content, &range, content_line, context.as_ref());
                // One command step directly under a subheading is what the heading says,
                // whatever its first comment says (a block split into several steps keeps
                // the titles of its parts).
                if let (Some(heading), [draft]) = (heading, drafts.as_mut_slice())
                    && context.is_none()
                    && matches!(draft.kind, StepKind::Command(_))
                    && says_what_it_does(heading)
                {
                    draft.title = one_liner(heading);
                }
                drafts
            }
            _ => Vec::new(),
        }
    }

    /// The steps of a code block: a checklist item per comment of a shell block of comments
    /// only; a step per part of a shell block split by numbered comments (`# 1. …`,
    /// `# 2. …`), titled by them; else the one step of [`Self::code_draft`].
    fn code_drafts(
        &self,
        lang: &str,
        content: &str,
        range: &Range<usize>,
        content_line: usize,
        context: Option<&Context>,
    ) -> Vec<Draft> {
        if lang == "promql"
            && let Some(parts) = comment_blocks::split_queries(content)
        {
            return parts
                .iter()
                .enumerate()
                .filter_map(|(k, part)| {
                    let context = if k == 0 { context } else { None };
                    let line = content_line + part.first_line;
                    let mut draft = self.code_draft(lang, &part.content, range, line, context)?;
                    draft.line = line + 1;
                    if let Some(title) = &part.title {
                        draft.title = one_liner(title);
                    }
                    Some(draft)
                })
                .collect();
        }
        if commands::is_shell_lang(lang) && lang != "console" {
            if let Some(comments) = comment_blocks::comments_only(content) {
                let mut ranges = vec![range.clone()];
                ranges.extend(context.map(|c| c.range.clone()));
                return comments
                    .into_iter()
                    .map(|(i, text)| Draft {
                        kind: StepKind::Checklist {
                            checked_in_source: false,
                        },
                        title: one_liner(text),
                        text: text.to_string(),
                        line: content_line + i + 1,
                        ranges: std::mem::take(&mut ranges),
                        placeholder_source: (text.to_string(), None),
                        alternative: None,
                    })
                    .collect();
            }
            if let Some(parts) = comment_blocks::split_numbered(content) {
                return parts
                    .iter()
                    .enumerate()
                    .filter_map(|(k, part)| {
                        let context = if k == 0 { context } else { None };
                        let line = content_line + part.first_line;
                        let mut draft =
                            self.code_draft(lang, &part.content, range, line, context)?;
                        draft.line = line + 1;
                        if let Some(title) = &part.title {
                            draft.title = one_liner(title);
                        }
                        Some(draft)
                    })
                    .collect();
            }
        }
        self.code_draft(lang, content, range, content_line, context)
            .into_iter()
            .collect()
    }

    fn code_draft(
        &self,
        lang: &str,
        content: &str,
        range: &Range<usize>,
        content_line: usize,
        context: Option<&Context>,
    ) -> Option<Draft> {
        let line = self.source.line_index(range.start) + 1;
        let mut ranges = vec![range.clone()];
        ranges.extend(context.map(|c| c.range.clone()));
        let text = step_text(
            context.map(|c| c.markdown(&self.source.text)),
            lang,
            content,
        );
        // An alternative's `**When:** …` lines say when to choose it, not what the step does.
        let context_title = context
            .filter(|c| !roles::is_meta_line(&c.plain))
            .and_then(|c| first_sentence(&c.plain));
        if lang == "promql" {
            let query = content.trim().to_string();
            if query.is_empty() {
                return None;
            }
            let title = context_title
                .or_else(|| leading_comment(content))
                .unwrap_or_else(|| one_liner(query.lines().next().unwrap_or("")));
            return Some(Draft {
                kind: StepKind::Promql {
                    comparison: promql::comparison(&query),
                    query: query.clone(),
                },
                title,
                text,
                line,
                ranges,
                placeholder_source: (query, None),
                alternative: None,
            });
        }
        let shell = commands::is_shell_lang(lang)
            || (lang.is_empty() && commands::looks_like_shell(content));
        if !shell {
            return None;
        }
        let script = commands::script(lang, content);
        let lexed = commands::lex(&script.text);
        let lines = commands::command_lines_lexed(&script, &lexed, content_line + 1);
        let foreign = commands::foreign_lines(&script, &lexed, content_line + 1);
        let first = lines.first()?;
        let title = context_title
            .or_else(|| leading_comment(&script.text))
            .unwrap_or_else(|| one_liner(&markdown::collapse_spaces(&first.text)));
        Some(Draft {
            kind: StepKind::Command(CommandBlock {
                lang: if lang.is_empty() {
                    "sh".into()
                } else {
                    lang.to_string()
                },
                script: script.text.clone(),
                lines,
                foreign,
            }),
            title,
            text,
            line,
            ranges,
            placeholder_source: (script.text, Some(lexed)),
            alternative: None,
        })
    }

    fn finish(mut self, mut groups: Vec<AlternativeGroup>) -> Outline {
        self.promote_prose();
        let full = self.source.text.as_str();
        let mut next_id = 0u32;
        // With no step at all, loading fails with one error that says so; a warning per
        // empty phase would only repeat it.
        let any_step = self.phases.iter().any(|p| !p.phase.steps.is_empty());
        for mut p in std::mem::take(&mut self.phases) {
            p.phase.body = body_without(full, p.start..p.end, &mut p.step_ranges);
            for step in &mut p.phase.steps {
                step.id = StepId(next_id);
                next_id += 1;
                if let Some(g) = step.alternative.and_then(|a| groups.get_mut(a.group)) {
                    g.phase = p.phase.kind;
                }
            }
            if p.phase.steps.is_empty() && self.any_phase && any_step {
                self.findings
                    .push(
                        self.source.position_at(p.phase.line - 1, 0).warning(
                            self.file,
                            format!("phase `{}` has no steps", p.phase.title),
                            Some(
                                "write what to do as task items (`- [ ] …`), numbered items (`1. …`) \
                                 or fenced shell blocks; prose, tables and message templates are not \
                                 steps"
                                    .into(),
                            ),
                        ),
                    );
            }
            self.out.phases.push(p.phase);
        }
        for (i, r) in std::mem::take(&mut self.references).into_iter().enumerate() {
            let body = full.get(r.start..r.end).unwrap_or("").trim().to_string();
            let [tasks, commands, queries] = r.stray;
            let preamble = i == 0 && self.any_phase;
            // A section named as reference ("Risks", "Contacts") is meant to make no steps.
            if tasks + commands + queries > 0 && !r.explicit {
                let what = describe_steps(tasks, commands, queries);
                let verdict = if tasks + commands + queries == 1 {
                    "is reference, not a step"
                } else {
                    "are reference, not steps"
                };
                let (message, hint) = if preamble {
                    (
                        format!("the text before the first section holds {what}, which {verdict}"),
                        "move steps under a phase heading (e.g. \"## Execute\")".to_string(),
                    )
                } else {
                    (
                        format!("section `{}` is not a phase: its {what} {verdict}", r.title),
                        format!(
                            "start the heading with a phase word (e.g. \"Execute …\") or map it in front matter: `phases: {{ \"{}\": execution }}`",
                            r.title
                        ),
                    )
                };
                self.findings
                    .push(self.source.position_at(r.line - 1, 0).warning(
                        self.file,
                        message,
                        Some(hint),
                    ));
            }
            if preamble && body.is_empty() {
                continue;
            }
            self.out.references.push(ReferenceSection {
                title: r.title,
                line: r.line,
                body,
            });
        }
        // A group's phase is the one its sections are in, even with no step.
        for section in &self.out.sections {
            if let SectionRole::Alternative { kind, group, .. } = section.role
                && let Some(g) = groups.get_mut(group)
            {
                g.phase = kind;
            }
        }
        self.out.alternatives = groups;
        self.out
    }
}

/// "2 task items and 1 command block"
fn describe_steps(tasks: usize, commands: usize, queries: usize) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let parts: Vec<String> = [
        (tasks, "task item", "task items"),
        (commands, "command block", "command blocks"),
        (queries, "PromQL block", "PromQL blocks"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| plural(n, one, many))
    .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A step's full text: the introducing prose, then the block as fenced Markdown.
fn step_text(context: Option<String>, lang: &str, content: &str) -> String {
    let mut text = context.map_or_else(String::new, |mut c| {
        c.push_str("\n\n");
        c
    });
    text.reserve(content.len() + lang.len() + 8);
    text.push_str("```");
    text.push_str(lang);
    text.push('\n');
    text.push_str(content);
    if !content.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("```");
    text
}

/// The section's source with its steps cut out, blank runs collapsed.
fn body_without(full: &str, range: Range<usize>, cuts: &mut [Range<usize>]) -> String {
    let Some(section) = full.get(range.clone()) else {
        return String::new();
    };
    cuts.sort_by_key(|r| r.start);
    let mut kept = String::with_capacity(section.len());
    let mut from = range.start;
    for cut in cuts.iter() {
        let start = cut.start.clamp(from, range.end);
        if let Some(piece) = full.get(from..start) {
            kept.push_str(piece);
        }
        from = from.max(cut.end.min(range.end));
    }
    if let Some(piece) = full.get(from..range.end) {
        kept.push_str(piece);
    }
    let mut out = String::with_capacity(kept.len());
    let mut blank_run = 0;
    for line in kept.lines() {
        let is_blank = line.trim().is_empty();
        blank_run = if is_blank { blank_run + 1 } else { 0 };
        if blank_run <= 1 {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.trim().to_string()
}

/// Whether a heading can title the block under it: not a bare label that says nothing of
/// what the block does ("Procedure", "Steps", "Step 3", "Option B").
fn says_what_it_does(text: &str) -> bool {
    const LABELS: &[&str] = &[
        "step",
        "steps",
        "procedure",
        "procedures",
        "command",
        "commands",
        "option",
        "strategy",
        "scenario",
        "method",
        "approach",
        "plan",
        "type",
        "part",
        "stage",
        "phase",
        "example",
        "examples",
        "usage",
        "code",
        "script",
        "run",
        "how",
        "to",
        "the",
        "it",
    ];
    let words = phase_words::words(text);
    let label = words.iter().all(|w| {
        LABELS.contains(&w.as_str())
            || w.chars().all(|c| c.is_ascii_digit())
            || (w.len() == 1 && w.chars().all(|c| c.is_ascii_alphabetic()))
    });
    !label
}

/// Longest title kept whole, in characters.
const TITLE_MAX: usize = 80;

/// One readable line from single-spaced text: cut at a word boundary with `…` when long.
pub(super) fn one_liner(text: &str) -> String {
    let text = text.trim();
    if text.len() <= TITLE_MAX || text.chars().count() <= TITLE_MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(TITLE_MAX).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > TITLE_MAX / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

/// The first sentence of prose, as a title (`None` for empty prose).
pub(super) fn first_sentence(text: &str) -> Option<String> {
    let text = markdown::collapse_spaces(text);
    let mut end = text.len();
    let mut prev_word_start = 0;
    for (i, c) in text.char_indices() {
        if c == ' ' {
            prev_word_start = i + 1;
            continue;
        }
        if matches!(c, '.' | '!' | '?') {
            let next = text[i + c.len_utf8()..].chars().next();
            let word = &text[prev_word_start..i];
            let abbreviation = word.contains('.')
                || word.chars().count() <= 1
                || ["e.g", "i.e", "etc", "vs", "approx", "min", "max", "sec"]
                    .contains(&word.to_ascii_lowercase().as_str());
            if next.is_none_or(|n| n == ' ') && !abbreviation {
                end = if c == '.' { i } else { i + 1 };
                break;
            }
        }
    }
    let sentence = text[..end].trim().trim_end_matches([':', ';', ',']).trim();
    (!sentence.is_empty()).then(|| one_liner(sentence))
}

/// The first line of a script when it is a comment (`# Check current status`).
///
/// Among the comments above the first command, an `Action:` comment says what the block
/// does (its text is the title); comments that say when to use it (`Symptoms: …`,
/// `Trigger: …`) are skipped.
fn leading_comment(script: &str) -> Option<String> {
    let mut comments = Vec::new();
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with("#!") && comments.is_empty() {
            return None;
        }
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        let comment = comment.trim_start_matches('#').trim();
        if !comment.is_empty() {
            comments.push(comment);
        }
    }
    let action = comments.iter().find_map(|c| {
        let (label, rest) = c.split_once(':')?;
        label
            .trim()
            .eq_ignore_ascii_case("action")
            .then_some(rest.trim())
            .filter(|r| !r.is_empty())
    });
    action
        .or_else(|| comments.into_iter().find(|c| !roles::is_meta_line(c)))
        .map(one_liner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_titled_by_its_action_comment_not_by_its_symptoms() {
        let script = "# Symptoms: 500s from the API\n# Action: Roll back to the pre-migration version\ncurl -X POST http://deploy/rollback\n";
        assert_eq!(
            leading_comment(script).as_deref(),
            Some("Roll back to the pre-migration version")
        );
        let script = "# Trigger: error rate above 5%\n# Switch traffic back\ncurl -X POST x\n";
        assert_eq!(
            leading_comment(script).as_deref(),
            Some("Switch traffic back")
        );
        assert_eq!(leading_comment("#!/bin/sh\n# Roll back\nx\n"), None);
        assert_eq!(leading_comment("kubectl get pods\n# later\n"), None);
    }

    #[test]
    fn titles() {
        assert_eq!(
            first_sentence("Roll back to the previous revision. Then watch it.").as_deref(),
            Some("Roll back to the previous revision")
        );
        assert_eq!(
            first_sentence("Check the canary, e.g. with curl. Then go on").as_deref(),
            Some("Check the canary, e.g. with curl")
        );
        assert_eq!(first_sentence("Run this:").as_deref(), Some("Run this"));
        assert_eq!(
            first_sentence("Is it down? Check").as_deref(),
            Some("Is it down?")
        );
        assert_eq!(
            first_sentence("v1.2.3 is bad").as_deref(),
            Some("v1.2.3 is bad")
        );
        assert_eq!(first_sentence("  "), None);
        assert_eq!(
            leading_comment("\n# Check current status\nkubectl get pods").as_deref(),
            Some("Check current status")
        );
        assert_eq!(leading_comment("#!/bin/sh\nls"), None);
        let long = "word ".repeat(40);
        let t = one_liner(&long);
        assert!(
            t.chars().count() <= TITLE_MAX + 1 && t.ends_with('…'),
            "{t}"
        );
    }

    #[test]
    fn body_cuts_steps_and_collapses_blank_lines() {
        let full = "intro\n\n- [ ] a\n- [ ] b\n\n\n\ntail\n";
        let task = |t: &str| {
            let start = full.find(t).unwrap_or(0);
            start..start + t.len() + 1
        };
        let mut cuts = vec![task("- [ ] b"), task("- [ ] a")];
        assert_eq!(
            body_without(full, 0..full.len(), &mut cuts),
            "intro\n\ntail"
        );
    }

    #[test]
    fn describes_counts() {
        assert_eq!(describe_steps(2, 1, 0), "2 task items and 1 command block");
        assert_eq!(
            describe_steps(0, 3, 1),
            "3 command blocks and 1 PromQL block"
        );
        assert_eq!(
            describe_steps(1, 1, 2),
            "1 task item, 1 command block and 2 PromQL blocks"
        );
    }
}

#[cfg(test)]
mod list_item_tests {
    use std::path::Path;

    use super::super::{Runbook, StepKind, parse};

    fn steps(doc: &str) -> Vec<(String, &'static str)> {
        let rb: Runbook = parse(Path::new("t.md"), doc).expect("loads");
        rb.steps()
            .map(|s| {
                let kind = match s.kind {
                    StepKind::Checklist { .. } => "checklist",
                    StepKind::Command(_) => "command",
                    StepKind::Promql { .. } => "promql",
                    StepKind::Verify { .. } => "verify",
                };
                (s.title.clone(), kind)
            })
            .collect()
    }

    #[test]
    fn a_task_item_introducing_a_block_that_is_no_command_stays_a_step() {
        let doc = "## Execute\n\n- [ ] Apply the config:\n  ```yaml\n  replicas: 3\n  ```\n\
                   - [ ] Roll back:\n  ```bash\n  kubectl rollout undo deployment/web\n  ```\n";
        assert_eq!(
            steps(doc),
            [
                ("Apply the config:".to_string(), "checklist"),
                ("Roll back".to_string(), "command"),
            ]
        );
    }

    #[test]
    fn a_command_block_directly_under_a_subheading_is_titled_by_the_heading() {
        let doc = "## Execute\n\n### Roll back the web deployment\n\n```bash\n# Undo\n\
                   kubectl rollout undo deployment/web\n```\n\n### Steps\n\n```bash\n\
                   # Check the rollout\nkubectl rollout status deployment/web\n```\n\n\
                   ### Watch the pods\n\nWatch them roll.\n\n```bash\n# List pods\n\
                   kubectl get pods\n```\n\n## Verify the rollback\n\n```bash\n\
                   # Error rate is back\ncurl -fsS http://web/healthz\n```\n";
        assert_eq!(
            steps(doc),
            [
                // The heading, not the first comment.
                ("Roll back the web deployment".to_string(), "command"),
                // A bare label says nothing: the comment stays the title.
                ("Check the rollout".to_string(), "command"),
                // Prose between heading and block introduces the block.
                ("Watch them roll".to_string(), "command"),
                // A phase heading names the phase, not the step.
                ("Error rate is back".to_string(), "command"),
            ]
        );
    }

    #[test]
    fn numbered_items_in_a_reference_section_or_quote_are_not_steps() {
        let doc = "## Execute\n\n1. Roll back\n\n> 1. quoted\n\n## Escalation\n\n1. Lead\n2. CTO\n";
        let rb = parse(Path::new("t.md"), doc).expect("loads");
        assert_eq!(steps(doc), [("Roll back".to_string(), "checklist")]);
        assert!(rb.warnings.is_empty(), "{:?}", rb.warnings);
    }

    #[test]
    fn without_phase_headings_bullets_are_not_steps_but_numbered_items_are() {
        // Only a runbook of nothing but prose makes steps of its bullets (one "Procedure").
        let doc = "# Notes\n\n- a bullet\n";
        let rb = parse(Path::new("t.md"), doc).expect("a prose runbook loads");
        assert_eq!(rb.phases[0].title, "Procedure");
        assert_eq!(steps(doc), [("a bullet".to_string(), "checklist")]);
        assert!(parse(Path::new("t.md"), "# Notes\n").is_err());
        let doc = "# Web rollback\n\n1. Roll back\n2. Tell the channel\n\n- a note\n";
        assert_eq!(
            steps(doc),
            [
                ("Roll back".to_string(), "checklist"),
                ("Tell the channel".to_string(), "checklist"),
            ]
        );
    }
}
