//! A one-line text field: typing, Backspace, paste; masked fields show dots and keep
//! their text in memory that is wiped when dropped.

use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use zeroize::Zeroizing;

pub struct Field {
    pub label: &'static str,
    value: Zeroizing<String>,
    masked: bool,
    max_chars: usize,
}

impl Field {
    pub fn new(label: &'static str, max_chars: usize) -> Field {
        Field {
            label,
            // Reserved up front: growing would leave unwiped copies of what was typed.
            value: Zeroizing::new(String::with_capacity(max_chars * 4)),
            masked: false,
            max_chars,
        }
    }

    pub fn masked(label: &'static str, max_chars: usize) -> Field {
        Field {
            masked: true,
            ..Field::new(label, max_chars)
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn clear(&mut self) {
        zeroize::Zeroize::zeroize(&mut *self.value);
        self.value.reserve(self.max_chars * 4);
    }

    pub fn set(&mut self, text: &str) {
        self.clear();
        self.insert(text);
    }

    fn insert(&mut self, text: &str) {
        for c in text.chars().filter(|c| !c.is_control()) {
            if self.value.chars().count() >= self.max_chars {
                break;
            }
            self.value.push(c);
        }
    }

    /// Typing keys; returns whether the key was used. Enter, Tab, Esc are not.
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            KeyCode::Char(c) if plain => {
                self.insert(c.encode_utf8(&mut [0; 4]));
                true
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.clear();
                true
            }
            KeyCode::Backspace => {
                self.value.pop();
                true
            }
            _ => false,
        }
    }

    /// Bracketed paste: newlines and control characters dropped.
    pub fn paste(&mut self, text: &str) {
        self.insert(text);
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, focused: bool, theme: &Theme) {
        let shown: String = if self.masked {
            "•".repeat(self.value.chars().count())
        } else {
            crate::sanitize::inert(&self.value)
        };
        let label = format!("{:>14} ", self.label);
        let width = area.width.saturating_sub(label.chars().count() as u16 + 1) as usize;
        let visible: String = {
            let n = shown.chars().count();
            shown
                .chars()
                .skip(n.saturating_sub(width.saturating_sub(1)))
                .collect()
        };
        let style = if focused {
            theme.selected()
        } else {
            theme.normal()
        };
        let pad = width.saturating_sub(visible.chars().count());
        let line = Line::from(vec![
            Span::styled(
                label.clone(),
                if focused { theme.key() } else { theme.normal() },
            ),
            Span::styled(format!("{visible}{}", " ".repeat(pad)), style),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        if focused {
            let x = area.x + label.chars().count() as u16 + visible.chars().count() as u16;
            frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
        }
    }
}
