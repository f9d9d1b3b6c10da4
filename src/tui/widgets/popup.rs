//! Popups drawn over the screen: a question before anything destructive, a message for
//! a service error or a result, and the one-time code shown once.

use crate::sanitize::inert;
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
    Question,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Popup {
    pub tone: Tone,
    pub title: String,
    pub lines: Vec<String>,
}

impl Popup {
    pub fn message(title: &str, text: &str) -> Popup {
        Popup {
            tone: Tone::Info,
            title: title.into(),
            lines: vec![text.into()],
        }
    }

    pub fn error(text: &str) -> Popup {
        Popup {
            tone: Tone::Error,
            title: "Not done".into(),
            lines: vec![text.into()],
        }
    }

    pub fn question(title: &str, text: &str) -> Popup {
        Popup {
            tone: Tone::Question,
            title: title.into(),
            lines: vec![text.into()],
        }
    }

    pub fn render(&self, frame: &mut Frame, theme: &Theme, keys: &Keymap) {
        let hint = match self.tone {
            Tone::Question => format!(
                "{} yes · {} no",
                keys.hint(Action::Confirm),
                keys.hint(Action::Back)
            ),
            _ => format!(
                "{} or {} to close",
                keys.hint(Action::Back),
                keys.hint(Action::Open)
            ),
        };
        let width = 64.min(frame.area().width.saturating_sub(4));
        let text_rows: u16 = self
            .lines
            .iter()
            .map(|l| (l.chars().count() as u16 / width.saturating_sub(4).max(1)) + 1)
            .sum();
        let height = (text_rows + 4).min(frame.area().height.saturating_sub(2));
        let area = centered(frame.area(), width, height);
        let border = match self.tone {
            Tone::Error => theme.error(),
            Tone::Question => theme.warning(),
            Tone::Info => theme.title(),
        };
        let mut lines: Vec<Line> = self.lines.iter().map(|l| Line::from(inert(l))).collect();
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(hint, theme.dim())));
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(border)
                    .title(Span::styled(format!(" {} ", inert(&self.title)), border)),
            ),
            area,
        );
    }
}

impl Drop for Popup {
    /// A popup may have shown a one-time code: wipe its text with it.
    fn drop(&mut self) {
        for line in &mut self.lines {
            zeroize::Zeroize::zeroize(line);
        }
    }
}

pub fn centered(outer: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(outer);
    let [cell] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(row);
    cell
}
