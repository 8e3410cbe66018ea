//! The drill history: one JSON file per drill under `<data dir>/drills/`
//! (`BACKOUT_HOME/drills/<session>.json`), written when a drill ends or is re-scored.

use std::path::{Path, PathBuf};

use crate::domain::drill_record::DrillRecord;

/// Where drills are kept under the data directory.
pub fn drills_dir(home: &Path) -> PathBuf {
    home.join("drills")
}

/// Saves (or replaces) a drill's record; returns the file written.
pub fn save(home: &Path, record: &DrillRecord) -> std::io::Result<PathBuf> {
    let dir = drills_dir(home);
    super::private_files::create_dir_all(&dir)?;
    let path = dir.join(format!("{}.json", record.session));
    let tmp = dir.join(format!(".{}.json.tmp", record.session));
    let json = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
    super::private_files::write(&tmp, &json)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// Every drill kept, oldest first, and a warning per file that does not read.
pub fn list(home: &Path) -> (Vec<DrillRecord>, Vec<String>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let Ok(entries) = std::fs::read_dir(drills_dir(home)) else {
        return (out, warnings);
    };
    for e in entries.flatten() {
        let path = e.path();
        let is_json = path.extension().is_some_and(|x| x == "json")
            && !e.file_name().to_string_lossy().starts_with('.');
        if !is_json {
            continue;
        }
        match std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice::<DrillRecord>(&b).map_err(|e| e.to_string()))
        {
            Ok(r) => out.push(r),
            Err(e) => warnings.push(format!("{}: {e}", path.display())),
        }
    }
    out.sort_by(|a, b| {
        let key = |r: &DrillRecord| r.scorecard.session_started.unwrap_or(r.scored_at);
        key(a).cmp(&key(b)).then_with(|| a.session.cmp(&b.session))
    });
    (out, warnings)
}
