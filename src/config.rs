//! The config file (TOML): theme, mouse, key overrides. Read leniently: a bad value is reported
//! by name and replaced by its default, and the rest of the file still applies.

use std::collections::BTreeMap;
use std::path::Path;

use crate::app::keymap::Keymap;
use crate::domain::PaceLimits;

mod pace;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `dark` or `light`.
    pub theme: String,
    /// `[theme.colors]`: slot -> colour (`red`, `#ff8800`, `indexed(208)`).
    pub theme_overrides: BTreeMap<String, String>,
    pub mouse: bool,
    /// `[keys.<context>]`: command -> keys.
    pub keys: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// `wa_version = "2.3000.N"`: announce this WhatsApp Web version instead of fetching the
    /// current one (only when WhatsApp refuses the fetched one).
    pub wa_version: Option<(u32, u32, u32)>,
    /// `[pace]`: how fast each session writes.
    pub pace: PaceLimits,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            theme: "dark".into(),
            theme_overrides: BTreeMap::new(),
            mouse: true,
            keys: BTreeMap::new(),
            wa_version: None,
            pace: PaceLimits::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedConfig {
    pub config: Config,
    /// One line per problem, naming the key.
    pub warnings: Vec<String>,
}

impl Config {
    /// The shipped default file (documentation of every key).
    pub const DEFAULT_TOML: &'static str = include_str!("../assets/config.toml");

    /// Never fails: problems become warnings and defaults.
    pub fn from_toml(text: &str) -> LoadedConfig {
        let mut config = Config::default();
        let mut warnings = Vec::new();
        let table = match text.parse::<toml::Table>() {
            Ok(t) => t,
            Err(e) => {
                let msg = e.to_string().lines().next().unwrap_or_default().to_string();
                return LoadedConfig {
                    config,
                    warnings: vec![format!("not valid TOML: {msg}")],
                };
            }
        };
        for (key, value) in &table {
            match (key.as_str(), value) {
                ("theme", toml::Value::String(s)) => config.theme = s.clone(),
                ("mouse", toml::Value::Boolean(b)) => config.mouse = *b,
                ("theme", toml::Value::Table(t)) => {
                    for (k, v) in t {
                        match (k.as_str(), v) {
                            ("name", toml::Value::String(s)) => config.theme = s.clone(),
                            ("colors", toml::Value::Table(colors)) => {
                                for (slot, c) in colors {
                                    match c {
                                        toml::Value::String(s) => {
                                            config.theme_overrides.insert(slot.clone(), s.clone());
                                        }
                                        _ => warnings.push(format!(
                                            "theme.colors.{slot}: expected a string"
                                        )),
                                    }
                                }
                            }
                            _ => warnings.push(format!("theme.{k}: unknown key")),
                        }
                    }
                }
                ("keys", toml::Value::Table(contexts)) => {
                    for (ctx, commands) in contexts {
                        let toml::Value::Table(commands) = commands else {
                            warnings.push(format!("keys.{ctx}: expected a table"));
                            continue;
                        };
                        for (cmd, keys) in commands {
                            let list = match keys {
                                toml::Value::String(s) => Some(vec![s.clone()]),
                                toml::Value::Array(a) => a
                                    .iter()
                                    .map(|k| k.as_str().map(str::to_string))
                                    .collect::<Option<Vec<_>>>(),
                                _ => None,
                            };
                            match list {
                                Some(list) => {
                                    config
                                        .keys
                                        .entry(ctx.clone())
                                        .or_default()
                                        .insert(cmd.clone(), list);
                                }
                                None => warnings.push(format!(
                                    "keys.{ctx}.{cmd}: expected a key or a list of keys"
                                )),
                            }
                        }
                    }
                }
                ("wa_version", toml::Value::String(v)) => match parse_wa_version(v) {
                    Some(version) => config.wa_version = Some(version),
                    None => warnings.push(format!(
                        "wa_version: {v:?} is not a WhatsApp Web version like \"2.3000.1023456789\""
                    )),
                },
                ("pace", toml::Value::Table(t)) => config.pace = pace::parse(t, &mut warnings),
                ("theme" | "mouse" | "keys" | "wa_version" | "pace", _) => {
                    warnings.push(format!("{key}: wrong type"));
                }
                _ => warnings.push(format!("{key}: unknown key")),
            }
        }
        LoadedConfig { config, warnings }
    }

    /// A missing file is fine (defaults); an unreadable one is a warning.
    pub fn load(path: &Path) -> LoadedConfig {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_toml(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => LoadedConfig {
                config: Config::default(),
                warnings: Vec::new(),
            },
            Err(e) => LoadedConfig {
                config: Config::default(),
                warnings: vec![format!("cannot read {}: {e}", path.display())],
            },
        }
    }

    /// The default keymap with this config's overrides; bad keys become warnings.
    pub fn keymap(&self) -> (Keymap, Vec<String>) {
        let mut keymap = Keymap::default();
        let warnings = keymap.apply_overrides(&self.keys);
        (keymap, warnings)
    }
}

/// `"2.3000.1023456789"`: three numbers, the first two as WhatsApp Web has them.
fn parse_wa_version(v: &str) -> Option<(u32, u32, u32)> {
    let mut parts = v.trim().split('.').map(|p| p.parse::<u32>().ok());
    let version = (parts.next()??, parts.next()??, parts.next()??);
    (parts.next().is_none() && version.0 == 2 && version.1 == 3000).then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_default_is_the_default() {
        let loaded = Config::from_toml(Config::DEFAULT_TOML);
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let (keymap, warnings) = loaded.config.keymap();
        assert!(warnings.is_empty(), "{warnings:?}");
        for ctx in crate::app::keymap::Context::ALL {
            let mut a = keymap.entries(ctx);
            let mut b = Keymap::default().entries(ctx);
            for (keys, _) in a.iter_mut().chain(b.iter_mut()) {
                keys.sort_by_key(|k| k.to_string());
            }
            a.sort_by_key(|(_, c)| *c);
            b.sort_by_key(|(_, c)| *c);
            assert_eq!(a, b, "{ctx:?}");
        }
        assert_eq!(loaded.config.theme, "dark");
        assert!(loaded.config.mouse);
    }

    #[test]
    fn bad_values_are_named_and_the_rest_applies() {
        let loaded = Config::from_toml(
            "theme = 3\nmouse = false\ncolour = \"red\"\n[keys.global]\nhelp = [\"f1\"]\nquit = 5\n",
        );
        assert!(!loaded.config.mouse);
        assert_eq!(loaded.config.theme, "dark");
        let w = loaded.warnings.join("\n");
        assert!(w.contains("theme: wrong type"), "{w}");
        assert!(w.contains("colour: unknown key"), "{w}");
        assert!(w.contains("keys.global.quit"), "{w}");
        let (_, key_warnings) = Config::from_toml("[keys.global]\nhelp = [\"ctrl-\"]\n")
            .config
            .keymap();
        assert!(
            key_warnings.iter().any(|k| k.contains("keys.global.help")),
            "{key_warnings:?}"
        );
    }

    #[test]
    fn wa_version_pins_or_warns() {
        let pinned = Config::from_toml("wa_version = \"2.3000.1023456789\"");
        assert_eq!(pinned.config.wa_version, Some((2, 3000, 1_023_456_789)));
        assert!(pinned.warnings.is_empty());
        for bad in ["\"2.3000\"", "\"latest\"", "\"3.1.2\"", "5"] {
            let loaded = Config::from_toml(&format!("wa_version = {bad}"));
            assert_eq!(loaded.config.wa_version, None, "{bad}");
            assert!(loaded.warnings[0].starts_with("wa_version"), "{bad}");
        }
    }

    #[test]
    fn broken_toml_and_missing_file() {
        let loaded = Config::from_toml("theme = [");
        assert_eq!(loaded.config, Config::default());
        assert!(loaded.warnings[0].starts_with("not valid TOML"));
        let missing = Config::load(Path::new("/nonexistent/wamod/config.toml"));
        assert!(missing.warnings.is_empty());
    }
}
