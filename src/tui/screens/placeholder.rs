//! Screens whose features arrive in later releases: say so plainly.

use crate::tui::app::Tab;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, theme: &Theme, tab: Tab) {
    let (title, text) = match tab {
        Tab::Archive => (
            "Archive",
            "Retention, legal holds and the paper register arrive with the Records release.",
        ),
        Tab::Reports => (
            "Reports",
            "Activity reports arrive with the Reports release. `pecs audit verify` checks the audit log today.",
        ),
        Tab::Cases | Tab::Users | Tab::Profile | Tab::System => ("", ""),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::default(),
            Line::from(Span::styled(text, theme.dim())),
        ])
        .wrap(Wrap { trim: true })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(format!(" {title} "), theme.title())),
        ),
        area,
    );
}
