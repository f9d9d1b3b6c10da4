//! A small form: labelled fields, Tab / Enter to move on, Enter on the last field
//! submits, Esc cancels. The owner decides what submitting means.

use super::field::Field;
use crate::sanitize::inert;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A line under the fields: policy feedback, an error, a hint.
    pub note: Option<(String, bool)>,
    /// The keys line at the bottom.
    pub hint: &'static str,
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent {
    Edited,
    Submit,
    Cancel,
    Ignored,
}

impl Form {
    pub fn new(title: &str, fields: Vec<Field>) -> Form {
        Form {
            title: title.into(),
            fields,
            focus: 0,
            note: None,
            hint: "Tab next field · Enter on the last field submits · Esc cancel",
        }
    }

    /// The rows it needs drawn boxed: its fields, room for a note, the keys line.
    pub fn height(&self) -> u16 {
        7 + 2 * self.fields.len() as u16
    }

    pub fn value(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", |f| f.value())
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> FormEvent {
        match key.code {
            KeyCode::Esc => FormEvent::Cancel,
            KeyCode::Enter if self.focus + 1 >= self.fields.len() => FormEvent::Submit,
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1) % self.fields.len().max(1);
                FormEvent::Ignored
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + self.fields.len().max(1) - 1) % self.fields.len().max(1);
                FormEvent::Ignored
            }
            _ => {
                let edited = self
                    .fields
                    .get_mut(self.focus)
                    .is_some_and(|f| f.handle_key(key));
                if edited {
                    FormEvent::Edited
                } else {
                    FormEvent::Ignored
                }
            }
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.paste(text);
        }
    }

    /// Draw inside `area` (a frame of its own when `boxed`).
    pub fn render(&self, frame: &mut Frame, area: Rect, boxed: bool, theme: &Theme) {
        let inner = if boxed {
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(theme.title())
                .title(Span::styled(
                    format!(" {} ", inert(&self.title)),
                    theme.title(),
                ));
            frame.render_widget(Clear, area);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            inner
        } else {
            area
        };
        for (i, field) in self.fields.iter().enumerate() {
            let row = Rect::new(
                inner.x + 1,
                inner.y + 1 + 2 * i as u16,
                inner.width.saturating_sub(2),
                1,
            );
            if row.bottom() <= inner.bottom() {
                field.render(frame, row, i == self.focus, theme);
            }
        }
        let note_y = inner.y + 1 + 2 * self.fields.len() as u16;
        if let Some((text, is_error)) = &self.note {
            let style = if *is_error { theme.error() } else { theme.ok() };
            let h = inner.bottom().saturating_sub(note_y + 1);
            let area = Rect::new(inner.x + 2, note_y, inner.width.saturating_sub(4), h.max(1));
            if area.y < inner.bottom() {
                frame.render_widget(
                    Paragraph::new(Line::from(Span::styled(inert(text), style)))
                        .wrap(Wrap { trim: true }),
                    area,
                );
            }
        }
        let hint_y = inner.bottom().saturating_sub(1);
        if hint_y > note_y {
            frame.render_widget(
                Paragraph::new(Span::styled(self.hint, theme.dim())),
                Rect::new(inner.x + 2, hint_y, inner.width.saturating_sub(4), 1),
            );
        }
    }
}
