//! Section roles: phases, groups of alternatives and reference (issue 12, point 1).

use std::path::Path;

use backout::domain::runbook::{self, PhaseKind, Runbook, SectionRole};

fn load(doc: &str) -> Runbook {
    runbook::parse(Path::new("t.md"), doc).unwrap_or_else(|e| panic!("loads:\n{e}"))
}

fn roles(rb: &Runbook) -> Vec<(&str, SectionRole)> {
    rb.sections
        .iter()
        .map(|s| (s.heading.as_str(), s.role))
        .collect()
}

#[test]
fn options_under_a_phase_are_one_group_and_keep_their_steps_in_the_phase() {
    let rb = load(
        "# Web rollback\n\n## Roll back\n\n### Option A: Quick rollback\n\n**When:** the last \
         release is bad\n**Duration:** 1 minute\n\n```bash\nkubectl rollout undo deployment/web\n```\n\n\
         ### Option B: Specific revision\n\n```bash\nkubectl rollout undo deployment/web \
         --to-revision=42\n```\n\n#### Step 2: Verify the rollout\n\n```bash\nkubectl rollout \
         status deployment/web\n```\n\n## Verify\n\n- [ ] Error rate normal\n",
    );
    let exec = PhaseKind::Execution;
    assert_eq!(
        roles(&rb),
        [
            ("Roll back", SectionRole::Phase { kind: exec }),
            (
                "Option A: Quick rollback",
                SectionRole::Alternative {
                    kind: exec,
                    group: 0,
                    member: 0
                }
            ),
            (
                "Option B: Specific revision",
                SectionRole::Alternative {
                    kind: exec,
                    group: 0,
                    member: 1
                }
            ),
            (
                "Step 2: Verify the rollout",
                SectionRole::Alternative {
                    kind: exec,
                    group: 0,
                    member: 1
                }
            ),
            (
                "Verify",
                SectionRole::Phase {
                    kind: PhaseKind::Verification
                }
            ),
        ]
    );
    assert_eq!(rb.alternatives.len(), 1);
    let group = &rb.alternatives[0];
    assert_eq!(group.id, "alt-1");
    assert_eq!(
        group.label,
        "Choose one: Option A: Quick rollback / Option B: Specific revision"
    );
    let keys: Vec<&str> = group.members.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["A", "B"]);
    assert_eq!(
        group.members[0].meta.when.as_deref(),
        Some("the last release is bad")
    );
    assert_eq!(group.members[0].meta.duration.as_deref(), Some("1 minute"));
    // Steps stay in the execution phase's list, and each member lists its own.
    assert_eq!(rb.phases[0].steps.len(), 3);
    let ids: Vec<Vec<u32>> = group
        .members
        .iter()
        .map(|m| m.steps.iter().map(|s| s.0).collect())
        .collect();
    assert_eq!(ids, [vec![0], vec![1, 2]]);
}

#[test]
fn strategies_outside_any_phase_form_an_execution_phase_named_after_their_parent() {
    let rb = load(
        "# Rollback\n\n## Rollback strategies\n\n### Strategy 1: Feature flag rollback\n\n\
         - [ ] Turn the flag off\n\n### Strategy 2: Application rollback\n\n```bash\nkubectl \
         rollout undo deployment/web\n```\n\n## Verify\n\n- [ ] Pods ready\n\n## Contacts\n\n\
         - [ ] Call the lead\n",
    );
    assert_eq!(rb.phases.len(), 2);
    assert_eq!(rb.phases[0].kind, PhaseKind::Execution);
    assert_eq!(rb.phases[0].title, "Rollback strategies");
    assert_eq!(rb.phases[0].steps.len(), 2);
    assert_eq!(rb.alternatives[0].members.len(), 2);
    assert_eq!(
        roles(&rb).last(),
        Some(&("Contacts", SectionRole::Reference))
    );
}

#[test]
fn reference_sections_never_produce_steps_whatever_phase_words_they_hold() {
    let rb = load(
        "# Rollback\n\n## Execute\n\n- [ ] Roll back\n\n### Rollback risks & mitigation\n\n\
         - [ ] Always back up first\n\n## Monitoring and alerting\n\n- [ ] Page on 5xx > 1%\n\n\
         ## Prevention strategies\n\n### Monitoring improvements\n\n- [ ] Add a canary alert\n",
    );
    let titles: Vec<&str> = rb.steps().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Roll back"]);
    for heading in [
        "Rollback risks & mitigation",
        "Monitoring and alerting",
        "Prevention strategies",
        "Monitoring improvements",
    ] {
        assert!(
            roles(&rb).contains(&(heading, SectionRole::Reference)),
            "{heading}: {:?}",
            roles(&rb)
        );
    }
}

#[test]
fn a_pre_rollback_checklist_nested_under_the_procedure_is_the_prepare_phase() {
    let rb = load(
        "# Rollback\n\n## Standard rollback procedure\n\n### Pre-rollback checklist\n\n\
         - [ ] Incident channel open\n",
    );
    assert_eq!(rb.phases[0].kind, PhaseKind::Preparation);
    assert_eq!(rb.phases[0].steps.len(), 1);
}

#[test]
fn scenarios_with_step_subsections_stay_in_their_scenario() {
    let rb = load(
        "# Rollback\n\n## Rollback procedures\n\n### Scenario 1: Bad image\n\n#### Step 1: \
         Roll back\n\n- [ ] Undo the rollout\n\n#### Step 2: Verify\n\n- [ ] Pods ready\n\n\
         ### Scenario 2: Gradual rollback with monitoring\n\n- [ ] Delete the canary\n",
    );
    assert_eq!(rb.phases.len(), 1, "{:?}", rb.phases);
    let members: Vec<Option<(usize, usize)>> = rb
        .steps()
        .map(|s| s.alternative.map(|a| (a.group, a.member)))
        .collect();
    assert_eq!(members, [Some((0, 0)), Some((0, 0)), Some((0, 1))]);
}

#[test]
fn comment_only_blocks_are_checklists_and_numbered_comments_split_blocks() {
    let rb = load(
        "# Rollback\n\n## Execute\n\n```bash\n# Create incident ticket\n# Notify stakeholders\n```\n\n\
         ```bash\n# 1. Check current status\ncurl http://localhost:8080/deployment/status\n\n\
         # 2. Immediate rollback\ncurl -X POST http://localhost:8080/deployment/rollback\n```\n",
    );
    let steps: Vec<(&str, Option<String>, usize)> = rb
        .steps()
        .map(|s| (s.title.as_str(), s.change(), s.line))
        .collect();
    assert_eq!(
        steps,
        [
            ("Create incident ticket", None, 6),
            ("Notify stakeholders", None, 7),
            ("Check current status", None, 11),
            (
                "Immediate rollback",
                Some("POST …/deployment/rollback".to_string()),
                14
            ),
        ]
    );
}

#[test]
fn a_read_only_title_never_hides_a_rollback() {
    let rb = load(
        "# Rollback\n\n## Execute\n\n### List deployment history\n\n```bash\nkubectl -n web \
         rollout history deployment/web\nkubectl -n web rollout undo deployment/web \
         --to-revision=42\n```\n",
    );
    let step = rb.steps().next().expect("a step");
    assert!(step.is_mutating());
    assert_eq!(
        step.change().as_deref(),
        Some("rollout undo deployment/web → revision 42")
    );
}

#[test]
fn front_matter_phases_can_map_headings_to_alternative_and_reference() {
    let rb = load(
        "---\nbackout: 1\nphases:\n  \"Fast lane\": alternative\n  \"Slow lane\": alternative\n  \
         \"Old notes\": reference\n---\n# Rollback\n\n## Execute\n\n### Fast lane\n\n- [ ] Undo \
         the rollout\n\n### Slow lane\n\n- [ ] Redeploy the previous tag\n\n## Old notes\n\n\
         ## Verify things\n\n- [ ] Pods ready\n",
    );
    assert_eq!(rb.alternatives.len(), 1);
    assert_eq!(rb.alternatives[0].members.len(), 2);
    assert!(roles(&rb).contains(&("Old notes", SectionRole::Reference)));
    assert_eq!(rb.steps().count(), 3);
    let err = runbook::parse(
        Path::new("t.md"),
        "---\nbackout: 1\nphases: { \"Execute\": alternate }\n---\n## Execute\n\n- [ ] a\n",
    )
    .expect_err("not a role");
    assert!(
        err.to_string().contains("did you mean `alternative`?"),
        "{err}"
    );
}

/// What the console runs of a block (`block_lines`, line by line) never holds the SQL typed
/// into a client or a manifest's YAML: the same cut as the step's command lines.
#[test]
fn sql_and_yaml_lines_in_a_shell_block_are_never_run_as_shell() {
    let rb = load(
        "# Db rollback\n\n## Execute\n\n```bash\n# Connect\npsql -h db app\nSELECT 1;\nUPDATE flags SET on = false\n  WHERE name = 'x';\n\\q\n\n# Apply the old flags\nkubectl apply -f -\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n\nkubectl rollout undo deployment/web\n```\n",
    );
    let step = rb.steps().next().expect("a step");
    let runbook::StepKind::Command(block) = &step.kind else {
        panic!("a command step: {step:?}");
    };
    let lines: Vec<(&str, Option<&str>)> = block
        .lines
        .iter()
        .map(|l| (l.text.as_str(), l.title.as_deref()))
        .collect();
    assert_eq!(
        lines,
        [
            ("psql -h db app", Some("Connect")),
            ("kubectl apply -f -", Some("Apply the old flags")),
            ("kubectl rollout undo deployment/web", None),
        ]
    );
    assert_eq!(
        runbook::block_lines(&block.script),
        [
            "psql -h db app",
            "kubectl apply -f -",
            "kubectl rollout undo deployment/web"
        ]
    );
    let kinds: Vec<(usize, runbook::ForeignKind)> =
        block.foreign.iter().map(|f| (f.line, f.kind)).collect();
    use runbook::ForeignKind::{Sql, Yaml};
    assert_eq!(
        kinds,
        [
            (8, Sql),
            (9, Sql),
            (10, Sql),
            (11, Sql),
            (15, Yaml),
            (16, Yaml),
            (17, Yaml),
            (18, Yaml)
        ]
    );
}
