//! `-o/--output` of `sessions`, `report`, `drills` and `check`, the real binary against a
//! `BACKOUT_HOME` made for the test: every JSON/YAML document carries `apiVersion` and
//! `kind`, and its top-level fields are exactly the ones docs/cli.md lists for its kind
//! (the schema check). `status` is checked against the simulator in tests/cli_cluster.rs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use backout::domain::journal::Entry;
use backout::domain::runbook::StepId;
use chrono::{TimeZone, Utc};
use serde_json::Value;

#[path = "common/backout_cli.rs"]
mod backout_cli;

use backout_cli::{backout, checkout_session, doc_field_table, stderr, stdout};

fn seed(home: &Path) -> String {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 1, 52, 3).unwrap();
    let mut new = checkout_session(home, "Checkout API rollback", t0);
    new.journal
        .append_at(
            t0,
            "alice@ops",
            Entry::StepTicked {
                step: StepId(0),
                title: "Page on-call".into(),
            },
        )
        .unwrap();
    new.dir.id
}

/// docs/cli.md's "top-level fields" table: kind → fields.
fn documented_kinds() -> BTreeMap<String, BTreeSet<String>> {
    doc_field_table("docs/cli.md", "| kind | top-level fields |")
}

/// The document's kind after checking its envelope and that its fields are the
/// documented ones for that kind.
fn check_schema(v: &Value) -> String {
    assert_eq!(v["apiVersion"], "backout/v1", "{v}");
    let kind = v["kind"].as_str().expect("a kind").to_string();
    let fields: BTreeSet<String> = v
        .as_object()
        .expect("an object")
        .keys()
        .filter(|k| *k != "apiVersion" && *k != "kind")
        .cloned()
        .collect();
    let documented = documented_kinds();
    let want = documented
        .get(&kind)
        .unwrap_or_else(|| panic!("kind {kind} is not in docs/cli.md"));
    assert_eq!(&fields, want, "fields of {kind} differ from docs/cli.md");
    kind
}

fn parse(format: &str, text: &str) -> Value {
    match format {
        "json" => serde_json::from_str(text).unwrap_or_else(|e| panic!("json {e}: {text}")),
        _ => serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("yaml {e}: {text}")),
    }
}

#[test]
fn every_command_prints_its_documented_kind_in_json_and_yaml() {
    let home = tempfile::tempdir().unwrap();
    let id = seed(home.path());
    let runbook = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/runbooks/deployment-rollback.md"
    );
    let cases: [(&[&str], &str); 4] = [
        (&["sessions"], "SessionList"),
        (&["report"], "IncidentReport"),
        (&["drills"], "DrillList"),
        (&["check", runbook], "CheckResult"),
    ];
    for (args, kind) in cases {
        for format in ["json", "yaml"] {
            for flag in ["-o", "--output", "--format"] {
                let mut all = args.to_vec();
                all.extend([flag, format]);
                let o = backout(home.path(), &all);
                assert!(o.status.success(), "{all:?}: {}", stderr(&o));
                let v = parse(format, &stdout(&o));
                assert_eq!(check_schema(&v), kind, "{all:?}");
            }
        }
    }
    let o = backout(home.path(), &["sessions", "-o", "yaml"]);
    let v = parse("yaml", &stdout(&o));
    assert_eq!(v["items"][0]["id"], id.as_str());
    let item: BTreeSet<&str> = v["items"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for field in ["id", "title", "state", "records", "steps_done"] {
        assert!(
            item.contains(field),
            "{field} in a SessionList item: {item:?}"
        );
    }
    assert!(
        stdout(&o).starts_with("apiVersion: backout/v1\nkind: SessionList\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_documented_kinds_are_the_ones_the_commands_print() {
    let kinds: Vec<String> = documented_kinds().into_keys().collect();
    assert_eq!(
        kinds,
        [
            "CheckResult",
            "DrillList",
            "IncidentReport",
            "SessionList",
            "Status"
        ]
    );
}

#[test]
fn text_stays_the_default_and_human_is_still_accepted() {
    let home = tempfile::tempdir().unwrap();
    let id = seed(home.path());
    for args in [
        &["sessions"][..],
        &["sessions", "-o", "text"],
        &["sessions", "--format", "human"],
    ] {
        let o = backout(home.path(), args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(
            stdout(&o).lines().any(|l| l.starts_with(&id)),
            "{args:?}: {}",
            stdout(&o)
        );
    }
    let o = backout(home.path(), &["report", "-o", "md"]);
    assert!(stdout(&o).starts_with("# Incident report: Checkout API rollback\n"));
    let o = backout(home.path(), &["sessions", "-o", "md"]);
    assert_eq!(o.status.code(), Some(2), "md is for reports and drills");
    assert!(stderr(&o).contains("invalid value 'md'"), "{}", stderr(&o));
}

#[test]
fn report_dash_o_with_a_path_still_writes_the_file_and_says_it_is_deprecated() {
    let home = tempfile::tempdir().unwrap();
    let id = seed(home.path());
    let out = home.path().join("report.md");
    let o = backout(home.path(), &["report", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: -o FILE is deprecated")
            && stderr(&o).contains("use --output-file"),
        "{}",
        stderr(&o)
    );
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains(&format!("| Session | `{id}` |")), "{md}");
    assert_eq!(stdout(&o), "", "the report went to the file");

    // The old `--format json -o FILE` keeps working too.
    let json = home.path().join("report.json");
    let o = backout(
        home.path(),
        &["report", "--format", "json", "-o", json.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["kind"], "IncidentReport");

    // A format twice that disagrees, or a path with --output-file, is refused.
    let o = backout(home.path(), &["report", "--format", "json", "-o", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("disagree"), "{}", stderr(&o));
    let o = backout(
        home.path(),
        &["report", "-o", "x.md", "--output-file", "y.md"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!home.path().join("y.md").exists());
}
