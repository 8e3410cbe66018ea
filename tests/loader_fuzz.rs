//! A bounded mutation fuzzer for the runbook loader, run by `cargo test` (so by CI) with a
//! fixed budget.
//!
//! `cargo fuzz` needs a nightly toolchain and this project builds on stable, so this is
//! the stable equivalent: it takes every runbook of the project and of the test corpora,
//! mutates each the way the issue 15 campaign did (numbers replaced by oversized, negative,
//! fractional or exponent forms; lines deleted, duplicated and swapped; fragments spliced
//! in; bytes flipped), and loads the result. Deterministic: case `n` is always the same
//! input, so a failure names its case and the input is written to `target/loader-fuzz/`.
//!
//! Budget: 2,500 mutated runbooks (the size of the campaign that found the duration
//! panics); `BACKOUT_FUZZ_CASES=100000 cargo test --release --test loader_fuzz` runs more.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use backout::domain::runbook;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const DEFAULT_CASES: usize = 2_500;

/// What a mutation may splice in: the shapes that reached panics or deep paths before.
const SPLICES: &[&str] = &[
    "99999999999999999999999h",
    "18446744073709551616s",
    "18446744073709551616",
    "1e308",
    "-1",
    "0.0000000001ms",
    "NaN",
    ".inf",
    "&a x: *a",
    "vars: &a { x: *a }",
    "rto: { SEV-1: 99999999999999999999999h }",
    "  - { when: \"error_rate > 1e999\", for: 9999999999999d, severity: SEV-1, action: A }",
    "    window: 99999999999999999999999h",
    "    every: 18446744073709551616s",
    "  baseline_offset: 1e308s",
    "    http: { url: x, status: 99999999, max_latency: 99999999999999999999999s }",
    "```bash",
    "```",
    "---",
    "- [ ] <placeholder> ${VAR#*/} $((1/0))",
    "kubectl rollout status deploy/x --timeout=99999999999999999999999h",
    "| SEV-1 | error rate > 99999999999999999999 % for 99999999999999999999 minutes |",
    "## Execute (99999999999999999999999 min)",
];

fn corpus() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for dir in [
        "runbooks",
        "tests/runbooks/valid",
        "tests/runbooks/invalid",
        "tests/runbooks/warnings",
        "tests/fixtures",
    ] {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
            .map(|e| e.expect("entry").path())
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("md" | "txt")))
            .collect();
        entries.sort();
        for path in entries {
            let bytes = fs::read(&path).expect("read corpus file");
            files.push((path, bytes));
        }
    }
    assert!(files.len() >= 20, "the corpus is the project's runbooks");
    files
}

/// Replaces one run of digits with an oversized or odd number.
fn mutate_number(text: &mut String, rng: &mut ChaCha8Rng) {
    let runs: Vec<(usize, usize)> = {
        let b = text.as_bytes();
        let mut runs = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_digit() {
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                runs.push((start, i));
            } else {
                i += 1;
            }
        }
        runs
    };
    if let Some(&(start, end)) = runs.choose(rng) {
        let with = [
            "99999999999999999999999",
            "18446744073709551616",
            "0",
            "1e308",
        ]
        .choose(rng)
        .copied()
        .unwrap_or("0");
        let with = match rng.random_range(0..3) {
            0 => with.to_string(),
            1 => format!("-{with}"),
            _ => format!("{with}.{}", rng.random_range(0..1_000_000u32)),
        };
        text.replace_range(start..end, &with);
    }
}

fn mutate(bytes: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    for _ in 0..rng.random_range(1..=4) {
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let at = rng.random_range(0..lines.len());
        match rng.random_range(0..6) {
            0 | 1 => mutate_number(&mut text, rng),
            2 => {
                let splice = SPLICES.choose(rng).copied().unwrap_or("");
                lines.insert(at, splice.to_string());
                text = lines.join("\n");
            }
            3 => {
                lines.remove(at);
                text = lines.join("\n");
            }
            4 => {
                let other = rng.random_range(0..lines.len());
                lines.swap(at, other);
                let copy = lines[at].clone();
                lines.insert(other, copy);
                text = lines.join("\n");
            }
            _ => {
                let mut raw = text.into_bytes();
                if !raw.is_empty() {
                    let i = rng.random_range(0..raw.len());
                    raw[i] ^= 1 << rng.random_range(0..8);
                }
                return raw;
            }
        }
    }
    text.into_bytes()
}

#[test]
fn mutated_runbooks_never_panic_the_loader() {
    let cases = std::env::var("BACKOUT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let corpus = corpus();
    let mut loaded = 0usize;
    let mut refused = 0usize;
    for case in 0..cases {
        let mut rng = ChaCha8Rng::seed_from_u64(case as u64);
        let (path, seed) = &corpus[case % corpus.len()];
        let input = mutate(seed, &mut rng);
        let result = catch_unwind(AssertUnwindSafe(|| {
            runbook::load_bytes(Path::new("fuzz.md"), &input)
        }));
        let Ok(result) = result else {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("loader-fuzz");
            let _ = fs::create_dir_all(&dir);
            let saved = dir.join(format!("case-{case}.md"));
            let _ = fs::write(&saved, &input);
            panic!(
                "case {case} (a mutation of {}) panicked the loader; input saved to {}",
                path.display(),
                saved.display()
            );
        };
        match result {
            Ok(_) => loaded += 1,
            Err(e) => {
                refused += 1;
                for d in e.errors() {
                    assert!(d.line >= 1 && d.col >= 1, "case {case}: {d}");
                }
            }
        }
    }
    assert_eq!(loaded + refused, cases);
    // The mutations must exercise both paths, or the fuzzer tests nothing.
    assert!(
        loaded > 0 && refused > 0,
        "loaded {loaded}, refused {refused}"
    );
}
