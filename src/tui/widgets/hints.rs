//! The line of key hints under a screen ("n new  e edit …"): the first key of each
//! action, cut with a pointer to the help overlay when the line is full.

use crate::domain::Action as Perm;
use crate::service::Session;
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draw `items` (action, what it does) on the one-row `area`.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    keys: &Keymap,
    items: &[(Action, &str)],
) {
    let mut spans = Vec::new();
    let mut used = 0;
    let room = area.width as usize;
    for (action, label) in items {
        let key = format!(" {} ", keys.hint(*action));
        let text = format!("{label} ");
        let width = key.chars().count() + text.chars().count();
        // Keep room for the pointer to the help overlay.
        if used + width + 8 > room {
            spans.push(Span::styled(
                format!(" {} more", keys.hint(Action::Help)),
                theme.dim(),
            ));
            break;
        }
        used += width;
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::styled(text, theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The items whose permission (if any) the session's role has: keys a role cannot use
/// are not offered.
pub fn allowed<'a>(
    s: &Session,
    items: &[(Option<Perm>, Action, &'a str)],
) -> Vec<(Action, &'a str)> {
    items
        .iter()
        .filter(|(perm, ..)| perm.is_none_or(|p| s.may(p)))
        .map(|(_, action, label)| (*action, *label))
        .collect()
}
