//! Command-line interface: arguments and one file per subcommand.

/// `eprintln!` that cannot panic: once the terminal is gone (SIGHUP from a closed tmux
/// window or SSH session) standard error answers EIO, and `eprintln!` would panic on the
/// way out of a session that was saved correctly. The line is dropped instead.
#[macro_export]
macro_rules! stderr_line {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCandidates;

pub use output::OutputFormat;

pub mod check;
mod check_deploy_api;
mod check_human;
mod check_report;
pub mod completions;
pub mod connection_plan;
pub mod console;
mod console_connect;
pub mod console_verify;
pub mod drill;
pub mod drill_metrics;
pub mod drill_scores;
pub mod drill_session;
pub mod drill_setup;
pub mod drill_target;
pub mod drill_tasks;
pub mod invocation;
pub mod output;
pub mod prometheus_url;
pub mod report;
pub mod sessions;
mod shell_env;
pub mod sim;
pub mod status;
pub mod status_gate;
pub mod target_choices;
pub mod undo;

#[derive(Debug, Parser)]
#[command(
    name = "backout",
    version,
    about = "A terminal incident console for rolling back a bad Kubernetes deployment",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Open the console on this runbook (any Markdown file).
    pub runbook: Option<PathBuf>,
    #[command(flatten)]
    pub console: ConsoleArgs,
}

/// Options of the interactive console (also used by `resume`).
#[derive(Debug, Clone, Default, Args)]
pub struct ConsoleArgs {
    /// Colour theme: dark, light, high-contrast, or a name from the config directory.
    #[arg(long, global = true, env = "BACKOUT_THEME", add = ArgValueCandidates::new(completions::themes))]
    pub theme: Option<String>,
    /// Prometheus base URL for the metrics panes; overrides the runbook's
    /// `metrics.prometheus` URL and `PROMETHEUS_URL`.
    #[arg(long, global = true, value_name = "URL")]
    pub prometheus_url: Option<String>,
    /// Kubeconfig file for the cluster panes (default: $KUBECONFIG, then
    /// ~/.kube/config, then in-cluster).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the runbook's `target.context`, then the current one).
    #[arg(long, global = true, add = ArgValueCandidates::new(completions::contexts))]
    pub context: Option<String>,
    /// Namespace (default: the runbook's `target.namespace`, then the context's).
    #[arg(short = 'n', long, global = true)]
    pub namespace: Option<String>,
    /// Deployment to watch and roll back (default: the runbook's `target.deployment`).
    #[arg(long, global = true, value_name = "NAME")]
    pub deployment: Option<String>,
    /// Refuse every request that could change the cluster, at the client.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// How long to wait for one API server request before giving up (e.g. 5s, 1m; a bare
    /// number is seconds; 0 waits as long as it takes), as kubectl's --request-timeout.
    #[arg(long, global = true, value_name = "DURATION", value_parser = request_timeout_value)]
    pub request_timeout: Option<std::time::Duration>,
    /// User to impersonate for the operation, as kubectl's --as.
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,
    /// Group to impersonate (repeat for several; needs --as), as kubectl's --as-group.
    #[arg(
        long = "as-group",
        global = true,
        value_name = "GROUP",
        requires = "as_user"
    )]
    pub as_group: Vec<String>,
    /// A drill: every message sink is replaced by the outbox file in the session directory
    /// (set by `backout drill`; a session whose journal says `mode: drill` is one too).
    #[arg(skip)]
    pub drill: bool,
    /// In a drill, send messages to the runbook's real sinks instead of the outbox.
    #[arg(long, global = true)]
    pub drill_real_messages: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate runbooks: phases, steps, placeholders, front matter.
    Check(CheckArgs),
    /// Reopen the latest (or the named) session exactly where it was.
    Resume(ResumeArgs),
    /// List sessions.
    Sessions(SessionsArgs),
    /// Write the incident report of a session.
    Report(ReportArgs),
    /// Run the simulated Kubernetes API server.
    Sim(SimArgs),
    /// Roll a deployment back, like `kubectl rollout undo`, with RBAC preflight, a server
    /// dry-run and diff, typed confirmation, a journal and the rollout followed to the end.
    Undo(UndoArgs),
    /// Run a rollback drill: a simulated cluster and a scenario (default: bad-deploy with
    /// runbooks/deployment-rollback.md), or `--context NAME --runbook FILE` on a real
    /// cluster; scored against the runbook's RTO at the end.
    Drill(DrillArgs),
    /// List past drills with their scorecards and the trend across them.
    Drills(DrillsArgs),
    /// Print the shell completion script (bash, zsh, fish, powershell); see docs/cli.md.
    Completions(CompletionsArgs),
    /// Print the manual page (roff): `backout man | man -l -`.
    Man,
    /// Pods summary, rollout state and revision history of a deployment (or of every
    /// deployment in the namespace).
    Status(StatusArgs),
}

/// How to reach the cluster, like kubectl.
#[derive(Debug, Clone, Default, Args)]
pub struct ClusterArgs {
    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current context).
    #[arg(long, add = ArgValueCandidates::new(completions::contexts))]
    pub context: Option<String>,
    /// Namespace (default: the context's).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Refuse every request that could change the cluster, at the client.
    #[arg(long)]
    pub read_only: bool,
    /// How long to wait for one API server request before giving up (e.g. 5s, 1m; a bare
    /// number is seconds; 0 waits as long as it takes), as kubectl's --request-timeout.
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = request_timeout_value)]
    pub request_timeout: std::time::Duration,
    /// User to impersonate for the operation, as kubectl's --as.
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,
    /// Group to impersonate (repeat for several; needs --as), as kubectl's --as-group.
    #[arg(long = "as-group", value_name = "GROUP", requires = "as_user")]
    pub as_group: Vec<String>,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// `deployment/NAME` (also `deploy/NAME`, `deployments.apps/NAME`).
    pub deployment: String,
    /// Revision to roll back to (default: the previous one).
    #[arg(long)]
    pub to_revision: Option<i64>,
    /// `server`: stop after the server dry-run and its diff; `client`: plan from reads
    /// only and print the request that would be sent; `none` (the default): act. A bare
    /// `--dry-run` means `client` with a deprecation warning, as in kubectl.
    #[arg(long, value_name = "STRATEGY", num_args = 0..=1, require_equals = true,
          default_value = "none", default_missing_value = "unchanged")]
    pub dry_run: String,
    /// Do not ask for the deployment name before acting.
    #[arg(long)]
    pub yes: bool,
    /// How long to follow the rollout (e.g. 90s, 5m).
    #[arg(long, default_value = "5m")]
    pub timeout: String,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// `deployment/NAME`; every deployment in the namespace when omitted.
    pub deployment: Option<String>,
    /// Output format: text, json or yaml (`--format` is an alias).
    #[arg(
        short = 'o',
        long = "output",
        alias = "format",
        value_enum,
        default_value = "text"
    )]
    pub output: OutputFormat,
    /// Runbook whose front matter gives the target, the metrics and the decision matrix:
    /// adds the metric values and the matrix verdict (exit 3 firing, 4 unknown).
    #[arg(long)]
    pub runbook: Option<PathBuf>,
    /// Prometheus base URL (wins over the runbook's `metrics.prometheus` and
    /// `PROMETHEUS_URL`).
    #[arg(long)]
    pub prometheus_url: Option<String>,
    /// How far back `baseline(name)` is read with `offset` (e.g. 1h, 1d).
    #[arg(long, default_value = "1h")]
    pub baseline_offset: String,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// kubectl's `--request-timeout` value: a duration (`5s`, `1m30s`), a bare number of
/// seconds, `0` for no limit (a zero duration).
pub fn request_timeout_value(value: &str) -> Result<std::time::Duration, String> {
    let secs = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        value.parse::<u64>().map_err(|e| e.to_string())?
    } else {
        crate::domain::cluster::kubectl_line::parse_duration_secs(value)?
    };
    Ok(std::time::Duration::from_secs(secs))
}

/// `deployment/NAME`, `deploy/NAME`, `deployments.apps/NAME` or a bare `NAME`.
pub fn deployment_name(arg: &str) -> Result<String, CliError> {
    let name = match arg.split_once('/') {
        Some((kind, name)) => {
            let kind = kind.to_lowercase();
            let ok = matches!(
                kind.as_str(),
                "deployment" | "deployments" | "deploy" | "deployment.apps" | "deployments.apps"
            );
            if !ok {
                return Err(CliError::Message(format!(
                    "{arg:?} is not a deployment (use deployment/NAME)"
                )));
            }
            name
        }
        None => arg,
    };
    if name.is_empty() {
        return Err(CliError::Message(format!("no deployment name in {arg:?}")));
    }
    Ok(name.to_string())
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Runbook files (any extension).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format: text, json or yaml (`--format` is an alias).
    #[arg(
        short = 'o',
        long = "output",
        alias = "format",
        value_enum,
        default_value = "text"
    )]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// Session id (default: the most recent).
    #[arg(add = ArgValueCandidates::new(completions::sessions))]
    pub session: Option<String>,
}

#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Output format: text, json or yaml (`--format` is an alias).
    #[arg(
        short = 'o',
        long = "output",
        alias = "format",
        value_enum,
        default_value = "text"
    )]
    pub output: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown (the default); `text` is accepted too.
    #[value(alias = "text")]
    Md,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Session id (default: the most recent).
    #[arg(add = ArgValueCandidates::new(completions::sessions))]
    pub session: Option<String>,
    /// Output format: md, json or yaml. A file path here is the old meaning of `-o`
    /// (deprecated: use --output-file).
    #[arg(short = 'o', long = "output", value_name = "FORMAT")]
    pub output: Option<String>,
    /// Output format (alias of -o).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ReportFormat>,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// Scenario name (see `runbooks/drills/`) or a scenario file.
    #[arg(long, add = ArgValueCandidates::new(completions::scenarios))]
    pub scenario: Option<String>,
    /// Time compression of the scenario: 10 makes a 10-minute scenario last a minute
    /// (0.1 to 1000).
    #[arg(long, default_value_t = 1.0, value_parser = speed)]
    pub speed: f64,
    /// Runbook to open (default: the one the scenario names).
    #[arg(long)]
    pub runbook: Option<PathBuf>,
    /// Time compression of verification monitor windows: with the default 10, a runbook's
    /// 10-minute watch takes one minute of the drill (0.1 to 1000).
    #[arg(long, default_value_t = 10.0, value_parser = speed)]
    pub verify_speed: f64,
    /// Seed for the simulator's random choices.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the scorecard of a drill session (default: the latest drill) instead of
    /// starting one; exit 1 when it did not pass.
    #[arg(long, value_name = "SESSION", num_args = 0..=1, default_missing_value = "",
          add = ArgValueCandidates::new(completions::sessions))]
    pub report: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DrillsFormat {
    Text,
    Json,
    Yaml,
    Md,
}

#[derive(Debug, Args)]
pub struct DrillsArgs {
    /// Output format: text, json, yaml or md (`--format` is an alias).
    #[arg(
        short = 'o',
        long = "output",
        alias = "format",
        value_enum,
        default_value = "text"
    )]
    pub format: DrillsFormat,
    /// Show the latest scorecard and the trend chart in the terminal UI.
    #[arg(long)]
    pub tui: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    pub shell: completions::Shell,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address to listen on; port 0 picks a free port (the address is printed).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: String,
    /// Write a kubeconfig with a context for the simulator to this file.
    #[arg(long)]
    pub kubeconfig_out: Option<PathBuf>,
    /// Write the certificate of the simulator's CA (PEM, generated at start) to this file,
    /// for clients without the kubeconfig (`curl --cacert`, Prometheus `tls_config.ca_file`).
    #[arg(long)]
    pub ca_out: Option<PathBuf>,
    /// Scenario name (see `runbooks/drills/`) or a scenario file.
    #[arg(long, add = ArgValueCandidates::new(completions::scenarios))]
    pub scenario: Option<String>,
    /// Time compression: 10 makes a 10-minute scenario last a minute (0.1 to 1000).
    #[arg(long, default_value_t = 1.0, value_parser = speed)]
    pub speed: f64,
    /// Seed for deterministic behaviour.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Authorization policy file (users, verbs, resources).
    #[arg(long)]
    pub policy: Option<PathBuf>,
}

/// The speeds `--speed` and `--verify-speed` accept: from ten times slower than real time
/// to a thousand times faster. Outside it simulated time either stands still or overflows
/// every timestamp (`--speed 1e308` panicked the simulator's clock).
pub const SPEED_RANGE: std::ops::RangeInclusive<f64> = 0.1..=1000.0;

/// Parses a time-compression factor within [`SPEED_RANGE`].
fn speed(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if !SPEED_RANGE.contains(&value) {
        return Err(format!(
            "must be from {} to {}, not {text}",
            SPEED_RANGE.start(),
            SPEED_RANGE.end()
        ));
    }
    Ok(value)
}

/// An error and its causes, `outer: inner: innermost` (kube's errors hide the cause that
/// says what happened, e.g. a timeout, in their sources), repeated texts once.
pub fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let t = s.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        source = s.source();
    }
    text
}

/// An error reported at the edge: printed to stderr, exit code 2 (1 is kept for
/// "ran, but the answer is no", e.g. a runbook that does not load).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Message(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn request_timeout_reads_like_kubectl() {
        assert_eq!(request_timeout_value("0"), Ok(Duration::ZERO));
        assert_eq!(request_timeout_value("5"), Ok(Duration::from_secs(5)));
        assert_eq!(request_timeout_value("1m30s"), Ok(Duration::from_secs(90)));
        assert!(request_timeout_value("soon").is_err());
        assert!(request_timeout_value("").is_err());
    }

    #[test]
    fn the_console_takes_the_connection_flags_too() {
        let cli = Cli::try_parse_from([
            "backout",
            "--as",
            "jane",
            "--as-group",
            "sre",
            "--request-timeout",
            "5s",
            "runbook.md",
        ])
        .unwrap();
        assert_eq!(cli.console.as_user.as_deref(), Some("jane"));
        assert_eq!(cli.console.as_group, ["sre"]);
        assert_eq!(cli.console.request_timeout, Some(Duration::from_secs(5)));
        assert!(Cli::try_parse_from(["backout", "--as-group", "sre", "runbook.md"]).is_err());
        // undo and status read their own (same-named) flags.
        let cli = Cli::try_parse_from(["backout", "status", "--as", "jane"]).unwrap();
        match cli.command {
            Some(Command::Status(a)) => {
                assert_eq!(a.cluster.as_user.as_deref(), Some("jane"));
                assert_eq!(a.cluster.request_timeout, Duration::ZERO);
            }
            other => panic!("{other:?}"),
        }
    }
}
