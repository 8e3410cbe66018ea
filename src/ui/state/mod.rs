//! The console's state: data only. The reducers in `ui::update` change it; the view
//! (`ui::view`, `ui::panes`, `ui::popups`) reads it. Nothing here imports a reducer or a
//! view.

pub mod action_menu;
pub mod app;
pub mod argo;
pub mod block_run;
pub mod builder;
pub mod cluster;
pub mod cluster_view;
pub mod deploy_api;
pub mod drill;
pub mod flash;
pub mod layer;
pub mod line_run;
pub mod messaging;
pub mod metrics;
pub mod native_run;
pub mod output;
pub mod pane;
pub mod pending;
pub mod procedure_rows;
pub mod runbook_view;
pub mod session;
pub mod target;
pub mod text_view;
pub mod verification;
pub mod view_spot;

pub use app::{App, StepPos};
pub use builder::AppBuilder;
pub use flash::{Flash, FlashLevel};
pub use layer::{ChoiceLayer, Confirm, Intent, Layer, NoteEditor, Prompt, PromptPurpose};
pub use output::{OutputLine, OutputLog, Running};
pub use pane::Pane;
pub use pending::{PendingWrite, Then};
pub use session::SessionInfo;
