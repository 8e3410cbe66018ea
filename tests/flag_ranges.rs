//! Issue 15, point 2: numbers and durations given as flags are range-checked with an error
//! naming the flag, never a panic (`drill --speed 1e308` panicked the simulator's clock,
//! `--speed 1e-300` its thread).

use std::process::{Command, Output};

fn backout(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("temp home");
    Command::new(env!("CARGO_BIN_EXE_backout"))
        .args(args)
        .env("BACKOUT_HOME", home.path())
        .env_remove("KUBECONFIG")
        .output()
        .expect("run backout")
}

/// Exit 2 (a usage error), no panic, and stderr names the flag and says why.
fn assert_refused(args: &[&str], flag: &str, why: &str) {
    let out = backout(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(stderr.contains(flag), "{args:?} must name {flag}: {stderr}");
    assert!(stderr.contains(why), "{args:?} must say {why:?}: {stderr}");
}

#[test]
fn speeds_outside_the_documented_range_are_refused() {
    for speed in ["1e308", "1e-300", "0", "-1", "NaN", "inf", "1001", "0.09"] {
        let speed_flag = format!("--speed={speed}");
        let verify_flag = format!("--verify-speed={speed}");
        let why = "must be from 0.1 to 1000";
        assert_refused(&["drill", &speed_flag], "--speed", why);
        assert_refused(&["drill", &verify_flag], "--verify-speed", why);
        assert_refused(&["sim", &speed_flag], "--speed", why);
    }
    assert_refused(&["drill", "--speed", "fast"], "--speed", "is not a number");
}

#[test]
fn an_oversized_timeout_is_refused_naming_the_flag() {
    for timeout in ["99999999999999999999999h", "18446744073709551616s", "367d"] {
        assert_refused(
            &["undo", "deployment/web", &format!("--timeout={timeout}")],
            "--timeout",
            "invalid duration",
        );
    }
}
