//! The System screen (`5`): the backup health line, each destination's newest and newest
//! verified backup with its last verification and free space, the audit log's checkpoint
//! and last full verification, and "back up now" for sysadmins (supervisors read it).

use super::Outcome;
use crate::domain::Action as Perm;
use crate::sanitize::{fit, inert};
use crate::service::Session;
use crate::service::backup::{self, Operator, SystemStatus, health::Status};
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::widgets::popup::Popup;
use crate::tui::widgets::{audit_state, hints};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

#[derive(Default)]
pub struct SystemScreen {
    status: Option<SystemStatus>,
}

impl SystemScreen {
    pub fn reload(&mut self, s: &Session) -> Outcome {
        match backup::status(s) {
            Ok(status) => {
                self.status = Some(status);
                Outcome::Nothing
            }
            Err(e) => Outcome::from_error(e),
        }
    }

    pub fn handle_key(&mut self, s: &Session, action: Option<Action>) -> Outcome {
        match action {
            Some(Action::BackupNow) if s.may(Perm::BackupRun) => {
                let outcome = match backup::run(Operator::Person(s), &mut |_| {}) {
                    Ok(report) => {
                        let lines = report
                            .results
                            .iter()
                            .map(|(dest, r)| match r {
                                Ok(_) => format!("{dest}: made and verified"),
                                Err(why) => format!("{dest}: FAILED: {why}"),
                            })
                            .collect();
                        Outcome::Show(Popup {
                            tone: if report.all_ok() {
                                crate::tui::widgets::popup::Tone::Info
                            } else {
                                crate::tui::widgets::popup::Tone::Error
                            },
                            title: format!("Backup {}", report.name),
                            lines,
                        })
                    }
                    Err(e) => Outcome::from_error(e),
                };
                match self.reload(s) {
                    Outcome::Nothing => outcome,
                    other => other,
                }
            }
            _ => Outcome::Unhandled,
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, keys: &Keymap, s: &Session) {
        let [top, table, hint_row] = Layout::vertical([
            Constraint::Length(7),
            Constraint::Min(4),
            Constraint::Length(1),
        ])
        .areas(area);
        let block = |title: &str| {
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(format!(" {title} "), theme.title()))
        };
        let Some(status) = &self.status else {
            frame.render_widget(Paragraph::new("").block(block("System")), area);
            return;
        };
        let health_style = match status.health.status {
            Status::Ok => theme.ok(),
            Status::Warning => theme.warning(),
            Status::Critical | Status::Unknown => theme.error(),
        };
        let mut lines = vec![Line::from(vec![
            Span::styled("Backups  ", theme.dim()),
            Span::styled(status.health.status.label(), health_style),
            Span::raw(format!(" - {}", inert(&status.health.summary))),
        ])];
        lines.push(Line::from(vec![
            Span::styled("Audit    ", theme.dim()),
            audit_state::checkpoint(&status.audit, theme),
        ]));
        lines.push(Line::from(vec![
            Span::styled("         ", theme.dim()),
            audit_state::last_verify(&status.audit, theme),
        ]));
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(block("System")),
            top,
        );
        self.render_destinations(frame, table, theme, &block);
        let items = [
            (Some(Perm::BackupRun), Action::BackupNow, "back up now"),
            (None, Action::Refresh, "refresh"),
        ];
        hints::render(frame, hint_row, theme, keys, &hints::allowed(s, &items));
    }

    fn render_destinations(
        &self,
        frame: &mut Frame,
        area: Rect,
        theme: &Theme,
        block: &dyn Fn(&str) -> Block<'static>,
    ) {
        let Some(status) = &self.status else {
            return;
        };
        if status.health.destinations.is_empty() {
            let text = "No backup destination is configured: add a [[backup.destination]] with a name and a path to the config file.";
            frame.render_widget(
                Paragraph::new(Span::styled(text, theme.warning()))
                    .wrap(Wrap { trim: true })
                    .block(block("Backup destinations")),
                area,
            );
            return;
        }
        let path = (area.width as usize)
            .saturating_sub(2 + 10 + 16 + 16 + 16 + 8 + 5)
            .max(6);
        // A backup is named by its time: show the time, as people read it.
        let when = |name: &Option<String>, none: &str| {
            name.as_deref()
                .and_then(backup::disk::time_of)
                .map_or(none.to_string(), |t| t.to_minute())
        };
        let rows: Vec<Row> = status
            .health
            .destinations
            .iter()
            .map(|d| {
                let style = if d.error.is_some() || d.failed_verification.is_some() {
                    theme.error()
                } else {
                    theme.normal()
                };
                Row::new(vec![
                    fit(&inert(&d.name), 10),
                    fit(&inert(&d.path), path),
                    when(&d.newest, "-"),
                    when(&d.newest_verified, "none"),
                    d.last_verified_at
                        .as_deref()
                        .map_or("-".into(), |t| t.get(..16).unwrap_or(t).replace('T', " ")),
                    d.free_mib
                        .map_or("?".into(), |f| format!("{} GB", f / 1024)),
                ])
                .style(style)
            })
            .collect();
        let widths = [10, path, 16, 16, 16, 8].map(|w| Constraint::Length(w as u16));
        frame.render_widget(
            Table::new(rows, widths)
                .header(
                    Row::new([
                        "Name",
                        "Path",
                        "Newest (UTC)",
                        "Verified (UTC)",
                        "Checked (UTC)",
                        "Free",
                    ])
                    .style(theme.title()),
                )
                .block(block("Backup destinations")),
            area,
        );
    }
}
