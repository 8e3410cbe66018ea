//! Drives the real binary in a real terminal: tmux `new-session`, `send-keys`,
//! `capture-pane`. Waits are bounded polls for what an operator would see, never timing
//! assertions.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// How long to wait for something to appear on screen before failing with the screen.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct Tmux {
    pub name: String,
    socket: String,
}

fn tmux_available() {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "tmux is required for the end-to-end tests: run the README's test command (it installs tmux)"
    );
}

impl Tmux {
    /// Starts `command` (run by `sh -c`) in a detached session of the given size, with
    /// `env` set and `TERM=xterm-256color`.
    pub fn start(
        name: &str,
        width: u16,
        height: u16,
        env: &[(&str, &Path)],
        command: &str,
    ) -> Tmux {
        tmux_available();
        let socket = format!("backout-test-{}-{name}", std::process::id());
        let t = Tmux {
            name: name.to_string(),
            socket,
        };
        let mut full = String::from("env TERM=xterm-256color ");
        for (k, v) in env {
            full.push_str(&format!("{k}='{}' ", v.display()));
        }
        full.push_str(command);
        let status = Command::new("tmux")
            .args([
                "-L",
                &t.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                name,
            ])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .arg(&full)
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed for: {full}");
        // Keep the pane after the program exits so its last screen can be read.
        let _ = Command::new("tmux")
            .args([
                "-L",
                &t.socket,
                "set-option",
                "-t",
                name,
                "remain-on-exit",
                "on",
            ])
            .status();
        t
    }

    /// Sends tmux key names (`Enter`, `Space`, `C-s`, `j`, …), one argument each.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let status = Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", "-t", &self.name, k])
                .status()
                .expect("tmux send-keys");
            assert!(status.success());
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Types literal text.
    pub fn type_text(&self, text: &str) {
        let status = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "send-keys",
                "-t",
                &self.name,
                "-l",
                text,
            ])
            .status()
            .expect("tmux send-keys -l");
        assert!(status.success());
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Resizes the window, as dragging the terminal's corner would.
    pub fn resize(&self, width: u16, height: u16) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "resize-window", "-t", &self.name])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .status()
            .expect("tmux resize-window");
        assert!(status.success());
    }

    /// Runs another tmux command on this test's server (`set-option -s set-clipboard on`,
    /// `show-buffer`) and returns what it printed.
    pub fn command(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen contains `text`; panics with the screen if it never does.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }

    pub fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_until_within(what, PATIENCE, pred)
    }

    /// [`Tmux::wait_until`] with its own patience, for what takes long by design (a
    /// decision-matrix rule's `for` window).
    pub fn wait_until_within(
        &self,
        what: &str,
        patience: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                // A capture can land while a frame is still being written (the top rows
                // new, the rest not yet): what the caller reads next on the screen is
                // taken from a capture a moment later, when it still holds.
                std::thread::sleep(Duration::from_millis(50));
                let settled = self.screen();
                if pred(&settled) {
                    return settled;
                }
                continue;
            }
            if start.elapsed() > patience {
                panic!("waited {patience:?} for {what:?}; the screen was:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether the screen satisfies `pred` within `patience` (for a retry loop: press a
    /// key again when nothing came of it).
    pub fn screen_within(&self, patience: Duration, pred: impl Fn(&str) -> bool) -> bool {
        let start = Instant::now();
        while start.elapsed() < patience {
            if pred(&self.screen()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        false
    }

    /// Presses `key` until the screen satisfies `pred` (each press given 20 s, six presses
    /// at most), as an operator presses again when a refused request left nothing open.
    pub fn press_until(&self, key: &str, what: &str, pred: impl Fn(&str) -> bool) {
        let mut tries = 0;
        loop {
            self.keys(&[key]);
            if self.screen_within(Duration::from_secs(20), &pred) {
                return;
            }
            tries += 1;
            assert!(tries < 6, "no {what}:\n{}", self.screen());
        }
    }

    /// Waits until tmux's paste buffer (what OSC 52 copied) satisfies `pred`; returns it.
    /// Before the first copy lands tmux has no buffer at all.
    pub fn wait_buffer(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let out = Command::new("tmux")
                .args(["-L", &self.socket, "show-buffer"])
                .output()
                .expect("run tmux");
            let buffer = String::from_utf8_lossy(&out.stdout).into_owned();
            if out.status.success() && pred(&buffer) {
                return buffer;
            }
            if start.elapsed() > PATIENCE {
                panic!(
                    "waited {PATIENCE:?} for {what} in tmux's buffer: {buffer:?}; the screen was:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Quits with `q` and waits for the program to exit.
    pub fn quit(&self) {
        self.keys(&["q"]);
        self.wait_exit();
    }

    /// A tmux format (`#{pane_pid}`, …) of the pane, trimmed.
    fn pane_format(&self, format: &str) -> String {
        let out = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "display-message",
                "-p",
                "-t",
                &self.name,
                format,
            ])
            .output()
            .expect("tmux display-message");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The pid of the program in the pane.
    pub fn pane_pid(&self) -> i32 {
        self.pane_format("#{pane_pid}").parse().expect("pane pid")
    }

    /// Whether the program in the pane has exited.
    pub fn pane_dead(&self) -> bool {
        self.pane_format("#{pane_dead}") == "1"
    }

    pub fn wait_exit(&self) {
        let start = Instant::now();
        while !self.pane_dead() {
            assert!(
                start.elapsed() < PATIENCE,
                "program did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Kills the whole tmux server: the terminal is gone, as when an SSH session drops.
    pub fn kill(&self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.kill();
    }
}
