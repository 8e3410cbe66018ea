//! Themes as semantic roles. Presets live in `themes/*.toml`, embedded in the binary;
//! a user theme may extend a preset and override some roles. Bad entries are warnings.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use toml::Spanned;

use super::config_position::located;

/// The presets shipped in `themes/`.
pub const PRESETS: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// Every role a pane may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Base,
    Muted,
    Border,
    Focus,
    Title,
    Selection,
    Heading,
    Done,
    Skipped,
    Pending,
    Running,
    Failed,
    Warning,
    Error,
    Info,
    Command,
    Placeholder,
    Key,
    StatusBar,
    OverBudget,
    Sev1,
    Sev2,
    Sev3,
    Sev4,
    Production,
}

impl Role {
    pub const ALL: [Role; 25] = [
        Role::Base,
        Role::Muted,
        Role::Border,
        Role::Focus,
        Role::Title,
        Role::Selection,
        Role::Heading,
        Role::Done,
        Role::Skipped,
        Role::Pending,
        Role::Running,
        Role::Failed,
        Role::Warning,
        Role::Error,
        Role::Info,
        Role::Command,
        Role::Placeholder,
        Role::Key,
        Role::StatusBar,
        Role::OverBudget,
        Role::Sev1,
        Role::Sev2,
        Role::Sev3,
        Role::Sev4,
        Role::Production,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Base => "base",
            Role::Muted => "muted",
            Role::Border => "border",
            Role::Focus => "focus",
            Role::Title => "title",
            Role::Selection => "selection",
            Role::Heading => "heading",
            Role::Done => "done",
            Role::Skipped => "skipped",
            Role::Pending => "pending",
            Role::Running => "running",
            Role::Failed => "failed",
            Role::Warning => "warning",
            Role::Error => "error",
            Role::Info => "info",
            Role::Command => "command",
            Role::Placeholder => "placeholder",
            Role::Key => "key",
            Role::StatusBar => "status_bar",
            Role::OverBudget => "over_budget",
            Role::Sev1 => "severity.sev1",
            Role::Sev2 => "severity.sev2",
            Role::Sev3 => "severity.sev3",
            Role::Sev4 => "severity.sev4",
            Role::Production => "production",
        }
    }

    fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Roles that mark something by its background; without colour they are reversed.
    fn is_filled(self) -> bool {
        matches!(
            self,
            Role::Selection
                | Role::Key
                | Role::StatusBar
                | Role::Sev1
                | Role::Sev2
                | Role::Sev3
                | Role::Sev4
                | Role::Production
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    name: Option<String>,
    /// A user theme may build on a preset.
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    roles: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    #[serde(default)]
    fg: Option<String>,
    #[serde(default)]
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

/// A resolved theme: a style for every role.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: BTreeMap<Role, Style>,
    pub no_color: bool,
}

impl Theme {
    /// A preset by name; unknown names fall back to `dark` with a warning.
    pub fn preset(name: &str) -> (Theme, Vec<String>) {
        let mut warnings = Vec::new();
        let src = match PRESETS.iter().find(|(n, _)| *n == name) {
            Some((_, src)) => *src,
            None => {
                warnings.push(format!(
                    "theme `{name}` not found (presets: dark, light, high-contrast); using dark"
                ));
                PRESETS[0].1
            }
        };
        let mut theme = Theme {
            name: String::new(),
            styles: BTreeMap::new(),
            no_color: false,
        };
        theme.apply_file(src, "preset", &mut warnings);
        (theme, warnings)
    }

    /// The default theme.
    pub fn dark() -> Theme {
        Theme::preset("dark").0
    }

    /// Resolves `--theme NAME` and an optional user file. `user_themes` maps names of
    /// files in the config directory's `themes/` to their contents; `user_override` is
    /// `theme.toml` from the config directory, applied last.
    pub fn resolve(
        name: Option<&str>,
        user_themes: &BTreeMap<String, String>,
        user_override: Option<&str>,
        no_color: bool,
    ) -> (Theme, Vec<String>) {
        let mut warnings = Vec::new();
        let wanted = name.unwrap_or("dark");
        let mut theme = if let Some(src) = user_themes.get(wanted) {
            let base = extends_of(src).unwrap_or_else(|| "dark".into());
            let (mut t, w) = Theme::preset(&base);
            warnings.extend(w);
            t.apply_file(src, &format!("themes/{wanted}.toml"), &mut warnings);
            t.name = wanted.to_string();
            t
        } else {
            let (t, w) = Theme::preset(wanted);
            warnings.extend(w);
            t
        };
        if let Some(src) = user_override {
            if let Some(base) = extends_of(src).filter(|b| name.is_none() && *b != theme.name) {
                let (t, w) = Theme::preset(&base);
                warnings.extend(w);
                theme = t;
            }
            theme.apply_file(src, "theme.toml", &mut warnings);
        }
        theme.no_color = no_color;
        (theme, warnings)
    }

    fn apply_file(&mut self, src: &str, origin: &str, warnings: &mut Vec<String>) {
        let file: ThemeFile = match toml::from_str(src) {
            Ok(f) => f,
            Err(e) => {
                warnings.push(located(
                    origin,
                    src,
                    e.span(),
                    &format!("ignored, {}", e.message().trim()),
                ));
                return;
            }
        };
        if let Some(name) = file.name {
            self.name = name;
        }
        // The problems by where they are in the file.
        let mut found: Vec<(usize, String)> = Vec::new();
        for (role_name, value) in file.roles {
            let at = |span: std::ops::Range<usize>, msg: String| {
                (span.start, located(origin, src, Some(span), &msg))
            };
            let Some(role) = Role::from_name(role_name.get_ref()) else {
                found.push(at(
                    role_name.span(),
                    format!("unknown role `{}`", role_name.get_ref()),
                ));
                continue;
            };
            let role_name = role_name.get_ref();
            let value_span = value.span();
            let spec: StyleSpec = match value.into_inner().try_into() {
                Ok(s) => s,
                Err(e) => {
                    found.push(at(
                        value_span,
                        format!("role `{role_name}`: {}", e.message().trim()),
                    ));
                    continue;
                }
            };
            match spec_to_style(&spec) {
                Ok(style) => {
                    self.styles.insert(role, style);
                }
                Err(e) => found.push(at(value_span, format!("role `{role_name}`: {e}"))),
            }
        }
        found.sort();
        warnings.extend(found.into_iter().map(|(_, text)| text));
    }

    /// The style of a role. Without colour (`NO_COLOR`), only modifiers remain and filled
    /// roles are drawn reversed so that selection and severity stay visible.
    pub fn style(&self, role: Role) -> Style {
        let style = self
            .styles
            .get(&role)
            .copied()
            .or_else(|| (role != Role::Base).then(|| self.style(Role::Base)))
            .unwrap_or_default();
        if self.no_color {
            let mut s = Style::default().add_modifier(style.add_modifier);
            if role.is_filled() {
                s = s.add_modifier(Modifier::REVERSED);
            }
            if matches!(
                role,
                Role::Focus | Role::Sev1 | Role::Production | Role::Failed
            ) {
                s = s.add_modifier(Modifier::BOLD);
            }
            s
        } else {
            style
        }
    }

    /// The style for a severity label such as `SEV-1`, `sev2`, `P1`, `critical`.
    pub fn severity(&self, label: &str) -> Style {
        let l = label.to_ascii_lowercase();
        let digit = l.chars().find(|c| c.is_ascii_digit());
        let role = match digit {
            Some('0') | Some('1') => Role::Sev1,
            Some('2') => Role::Sev2,
            Some('3') => Role::Sev3,
            Some(_) => Role::Sev4,
            None if l.contains("crit") => Role::Sev1,
            None if l.contains("high") || l.contains("major") => Role::Sev2,
            None if l.contains("med") || l.contains("minor") => Role::Sev3,
            None => Role::Sev4,
        };
        self.style(role)
    }
}

fn extends_of(src: &str) -> Option<String> {
    toml::from_str::<ThemeFile>(src)
        .ok()
        .and_then(|f| f.extends)
}

fn spec_to_style(spec: &StyleSpec) -> Result<Style, String> {
    let mut style = Style::default();
    if let Some(fg) = &spec.fg {
        style = style.fg(parse_color(fg)?);
    }
    if let Some(bg) = &spec.bg {
        style = style.bg(parse_color(bg)?);
    }
    for m in &spec.modifiers {
        style = style.add_modifier(match m.as_str() {
            "bold" => Modifier::BOLD,
            "dim" => Modifier::DIM,
            "italic" => Modifier::ITALIC,
            "underlined" => Modifier::UNDERLINED,
            "reversed" => Modifier::REVERSED,
            other => return Err(format!("unknown modifier `{other}`")),
        });
    }
    Ok(style)
}

fn parse_color(s: &str) -> Result<Color, String> {
    Color::from_str(s).map_err(|_| format!("unknown colour `{s}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_defines_every_role_without_warnings() {
        for (name, _) in PRESETS {
            let (theme, warnings) = Theme::preset(name);
            assert!(warnings.is_empty(), "{name}: {warnings:?}");
            assert_eq!(theme.name, name);
            for role in Role::ALL {
                assert!(
                    theme.styles.contains_key(&role),
                    "{name} lacks {}",
                    role.name()
                );
            }
        }
    }

    #[test]
    fn user_override_is_partial_and_bad_entries_are_warnings() {
        let (theme, warnings) = Theme::resolve(
            Some("dark"),
            &BTreeMap::new(),
            Some(
                "[roles]\ndone = { fg = \"#00ff00\" }\nbogus = { fg = \"red\" }\nfailed = { fg = \"no-such-colour\" }\nmuted = { fg = \"300\", bg = \"#12345\" }\nkey = { fg = \"red\", blink = true }\n",
            ),
            false,
        );
        assert_eq!(theme.style(Role::Done).fg, Some(Color::Rgb(0, 255, 0)));
        assert_eq!(theme.style(Role::Failed), Theme::dark().style(Role::Failed));
        assert_eq!(
            warnings,
            vec![
                "theme.toml:3:1: unknown role `bogus`".to_string(),
                "theme.toml:4:10: role `failed`: unknown colour `no-such-colour`".to_string(),
                "theme.toml:5:9: role `muted`: unknown colour `300`".to_string(),
                "theme.toml:6:7: role `key`: unknown field `blink`, expected one of `fg`, `bg`, `modifiers`".to_string(),
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_toml_is_ignored_with_its_position() {
        let (theme, warnings) = Theme::resolve(
            None,
            &BTreeMap::new(),
            Some("[roles]\ndone = { fg = \"red\"\n"),
            false,
        );
        assert_eq!(theme.style(Role::Done), Theme::dark().style(Role::Done));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("theme.toml:2:"), "{warnings:?}");
        assert!(warnings[0].contains("ignored"), "{warnings:?}");
    }

    #[test]
    fn unknown_theme_falls_back_with_warning() {
        let (theme, warnings) = Theme::resolve(Some("solarized"), &BTreeMap::new(), None, false);
        assert_eq!(theme.name, "dark");
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn user_theme_extends_a_preset() {
        let mut user = BTreeMap::new();
        user.insert(
            "ops".to_string(),
            "extends = \"light\"\n[roles]\nfocus = { fg = \"magenta\" }\n".to_string(),
        );
        let (theme, warnings) = Theme::resolve(Some("ops"), &user, None, false);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(theme.name, "ops");
        assert_eq!(theme.style(Role::Focus).fg, Some(Color::Magenta));
        assert_eq!(
            theme.style(Role::Done),
            Theme::preset("light").0.style(Role::Done)
        );
    }

    #[test]
    fn no_color_keeps_only_modifiers_and_reverses_filled_roles() {
        let (theme, _) = Theme::resolve(None, &BTreeMap::new(), None, true);
        let sel = theme.style(Role::Selection);
        assert_eq!(sel.fg, None);
        assert_eq!(sel.bg, None);
        assert!(sel.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(theme.style(Role::Done).fg, None);
    }
}
