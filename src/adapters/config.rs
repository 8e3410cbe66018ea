//! User configuration files: theme and keymap overrides.
//!
//! Directory: `$BACKOUT_HOME/config` when `BACKOUT_HOME` is set (everything of one
//! installation in one place, as tests and drills want), else the platform config
//! directory (`~/.config/backout` on Linux). Files: `theme.toml` (overrides roles of
//! the chosen theme), `themes/NAME.toml` (own themes, usable with `--theme NAME`),
//! `keymap.toml` (overrides keys). Missing files are fine; unreadable ones are warnings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;

/// The config directory, if one can be determined.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("BACKOUT_HOME").filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(home).join("config"));
    }
    ProjectDirs::from("dev", "backout", "backout").map(|d| d.config_dir().to_path_buf())
}

/// What the config directory holds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UserConfig {
    pub theme_override: Option<String>,
    pub themes: BTreeMap<String, String>,
    pub keymap: Option<String>,
    pub warnings: Vec<String>,
}

impl UserConfig {
    pub fn load() -> UserConfig {
        match config_dir() {
            Some(dir) => UserConfig::load_from(&dir),
            None => UserConfig::default(),
        }
    }

    pub fn load_from(dir: &Path) -> UserConfig {
        let mut cfg = UserConfig::default();
        cfg.theme_override = read_optional(&dir.join("theme.toml"), &mut cfg.warnings);
        cfg.keymap = read_optional(&dir.join("keymap.toml"), &mut cfg.warnings);
        if let Ok(entries) = std::fs::read_dir(dir.join("themes")) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                    continue;
                }
                let Some(name) = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .map(str::to_string)
                else {
                    continue;
                };
                if let Some(src) = read_optional(&path, &mut cfg.warnings) {
                    cfg.themes.insert(name, src);
                }
            }
        }
        cfg
    }
}

fn read_optional(path: &Path, warnings: &mut Vec<String>) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            warnings.push(format!("{}: ignored, {e}", path.display()));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_overrides_and_own_themes_and_reports_unreadable_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("keymap.toml"), "[normal]\nrun = [\"R\"]\n").expect("write");
        std::fs::create_dir(dir.path().join("themes")).expect("mkdir");
        std::fs::write(dir.path().join("themes/ops.toml"), "extends = \"light\"\n").expect("write");
        std::fs::write(dir.path().join("themes/notes.txt"), "not a theme").expect("write");
        std::fs::create_dir(dir.path().join("theme.toml"))
            .expect("a directory where a file should be");
        let cfg = UserConfig::load_from(dir.path());
        assert_eq!(cfg.keymap.as_deref(), Some("[normal]\nrun = [\"R\"]\n"));
        assert_eq!(cfg.themes.keys().collect::<Vec<_>>(), vec!["ops"]);
        assert_eq!(cfg.theme_override, None);
        assert_eq!(cfg.warnings.len(), 1, "{:?}", cfg.warnings);
        assert!(cfg.warnings[0].contains("theme.toml: ignored"));
    }

    #[test]
    fn an_empty_directory_is_fine() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(UserConfig::load_from(dir.path()), UserConfig::default());
    }
}
