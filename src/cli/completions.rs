//! `backout completions SHELL` and `backout man`.
//!
//! Completions are clap_complete's dynamic ones: the script `completions` prints registers
//! a function that calls `backout` back (with `COMPLETE=<shell>` in its environment) at
//! each Tab, so subcommands and flags come from the same definition as the parser, and
//! values are read when asked for: session ids, scenario names, theme names and the
//! kubeconfig's contexts (the functions below). `main` answers those calls before anything else.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, ValueEnum};
use clap_complete::engine::CompletionCandidate;
use clap_complete::env::{Bash, EnvCompleter, Fish, Powershell, Zsh};

use super::{Cli, CliError};
use crate::adapters::config::UserConfig;
use crate::adapters::session_store::SessionStore;

/// The environment variable the registration scripts set to ask for completions.
pub const COMPLETE_ENV: &str = "COMPLETE";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl Shell {
    fn completer(self) -> &'static dyn EnvCompleter {
        match self {
            Shell::Bash => &Bash,
            Shell::Zsh => &Zsh,
            Shell::Fish => &Fish,
            Shell::Powershell => &Powershell,
        }
    }
}

/// The registration script of `shell` for the binary named `bin` (`backout`, or
/// `kubectl-backout` as a kubectl plugin).
pub fn script(shell: Shell, bin: &str) -> Result<Vec<u8>, CliError> {
    let mut buf = Vec::new();
    shell
        .completer()
        .write_registration(COMPLETE_ENV, bin, bin, bin, &mut buf)?;
    Ok(buf)
}

/// `backout completions SHELL`.
pub fn run(shell: Shell, bin: &str) -> Result<ExitCode, CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(&script(shell, bin)?)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// cobra's "no file completion" directive, the last line of a `__complete` answer.
const COBRA_NO_FILE_COMP: u8 = 4;

/// Called as `kubectl_complete-backout WORD…` by kubectl's plugin completion: prints the
/// candidates for the last word (`value<TAB>help` per line) and cobra's directive line.
pub fn kubectl_plugin_complete(words: Vec<std::ffi::OsString>) -> Result<ExitCode, CliError> {
    let mut cmd =
        super::invocation::command(Some(std::ffi::OsStr::new(super::invocation::PLUGIN_FILE)));
    let mut args = vec![std::ffi::OsString::from(super::invocation::PLUGIN_FILE)];
    args.extend(words);
    if args.len() == 1 {
        args.push(std::ffi::OsString::new());
    }
    let index = args.len() - 1;
    let cwd = std::env::current_dir().ok();
    let candidates = clap_complete::engine::complete(&mut cmd, args, index, cwd.as_deref())?;
    let mut out = std::io::stdout().lock();
    for c in candidates.iter().filter(|c| !c.is_hide_set()) {
        write!(out, "{}", c.get_value().to_string_lossy())?;
        if let Some(help) = c.get_help() {
            let help = help.to_string();
            write!(out, "\t{}", help.lines().next().unwrap_or_default())?;
        }
        writeln!(out)?;
    }
    writeln!(out, ":{COBRA_NO_FILE_COMP}")?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `backout man`: the manual page (roff) of the command and its subcommands.
pub fn man() -> Result<ExitCode, CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(&man_page()?)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The manual page: the top command, then one section per subcommand.
pub fn man_page() -> Result<Vec<u8>, CliError> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    man.render_options_section(&mut buf)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let page =
            clap_mangen::Man::new(sub.clone().bin_name(format!("backout {}", sub.get_name())));
        writeln!(buf, ".SH \"{}\"", sub.get_name().to_uppercase())?;
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            writeln!(buf, "{}", roff_text(&about.to_string()))?;
        }
        page.render_synopsis_section(&mut buf)?;
        page.render_options_section(&mut buf)?;
    }
    man.render_version_section(&mut buf)?;
    Ok(buf)
}

/// Plain text for a roff body line: no leading `.` or `'`, backslashes doubled.
fn roff_text(s: &str) -> String {
    let s = s.replace('\\', "\\\\");
    match s.chars().next() {
        Some('.') | Some('\'') => format!("\\&{s}"),
        _ => s,
    }
}

/// Session ids, newest first, with the runbook title as help.
pub fn sessions() -> Vec<CompletionCandidate> {
    let Ok(store) = SessionStore::from_env() else {
        return Vec::new();
    };
    let mut list = store.list().unwrap_or_default();
    list.reverse();
    list.into_iter()
        .map(|s| CompletionCandidate::new(s.id.clone()).help(Some(s.title.clone().into())))
        .collect()
}

/// The built-in drill scenarios.
pub fn scenarios() -> Vec<CompletionCandidate> {
    crate::sim::scenario::BUILTIN
        .iter()
        .map(|(name, _)| CompletionCandidate::new(*name))
        .collect()
}

/// The preset themes and the user's own (`themes/NAME.toml` in the config directory).
pub fn themes() -> Vec<CompletionCandidate> {
    let mut names: Vec<String> = crate::ui::theme::PRESETS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    for n in UserConfig::load().themes.into_keys() {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names.into_iter().map(CompletionCandidate::new).collect()
}

/// The contexts of the kubeconfig (`KUBECONFIG`, else `~/.kube/config`).
pub fn contexts() -> Vec<CompletionCandidate> {
    let Ok(kc) = kube::config::Kubeconfig::read() else {
        return Vec::new();
    };
    kc.contexts
        .into_iter()
        .map(|c| CompletionCandidate::new(c.name))
        .collect()
}
