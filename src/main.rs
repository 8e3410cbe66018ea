use std::process::ExitCode;

use backout::cli::{self, Cli, Command};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        None => match &cli.runbook {
            Some(path) => cli::console::open(path, &cli.console),
            None => {
                use clap::CommandFactory;
                let _ = Cli::command().print_help();
                Ok(ExitCode::from(2))
            }
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("backout: {e}");
            ExitCode::from(2)
        }
    }
}
