//! Shared helpers for the tests that run the `backout` binary against a `BACKOUT_HOME`:
//! running it, its output as text, and a two-column field table of a doc page. Included
//! with `#[path = "common/backout_cli.rs"] mod backout_cli;` (not through `mod common`,
//! which starts simulators).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

use backout::adapters::session_store::{NewSession, SessionStart, SessionStore};
use chrono::{DateTime, Utc};

/// Runs `backout ARGS` with `BACKOUT_HOME=home` and the extra environment `env`.
pub fn backout_with_env(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backout"))
        .args(args)
        .env("BACKOUT_HOME", home)
        .envs(env.iter().copied())
        .output()
        .expect("run backout")
}

/// A session under `home` as the console creates one (on host `ops`): its runbook at
/// `runbook_path` holding `runbook_bytes`, titled `title`, in `mode`, by `actor`, at `at`.
pub fn create_session(
    home: &Path,
    runbook_path: &str,
    runbook_bytes: &[u8],
    title: &str,
    mode: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> NewSession {
    SessionStore::at(home)
        .create(&SessionStart {
            runbook_path: Path::new(runbook_path),
            runbook_bytes,
            title,
            mode,
            actor: actor.into(),
            host: "ops".into(),
            at,
        })
        .unwrap()
}

/// A live session of alice@ops on the one-line Checkout API runbook, titled `title`.
pub fn checkout_session(home: &Path, title: &str, at: DateTime<Utc>) -> NewSession {
    create_session(
        home,
        "/srv/runbooks/checkout.md",
        b"# Checkout API rollback\n",
        title,
        "live",
        "alice@ops",
        at,
    )
}

/// Runs `backout ARGS` with `BACKOUT_HOME=home`.
pub fn backout(home: &Path, args: &[&str]) -> Output {
    backout_with_env(home, args, &[])
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

/// The table of `doc` (a path under the crate) headed `| HEADER | … |`: its first column's
/// name → the comma-separated names of its second (backticks dropped).
pub fn doc_field_table(doc: &str, header: &str) -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(doc))
        .unwrap_or_else(|e| panic!("{doc}: {e}"));
    let table = text
        .split(header)
        .nth(1)
        .unwrap_or_else(|| panic!("the table {header} in {doc}"));
    let mut out = BTreeMap::new();
    for line in table.lines().skip(2) {
        let Some(row) = line.strip_prefix('|') else {
            break;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let names = |cell: &str| -> BTreeSet<String> {
            cell.split(',')
                .map(|f| f.trim().trim_matches('`').to_string())
                .filter(|f| !f.is_empty())
                .collect()
        };
        let first = names(cells[0]).into_iter().next().expect("a first column");
        out.insert(first, names(cells[1]));
    }
    out
}
