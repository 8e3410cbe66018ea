//! The rooms' import rules (docs/architecture.md, issue 11), checked on the source so that
//! a change that breaks one fails here rather than in a review:
//!
//! - `src/domain/` does no I/O and names no tokio, kube, ratatui, reqwest or tracing;
//! - `src/adapters/` imports nothing from `src/sim/` (production adapters do not depend
//!   on the simulator);
//! - the only import cycle between files of `src/` is between the feature reducers under
//!   `src/ui/update/` (`.ci/import_cycles.py`, run here).
//!
//! Test code is left out as the script leaves it out: `*_tests.rs`, `testkit.rs`, and a
//! file's text from its first `#[cfg(test)]` module on.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The production code of every file under `dir` (test code left out).
fn production_code(dir: &str) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            !name.ends_with("_tests.rs") && name != "testkit.rs" && name != "tests.rs"
        })
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable source");
            let code = match text.find("#[cfg(test)]") {
                Some(at) => text[..at].to_string(),
                None => text,
            };
            (p, code)
        })
        .collect()
}

/// `(file, line)` of every line of production code under `dir` that contains one of
/// `needles`, outside `//` comments.
fn offending(dir: &str, needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, code) in production_code(dir) {
        for (i, line) in code.lines().enumerate() {
            let code_part = line.split("//").next().unwrap_or_default();
            if let Some(n) = needles.iter().find(|n| code_part.contains(**n)) {
                found.push(format!("{}:{}: {n}", path.display(), i + 1));
            }
        }
    }
    found
}

#[test]
fn the_domain_does_no_io_and_names_no_runtime_or_ui_crate() {
    let found = offending(
        "src/domain",
        &[
            "tokio::",
            "kube::",
            "ratatui::",
            "reqwest::",
            "tracing::",
            "std::fs",
            "std::net",
            "std::process",
            "File::open",
        ],
    );
    assert!(
        found.is_empty(),
        "domain/ must stay pure:\n{}",
        found.join("\n")
    );
}

#[test]
fn adapters_import_nothing_from_the_simulator() {
    let found = offending(
        "src/adapters",
        &["crate::sim::", "crate::sim;", "backout::sim"],
    );
    assert!(
        found.is_empty(),
        "adapters/ must not depend on sim/:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_only_import_cycle_is_between_the_feature_reducers() {
    let out = std::process::Command::new("python3")
        .arg(".ci/import_cycles.py")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("python3 runs .ci/import_cycles.py (.ci/test installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let files: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("src/"))
        .collect();
    assert!(
        text.lines()
            .any(|l| l.ends_with("import cycle(s) between files of src/")),
        "the script's count line: {text}"
    );
    let outside: Vec<&&str> = files
        .iter()
        .filter(|f| !f.starts_with("src/ui/update/"))
        .collect();
    assert!(
        outside.is_empty(),
        "import cycle outside ui/update/ (move the shared piece to the file both need, or \
         invert the dependency):\n{text}"
    );
}
