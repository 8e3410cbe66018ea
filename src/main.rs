use std::process::ExitCode;

use backout::adapters::session_store;
use backout::cli::{self, Cli, Command, completions, invocation};
use backout::domain::redact::Redactor;
use backout::runtime::logging;
use clap::FromArgMatches;

fn main() -> ExitCode {
    let argv0 = std::env::args_os().next();
    if invocation::is_plugin_completer(argv0.as_deref()) {
        return match completions::kubectl_plugin_complete(std::env::args_os().skip(1).collect()) {
            Ok(code) => code,
            Err(e) => {
                backout::stderr_line!("backout: {e}");
                ExitCode::from(2)
            }
        };
    }
    let name = invocation::display_name(argv0.as_deref());
    // A shell asking for completions (the scripts of `backout completions` set COMPLETE):
    // answer and exit before anything else is printed.
    clap_complete::CompleteEnv::with_factory(move || invocation::command(argv0.as_deref()))
        .var(completions::COMPLETE_ENV)
        .complete();
    let argv0 = std::env::args_os().next();
    let matches = invocation::command(argv0.as_deref()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Every subcommand logs to the state directory (pruned at start); never to the terminal.
    let _log = session_store::log_dir()
        .ok()
        .and_then(|d| logging::init(&d));
    tracing::info!(
        command = matches.subcommand_name().unwrap_or("console"),
        invoked_as = name,
        version = env!("CARGO_PKG_VERSION"),
        "backout starting"
    );
    let result = match cli.command {
        Some(Command::Check(a)) => cli::check::run(a),
        Some(Command::Report(a)) => cli::report::run(a),
        Some(Command::Sessions(a)) => cli::sessions::run(a),
        Some(Command::Sim(a)) => cli::sim::run(a),
        Some(Command::Undo(a)) => cli::undo::run(a),
        Some(Command::Status(a)) => cli::status::run(a),
        Some(Command::Drill(a)) => cli::drill::run(a, &cli.console),
        Some(Command::Drills(a)) => cli::drill::list(a, &cli.console),
        Some(Command::Resume(a)) => cli::console::resume(a.session.as_deref(), &cli.console),
        Some(Command::Completions(a)) => completions::run(a.shell, &name.replace(' ', "-")),
        Some(Command::Man) => completions::man(),
        None => match &cli.runbook {
            Some(path) => cli::console::open(path, &cli.console),
            None => {
                let argv0 = std::env::args_os().next();
                let _ = invocation::command(argv0.as_deref()).print_help();
                Ok(ExitCode::from(2))
            }
        },
    };
    match result {
        Ok(code) => {
            tracing::info!(code = ?code, "backout finished");
            code
        }
        Err(e) => {
            // Errors can quote what was typed; the log gets it with secrets redacted.
            let redactor = Redactor::from_vars(std::env::vars());
            tracing::warn!("backout failed: {}", redactor.redact(&e.to_string()));
            backout::stderr_line!("backout: {e}");
            ExitCode::from(2)
        }
    }
}
