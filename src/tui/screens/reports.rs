//! The Reports screen (`4`): who is online, logins with where from, views and changes
//! (filtered by person, case, action and time), and a per-hour chart of logins and views
//! with the top viewers of a case. It refreshes itself every few seconds; Enter shows an
//! event whole; `X` exports the current view to a CSV file (an audited export).

use super::{Outcome, key_for_form};
use crate::domain::{AuditEvent, Millis, Outcome as EventOutcome};
use crate::sanitize::{fit, inert};
use crate::service::reports::{
    self, ActivityFilter, Fetch, HourCount, SessionReport, SessionState,
};
use crate::service::{ServiceError, Session};
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::widgets::field::Field;
use crate::tui::widgets::form::Form;
use crate::tui::widgets::popup::{Popup, centered};
use crate::tui::widgets::{audit_state, hints};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Sparkline, Table, TableState};

/// How often the screen reloads itself while it is shown.
pub const REFRESH_MS: i64 = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Online,
    Logins,
    Activity,
    Chart,
}

impl View {
    const ALL: [View; 4] = [View::Online, View::Logins, View::Activity, View::Chart];

    fn title(self) -> &'static str {
        match self {
            View::Online => "Online",
            View::Logins => "Logins",
            View::Activity => "Views and changes",
            View::Chart => "Per hour",
        }
    }

    fn step(self, by: usize) -> View {
        let i = View::ALL.iter().position(|v| *v == self).unwrap_or(0);
        View::ALL[(i + by) % View::ALL.len()]
    }
}

enum ReportForm {
    Filter,
    Export,
}

pub struct ReportsScreen {
    view: View,
    filter: ActivityFilter,
    sessions: Vec<SessionReport>,
    events: Vec<AuditEvent>,
    hours: Vec<HourCount>,
    top_viewers: Vec<(String, i64)>,
    selected: usize,
    form: Option<(ReportForm, Form)>,
    loaded_at: Millis,
    audit: Option<crate::service::audit::ChainState>,
}

impl Default for ReportsScreen {
    fn default() -> Self {
        ReportsScreen {
            view: View::Online,
            filter: ActivityFilter::default(),
            sessions: Vec::new(),
            events: Vec::new(),
            hours: Vec::new(),
            top_viewers: Vec::new(),
            selected: 0,
            form: None,
            loaded_at: Millis(0),
            audit: None,
        }
    }
}

impl ReportsScreen {
    /// Load the current view (an audited look).
    pub fn reload(&mut self, s: &Session) -> Outcome {
        self.load(s, Fetch::Look)
    }

    /// The refresh of the tick: every [`REFRESH_MS`], checked but not audited.
    pub fn refresh_if_due(&mut self, s: &Session) -> Outcome {
        if self.form.is_some() || s.now().0 - self.loaded_at.0 < REFRESH_MS {
            return Outcome::Nothing;
        }
        // New events arrive at the top: the selection stays on the row it was on (Enter
        // must show the event the person chose), or where it was if that row is gone.
        let was = self.key_of(self.selected);
        let outcome = self.load(s, Fetch::Refresh);
        if let Some(i) =
            was.and_then(|key| (0..self.rows()).find(|i| self.key_of(*i) == Some(key.clone())))
        {
            self.selected = i;
        }
        outcome
    }

    fn load(&mut self, s: &Session, fetch: Fetch) -> Outcome {
        self.loaded_at = s.now();
        let loaded = match self.view {
            View::Online => reports::sessions(s, fetch).map(|r| self.sessions = r),
            View::Logins => {
                let filter = ActivityFilter {
                    logins_only: true,
                    ..self.filter.clone()
                };
                reports::activity(s, &filter, fetch).map(|r| self.events = r)
            }
            View::Activity => reports::activity(s, &self.filter, fetch).map(|r| self.events = r),
            View::Chart => self.load_chart(s, fetch),
        };
        let loaded = loaded.and_then(|()| {
            self.audit = Some(reports::audit_state(s, Fetch::Refresh)?);
            Ok(())
        });
        self.selected = self.selected.min(self.rows().saturating_sub(1));
        match loaded {
            Ok(()) => Outcome::Nothing,
            Err(e) => Outcome::from_error(e),
        }
    }

    fn load_chart(&mut self, s: &Session, fetch: Fetch) -> crate::service::Result<()> {
        let filter = ActivityFilter {
            since: self
                .filter
                .since
                .or(Some(s.now().plus_ms(-24 * Millis::HOUR))),
            ..self.filter.clone()
        };
        self.hours = reports::per_hour(s, &filter, fetch)?;
        self.top_viewers = match &self.filter.case {
            Some(reference) => reports::top_viewers(s, reference, fetch)?,
            None => Vec::new(),
        };
        Ok(())
    }

    /// What row `i` shows (a session, an event, a viewer), to find it again.
    fn key_of(&self, i: usize) -> Option<String> {
        match self.view {
            View::Online => self.sessions.get(i).map(|r| r.id.clone()),
            View::Logins | View::Activity => self.events.get(i).map(|e| e.seq.to_string()),
            View::Chart => self.top_viewers.get(i).map(|(who, _)| who.clone()),
        }
    }

    fn rows(&self) -> usize {
        match self.view {
            View::Online => self.sessions.len(),
            View::Logins | View::Activity => self.events.len(),
            View::Chart => self.top_viewers.len(),
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
            let (still, outcome) = key_for_form(open, key, |kind, form| match kind {
                ReportForm::Filter => self.apply_filter(s, form),
                ReportForm::Export => self.export(s, form.value(0)),
            });
            if still.is_some() {
                self.form = still;
            }
            return outcome;
        }
        let last = self.rows().saturating_sub(1);
        match action {
            Some(Action::NextTab) => return self.switch(s, self.view.step(1)),
            Some(Action::PrevTab) => return self.switch(s, self.view.step(View::ALL.len() - 1)),
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Down) => self.selected = (self.selected + 1).min(last),
            Some(Action::PageUp) => self.selected = self.selected.saturating_sub(10),
            Some(Action::PageDown) => self.selected = (self.selected + 10).min(last),
            Some(Action::Home) => self.selected = 0,
            Some(Action::End) => self.selected = last,
            Some(Action::FilterOrg | Action::Search) => {
                self.form = Some((ReportForm::Filter, self.filter_form()))
            }
            Some(Action::Export) if s.may(crate::domain::Action::ActivityExport) => {
                let mut f = Form::new("Export this view to CSV", vec![Field::new("File", 4096)]);
                f.note = Some((
                    "A new file; an existing one is never overwritten.".into(),
                    false,
                ));
                self.form = Some((ReportForm::Export, f));
            }
            Some(Action::Open) => return self.detail(),
            _ => return Outcome::Unhandled,
        }
        Outcome::Nothing
    }

    fn switch(&mut self, s: &Session, view: View) -> Outcome {
        self.view = view;
        self.selected = 0;
        self.reload(s)
    }

    fn detail(&self) -> Outcome {
        if !matches!(self.view, View::Logins | View::Activity) {
            return Outcome::Nothing;
        }
        let Some(e) = self.events.get(self.selected) else {
            return Outcome::Nothing;
        };
        let ev = &e.event;
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let lines = vec![
            format!("When      {} UTC", ev.at.to_second()),
            format!(
                "Who       {} ({}, {})",
                or_dash(&ev.actor.name),
                or_dash(&ev.actor.role),
                or_dash(&ev.actor.org)
            ),
            format!("From      {}", ev.origin.summary()),
            format!("Action    {} · {}", ev.action, ev.outcome.as_str()),
            format!(
                "On        {} {} {}",
                ev.target.kind,
                or_dash(&ev.target.id),
                or_dash(&ev.target.label)
            ),
            format!("Detail    {}", ev.detail),
            format!(
                "Event     {} · hash {}…",
                e.seq,
                e.hash.get(..16).unwrap_or(&e.hash)
            ),
        ];
        Outcome::Show(Popup {
            tone: crate::tui::widgets::popup::Tone::Info,
            title: "Audit event".into(),
            lines,
        })
    }

    fn filter_form(&self) -> Form {
        let f = &self.filter;
        let mut fields = vec![
            Field::new("Person", 64),
            Field::new("Case", 32),
            Field::new("Action", 64),
            Field::new("From", 25),
            Field::new("Until", 25),
            Field::new("Outcome", 8),
        ];
        fields[0].set(f.user.as_deref().unwrap_or(""));
        fields[1].set(f.case.as_deref().unwrap_or(""));
        fields[2].set(f.action.as_deref().unwrap_or(""));
        fields[3].set(&f.since.map_or(String::new(), |t| t.to_minute()));
        fields[4].set(&f.until.map_or(String::new(), |t| t.to_minute()));
        fields[5].set(f.outcome.map_or("", |o| o.as_str()));
        let mut form = Form::new("Filter the reports", fields);
        form.note = Some((
            "Blank shows all. Times YYYY-MM-DD or YYYY-MM-DD HH:MM (UTC); outcome ok, denied or failed."
                .into(),
            false,
        ));
        form
    }

    fn apply_filter(&mut self, s: &Session, form: &Form) -> crate::service::Result<Outcome> {
        let text = |i: usize| Some(form.value(i).trim().to_owned()).filter(|v| !v.is_empty());
        let outcome = match text(5).as_deref() {
            None => None,
            Some("ok") => Some(EventOutcome::Ok),
            Some("denied") => Some(EventOutcome::Denied),
            Some("failed") => Some(EventOutcome::Failed),
            Some(other) => {
                return Err(ServiceError::Invalid(format!(
                    "The outcome {other} is not ok, denied or failed."
                )));
            }
        };
        self.filter = ActivityFilter {
            user: text(0),
            case: text(1),
            action: text(2),
            since: text(3).map(|t| parse_time("From", &t)).transpose()?,
            until: text(4).map(|t| parse_time("Until", &t)).transpose()?,
            outcome,
            ..ActivityFilter::default()
        };
        self.selected = 0;
        if self.view == View::Online {
            self.view = View::Activity;
        }
        Ok(self.reload(s))
    }

    fn export(&mut self, s: &Session, path: &str) -> crate::service::Result<Outcome> {
        let filter = ActivityFilter {
            logins_only: self.view == View::Logins,
            ..self.filter.clone()
        };
        // The file first: a path that cannot be written is refused before anything is
        // exported (and audited as exported).
        let out = super::documents::NewFile::create(path, "activity.csv")?;
        let csv = match reports::export_events(s, &filter).and_then(|e| reports::to_csv(&e)) {
            Ok(csv) => csv,
            Err(e) => {
                out.abandon();
                return Err(e);
            }
        };
        let written = out.write(csv.as_bytes())?;
        Ok(Outcome::Show(Popup::message(
            "Exported",
            &format!("Wrote {} ({} bytes).", written.display(), csv.len()),
        )))
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, keys: &Keymap, s: &Session) {
        let mut tab_spans = vec![Span::raw(" ")];
        for v in View::ALL {
            let style = if v == self.view {
                theme.selected()
            } else {
                theme.dim()
            };
            tab_spans.push(Span::styled(format!(" {} ", v.title()), style));
            tab_spans.push(Span::raw(" "));
        }
        let summary = Span::styled(
            format!(
                "{} · refreshed {} UTC",
                self.filter_summary(),
                self.loaded_at.to_second().get(11..).unwrap_or("")
            ),
            theme.dim(),
        );
        let mut header = one_line_or_two(
            tab_spans,
            Span::raw("  "),
            vec![summary],
            Span::raw("  "),
            area.width,
        );
        if let Some(state) = &self.audit {
            header.extend(one_line_or_two(
                vec![
                    Span::styled(" Audit: ", theme.dim()),
                    audit_state::checkpoint(state, theme),
                ],
                Span::styled(" · ", theme.dim()),
                vec![audit_state::last_verify(state, theme)],
                Span::raw("        "),
                area.width,
            ));
        }
        let [header_rows, body, hint_row] = Layout::vertical([
            Constraint::Length(u16::try_from(header.len()).unwrap_or(u16::MAX)),
            Constraint::Min(4),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(header), header_rows);
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", self.view.title()),
            theme.title(),
        ));
        match self.view {
            View::Online => self.render_sessions(frame, body, theme, block),
            View::Logins | View::Activity => self.render_events(frame, body, theme, block),
            View::Chart => self.render_chart(frame, body, theme, block),
        }
        let items = [
            (None, Action::NextTab, "views"),
            (None, Action::FilterOrg, "filter"),
            (None, Action::Open, "details"),
            (
                Some(crate::domain::Action::ActivityExport),
                Action::Export,
                "export CSV",
            ),
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

    fn filter_summary(&self) -> String {
        let f = &self.filter;
        let parts: Vec<String> = [
            f.user.clone(),
            f.case.clone(),
            f.action.clone(),
            f.since.map(|t| format!("from {}", t.to_minute())),
            f.until.map(|t| format!("until {}", t.to_minute())),
            f.outcome.map(|o| o.as_str().to_owned()),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            "everything".into()
        } else {
            fit(&inert(&parts.join(", ")), 50)
        }
    }

    fn render_sessions(&self, frame: &mut Frame, area: Rect, theme: &Theme, block: Block<'_>) {
        let from = (area.width as usize)
            .saturating_sub(2 + 18 + 14 + 9 + 16 + 8 + 16 + 6)
            .max(8);
        let rows: Vec<Row> = self
            .sessions
            .iter()
            .map(|r| {
                let (state, style) = match r.state {
                    SessionState::Online => ("online".to_string(), theme.ok()),
                    SessionState::Lost => ("ended (lost)".to_string(), theme.warning()),
                    SessionState::Ended => (
                        r.end_reason.clone().unwrap_or_else(|| "ended".into()),
                        theme.dim(),
                    ),
                };
                Row::new(vec![
                    fit(&inert(&r.username), 18),
                    fit(&inert(&r.role), 14),
                    fit(&inert(&r.org_code), 9),
                    fit(&inert(&r.from), from),
                    r.started_at.to_minute(),
                    r.last_seen.to_minute().get(11..).unwrap_or("").to_owned(),
                    fit(&inert(&state), 16),
                ])
                .style(style)
            })
            .collect();
        let widths = [18, 14, 9, from, 16, 8, 16].map(|w| Constraint::Length(w as u16));
        self.table(
            frame,
            area,
            theme,
            block,
            Table::new(rows, widths).header(
                Row::new([
                    "User",
                    "Role",
                    "Org",
                    "From",
                    "Since (UTC)",
                    "Seen",
                    "State",
                ])
                .style(theme.title()),
            ),
        );
    }

    fn render_events(&self, frame: &mut Frame, area: Rect, theme: &Theme, block: Block<'_>) {
        // On a terminal under 100 columns the time loses its date and the outcome column
        // goes (a refused or failed row is coloured anyway), and the names narrow, so
        // where from stays readable.
        let wide = area.width >= 96;
        let outcome = wide;
        let [when, who_w, action_w, on_w] = match area.width {
            116.. => [19, 18, 22, 16],
            96.. => [19, 15, 16, 15],
            _ => [8, 15, 16, 15],
        };
        let mut fixed = vec![when, who_w, action_w, on_w];
        if outcome {
            fixed.push(7);
        }
        let from = (area.width as usize)
            .saturating_sub(2 + fixed.iter().sum::<usize>() + fixed.len())
            .max(8);
        let rows: Vec<Row> = self
            .events
            .iter()
            .map(|e| {
                let ev = &e.event;
                let who = ev
                    .actor
                    .name
                    .clone()
                    .or_else(|| ev.target.label.clone())
                    .unwrap_or_default();
                let style = match ev.outcome {
                    EventOutcome::Ok => theme.normal(),
                    _ => theme.warning(),
                };
                let stamp = ev.at.to_second();
                let mut cells = vec![
                    if wide {
                        stamp
                    } else {
                        stamp.get(11..).unwrap_or("").to_owned()
                    },
                    fit(&inert(&who), who_w),
                    fit(&inert(&ev.action), action_w),
                    fit(
                        &inert(ev.target.label.as_deref().unwrap_or(&ev.target.kind)),
                        on_w,
                    ),
                ];
                if outcome {
                    cells.push(ev.outcome.as_str().to_owned());
                }
                cells.push(fit(&inert(&ev.origin.summary()), from));
                Row::new(cells).style(style)
            })
            .collect();
        let mut header = vec![
            if wide { "When (UTC)" } else { "UTC" },
            "Who",
            "Action",
            "On",
        ];
        if outcome {
            header.push("Outcome");
        }
        header.push("From");
        fixed.push(from);
        let widths: Vec<Constraint> = fixed
            .iter()
            .map(|w| Constraint::Length(*w as u16))
            .collect();
        self.table(
            frame,
            area,
            theme,
            block,
            Table::new(rows, widths).header(Row::new(header).style(theme.title())),
        );
    }

    fn table(&self, frame: &mut Frame, area: Rect, theme: &Theme, block: Block<'_>, t: Table<'_>) {
        if self.rows() == 0 {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    " Nothing to show for these filters.",
                    theme.dim(),
                ))
                .block(block),
                area,
            );
            return;
        }
        let mut state = TableState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(
            t.row_highlight_style(theme.selected()).block(block),
            area,
            &mut state,
        );
    }

    fn render_chart(&self, frame: &mut Frame, area: Rect, theme: &Theme, block: Block<'_>) {
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [logins_title, logins, views_title, views, top] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(4),
            Constraint::Length(1),
            Constraint::Length(4),
            Constraint::Min(1),
        ])
        .areas(inner);
        // The newest hours that fit, one column each.
        let shown = &self.hours[self.hours.len().saturating_sub(inner.width as usize)..];
        let total = |f: fn(&HourCount) -> i64| shown.iter().map(f).sum::<i64>();
        let range = match (shown.first(), shown.last()) {
            (Some(a), Some(b)) => format!("{} to {} UTC", a.hour.to_minute(), b.hour.to_minute()),
            _ => "no hours".into(),
        };
        let title = |what: &str, n: i64| {
            Paragraph::new(Span::styled(
                format!("{what} per hour: {n} in all, {range}"),
                theme.title(),
            ))
        };
        frame.render_widget(title("Logins", total(|h| h.logins)), logins_title);
        let data =
            |f: fn(&HourCount) -> i64| shown.iter().map(|h| f(h).max(0) as u64).collect::<Vec<_>>();
        frame.render_widget(
            Sparkline::default()
                .data(data(|h| h.logins))
                .style(theme.ok()),
            logins,
        );
        frame.render_widget(title("Views", total(|h| h.views)), views_title);
        frame.render_widget(
            Sparkline::default()
                .data(data(|h| h.views))
                .style(theme.warning()),
            views,
        );
        let mut lines = vec![Line::default()];
        match &self.filter.case {
            None => lines.push(Line::from(Span::styled(
                "Filter by a case (f) to see who viewed it most.",
                theme.dim(),
            ))),
            Some(case) => {
                lines.push(Line::from(Span::styled(
                    format!("Top viewers of {}", inert(case)),
                    theme.title(),
                )));
                for (i, (who, n)) in self.top_viewers.iter().enumerate() {
                    let style = if i == self.selected {
                        theme.selected()
                    } else {
                        theme.normal()
                    };
                    lines.push(Line::from(Span::styled(
                        format!("  {:<24} {n}", fit(&inert(who), 24)),
                        style,
                    )));
                }
            }
        }
        frame.render_widget(Paragraph::new(lines), top);
    }
}

/// `YYYY-MM-DD` (midnight) or `YYYY-MM-DD HH:MM`, in UTC.
fn parse_time(what: &str, text: &str) -> crate::service::Result<Millis> {
    let t = text.trim();
    let parsed = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").or_else(|_| {
        chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
    });
    parsed
        .map(|d| Millis(d.and_utc().timestamp_millis()))
        .map_err(|_| ServiceError::Invalid(format!("{what}: give YYYY-MM-DD or YYYY-MM-DD HH:MM.")))
}

/// `first` and `second` on one line, joined by `joiner`, when that fits in `width`;
/// otherwise `second` on a line of its own after `indent`, so neither is cut off.
fn one_line_or_two<'a>(
    first: Vec<Span<'a>>,
    joiner: Span<'a>,
    second: Vec<Span<'a>>,
    indent: Span<'a>,
    width: u16,
) -> Vec<Line<'a>> {
    let together = Line::from([first.clone(), vec![joiner], second.clone()].concat());
    if together.width() <= usize::from(width) {
        vec![together]
    } else {
        vec![
            Line::from(first),
            Line::from([vec![indent], second].concat()),
        ]
    }
}
