//! What a drill leaves next to its session's journal (`drill.json`: the scenario and the
//! cluster it ran on), and telling a drill session from a console session.

use serde::{Deserialize, Serialize};

use crate::adapters::session_store::SessionDir;
use crate::domain::journal::Entry;

/// What the drill ran on, kept next to the session's journal (`drill.json`) so the
/// scorecard can be recomputed later (`backout drill --report`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DrillMeta {
    pub scenario: Option<String>,
    /// `simulator` or the context's name.
    pub cluster: String,
}

const META_FILE: &str = "drill.json";

/// Whether the session is a drill whose cluster was (or may have been) the simulator:
/// that cluster lived in the process that ran the drill and cannot be brought back, so the
/// session is scored, not resumed. A drill counts as one unless its `drill.json` says
/// positively that it ran on a real cluster: with that file missing or unreadable,
/// resuming would connect to whatever the operator's kubeconfig points at.
pub fn ran_on_the_simulator(dir: &SessionDir) -> bool {
    if !is_drill(dir) {
        return false;
    }
    !matches!(read_meta(dir), Some(DrillMeta { scenario: None, .. }))
}

pub fn is_drill(dir: &SessionDir) -> bool {
    dir.read_journal().is_ok_and(|r| {
        r.records.first().is_some_and(
            |f| matches!(&f.entry, Entry::SessionStarted { mode, .. } if mode == "drill"),
        )
    })
}

/// Writes `drill.json` into the session's directory.
pub fn write_meta(dir: &SessionDir, meta: &DrillMeta) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(meta).map_err(std::io::Error::other)?;
    crate::adapters::private_files::write(&dir.path.join(META_FILE), &json)
}

/// The session's `drill.json`; `None` when it is missing or unreadable.
pub fn read_meta(dir: &SessionDir) -> Option<DrillMeta> {
    std::fs::read(dir.path.join(META_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
}
