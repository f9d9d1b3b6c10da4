//! Key bindings: defaults in code, overridable per action from the config file's
//! `[keys]` table (`quit = "q"` or `quit = ["q", "F10"]`). A bad entry is an error that
//! names the action and the key, reported before the UI starts.

use super::action::Action;
use crate::config::KeySpec;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(e: &KeyEvent) -> Key {
        // Shift is part of the character for printable keys ('R' is Shift-r).
        let mods = match e.code {
            KeyCode::Char(_) => e.modifiers - KeyModifiers::SHIFT,
            _ => e.modifiers,
        };
        Key { code: e.code, mods }
    }

    /// Parse `q`, `R`, `?`, `Ctrl-L`, `Alt-x`, `F1`, `Enter`, `Esc`, `Tab`, `BackTab`,
    /// `Up`, `Down`, `Left`, `Right`, `PgUp`, `PgDn`, `Home`, `End`, `Space`.
    pub fn parse(text: &str) -> Option<Key> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("ctrl+"))
            {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("alt+"))
            {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            f if f.len() > 1
                && f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().ok()?)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() || c.is_control() {
                    return None;
                }
                // Ctrl-l and Ctrl-L are the same key to a terminal.
                KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                    c.to_ascii_lowercase()
                } else {
                    c
                })
            }
        };
        Some(Key { code, mods })
    }

    /// How the help overlay shows it.
    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("Alt-");
        }
        match self.code {
            KeyCode::Char(' ') => s.push_str("Space"),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                s.push(c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => s.push(c),
            KeyCode::F(n) => s.push_str(&format!("F{n}")),
            KeyCode::Enter => s.push_str("Enter"),
            KeyCode::Esc => s.push_str("Esc"),
            KeyCode::Tab => s.push_str("Tab"),
            KeyCode::BackTab => s.push_str("Shift-Tab"),
            KeyCode::Up => s.push('↑'),
            KeyCode::Down => s.push('↓'),
            KeyCode::Left => s.push('←'),
            KeyCode::Right => s.push('→'),
            KeyCode::PageUp => s.push_str("PgUp"),
            KeyCode::PageDown => s.push_str("PgDn"),
            KeyCode::Home => s.push_str("Home"),
            KeyCode::End => s.push_str("End"),
            other => s.push_str(&format!("{other:?}")),
        }
        s
    }
}

const DEFAULTS: &[(Action, &[&str])] = &[
    (Action::Help, &["?", "F1"]),
    (Action::Search, &["/"]),
    (Action::Open, &["Enter"]),
    (Action::New, &["n"]),
    (Action::Edit, &["e"]),
    (Action::Refresh, &["r"]),
    (Action::Back, &["Esc"]),
    (Action::Quit, &["q"]),
    (Action::Lock, &["Ctrl-L"]),
    (Action::ForceQuit, &["Ctrl-C"]),
    (Action::Up, &["Up", "k"]),
    (Action::Down, &["Down", "j"]),
    (Action::PageUp, &["PgUp"]),
    (Action::PageDown, &["PgDn"]),
    (Action::Home, &["Home"]),
    (Action::End, &["End"]),
    (Action::Tab1, &["1"]),
    (Action::Tab2, &["2"]),
    (Action::Tab3, &["3"]),
    (Action::Tab4, &["4"]),
    (Action::Tab5, &["5"]),
    (Action::Tab6, &["6"]),
    (Action::Disable, &["d"]),
    (Action::ResetPassword, &["p"]),
    (Action::Unlock, &["u"]),
    (Action::Role, &["R"]),
    (Action::Expiry, &["x"]),
    (Action::TwoFactor, &["t"]),
    (Action::OrgTwoFactor, &["T"]),
    (Action::NewOrg, &["O"]),
    (Action::FilterOrg, &["f"]),
    (Action::FilterRole, &["g"]),
    (Action::FilterState, &["s"]),
    (Action::Sort, &["o"]),
    (Action::PrevTab, &["Left"]),
    (Action::NextTab, &["Right"]),
    (Action::Attach, &["a"]),
    (Action::Status, &["S"]),
    (Action::Assign, &["A"]),
    (Action::Void, &["v"]),
    (Action::Import, &["i"]),
    (Action::BackupNow, &["b"]),
    (Action::Export, &["X"]),
    (Action::Hold, &["h"]),
    (Action::ChangePassword, &["c"]),
    (Action::Confirm, &["y"]),
];

/// Key -> action, and each action's keys for the help overlay.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(Action, Vec<Key>)>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = DEFAULTS
            .iter()
            .map(|(a, keys)| (*a, keys.iter().filter_map(|k| Key::parse(k)).collect()))
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with the config file's overrides applied.
    pub fn with_overrides(overrides: &BTreeMap<String, KeySpec>) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (name, spec) in overrides {
            let action = Action::from_name(name)
                .ok_or_else(|| format!("[keys] names an unknown action \"{name}\"."))?;
            let texts: Vec<&str> = match spec {
                KeySpec::One(k) => vec![k.as_str()],
                KeySpec::Many(ks) => ks.iter().map(String::as_str).collect(),
            };
            if texts.is_empty() {
                return Err(format!("[keys] {name} needs at least one key."));
            }
            let keys = texts
                .iter()
                .map(|t| {
                    Key::parse(t).ok_or_else(|| {
                        format!("[keys] {name}: \"{t}\" is not a key this program knows.")
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            map.bindings.retain(|(a, _)| *a != action);
            map.bindings.push((action, keys));
        }
        map.check_conflicts()?;
        Ok(map)
    }

    fn check_conflicts(&self) -> Result<(), String> {
        for (i, (a, keys)) in self.bindings.iter().enumerate() {
            for (b, other) in &self.bindings[i + 1..] {
                if let Some(k) = keys.iter().find(|k| other.contains(k)) {
                    return Err(format!(
                        "[keys] {a} and {b} both use the key {}.",
                        k.label()
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn action_for(&self, e: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(e);
        self.bindings
            .iter()
            .find(|(_, keys)| keys.contains(&key))
            .map(|(a, _)| *a)
    }

    /// "?, F1" for the help overlay and key hints.
    pub fn keys_for(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, keys)| keys.iter().map(Key::label).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    }

    /// The first key of an action, for one-line hints ("n new").
    pub fn hint(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, keys)| keys.first())
            .map(Key::label)
            .unwrap_or_else(|| "?".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_without_conflicts() {
        let map = Keymap::default();
        assert!(map.check_conflicts().is_ok());
        for (a, keys) in DEFAULTS {
            assert_eq!(map.keys_for(*a).split(", ").count(), keys.len(), "{a}");
        }
    }

    #[test]
    fn overrides_and_their_errors() {
        let mut o = BTreeMap::new();
        o.insert(
            "quit".to_string(),
            KeySpec::Many(vec!["F10".into(), "Ctrl-Q".into()]),
        );
        let map = Keymap::with_overrides(&o).unwrap();
        assert_eq!(map.keys_for(Action::Quit), "F10, Ctrl-Q");
        o.insert("frobnicate".to_string(), KeySpec::One("z".into()));
        assert!(
            Keymap::with_overrides(&o)
                .unwrap_err()
                .contains("frobnicate")
        );
        let mut o = BTreeMap::new();
        o.insert("help".to_string(), KeySpec::One("Ctrl-".into()));
        assert!(Keymap::with_overrides(&o).unwrap_err().contains("help"));
        let mut o = BTreeMap::new();
        o.insert("help".to_string(), KeySpec::One("q".into()));
        assert!(
            Keymap::with_overrides(&o)
                .unwrap_err()
                .contains("both use the key q")
        );
    }
}
