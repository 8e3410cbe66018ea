//! Journal budgets (DESIGN §6): append+fsync p99 ≤ 5 ms; resume of 10,000 records
//! (recover + replay) ≤ 100 ms.
//!
//! A bench binary (`harness = false`) rather than criterion: the append budget is about
//! the latency *distribution* (p99), which needs every sample.
//!
//! `cargo bench --bench journal`. Environment: `BACKOUT_BENCH_DIR` (where the temporary
//! journals go; default: the system temp dir, which should be on the disk sessions live
//! on), `BACKOUT_BENCH_APPENDS` (default 2,000).

use std::hint::black_box;
use std::time::{Duration, Instant};

use backout::adapters::journal_file::{JournalFile, JournalHandle};
use backout::domain::journal::{Entry, GENESIS, recover, seal};
use backout::domain::progress::Progress;
use backout::domain::runbook::StepId;
use chrono::{TimeZone, Utc};

const APPEND_P99_BUDGET: Duration = Duration::from_millis(5);
const RESUME_BUDGET: Duration = Duration::from_millis(100);
const RESUME_RECORDS: usize = 10_000;

fn main() {
    // `cargo bench` passes `--bench`; ignore arguments, but honour a filter-free run.
    let appends: usize = std::env::var("BACKOUT_BENCH_APPENDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
        .max(100);
    let base = std::env::var_os("BACKOUT_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(&base).expect("temp dir for the bench");
    println!("journal bench in {}", dir.path().display());

    // 1. Synchronous append + sync_data.
    let (mut journal, _) = JournalFile::open(dir.path().join("append.jsonl")).expect("open");
    let mut samples = Vec::with_capacity(appends);
    for i in 0..appends {
        let entry = entry(i);
        let t = Instant::now();
        black_box(journal.append("bench@host", entry).expect("append"));
        samples.push(t.elapsed());
    }
    drop(journal);
    let append = Stats::of(&mut samples);
    append.print(&format!("append+fsync ({appends} appends, JournalFile)"));
    verdict("append+fsync p99", append.p99, APPEND_P99_BUDGET);

    // 2. The same through the async handle (channel + writer thread), as the console does.
    let (journal, _) = JournalFile::open(dir.path().join("handle.jsonl")).expect("open");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut samples = runtime.block_on(async {
        let handle = JournalHandle::spawn(journal, "bench@host").expect("spawn");
        let mut samples = Vec::with_capacity(appends);
        for i in 0..appends {
            let t = Instant::now();
            black_box(handle.append(entry(i)).await.expect("append"));
            samples.push(t.elapsed());
        }
        handle.shutdown().await.expect("shutdown");
        samples
    });
    let via_handle = Stats::of(&mut samples);
    via_handle.print(&format!("append+fsync ({appends} appends, JournalHandle)"));
    verdict("handle append p99", via_handle.p99, APPEND_P99_BUDGET);

    // 3. Resume: read + recover + replay a 10,000-record journal.
    let path = dir.path().join("resume.jsonl");
    std::fs::write(&path, journal_bytes(RESUME_RECORDS)).expect("write journal");
    let size = std::fs::metadata(&path).expect("stat").len();
    let mut samples = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let bytes = std::fs::read(&path).expect("read");
        let recovered = recover(&bytes).expect("recover");
        let progress = Progress::replay(&recovered.records);
        black_box(&progress);
        samples.push(t.elapsed());
        assert_eq!(recovered.records.len(), RESUME_RECORDS);
    }
    let resume = Stats::of(&mut samples);
    resume.print(&format!(
        "resume: read + recover + replay ({RESUME_RECORDS} records, {:.1} MB), 30 runs",
        size as f64 / 1e6
    ));
    verdict("resume p50", resume.p50, RESUME_BUDGET);
    verdict("resume max", resume.max, RESUME_BUDGET);

    // 4. Resume as the console does it: JournalFile::open (lock, recover) + replay.
    let mut samples = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let (journal, recovered) = JournalFile::open(&path).expect("open");
        black_box(Progress::replay(&recovered.records));
        samples.push(t.elapsed());
        drop(journal);
    }
    let open = Stats::of(&mut samples);
    open.print("resume: JournalFile::open + replay (10,000 records), 30 runs");
    verdict("open+replay max", open.max, RESUME_BUDGET);
}

/// A realistic mix: ticks, notes, command starts and finishes.
fn entry(i: usize) -> Entry {
    let step = StepId((i % 40) as u32);
    match i % 5 {
        0 => Entry::StepTicked {
            step,
            title: format!("Confirm error rate is below 1% on checkout-api ({i})"),
        },
        1 => Entry::NoteAdded {
            text: format!(
                "Error rate back to 0.4% at {i}; p95 latency 180 ms; pods ready 12/12 on revision 41"
            ),
            step: Some(step),
        },
        2 => Entry::CommandStarted {
            step,
            run: i as u32,
            command: "kubectl rollout undo deployment/checkout-api -n checkout --to-revision=41"
                .into(),
        },
        3 => Entry::CommandFinished {
            step,
            run: (i - 1) as u32,
            exit_code: Some(0),
            duration_ms: 4_210,
            cancelled: false,
        },
        _ => Entry::PhaseEntered {
            phase: i % 5,
            title: "Verification".into(),
        },
    }
}

fn journal_bytes(n: usize) -> Vec<u8> {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 1, 52, 3).unwrap();
    let mut prev = GENESIS.to_string();
    let mut bytes = Vec::new();
    let start = Entry::SessionStarted {
        runbook_path: "/srv/runbooks/checkout.md".into(),
        runbook_sha256: "ab".repeat(32),
        title: "Checkout API rollback".into(),
        mode: "live".into(),
        host: "bench".into(),
    };
    for i in 0..n {
        let e = if i == 0 { start.clone() } else { entry(i) };
        let ts = t0 + chrono::Duration::milliseconds(250 * i as i64);
        let (r, line) = seal(i as u64 + 1, ts, "bench@host", e, &prev);
        prev = r.hash;
        bytes.extend_from_slice(line.as_bytes());
    }
    bytes
}

struct Stats {
    p50: Duration,
    p90: Duration,
    p99: Duration,
    p999: Duration,
    max: Duration,
    mean: Duration,
    min: Duration,
}

impl Stats {
    fn of(samples: &mut [Duration]) -> Stats {
        samples.sort_unstable();
        let n = samples.len();
        let at = |q: f64| samples[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
        let total: Duration = samples.iter().sum();
        Stats {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: samples[n - 1],
            mean: total / n as u32,
            min: samples[0],
        }
    }

    fn print(&self, what: &str) {
        println!("\n{what}");
        println!(
            "  min {}  p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  mean {}",
            ms(self.min),
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.p999),
            ms(self.max),
            ms(self.mean)
        );
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn verdict(what: &str, value: Duration, budget: Duration) {
    let ok = if value <= budget { "within" } else { "OVER" };
    println!("  {what}: {} — {ok} budget of {}", ms(value), ms(budget));
}
