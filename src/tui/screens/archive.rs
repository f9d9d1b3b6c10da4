//! The Archive screen (`3`): counts of cases in each stage of their life, a bar chart of
//! when closed cases' retention ends by year, and every closed case with its retention
//! date, hold and destruction state. Supervisors put or lift a legal hold (`h`), request
//! destruction (`n`) and, on a case another supervisor asked to destroy, decide (Enter).
//! No personal data is shown: references, clients and dates only.

use super::{Outcome, key_for_form};
use crate::domain::Action as Perm;
use crate::domain::Millis;
use crate::sanitize::{fit, inert};
use crate::service::records::{self, Counts, RetentionRow};
use crate::service::{ServiceError, Session};
use crate::service::{paper, subject_access};
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::widgets::field::Field;
use crate::tui::widgets::form::Form;
use crate::tui::widgets::hints;
use crate::tui::widgets::popup::{Popup, centered};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Block, Borders, Paragraph, Row, Table, TableState,
};
use std::collections::BTreeMap;

/// Paper out of its unit longer than this is overdue.
const PAPER_OUT_DAYS: i64 = 14;

enum ArchiveForm {
    Hold { lift: bool, reference: String },
    Request(String),
    Decide(i64),
}

#[derive(Default)]
pub struct ArchiveScreen {
    counts: Counts,
    rows: Vec<RetentionRow>,
    /// Requests awaiting a decision: id, reference, reason (supervisors only).
    queue: Vec<(i64, String, String)>,
    /// The paper register as the caller may see it.
    paper: Vec<paper::Item>,
    /// Subject access requests not yet answered (supervisors only).
    requests: Vec<subject_access::AccessRequest>,
    now: Millis,
    selected: usize,
    form: Option<(ArchiveForm, Form)>,
}

impl ArchiveScreen {
    pub fn reload(&mut self, s: &Session) -> Outcome {
        let loaded = records::counts(s).and_then(|c| {
            self.counts = c;
            self.rows = records::retention_report(s)?;
            self.queue = if s.may(Perm::DestructionApprove) {
                records::destruction_queue(s)?
            } else {
                Vec::new()
            };
            self.paper = paper::register_list(s)?;
            self.requests = if s.may(Perm::SubjectAccessExport) {
                subject_access::open_requests(s)?
            } else {
                Vec::new()
            };
            self.now = s.now();
            Ok(())
        });
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        match loaded {
            Ok(()) => Outcome::Nothing,
            Err(e) => Outcome::from_error(e),
        }
    }

    pub fn is_typing(&self) -> bool {
        self.form.is_some()
    }

    pub fn paste(&mut self, text: &str) {
        if let Some((_, f)) = self.form.as_mut() {
            f.paste(text);
        }
    }

    pub fn handle_key(&mut self, s: &Session, key: &KeyEvent, action: Option<Action>) -> Outcome {
        if let Some(open) = self.form.take() {
            let (still, outcome) = key_for_form(open, key, |kind, form| self.submit(s, kind, form));
            if still.is_some() {
                self.form = still;
            }
            return outcome;
        }
        let last = self.rows.len().saturating_sub(1);
        let selected = self.rows.get(self.selected).cloned();
        match (action, selected) {
            (Some(Action::Up), _) => self.selected = self.selected.saturating_sub(1),
            (Some(Action::Down), _) => self.selected = (self.selected + 1).min(last),
            (Some(Action::Home), _) => self.selected = 0,
            (Some(Action::End), _) => self.selected = last,
            (Some(Action::Hold), Some(r))
                if s.may(Perm::LegalHoldSet) && r.destroyed_at.is_none() =>
            {
                let title = if r.on_hold {
                    "Lift the legal hold"
                } else {
                    "Put a legal hold"
                };
                self.form = Some((
                    ArchiveForm::Hold {
                        lift: r.on_hold,
                        reference: r.reference.clone(),
                    },
                    reason_form(&format!("{title} on {}", r.reference)),
                ));
            }
            (Some(Action::New), Some(r))
                if s.may(Perm::DestructionRequest) && r.destroyed_at.is_none() =>
            {
                self.form = Some((
                    ArchiveForm::Request(r.reference.clone()),
                    reason_form(&format!("Request destruction of {}", r.reference)),
                ));
            }
            (Some(Action::Open), Some(r)) => {
                if let Some((id, _, why)) = self
                    .queue
                    .iter()
                    .find(|(_, reference, _)| *reference == r.reference)
                {
                    let mut f = Form::new(
                        &format!("Decide: destroy {}?", r.reference),
                        vec![
                            Field::new("Approve or reject", 8),
                            Field::new("Reason", 500),
                        ],
                    );
                    f.note = Some((format!("Asked because: {}", inert(why)), false));
                    self.form = Some((ArchiveForm::Decide(*id), f));
                }
            }
            _ => return Outcome::Unhandled,
        }
        Outcome::Nothing
    }

    fn submit(
        &mut self,
        s: &Session,
        kind: &ArchiveForm,
        form: &Form,
    ) -> crate::service::Result<Outcome> {
        let popup = match kind {
            ArchiveForm::Hold {
                lift: false,
                reference,
            } => {
                records::set_legal_hold(s, reference, form.value(0))?;
                None
            }
            ArchiveForm::Hold {
                lift: true,
                reference,
            } => {
                records::clear_legal_hold(s, reference, form.value(0))?;
                None
            }
            ArchiveForm::Request(reference) => {
                let id = records::request_destruction(s, reference, form.value(0))?;
                Some(Popup::message(
                    "Destruction requested",
                    &format!(
                        "Request {id} for {reference} now needs a second supervisor's decision."
                    ),
                ))
            }
            ArchiveForm::Decide(id) => {
                let approve = match form.value(0).trim().to_lowercase().as_str() {
                    "approve" | "a" | "yes" | "y" => true,
                    "reject" | "r" | "no" | "n" => false,
                    _ => {
                        return Err(ServiceError::Invalid("Answer approve or reject.".into()));
                    }
                };
                let done = records::decide_destruction(s, *id, approve, form.value(1))?;
                Some(match done.certificate {
                    Some(cert) => Popup::message(
                        "Destroyed",
                        &format!(
                            "{}: the personal data is destroyed. Destruction certificate {cert}.",
                            done.reference
                        ),
                    ),
                    None => Popup::message("Rejected", &format!("{} is kept.", done.reference)),
                })
            }
        };
        Ok(match (self.reload(s), popup) {
            (Outcome::Nothing, Some(p)) => Outcome::Show(p),
            (other, _) => other,
        })
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, keys: &Keymap, s: &Session) {
        let c = &self.counts;
        let mut lines = flowed(
            &[
                ("Open", c.open),
                ("Completed, awaiting closure", c.completed),
                ("Closed, within retention", c.closed_retained),
                ("Eligible for destruction", c.eligible),
                ("On legal hold", c.on_hold),
                ("Awaiting a decision", c.awaiting_decision),
                ("Destroyed", c.destroyed),
            ],
            usize::from(area.width.saturating_sub(2)),
            theme,
        );
        lines.push(self.paper_and_requests(theme));
        let [counts, chart, table, hint_row] = Layout::vertical([
            Constraint::Length(
                u16::try_from(lines.len())
                    .unwrap_or(u16::MAX)
                    .saturating_add(2),
            ),
            Constraint::Length(8),
            Constraint::Min(4),
            Constraint::Length(1),
        ])
        .areas(area);
        let block = |title: &str| {
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(format!(" {title} "), theme.title()))
        };
        frame.render_widget(Paragraph::new(lines).block(block("Archive")), counts);
        self.render_chart(frame, chart, theme, block("Retention ends, by year"));
        self.render_rows(frame, table, theme, block("Closed cases"));
        let items = [
            (Some(Perm::LegalHoldSet), Action::Hold, "legal hold"),
            (
                Some(Perm::DestructionRequest),
                Action::New,
                "request destruction",
            ),
            (Some(Perm::DestructionApprove), Action::Open, "decide"),
        ];
        hints::render(frame, hint_row, theme, keys, &hints::allowed(s, &items));
        if let Some((_, form)) = &self.form {
            form.render(
                frame,
                centered(area, 76, form.height().min(area.height)),
                true,
                theme,
            );
        }
    }

    /// Paper held, out and overdue; open subject access requests and the next due date.
    fn paper_and_requests(&self, theme: &Theme) -> Line<'static> {
        let held: Vec<_> = self
            .paper
            .iter()
            .filter(|p| p.destroyed_on.is_none())
            .collect();
        let units: std::collections::BTreeSet<&str> =
            held.iter().map(|p| p.unit.as_str()).collect();
        let out = held.iter().filter(|p| p.out.is_some()).count();
        let overdue = held
            .iter()
            .filter(|p| {
                p.out
                    .as_ref()
                    .is_some_and(|(_, at)| self.now.0 - at.0 > PAPER_OUT_DAYS * 24 * Millis::HOUR)
            })
            .count();
        // Per filing unit while they fit on the line, else the totals.
        let mut per_unit: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        for p in &held {
            let entry = per_unit.entry(p.unit.as_str()).or_default();
            entry.0 += 1;
            entry.1 += usize::from(p.out.is_some());
        }
        let held_text = if (1..=3).contains(&per_unit.len()) {
            per_unit
                .iter()
                .map(|(unit, (n, out))| format!("{}: {n} held, {out} out", inert(unit)))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            format!(
                "{} items in {} units, {out} checked out",
                held.len(),
                units.len()
            )
        };
        let mut spans = vec![Span::styled("Paper ", theme.dim()), Span::raw(held_text)];
        if overdue > 0 {
            spans.push(Span::styled(
                format!(", {overdue} out over {PAPER_OUT_DAYS} days"),
                theme.warning(),
            ));
        }
        if let Some(next) = self.requests.first() {
            let today = self.now.to_date();
            let style = if next.due_on < today {
                theme.error()
            } else {
                theme.normal()
            };
            spans.push(Span::styled("   Subject access requests ", theme.dim()));
            spans.push(Span::styled(
                format!("{} open, next due {}", self.requests.len(), next.due_on),
                style,
            ));
        }
        Line::from(spans)
    }

    fn render_chart(&self, frame: &mut Frame, area: Rect, theme: &Theme, block: Block<'_>) {
        let mut by_year: BTreeMap<String, u64> = BTreeMap::new();
        for r in self.rows.iter().filter(|r| r.destroyed_at.is_none()) {
            if let Some(year) = r.retain_until.as_deref().and_then(|d| d.get(..4)) {
                *by_year.entry(year.to_owned()).or_default() += 1;
            }
        }
        if by_year.is_empty() {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    " No closed case is waiting out its retention.",
                    theme.dim(),
                ))
                .block(block),
                area,
            );
            return;
        }
        let bars: Vec<Bar> = by_year
            .iter()
            .map(|(year, n)| Bar::default().label(Line::from(year.clone())).value(*n))
            .collect();
        frame.render_widget(
            BarChart::default()
                .block(block)
                .data(BarGroup::default().bars(&bars))
                .bar_width(6)
                .bar_gap(2)
                .bar_style(theme.warning())
                .value_style(theme.selected()),
            area,
        );
    }

    fn render_rows(&self, frame: &mut Frame, area: Rect, theme: &Theme, block: Block<'_>) {
        if self.rows.is_empty() {
            frame.render_widget(
                Paragraph::new(Span::styled(" No closed cases.", theme.dim())).block(block),
                area,
            );
            return;
        }
        let rows: Vec<Row> = self
            .rows
            .iter()
            .map(|r| {
                let state = if let Some(cert) = &r.certificate {
                    format!("destroyed, certificate {cert}")
                } else if self
                    .queue
                    .iter()
                    .any(|(_, reference, _)| *reference == r.reference)
                    || r.destruction_requested
                {
                    "destruction requested".to_string()
                } else if r.on_hold {
                    "on legal hold".to_string()
                } else {
                    String::new()
                };
                Row::new(vec![
                    inert(&r.reference),
                    fit(&inert(&r.client), 10),
                    r.closed_at.map_or("-".into(), |t| t.to_date()),
                    r.retain_until.clone().unwrap_or_else(|| "-".into()),
                    state,
                ])
            })
            .collect();
        let widths = [
            Constraint::Length(15),
            Constraint::Length(10),
            Constraint::Length(11),
            Constraint::Length(12),
            Constraint::Min(10),
        ];
        let mut state = TableState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(
            Table::new(rows, widths)
                .header(
                    Row::new(["Reference", "Client", "Closed", "Kept until", "State"])
                        .style(theme.title()),
                )
                .row_highlight_style(theme.selected())
                .block(block),
            area,
            &mut state,
        );
    }
}

fn reason_form(title: &str) -> Form {
    let mut f = Form::new(title, vec![Field::new("Reason", 500)]);
    f.note = Some((
        "The reason is kept with the record and in the audit log.".into(),
        false,
    ));
    f
}

/// Counts as `label n` items, as many to a line as fit in `width`, so none is cut off.
fn flowed<'a>(items: &[(&'a str, i64)], width: usize, theme: &Theme) -> Vec<Line<'a>> {
    const GAP: &str = "   ";
    let mut lines = Vec::new();
    let mut line: Vec<Span<'a>> = Vec::new();
    let mut used = 0;
    for (label, n) in items {
        let value = n.to_string();
        let len = label.chars().count() + 1 + value.len();
        if used > 0 && used + GAP.len() + len > width {
            lines.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        if used > 0 {
            line.push(Span::raw(GAP));
            used += GAP.len();
        }
        line.push(Span::styled(format!("{label} "), theme.dim()));
        line.push(Span::raw(value));
        used += len;
    }
    if !line.is_empty() {
        lines.push(Line::from(line));
    }
    lines
}
