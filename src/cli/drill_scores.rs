//! `backout drill --report` and `backout drills`: a drill session's scorecard, computed
//! from its journal and runbook copy and saved to the drill history, and the history.

use std::process::ExitCode;

use chrono::Utc;

use super::drill_session::{DrillMeta, is_drill, read_meta};
use super::output::{self, Items, Structured};
use super::{CliError, ConsoleArgs, DrillsArgs, DrillsFormat};
use crate::adapters::config::UserConfig;
use crate::adapters::drill_history;
use crate::adapters::runbook_file;
use crate::adapters::session_store::{SessionDir, SessionStore, home_dir};
use crate::domain::drill_record::{DrillRecord, card_text, history_markdown, history_table};
use crate::domain::runbook::Runbook;
use crate::domain::scorecard::score_from;
use crate::domain::session_state::SessionState;
use crate::runtime::scorecard_screen;
use crate::ui::theme::Theme;

/// The drill record of a session, from its journal and runbook copy.
pub fn score_session(dir: &SessionDir) -> Result<DrillRecord, CliError> {
    let recovered = dir.read_journal().map_err(message)?;
    let copy = dir.runbook_copy_path();
    let runbook: Runbook = runbook_file::load(&copy)
        .map_err(|e| CliError::Message(format!("the session's runbook copy does not load: {e}")))?;
    let meta: Option<DrillMeta> = read_meta(dir);
    // The journal folded once: the scorecard and the runbook's path read this state.
    let state = SessionState::replay(&recovered.records);
    Ok(DrillRecord {
        session: dir.id.clone(),
        scenario: meta.as_ref().and_then(|m| m.scenario.clone()),
        cluster: meta
            .map(|m| m.cluster)
            .unwrap_or_else(|| "simulator".into()),
        runbook_title: runbook.title.clone(),
        runbook_path: state.progress.runbook_path.clone(),
        scored_at: Utc::now(),
        scorecard: score_from(&state, &runbook),
    })
}

/// `backout drill --report [SESSION]`: the scorecard of a drill session (default: the
/// latest drill), re-saved to the history.
pub(super) fn report(session: Option<&str>) -> Result<ExitCode, CliError> {
    let store = SessionStore::from_env().map_err(message)?;
    let dir = match session {
        Some(id) => store.open(id).map_err(message)?,
        None => {
            let mut ids: Vec<String> = store
                .list()
                .map_err(message)?
                .into_iter()
                .map(|s| s.id)
                .collect();
            // Ids start with the session's start time: newest first.
            ids.sort_unstable_by(|a, b| b.cmp(a));
            ids.into_iter()
                .filter_map(|id| store.open(&id).ok())
                .find(is_drill)
                .ok_or_else(|| {
                    CliError::Message("no drill session yet: run `backout drill`".into())
                })?
        }
    };
    if !is_drill(&dir) {
        return Err(CliError::Message(format!(
            "session {} is not a drill (it was not started by `backout drill`)",
            dir.id
        )));
    }
    let record = score_session(&dir)?;
    let home = home_dir().map_err(message)?;
    if let Err(e) = drill_history::save(&home, &record) {
        crate::stderr_line!("backout: the drill history could not be saved: {e}");
    }
    for line in card_text(&record) {
        println!("{line}");
    }
    Ok(if record.scorecard.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `backout drills`: every drill kept, with the trend.
pub fn list(args: DrillsArgs, console: &ConsoleArgs) -> Result<ExitCode, CliError> {
    let home = home_dir().map_err(message)?;
    let (history, warnings) = drill_history::list(&home);
    for w in &warnings {
        crate::stderr_line!("backout: warning: {w}");
    }
    if args.tui {
        scorecard_screen::show(&theme(console), history.last(), &history)?;
        return Ok(ExitCode::SUCCESS);
    }
    match args.format {
        DrillsFormat::Json | DrillsFormat::Yaml => {
            let format = if args.format == DrillsFormat::Json {
                Structured::Json
            } else {
                Structured::Yaml
            };
            let items = Items { items: &history };
            print!("{}", output::document(format, "DrillList", &items)?);
        }
        DrillsFormat::Md => print!("{}", history_markdown(&history)),
        DrillsFormat::Text => {
            if history.is_empty() {
                println!("No drills yet. Run `backout drill`.");
            } else {
                for line in history_table(&history) {
                    println!("{line}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn theme(console: &ConsoleArgs) -> Theme {
    let config = UserConfig::load();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Theme::resolve(
        console.theme.as_deref(),
        &config.themes,
        config.theme_override.as_deref(),
        no_color,
    )
    .0
}

fn message(e: impl std::fmt::Display) -> CliError {
    CliError::Message(e.to_string())
}
