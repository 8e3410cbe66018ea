//! The walk's state changes: headings open phases, sections and references; blocks become
//! drafted steps, placed in the current phase.

use super::*;

impl Builder<'_> {
    pub(super) fn heading(
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
    pub(super) fn phase_section_role(&self, p: usize, kind: PhaseKind) -> SectionRole {
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

    pub(super) fn section_role(
        &mut self,
        heading: &str,
        line: usize,
        level: u8,
        role: SectionRole,
    ) {
        self.out.sections.push(Section {
            heading: heading.to_string(),
            line,
            level,
            role,
        });
    }

    /// Ends the current phase or reference at `at`.
    pub(super) fn close(&mut self, at: usize) {
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

    pub(super) fn content(&mut self) {
        if let Current::Phase(p) = self.current {
            self.phases[p].has_content = true;
        }
    }

    /// A task item or code block; `heading` is the subheading a code block is written
    /// directly under.
    pub(super) fn step(&mut self, block: Block, heading: Option<Heading>) {
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
    pub(super) fn item(
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
            self.prose(plain, || markdown.clone(), range.clone());
        }
        let draft = self.unticked_item(title, markdown, range, None);
        if merged {
            self.pending = Some((draft, use_));
        } else {
            self.place(draft, use_);
        }
    }

    /// A top-level bullet or paragraph of a phase: a step to tick if the runbook turns out
    /// to hold nothing else to do.
    /// `plain` is its text (collapsed or not), `markdown` makes its Markdown (only when kept).
    pub(super) fn prose(
        &mut self,
        plain: &str,
        markdown: impl FnOnce() -> String,
        range: Range<usize>,
    ) {
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
        let markdown = markdown();
        let alternative = self.open_alternative(p);
        let draft = self.unticked_item(title, markdown, range, alternative);
        self.phases[p].prose.push((draft, section));
    }

    /// A checklist step read from text (not ticked in the source) at `range`.
    fn unticked_item(
        &self,
        title: String,
        markdown: String,
        range: Range<usize>,
        alternative: Option<AlternativeRef>,
    ) -> Draft {
        Draft {
            kind: StepKind::Checklist {
                checked_in_source: false,
            },
            title,
            placeholder_source: PlaceholderSource::Text,
            text: markdown,
            line: self.source.line_index(range.start) + 1,
            ranges: vec![range],
            alternative,
        }
    }

    /// A runbook with nothing to do but prose: its bullets and paragraphs become the steps
    /// (the phase of a runbook without phase headings is then named "Procedure").
    pub(super) fn promote_prose(&mut self) {
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
    pub(super) fn place(&mut self, mut draft: Draft, use_: Use) {
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

    /// Whether the walk is inside an alternative.
    pub(super) fn in_alternative(&self) -> bool {
        matches!(self.current, Current::Phase(p) if self.open_alternative(p).is_some())
    }

    /// The alternative open in phase `p`, if any.
    pub(super) fn open_alternative(&self, p: usize) -> Option<AlternativeRef> {
        self.phases[p]
            .sections
            .iter()
            .rev()
            .find_map(|s| s.alternative)
            .map(|(group, member)| AlternativeRef { group, member })
    }

    /// The heading path inside phase `p`, if any.
    pub(super) fn section(&self, p: usize) -> Option<String> {
        const SEPARATOR: &str = " › ";
        let sections = &self.phases[p].sections;
        if sections.is_empty() {
            return None;
        }
        // Sized once, joined in place: called for every step placed.
        let len = sections.iter().map(|s| s.text.len()).sum::<usize>()
            + SEPARATOR.len() * (sections.len() - 1);
        let mut path = String::with_capacity(len);
        for (i, s) in sections.iter().enumerate() {
            if i > 0 {
                path.push_str(SEPARATOR);
            }
            path.push_str(&s.text);
        }
        Some(path)
    }

    pub(super) fn push_step(&mut self, p: usize, draft: Draft, section: Option<String>) {
        let phase = &mut self.phases[p];
        phase.has_content = true;
        phase.step_ranges.extend(draft.ranges);
        match (&draft.placeholder_source, &draft.kind) {
            (PlaceholderSource::Script(lexed), StepKind::Command(block)) => {
                self.out.placeholders.script(&block.script, lexed);
            }
            (PlaceholderSource::Query, StepKind::Promql { query, .. }) => {
                self.out.placeholders.text(query);
            }
            _ => self.out.placeholders.text(&draft.text),
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
}
