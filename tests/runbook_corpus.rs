//! Runbook corpora (DESIGN.md §7):
//!
//! - `tests/runbooks/valid/`: runbooks as teams write them; each loads, with the phases and
//!   steps asserted below.
//! - `tests/runbooks/invalid/`: one defect per file, named after it; loading fails and the
//!   diagnostics, as printed, equal the sibling `.expected` file verbatim.
//! - `tests/runbooks/warnings/`: one defect per file that is worth a warning but not an
//!   error; loading succeeds and the warnings equal the `.expected` file verbatim.
//! - `runbooks/`: the project's runbooks load with no error and no warning.
//!
//! After an intended change of wording, `BLESS=1 cargo test --test runbook_corpus`
//! rewrites the `.expected` files; review the diff before committing it.

use std::fs;
use std::path::{Path, PathBuf};

use backout::adapters::runbook_file;
use backout::domain::runbook::{
    self, Diagnostic, LoadError, PhaseKind, PlaceholderForm, Runbook, StepKind,
};

use PhaseKind::{Communication, Execution, PostRollback, Preparation, Verification};

fn files_in(dir: &str, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| keep(p))
        .collect();
    files.sort();
    files
}

fn is_runbook(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("md" | "txt"))
}

fn load_ok(path: &str) -> Runbook {
    runbook_file::load(Path::new(path)).unwrap_or_else(|e| panic!("{path} must load:\n{e}"))
}

/// (kind, step count) of every phase, in order.
fn shape(rb: &Runbook) -> Vec<(PhaseKind, usize)> {
    rb.phases.iter().map(|p| (p.kind, p.steps.len())).collect()
}

fn listing(diagnostics: &[Diagnostic]) -> String {
    let mut out: String = diagnostics.iter().map(|d| format!("{d}\n")).collect();
    if out.is_empty() {
        out.push('\n');
    }
    out
}

/// Compares `actual` with the `.expected` file next to `path` (or writes it under BLESS).
fn assert_expected(path: &Path, actual: &str) {
    let expected_path = path.with_extension("expected");
    if std::env::var_os("BLESS").is_some() {
        fs::write(&expected_path, actual).expect("write .expected");
        return;
    }
    let expected = fs::read_to_string(&expected_path).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}); run with BLESS=1 to create it",
            expected_path.display()
        )
    });
    assert_eq!(
        actual,
        expected,
        "diagnostics of {} differ from {}",
        path.display(),
        expected_path.display()
    );
}

#[test]
fn every_invalid_runbook_fails_with_exactly_the_expected_errors() {
    let files = files_in("tests/runbooks/invalid", is_runbook);
    assert!(files.len() >= 14, "invalid corpus shrank: {files:?}");
    for path in files {
        match runbook_file::load(&path) {
            Ok(_) => panic!("{} must not load", path.display()),
            Err(e @ LoadError::Read { .. }) => panic!("{e}"),
            Err(LoadError::Invalid { errors, warnings }) => {
                assert!(!errors.is_empty());
                let mut all = errors.clone();
                all.extend(warnings);
                assert_expected(&path, &listing(&all));
            }
        }
    }
}

#[test]
fn every_warning_runbook_loads_with_exactly_the_expected_warnings() {
    let files = files_in("tests/runbooks/warnings", is_runbook);
    assert!(files.len() >= 6, "warnings corpus shrank: {files:?}");
    for path in files {
        let rb = runbook_file::load(&path)
            .unwrap_or_else(|e| panic!("{} must load:\n{e}", path.display()));
        assert!(!rb.warnings.is_empty(), "{} must warn", path.display());
        assert_expected(&path, &listing(&rb.warnings));
    }
}

#[test]
fn every_expected_file_has_its_runbook() {
    for dir in ["tests/runbooks/invalid", "tests/runbooks/warnings"] {
        for expected in files_in(dir, |p| p.extension().is_some_and(|e| e == "expected")) {
            assert!(
                expected.with_extension("md").exists(),
                "{} has no runbook",
                expected.display()
            );
        }
    }
}

/// Expected shape of each valid runbook. Every file of the corpus must be listed.
const VALID: &[(&str, &[(PhaseKind, usize)])] = &[
    ("bullets-only.md", &[(Execution, 1), (Verification, 3)]),
    ("console-prompts.md", &[(Execution, 2), (Verification, 1)]),
    (
        "crlf-line-endings.md",
        &[(Preparation, 2), (Execution, 1), (Verification, 1)],
    ),
    ("decision-table.md", &[(Execution, 1)]),
    (
        "docs-site-front-matter.md",
        &[(Execution, 3), (Verification, 1)],
    ),
    ("front-matter-full.md", &[(Execution, 1), (Verification, 1)]),
    (
        "group-heading.md",
        &[(Preparation, 1), (Execution, 2), (Verification, 1)],
    ),
    ("mojibake.md", &[(Execution, 3), (Verification, 1)]),
    (
        "nested-task-lists.md",
        &[(Preparation, 10), (Execution, 1), (Verification, 1)],
    ),
    (
        "no-front-matter.md",
        &[
            (Preparation, 2),
            (Execution, 1),
            (Verification, 2),
            (Communication, 1),
            (PostRollback, 1),
        ],
    ),
    ("no-phase-headings.md", &[(Execution, 2)]),
    (
        "numbered-emoji-headings.md",
        &[
            (Preparation, 1),
            (Execution, 1),
            (Verification, 1),
            (Communication, 1),
            (PostRollback, 1),
        ],
    ),
    (
        "numbered-list-steps.md",
        &[(Execution, 3), (PostRollback, 2)],
    ),
    (
        "plain-text-runbook.txt",
        &[(Execution, 1), (Verification, 1)],
    ),
    ("prose-only.md", &[(Execution, 1), (Verification, 1)]),
    (
        "tasks-and-numbered-lists.md",
        &[(Preparation, 4), (Execution, 1)],
    ),
    (
        "unlabelled-fences.md",
        &[(Execution, 1), (Communication, 1)],
    ),
    (
        "verify-checks.md",
        &[(Execution, 1), (Verification, 7), (Communication, 1)],
    ),
    (
        "verify-without-verification-phase.md",
        &[(Execution, 1), (Verification, 1), (Communication, 1)],
    ),
];

#[test]
fn every_valid_runbook_loads_with_its_phases_and_steps() {
    let files = files_in("tests/runbooks/valid", is_runbook);
    let listed: Vec<&str> = VALID.iter().map(|(f, _)| *f).collect();
    let present: Vec<String> = files
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .collect();
    assert_eq!(
        present, listed,
        "every valid runbook needs an expected shape"
    );
    for (file, want) in VALID {
        let path = format!("tests/runbooks/valid/{file}");
        let rb = load_ok(&path);
        assert_eq!(shape(&rb), *want, "{path}");
        // Step ids run in document order without gaps, and lines only go forward.
        let steps: Vec<_> = rb.phases.iter().flat_map(|p| &p.steps).collect();
        for (i, step) in steps.iter().enumerate() {
            assert_eq!(step.id.0 as usize, i, "{path}: step ids in order");
            assert!(
                !step.title.is_empty(),
                "{path}: step {} has a title",
                step.id
            );
        }
        // Lines only go forward in the body (front matter `verify:` checks are steps whose
        // line is their entry's, in the front matter).
        let body: Vec<_> = steps
            .iter()
            .filter(|s| !matches!(s.kind, StepKind::Verify { .. }))
            .collect();
        assert!(body.windows(2).all(|w| w[0].line < w[1].line), "{path}");
    }
}

fn step_titles(rb: &Runbook) -> Vec<&str> {
    rb.phases
        .iter()
        .flat_map(|p| &p.steps)
        .map(|s| s.title.as_str())
        .collect()
}

fn command_lines(rb: &Runbook) -> Vec<(usize, &str, bool)> {
    rb.phases
        .iter()
        .flat_map(|p| &p.steps)
        .filter_map(|s| match &s.kind {
            StepKind::Command(c) => Some(&c.lines),
            _ => None,
        })
        .flatten()
        .map(|l| (l.line, l.text.as_str(), l.is_kubectl))
        .collect()
}

#[test]
fn headings_keep_numbers_and_emoji_but_yield_time_budgets() {
    let rb = load_ok("tests/runbooks/valid/numbered-emoji-headings.md");
    assert_eq!(rb.title, "🛒 Cart service rollback");
    let budgets: Vec<(&str, Option<u64>)> = rb
        .phases
        .iter()
        .map(|p| (p.title.as_str(), p.time_budget.map(|d| d.as_secs())))
        .collect();
    assert_eq!(
        budgets,
        [
            ("1. 🧭 Prepare (3 min)", Some(180)),
            ("Phase 2 – Execution [5 minutes]", Some(300)),
            ("3) ✅ Verify — 10 minutes", Some(600)),
            ("4. 📣 Notify stakeholders (2m)", Some(120)),
            ("5. 🧹 Clean-up (within 24 hours)", Some(86_400)),
        ]
    );
}

#[test]
fn nested_task_items_are_steps_in_order_with_their_checked_state() {
    let rb = load_ok("tests/runbooks/valid/nested-task-lists.md");
    let prep = &rb.phases[0];
    let items: Vec<(&str, bool)> = prep
        .steps
        .iter()
        .map(|s| match s.kind {
            StepKind::Checklist { checked_in_source } => (s.title.as_str(), checked_in_source),
            _ => panic!("only checklist items here"),
        })
        .collect();
    assert_eq!(
        items,
        [
            ("People", false),
            ("Incident commander named", false),
            ("Scribe named", true),
            ("Scribe has the journal open", false),
            ("Access", true),
            ("kubectl context is prod-eu", false),
            ("Tools", false),
            ("Numbered task one", false),
            ("Numbered task two", true),
            ("but a task under it is", false),
        ]
    );
    assert_eq!(prep.steps[5].text, "`kubectl` context is `prod-eu`");
    assert!(prep.body.contains("A plain bullet is not a step"));
}

#[test]
fn console_sessions_keep_commands_and_drop_output() {
    let rb = load_ok("tests/runbooks/valid/console-prompts.md");
    assert_eq!(
        command_lines(&rb),
        [
            (8, "kubectl -n api rollout history deployment/api", true),
            (
                13,
                "kubectl -n api rollout undo deployment/api --to-revision=7",
                true
            ),
            (19, "kubectl -n api rollout status deployment/api", true),
            (27, "curl -fsS https://api.example.com/healthz", false),
        ]
    );
    let StepKind::Command(first) = &rb.phases[0].steps[0].kind else {
        panic!("a command step");
    };
    assert_eq!(first.lang, "console");
    assert_eq!(
        first.script,
        "kubectl -n api rollout history deployment/api\nkubectl -n api rollout undo deployment/api \\\n  --to-revision=7\n"
    );
    assert_eq!(rb.phases[0].steps[0].title, "Check the history first");
}

#[test]
fn crlf_files_load_like_lf_files() {
    let bytes = fs::read("tests/runbooks/valid/crlf-line-endings.md").expect("read");
    assert!(
        bytes.windows(2).any(|w| w == b"\r\n"),
        "fixture must keep CRLF"
    );
    let rb = load_ok("tests/runbooks/valid/crlf-line-endings.md");
    assert!(rb.warnings.is_empty(), "{:?}", rb.warnings);
    assert_eq!(
        command_lines(&rb),
        [(
            11,
            "kubectl -n ledger rollout undo deployment/ledger --to-revision=<revision>",
            true
        )]
    );
    assert_eq!(rb.placeholders.len(), 1);
    assert_eq!(rb.placeholders[0].written(), "<revision>");
    assert!(step_titles(&rb).iter().all(|t| !t.contains('\r')));
}

#[test]
fn mojibake_is_repaired_with_a_warning_per_line() {
    let rb = load_ok("tests/runbooks/valid/mojibake.md");
    assert_eq!(rb.title, "Search rollback — copied from a wiki export");
    assert_eq!(
        step_titles(&rb),
        [
            "It’s safe to roll back: no migration shipped",
            "✅ Rollback approved by the incident commander",
            "kubectl -n search rollout undo deployment/search",
            "Café menu search works again",
        ]
    );
    let at: Vec<(usize, usize)> = rb.warnings.iter().map(|w| (w.line, w.col)).collect();
    assert_eq!(at, [(1, 19), (5, 9), (6, 7), (14, 10)]);
}

#[test]
fn decision_tables_are_recognised_by_their_header() {
    let rb = load_ok("tests/runbooks/valid/decision-table.md");
    assert_eq!(rb.decision_tables.len(), 1, "the owners table is not one");
    let table = &rb.decision_tables[0];
    assert_eq!(
        table.headers,
        ["Sev", "Error rate", "p95 latency", "Action"]
    );
    assert_eq!(table.severity_column, 0);
    assert_eq!(table.rows.len(), 3);
    assert_eq!(table.rows[0], ["SEV-1", "> 10 %", "> 5 s", "Roll back now"]);
    assert_eq!(table.line, 5);
}

#[test]
fn front_matter_binds_target_queries_vars_and_phases() {
    let rb = load_ok("tests/runbooks/valid/front-matter-full.md");
    let front = rb.front.as_ref().expect("front matter");
    assert_eq!(rb.title, "Billing API rollback (every front matter key)");
    assert_eq!(
        front.target.as_ref().and_then(|t| t.deployment.as_deref()),
        Some("billing-api")
    );
    assert_eq!(front.matrix.len(), 2);
    assert_eq!(front.rto["SEV-3"].0.as_secs(), 5400);
    assert_eq!(front.rto["SEV-4"].0.as_secs(), 7200);
    assert_eq!(
        front
            .notify
            .as_ref()
            .and_then(|n| n.github.as_ref())
            .map(|g| g.issue),
        Some(42)
    );
    // `phases:` names headings that no word would recognise.
    assert_eq!(
        rb.phases
            .iter()
            .map(|p| p.title.as_str())
            .collect::<Vec<_>>(),
        ["Hands on keyboard", "Is it better?"]
    );
    assert!(rb.is_bound(&rb.placeholders[0]));
    let StepKind::Command(block) = &rb.phases[0].steps[0].kind else {
        panic!("a command step");
    };
    assert_eq!(
        runbook::fill(&block.script, &rb.bindings()).as_deref(),
        Ok("kubectl -n billing rollout undo deployment/billing-api\n")
    );
    let StepKind::Promql { comparison, .. } = &rb.phases[1].steps[0].kind else {
        panic!("a PromQL step");
    };
    assert_eq!(comparison.as_deref(), Some("< 0.01"));
}

#[test]
fn a_runbook_without_phase_headings_is_one_execution_phase() {
    let rb = load_ok("tests/runbooks/valid/no-phase-headings.md");
    assert_eq!(rb.phases[0].title, "Quick rollback notes");
    assert_eq!(
        rb.phases[0]
            .steps
            .iter()
            .map(|s| s.section.as_deref())
            .collect::<Vec<_>>(),
        [Some("Commands"), Some("Checks")]
    );
    assert_eq!(rb.warnings.len(), 1);
    assert!(
        rb.warnings[0]
            .message
            .starts_with("no phase headings found")
    );
}

#[test]
fn grouping_headings_give_way_to_the_phases_under_them() {
    let rb = load_ok("tests/runbooks/valid/group-heading.md");
    assert!(rb.phases.iter().all(|p| p.title != "Rollback steps"));
    let sections: Vec<Option<&str>> = rb.phases[1]
        .steps
        .iter()
        .map(|s| s.section.as_deref())
        .collect();
    assert_eq!(
        sections,
        [Some("Option A: Kubernetes"), Some("Option B: Git revert")]
    );
    assert_eq!(
        rb.references
            .iter()
            .map(|r| r.title.as_str())
            .collect::<Vec<_>>(),
        ["Troubleshooting"]
    );
    assert!(rb.references[0].body.contains("### Rollout stuck"));
}

#[test]
fn unlabelled_fences_are_commands_only_when_they_read_as_shell() {
    let rb = load_ok("tests/runbooks/valid/unlabelled-fences.md");
    assert_eq!(command_lines(&rb).len(), 2);
    assert!(rb.phases[1].body.contains("ROLLBACK EXECUTED"));
}

#[test]
fn project_runbooks_check_clean() {
    let files = files_in("runbooks", is_runbook);
    assert_eq!(files.len(), 12, "{files:?}");
    for path in files {
        let rb = runbook_file::load(&path)
            .unwrap_or_else(|e| panic!("{} must load:\n{e}", path.display()));
        assert!(
            rb.warnings.is_empty(),
            "{} has warnings:\n{}",
            path.display(),
            listing(&rb.warnings)
        );
        let kinds: Vec<PhaseKind> = rb.phases.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            PhaseKind::ALL,
            "{}: all five phases in order",
            path.display()
        );
        assert!(rb.phases.iter().all(|p| !p.steps.is_empty()));
        let front = rb.front.as_ref().expect("front matter");
        let queries = &front.metrics.as_ref().expect("metrics").queries;
        assert!(queries.contains_key("error_rate") && queries.contains_key("latency_p95"));
        assert!(!front.matrix.is_empty() && !front.rto.is_empty() && !front.vars.is_empty());
        assert!(!rb.decision_tables.is_empty(), "{}", path.display());
        let steps: Vec<_> = rb.phases.iter().flat_map(|p| &p.steps).collect();
        assert!(
            steps
                .iter()
                .any(|s| matches!(s.kind, StepKind::Checklist { .. }))
        );
        assert!(steps.iter().any(|s| matches!(s.kind, StepKind::Command(_))));
        assert!(
            steps.iter().any(|s| matches!(
                &s.kind,
                StepKind::Promql {
                    comparison: Some(_),
                    ..
                }
            )),
            "{}: a live PromQL check",
            path.display()
        );
        // Secrets come from the environment, never from the runbook.
        assert!(
            rb.placeholders
                .iter()
                .filter(|p| p.name.contains("TOKEN") || p.name.contains("WEBHOOK"))
                .all(|p| p.form == PlaceholderForm::Dollar),
            "{}",
            path.display()
        );
    }
}

/// (id, line, kind, section, title, text) of a step.
type StepRow<'a> = (
    String,
    usize,
    &'static str,
    Option<&'a str>,
    &'a str,
    &'a str,
);

/// Every step, in full.
fn steps_in_full(rb: &Runbook) -> Vec<StepRow<'_>> {
    rb.steps()
        .map(|s| {
            let kind = match s.kind {
                StepKind::Checklist {
                    checked_in_source: false,
                } => "checklist",
                StepKind::Checklist { .. } => "checked",
                StepKind::Command(_) => "command",
                StepKind::Promql { .. } => "promql",
                StepKind::Verify { .. } => "verify",
            };
            (
                s.id.to_string(),
                s.line,
                kind,
                s.section.as_deref(),
                s.title.as_str(),
                s.text.as_str(),
            )
        })
        .collect()
}

#[test]
fn numbered_items_are_steps_where_a_section_has_no_task_items() {
    let rb = load_ok("tests/runbooks/valid/numbered-list-steps.md");
    assert!(rb.warnings.is_empty(), "{:?}", rb.warnings);
    assert_eq!(
        steps_in_full(&rb),
        [
            (
                "#1".into(),
                5,
                "checklist",
                None,
                "Pause the queue consumers",
                "**Pause the queue consumers**\n\
                 - Scale `payments-worker` to zero in <namespace>\n  \
                 - keep the scheduler running\n\
                 - Note the queue depth",
            ),
            // A code block in an item is the step, introduced by the item's text.
            (
                "#2".into(),
                10,
                "command",
                None,
                "Roll back the worker image",
                "**Roll back** the worker image:\n\n\
                 ```bash\nkubectl -n <namespace> rollout undo deployment/payments-worker\n```",
            ),
            // A loose item: titled by its first paragraph, all of it in the text.
            (
                "#3".into(),
                13,
                "checklist",
                None,
                "Confirm with the on-call lead.",
                "Confirm with the on-call lead.\n\n\
                 Wait for their go-ahead in the channel before resuming.",
            ),
            (
                "#4".into(),
                23,
                "checklist",
                None,
                "Open the incident record",
                "**Open the incident record**\n- link the dashboards\n- attach the timeline",
            ),
            // A block that is not shell does not make a step: the item does.
            (
                "#5".into(),
                26,
                "checklist",
                None,
                "Apply the saved consumer settings:",
                "Apply the saved consumer settings:\n```yaml\nreplicas: 6\n```",
            ),
        ]
    );
    // Nested bullets belong to their item; bullets beside a numbered list stay prose.
    assert_eq!(
        rb.phases[0].body,
        "- Bullets next to a numbered list are notes, not steps."
    );
    assert_eq!(rb.phases[1].body, "Write things up while they are fresh.");
    assert_eq!(rb.placeholders.len(), 1);
    assert_eq!(rb.placeholders[0].written(), "<namespace>");
}

#[test]
fn numbered_items_beside_task_items_stay_prose() {
    let rb = load_ok("tests/runbooks/valid/tasks-and-numbered-lists.md");
    assert!(rb.warnings.is_empty(), "{:?}", rb.warnings);
    assert_eq!(
        steps_in_full(&rb),
        [
            (
                "#1".into(),
                5,
                "checklist",
                None,
                "Indexer owner paged",
                "Indexer owner paged"
            ),
            (
                "#2".into(),
                6,
                "checklist",
                None,
                "Rollback announced in the channel",
                "Rollback announced in the channel"
            ),
            // A sub-section without task items has numbered steps of its own.
            (
                "#3".into(),
                13,
                "checklist",
                Some("Before you touch anything"),
                "Snapshot the index settings",
                "Snapshot the index settings"
            ),
            (
                "#4".into(),
                14,
                "checklist",
                Some("Before you touch anything"),
                "Record the current alias target",
                "Record the current alias target"
            ),
            (
                "#5".into(),
                18,
                "command",
                None,
                "kubectl -n search rollout undo deployment/indexer",
                "```bash\nkubectl -n search rollout undo deployment/indexer\n```"
            ),
        ]
    );
    assert_eq!(
        rb.phases[0].body,
        "1. This numbered list shares its section with task items,\n\
         2. so it stays prose.\n\n\
         ### Before you touch anything"
    );
}

#[test]
fn bullets_are_steps_only_in_a_phase_with_nothing_else() {
    let rb = load_ok("tests/runbooks/valid/bullets-only.md");
    assert!(rb.warnings.is_empty(), "{:?}", rb.warnings);
    assert_eq!(
        steps_in_full(&rb),
        [
            (
                "#1".into(),
                5,
                "command",
                None,
                "helm -n media rollback thumbnails",
                "```sh\nhelm -n media rollback thumbnails\n```"
            ),
            (
                "#2".into(),
                15,
                "checklist",
                Some("Signals"),
                "Error ratio: under 1 % for 10 minutes",
                "**Error ratio**: under 1 % for 10 minutes\n- check both regions"
            ),
            (
                "#3".into(),
                17,
                "checklist",
                Some("Signals"),
                "Queue drained",
                "Queue drained"
            ),
            (
                "#4".into(),
                21,
                "checklist",
                Some("Spot checks"),
                "Upload a picture and open its thumbnail",
                "Upload a picture and open its thumbnail"
            ),
        ]
    );
    assert_eq!(
        rb.phases[0].body,
        "- This bullet sits next to a command: it stays a note."
    );
    assert!(
        rb.phases[1]
            .body
            .ends_with("> - Quoted bullets are never steps."),
        "{}",
        rb.phases[1].body
    );
}

#[test]
fn a_docs_site_front_matter_gives_the_title_and_one_info_line() {
    let rb = load_ok("tests/runbooks/valid/docs-site-front-matter.md");
    assert_eq!(rb.title, "Payments API: rollback");
    assert!(
        rb.front.is_none(),
        "another tool's front matter is not ours"
    );
    assert!(rb.warnings.is_empty(), "{:?}", rb.warnings);
    assert_eq!(
        listing(&rb.info),
        "tests/runbooks/valid/docs-site-front-matter.md:1:1: info: front matter without \
         `backout:` is another tool's: its `title` is used, `weight`, `layout`, `description`, \
         `last_reviewed_on`, `review_in`, `tags`, `owner` ignored\n"
    );
}

#[test]
fn a_prose_runbook_makes_a_step_of_each_paragraph_under_a_phase() {
    let rb = load_ok("tests/runbooks/valid/prose-only.md");
    let titles: Vec<(PhaseKind, &str)> = rb
        .phases
        .iter()
        .flat_map(|p| p.steps.iter().map(move |s| (p.kind, s.title.as_str())))
        .collect();
    assert_eq!(
        titles,
        [
            (
                Execution,
                "Roll back the web deployment with the deploy tool, then tell the channel"
            ),
            (Verification, "Check the dashboards"),
        ]
    );
    assert!(
        rb.steps()
            .all(|s| matches!(s.kind, StepKind::Checklist { .. }))
    );
}

#[test]
fn verification_checks_come_from_front_matter_promql_blocks_and_rollout_status_lines() {
    use backout::domain::verify::{CheckSource, Probe};
    let rb = load_ok("tests/runbooks/valid/verify-checks.md");
    type Row = (String, String, &'static str, String, Option<u64>, u64);
    let rows: Vec<Row> = rb
        .checks
        .iter()
        .map(|c| {
            let kind = match &c.probe {
                Probe::Http(_) => "http",
                Probe::Promql(_) => "promql",
                Probe::Pods(_) => "pods",
                Probe::Rollout(_) => "rollout",
                Probe::Shell(_) => "shell",
            };
            (
                c.step.to_string(),
                c.name.clone(),
                kind,
                c.description(),
                c.window.map(|w| w.as_secs()),
                c.every.as_secs(),
            )
        })
        .collect();
    let row = |step: &str,
               name: &str,
               kind: &'static str,
               desc: &str,
               window: Option<u64>,
               every: u64| {
        (
            step.to_string(),
            name.to_string(),
            kind,
            desc.to_string(),
            window,
            every,
        )
    };
    assert_eq!(
        rows,
        [
            row(
                "#2",
                "Errors must fall back under 1 %",
                "promql",
                "errors_must_fall_back < 0.01",
                None,
                30
            ),
            row(
                "#3",
                "rollout status deployment/web",
                "rollout",
                "rollout of deployment/web complete",
                None,
                30
            ),
            row(
                "#4",
                "health",
                "http",
                "GET http://web.web.svc/healthz → 200, /status == ok, within 500ms",
                Some(900),
                30
            ),
            row("#5", "errors", "promql", "error_rate < 0.01", Some(600), 30),
            row(
                "#6",
                "pods",
                "pods",
                "all pods of the target Deployment ready on the current revision, image 1.4.2",
                None,
                30
            ),
            row(
                "#7",
                "rollout",
                "rollout",
                "rollout of deployment/web complete",
                None,
                30
            ),
            row(
                "#8",
                "smoke",
                "shell",
                "`./smoke-test.sh --quick` exits 0",
                None,
                30
            ),
        ]
    );
    // The PromQL block's expression is queried under a name of its own.
    let Probe::Promql(block) = &rb.checks[0].probe else {
        panic!("promql")
    };
    assert!(
        block.queries["errors_must_fall_back"]
            .starts_with("sum(rate(http_requests_total{app=\"web\",code=~\"5..\"}[5m]))")
    );
    assert_eq!(rb.checks[0].source, CheckSource::PromqlBlock);
    assert_eq!(rb.checks[2].source, CheckSource::FrontMatter { index: 1 });
    // Front matter checks are steps of the verification phase, at their entry's line.
    let step = rb.step(rb.checks[2].step).expect("step");
    assert_eq!(step.line, 9);
    assert!(matches!(&step.kind, StepKind::Verify { check } if check == "health"));
    assert_eq!(
        step.title,
        "Check health: GET http://web.web.svc/healthz → 200, /status == ok, within 500ms"
    );
    // Later phases are renumbered after the added steps.
    assert_eq!(rb.phases[2].steps[0].id.to_string(), "#9");

    let rb = load_ok("tests/runbooks/valid/verify-without-verification-phase.md");
    assert_eq!(rb.phases[1].title, "Verification");
    assert_eq!(rb.checks.len(), 1);
    assert_eq!(rb.checks[0].step.to_string(), "#2");
}
