//! `load_bytes` never panics, whatever the bytes, and what it returns is consistent.
//!
//! Two generators: arbitrary bytes, and "Markdown-ish" documents stitched from the
//! fragments runbooks are made of (front matter fences, headings, fences of every kind,
//! task items, tables, placeholders, quotes, CRLF, mojibake, BOMs, invalid UTF-8), which
//! reach far deeper into the loader than random bytes do.

use std::path::Path;

use backout::domain::runbook::{self, LoadError, Runbook, StepKind};
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    "---\n",
    "...\n",
    "backout: 1\n",
    "backout: 2\n",
    "title: T\n",
    "rto: { SEV-1: 2m, SEV-2: soon }\n",
    "phases: { \"Go\": execution, X: exec }\n",
    "vars: { NS: prod, ns: x }\n",
    "metrics: { queries: { error_rate: up } }\n",
    "matrix:\n  - { when: \"error_rate > 1\", severity: S, action: A }\n  - { when: \"baseline(x) <\" }\n",
    "target: [\n",
    "&a x: *a\n",
    "vars: &a { x: *a }\n",
    "rto: { SEV-1: 99999999999999999999999h, SEV-2: 18446744073709551616 }\n",
    "matrix: [{ when: \"x > 1\", for: 18446744073709551616s, severity: S, action: A }]\n",
    "metrics: { baseline_offset: 1e308s }\n",
    "verify: [{ name: v, http: { url: u, max_latency: 9999999999999999999999d, status: 70000 } }]\n",
    "verify: [{ name: w, rollout: {}, window: 99999999999999999999999h, every: 0.0000001ms }]\n",
    "# Title\n",
    "## 1. Prepare (3 min)\n",
    "## Execute rollback [5 minutes]\n",
    "### Phase 3 – Verification — 10 minutes\n",
    "## 📣 Notify\n",
    "## Post-rollback\n",
    "#### Go\n",
    "## Reference\n",
    "```bash\n",
    "```console\n",
    "```promql\n",
    "~~~sh\n",
    "```\n",
    "````\n",
    "    indented code\n",
    "kubectl -n <namespace> rollout undo deployment/$APP --to-revision=${REV}\n",
    "$ kubectl get pods\nNAME READY\n",
    "> continued \\\n",
    "curl -d '{\"a\": \"<b>\"}' \"$URL\" <<EOF\nbody $X\nEOF\n",
    "for P in a b; do echo $P; done\n",
    "sum(rate(x[5m])) > 0.05\n",
    "- [ ] task with <service-name>\n",
    "  - [x] nested task\n",
    "    * [ ] deeper\n",
    "1. [ ] numbered\n",
    "- plain item\n",
    "| Severity | Metric |\n|---|---|\n| SEV-1 | > 1 |\n",
    "> quote\n",
    "<details><summary>x</summary>\n",
    "Paragraph text. Second sentence!\n",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "'",
    "\"",
    "\\",
    "$",
    "${",
    "<",
    "`",
    "â€™",
    "Ã",
    "ðŸš",
    "\u{feff}",
    "é",
    "🚨",
    // Issue 12: foreign front matter, roles, alternatives, comment blocks, tables.
    "weight: 3\nlayout: page\ntags: [a, b\n",
    "title: [x\n",
    "- just: a list\n",
    "### Option A: Quick rollback\n",
    "### Option B\n",
    "#### Strategy 2 – Application rollback\n",
    "## Scenario 1: Bad image\n",
    "### Step 1: Verify\n",
    "### Emergency rollback (SEV-1)\n",
    "### If the deployment used blue-green\n",
    "## Prevention strategies\n",
    "## Rollback risks & mitigation\n",
    "## Monitoring and alerting\n",
    "### Pre-rollback checklist\n",
    "**When:** always\n**Duration:** 1 min\n",
    "Risk:\n",
    "# Create incident ticket\n",
    "# 1. Stop all instances\n",
    "# 2) Restore\n",
    "# Step 3: Verify\n",
    "kubectl -n a scale deployment/x --replicas=0\n",
    "curl -X POST http://h/a/deployment/rollback\n",
    "argocd app rollback shop 12\n",
    "helm rollback web\n",
    "kubectl delete\n",
    "| Issue Severity | User Impact | Rollback Strategy | Timeline | Approval |\n|---|---|---|---|---|\n| Critical | all | Strategy 2 | < 5 min |\n",
    "| P0 | x |\n",
    // SQL typed into a client, YAML in shell blocks, comments titling commands, severity
    // columns known by their values.
    "psql -h db app\n",
    "kubectl exec -it db-0 -- psql -c 'SELECT 1'\n",
    "SELECT a FROM b\n  WHERE c = 'd\n",
    "BEGIN;\nDELETE FROM t;\nCOMMIT;\n",
    "\\q\n",
    "\\dt\n",
    "apiVersion: v1\nkind: ConfigMap\n",
    "  name: x\n",
    "- item: 'open\n",
    "key:\n",
    "# Check current status\n",
    "# Action: Roll back\n",
    "| Level | What users see | Response |\n|---|---|---|\n| SEV1 | all | undo |\n| Sev 2 | some | wait |\n",
    "| 🔴 Critical | errors > 5% | undo |\n",
];

fn markdownish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::sample::select(FRAGMENTS).prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 0..8),
            1 => "[a-zA-Z0-9 _.-]{0,12}".prop_map(String::into_bytes),
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

/// A number as people (and mutation tools) write them: digits of any length, fractions,
/// exponents, signs, with or without a unit. Issue 15: `99999999999999999999999h` and
/// `18446744073709551616s` in a duration panicked the loader.
fn numberish() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["", "-", "+"][..]),
        "[0-9]{1,40}",
        prop_oneof![Just(String::new()), "\\.[0-9]{0,8}", "e[-+]?[0-9]{1,4}"],
        prop::sample::select(&["", "ms", "s", "m", "h", "d", "x", "1h", "µs"][..]),
    )
        .prop_map(|(sign, digits, fraction, unit)| format!("{sign}{digits}{fraction}{unit}"))
}

/// Front matter whose every duration and number is generated.
fn front_matter_values() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(numberish(), 9).prop_map(|v| {
        format!(
            "---\nbackout: 1\nrto: {{ SEV-1: {}, SEV-2: {} }}\n\
             metrics: {{ queries: {{ error_rate: up }}, baseline_offset: {} }}\n\
             matrix:\n  - {{ when: \"error_rate > {}\", for: {}, severity: SEV-1, action: A }}\n\
             verify:\n  - {{ name: h, http: {{ url: \"http://x/\", status: {}, max_latency: {} }}, window: {}, every: {} }}\n\
             ---\n## Execute\n- [ ] a\n",
            v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]
        )
        .into_bytes()
    })
}

/// What must hold of any result.
fn check_consistent(bytes: &[u8], result: &Result<Runbook, LoadError>) {
    // Lines counted as CommonMark counts them (\n, \r\n, lone \r).
    let text = String::from_utf8_lossy(bytes)
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let last_line = text.matches('\n').count() + 1;
    let diagnostics = match result {
        Ok(rb) => {
            let steps: Vec<_> = rb.steps().collect();
            for (i, step) in steps.iter().enumerate() {
                assert_eq!(step.id.0 as usize, i);
                assert!(step.line >= 1 && step.line <= last_line);
                if let StepKind::Command(block) = &step.kind {
                    assert!(!block.lines.is_empty());
                    for l in &block.lines {
                        assert!(l.line >= 1 && l.line <= last_line, "{l:?}");
                        assert!(l.title.as_ref().is_none_or(|t| !t.is_empty()), "{l:?}");
                    }
                    // A line that is no shell is never a command, and never run.
                    let run = runbook::block_lines(&block.script);
                    for f in &block.foreign {
                        assert!(f.line >= 1 && f.line <= last_line, "{f:?}");
                        assert!(!f.text.is_empty());
                        assert!(!block.lines.iter().any(|l| l.line == f.line), "{f:?}");
                    }
                    // The console runs exactly the step's command lines, one by one.
                    assert_eq!(run.len(), block.lines.len(), "{block:?}");
                    // Filling with every placeholder bound never fails.
                    let all = rb
                        .placeholders
                        .iter()
                        .map(|p| (p.name.clone(), "v a'l\"ue".to_string()))
                        .collect();
                    assert!(runbook::fill(&block.script, &all).is_ok());
                }
            }
            assert!(
                !steps.is_empty(),
                "a runbook that loads has something to do"
            );
            // Alternatives list real steps of their group and member, each once.
            for (g, group) in rb.alternatives.iter().enumerate() {
                for (m, member) in group.members.iter().enumerate() {
                    for id in &member.steps {
                        let step = rb.step(*id).expect("an alternative's step exists");
                        let at = step.alternative.expect("tagged");
                        assert_eq!((at.group, at.member), (g, m));
                    }
                }
            }
            for step in &steps {
                let _ = step.change();
            }
            for table in &rb.decision_tables {
                assert_eq!(table.matrix_rows().len(), table.rows.len());
                assert!(table.severity_column < table.headers.len(), "{table:?}");
            }
            let _ = rb.kubectl_runnable();
            rb.warnings.iter().collect::<Vec<_>>()
        }
        Err(e) => {
            assert!(!e.errors().is_empty());
            e.errors().iter().chain(e.warnings()).collect()
        }
    };
    for d in diagnostics {
        assert!(d.line >= 1 && d.line <= last_line, "{d}");
        assert!(d.col >= 1, "{d}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let result = runbook::load_bytes(Path::new("fuzz.md"), &bytes);
        check_consistent(&bytes, &result);
    }

    #[test]
    fn markdownish_documents_never_panic(bytes in markdownish()) {
        let result = runbook::load_bytes(Path::new("fuzz.md"), &bytes);
        check_consistent(&bytes, &result);
    }

    #[test]
    fn any_duration_or_number_in_front_matter_never_panics(bytes in front_matter_values()) {
        let result = runbook::load_bytes(Path::new("fuzz.md"), &bytes);
        check_consistent(&bytes, &result);
        // Whatever loads is within range.
        if let Ok(rb) = &result
            && let Some(front) = &rb.front
        {
            for d in front.rto.values() {
                prop_assert!(d.0 <= backout::domain::duration::MAX);
            }
        }
    }
}

#[test]
fn pathological_inputs_do_not_panic_or_hang() {
    let deep_yaml = format!("---\nx: {}\n---\n## Execute\n- [ ] a\n", "[".repeat(10_000));
    let deep_lists = format!(
        "## Execute\n{}",
        (0..500)
            .map(|i| format!("{}- [ ] t\n", "  ".repeat(i)))
            .collect::<String>()
    );
    let quotes = format!(
        "## Execute\n```bash\nkubectl get pods '{}\n```\n",
        "\"'".repeat(5_000)
    );
    let backslashes = format!(
        "## Execute\n```bash\nkubectl {}\n```\n",
        "\\".repeat(10_001)
    );
    for doc in [deep_yaml, deep_lists, quotes, backslashes] {
        let result = runbook::load_bytes(Path::new("edge.md"), doc.as_bytes());
        check_consistent(doc.as_bytes(), &result);
    }
}
