//! `backout completions SHELL`, `backout man` and the logs every subcommand writes, the real
//! binary with a `BACKOUT_HOME` made for the test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use chrono::{TimeZone, Utc};

#[path = "common/backout_cli.rs"]
mod backout_cli;

use backout_cli::checkout_session;

fn backout(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backout"))
        .args(args)
        .env("BACKOUT_HOME", home)
        .env_remove("BACKOUT_LOG")
        .env_remove("RUST_LOG")
        .output()
        .expect("run backout")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A directory holding `backout` (a symlink to the built binary), for `PATH`.
fn bin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_backout"), dir.path().join("backout")).unwrap();
    dir
}

fn path_with(dir: &Path) -> String {
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn seed_session(home: &Path, title: &str) -> String {
    let new = checkout_session(
        home,
        title,
        Utc.with_ymd_and_hms(2026, 11, 22, 1, 52, 3).unwrap(),
    );
    new.dir.id
}

const KUBECONFIG: &str = "apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: 'https://127.0.0.1:1'}
users:
- name: u
  user: {token: t}
contexts:
- name: prod-eu-west-1
  context: {cluster: c, user: u}
- name: staging
  context: {cluster: c, user: u}
current-context: staging
";

/// What bash completes for the words of `line` (the last one being completed), through
/// the script `backout completions bash` prints, sourced in a real bash.
fn bash_complete(home: &Path, kubeconfig: &Path, words: &[&str]) -> Vec<String> {
    let bin = bin_dir();
    let script = backout(home, &["completions", "bash"]).stdout;
    let script_file = home.join("backout.bash");
    std::fs::write(&script_file, script).unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_TYPE=9\n\
         _clap_complete_backout backout '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script_file.display(),
        quoted.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len().saturating_sub(2)],
    );
    let o = Command::new("bash")
        .arg("-c")
        .arg(program)
        .env("PATH", path_with(bin.path()))
        .env("BACKOUT_HOME", home)
        .env("KUBECONFIG", kubeconfig)
        .output()
        .expect("bash runs");
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn a_script_generates_for_each_of_the_four_shells() {
    let home = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        (
            "bash",
            "complete -o nospace -o bashdefault -o nosort -F _clap_complete_backout backout",
        ),
        ("zsh", "#compdef backout"),
        (
            "fish",
            "complete --keep-order --exclusive --command backout",
        ),
        (
            "powershell",
            "Register-ArgumentCompleter -Native -CommandName backout",
        ),
    ] {
        let o = backout(home.path(), &["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", text(&o.stderr));
        let script = text(&o.stdout);
        assert!(script.contains(marker), "{shell}:\n{script}");
        assert!(
            script.contains("COMPLETE"),
            "{shell} calls backout back:\n{script}"
        );
    }
    let o = Command::new("bash")
        .arg("-n")
        .arg("-c")
        .arg(text(&backout(home.path(), &["completions", "bash"]).stdout))
        .output()
        .unwrap();
    assert!(o.status.success(), "bash -n: {}", text(&o.stderr));
    let o = backout(home.path(), &["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bash_completes_subcommands_flags_and_values_read_at_tab_time() {
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = home.path().join("kubeconfig");
    std::fs::write(&kubeconfig, KUBECONFIG).unwrap();
    let id = seed_session(home.path(), "Checkout API rollback");

    let subcommands = bash_complete(home.path(), &kubeconfig, &["backout", "re"]);
    assert_eq!(subcommands, ["resume", "report"], "{subcommands:?}");

    let flags = bash_complete(home.path(), &kubeconfig, &["backout", "undo", "--dry"]);
    assert_eq!(flags, ["--dry-run"], "{flags:?}");

    let sessions = bash_complete(home.path(), &kubeconfig, &["backout", "resume", ""]);
    assert!(sessions.contains(&id), "{sessions:?}");

    let scenarios = bash_complete(
        home.path(),
        &kubeconfig,
        &["backout", "drill", "--scenario", "cr"],
    );
    assert_eq!(scenarios, ["crashloop"], "{scenarios:?}");

    let themes = bash_complete(home.path(), &kubeconfig, &["backout", "--theme", ""]);
    for t in ["dark", "light", "high-contrast"] {
        assert!(themes.contains(&t.to_string()), "{themes:?}");
    }

    let contexts = bash_complete(
        home.path(),
        &kubeconfig,
        &["backout", "status", "--context", ""],
    );
    assert_eq!(contexts, ["prod-eu-west-1", "staging"], "{contexts:?}");

    let formats = bash_complete(home.path(), &kubeconfig, &["backout", "sessions", "-o", ""]);
    assert_eq!(formats, ["text", "json", "yaml"], "{formats:?}");
}

#[test]
fn the_man_page_renders_with_man() {
    let home = tempfile::tempdir().unwrap();
    let o = backout(home.path(), &["man"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let page = home.path().join("backout.1");
    std::fs::write(&page, &o.stdout).unwrap();
    let o = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .env("LANG", "C.UTF-8")
        .output()
        .expect("man runs (package man-db, installed by .ci/test)");
    assert!(o.status.success(), "{}", text(&o.stderr));
    // Without a terminal man prints plain text, bold and underline as overstrikes: drop them.
    let rendered = text(&o.stdout);
    let plain: String = {
        let mut out = String::new();
        for c in rendered.chars() {
            if c == '\u{8}' {
                out.pop();
            } else {
                out.push(c);
            }
        }
        out
    };
    assert!(plain.contains("NAME"), "{plain}");
    assert!(
        plain.contains("backout - A terminal incident console"),
        "{plain}"
    );
    for section in ["UNDO", "STATUS", "COMPLETIONS", "MAN"] {
        assert!(plain.contains(section), "a section for {section}:\n{plain}");
    }
    assert!(plain.contains("--dry-run"), "{plain}");
    assert!(plain.contains("--request-timeout"), "{plain}");
    assert!(!text(&o.stderr).contains("warning"), "{}", text(&o.stderr));
}

fn log_files(home: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(home.join("logs"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn all_logs(home: &Path) -> String {
    log_files(home)
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect()
}

#[test]
fn every_subcommand_logs_to_the_state_directory_in_one_format() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["sessions"][..],
        &["drills"],
        &["report"],
        &["completions", "fish"],
    ] {
        backout(home.path(), args);
    }
    let logs = all_logs(home.path());
    for command in ["sessions", "drills", "report", "completions"] {
        let line = logs
            .lines()
            .find(|l| l.contains(&format!("command=\"{command}\"")))
            .unwrap_or_else(|| panic!("no start line for {command}:\n{logs}"));
        // tracing's plain format: time, level, target, message, fields.
        assert!(line.contains(" INFO backout: backout starting"), "{line}");
    }
    assert!(
        logs.contains("backout failed"),
        "the report of no session fails: {logs}"
    );
}

#[test]
fn a_secret_in_an_error_is_redacted_in_the_log() {
    let home = tempfile::tempdir().unwrap();
    let canary = "canary-7f3a9c1e5b";
    let o = Command::new(env!("CARGO_BIN_EXE_backout"))
        .args(["report", canary])
        .env("BACKOUT_HOME", home.path())
        .env("SLACK_TOKEN", canary)
        .env_remove("BACKOUT_LOG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let logs = all_logs(home.path());
    assert!(logs.contains("backout failed"), "{logs}");
    assert!(
        !logs.contains(canary),
        "the secret reached the log:\n{logs}"
    );
}

#[test]
fn backout_log_and_rust_log_filter_what_is_written() {
    let home = tempfile::tempdir().unwrap();
    let run = |var: &str, value: &str| {
        Command::new(env!("CARGO_BIN_EXE_backout"))
            .args(["sessions"])
            .env("BACKOUT_HOME", home.path())
            .env_remove("BACKOUT_LOG")
            .env_remove("RUST_LOG")
            .env(var, value)
            .output()
            .unwrap()
    };
    run("BACKOUT_LOG", "error");
    assert!(!all_logs(home.path()).contains("backout starting"));
    run("RUST_LOG", "error");
    assert!(!all_logs(home.path()).contains("backout starting"));
    // BACKOUT_LOG wins over RUST_LOG.
    Command::new(env!("CARGO_BIN_EXE_backout"))
        .args(["sessions"])
        .env("BACKOUT_HOME", home.path())
        .env("BACKOUT_LOG", "info")
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(all_logs(home.path()).contains("backout starting"));
}

#[test]
fn old_and_oversized_logs_are_pruned_at_start() {
    let home = tempfile::tempdir().unwrap();
    let logs = home.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let aged = |name: &str, len: usize, days: u64| {
        let p = logs.join(name);
        std::fs::write(&p, vec![b'x'; len]).unwrap();
        let f = std::fs::File::options().write(true).open(&p).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(days * 24 * 3600))
            .unwrap();
        p
    };
    let old = aged("backout.log.2026-01-01", 10, 20);
    let recent = aged("backout.log.2026-11-30", 10, 3);
    // 3 × 20 MB: beyond 50 MB, the oldest of them goes.
    let big_old = aged("backout.log.2026-11-20", 20 << 20, 10);
    let big_mid = aged("backout.log.2026-11-21", 20 << 20, 9);
    let big_new = aged("backout.log.2026-11-22", 20 << 20, 8);
    let other = aged("keep-me.txt", 10, 100);
    let o = backout(home.path(), &["sessions"]);
    assert!(o.status.success());
    assert!(!old.exists(), "older than 14 days");
    assert!(!big_old.exists(), "the oldest goes first when over 50 MB");
    assert!(big_mid.exists() && big_new.exists() && recent.exists());
    assert!(other.exists(), "only log files are pruned");
    assert!(
        all_logs(home.path()).contains("old log file deleted"),
        "the pruning is logged"
    );
}

#[test]
fn backout_sim_logs_each_request_at_debug() {
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = home.path().join("kc");
    let mut child = Command::new(env!("CARGO_BIN_EXE_backout"))
        .args(["sim", "--scenario", "bad-deploy", "--kubeconfig-out"])
        .arg(&kubeconfig)
        .env("BACKOUT_HOME", home.path())
        .env("BACKOUT_LOG", "backout=debug")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("backout sim starts");
    // The first line is printed once the kubeconfig is written.
    let mut first = String::new();
    // Kept open until the end: the simulator prints to it.
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut reader, &mut first).unwrap();
    assert!(first.starts_with("backout sim listening on"), "{first}");
    let o = Command::new("/usr/bin/kubectl")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args([
            "-n",
            "checkout",
            "get",
            "deploy",
            "checkout-api",
            "-o",
            "name",
        ])
        .env("HOME", home.path())
        .output()
        .expect("kubectl runs");
    assert!(o.status.success(), "{}", text(&o.stderr));
    // Ctrl-C: the simulator stops and the log is flushed.
    let pid = child.id() as libc::pid_t;
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    child.wait().unwrap();
    drop(reader);
    let logs = all_logs(home.path());
    let line = logs
        .lines()
        .find(|l| {
            l.contains("sim request")
                && l.contains("path=\"/apis/apps/v1/namespaces/checkout/deployments/checkout-api\"")
        })
        .unwrap_or_else(|| panic!("no debug line for kubectl's GET:\n{logs}"));
    assert!(
        line.contains("DEBUG") && line.contains("method=GET"),
        "{line}"
    );
    assert!(logs.contains("command=\"sim\""), "{logs}");
}
