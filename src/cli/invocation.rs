//! How the binary was called: as `backout`, or as a kubectl plugin.
//!
//! kubectl runs `kubectl-NAME` from `PATH` for `kubectl NAME …`, passing the rest of the
//! arguments unchanged (as krew installs plugins). Installed (or symlinked) as
//! `kubectl-backout`, the binary parses the same arguments and says `kubectl backout` in
//! its usage, help and completions.

use std::ffi::OsStr;
use std::path::Path;

use clap::CommandFactory;

use super::Cli;

/// The file name kubectl looks for on `PATH`.
pub const PLUGIN_FILE: &str = "kubectl-backout";

/// The file name kubectl (1.26+) runs to complete `kubectl backout …` (its plugin
/// completion protocol: the words after `backout`, the last being completed; answered as
/// cobra's `__complete` does, candidates then a `:directive` line).
pub const PLUGIN_COMPLETER_FILE: &str = "kubectl_complete-backout";

/// Whether `argv0` is [`PLUGIN_COMPLETER_FILE`].
pub fn is_plugin_completer(argv0: Option<&OsStr>) -> bool {
    argv0
        .and_then(|a| Path::new(a).file_stem())
        .and_then(OsStr::to_str)
        == Some(PLUGIN_COMPLETER_FILE)
}

/// The name to show in usage lines: `kubectl backout` when `argv0`'s file name is
/// [`PLUGIN_FILE`] (with or without `.exe`), `backout` otherwise.
pub fn display_name(argv0: Option<&OsStr>) -> &'static str {
    let stem = argv0
        .and_then(|a| Path::new(a).file_stem())
        .and_then(OsStr::to_str);
    if stem == Some(PLUGIN_FILE) {
        "kubectl backout"
    } else {
        "backout"
    }
}

/// The command definition, named for how it was called.
pub fn command(argv0: Option<&OsStr>) -> clap::Command {
    let cmd = Cli::command();
    match display_name(argv0) {
        "backout" => cmd,
        name => cmd.bin_name(name).display_name(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plugin_file_name_is_recognised_wherever_it_lives() {
        for argv0 in [
            "kubectl-backout",
            "/usr/local/bin/kubectl-backout",
            "kubectl-backout.exe",
        ] {
            assert_eq!(
                display_name(Some(OsStr::new(argv0))),
                "kubectl backout",
                "{argv0}"
            );
        }
        for argv0 in ["backout", "/tmp/target/debug/backout", "kubectl-backoutx"] {
            assert_eq!(display_name(Some(OsStr::new(argv0))), "backout", "{argv0}");
        }
        assert_eq!(display_name(None), "backout");
        assert!(is_plugin_completer(Some(OsStr::new(
            "/x/kubectl_complete-backout"
        ))));
        assert!(!is_plugin_completer(Some(OsStr::new("kubectl-backout"))));
    }

    #[test]
    fn usage_says_kubectl_backout_as_a_plugin() {
        let mut cmd = command(Some(OsStr::new("kubectl-backout")));
        let usage = cmd.render_usage().to_string();
        assert!(usage.contains("kubectl backout"), "{usage}");
    }
}
