//! Colours and emphasis. With `NO_COLOR` set (https://no-color.org) only bold, reverse
//! and underline are used, so every state stays readable without colour.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn tint(&self, style: Style, color: Color) -> Style {
        if self.color { style.fg(color) } else { style }
    }

    pub fn normal(&self) -> Style {
        Style::default()
    }

    pub fn title(&self) -> Style {
        self.tint(Style::default().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn key(&self) -> Style {
        self.tint(Style::default().add_modifier(Modifier::BOLD), Color::Yellow)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }

    pub fn error(&self) -> Style {
        self.tint(Style::default().add_modifier(Modifier::BOLD), Color::Red)
    }

    pub fn warning(&self) -> Style {
        self.tint(Style::default(), Color::Yellow)
    }

    pub fn ok(&self) -> Style {
        self.tint(Style::default(), Color::Green)
    }

    pub fn tab_active(&self) -> Style {
        self.tint(
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            Color::Cyan,
        )
    }

    pub fn demo_banner(&self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
}
