//! The application: phases (log in, choose a password, work), the screens, overlays
//! (help, popups), idle lock and the session limit, and the event loop. Keys become
//! [`Action`]s through the keymap; screens turn actions into service calls and return
//! an [`Outcome`]; `render` only draws.

use super::action::Action;
use super::keymap::Keymap;
use super::screens::{
    Outcome, Pending, archive::ArchiveScreen, cases::CasesScreen,
    choose_password::ChoosePasswordScreen, login::LoginScreen, profile::ProfileScreen,
    reports::ReportsScreen, system::SystemScreen, users::UsersScreen,
};
use super::theme::Theme;
use super::widgets::popup::{Popup, Tone};
use crate::domain::{Action as Perm, Millis};
use crate::sanitize::inert;
use crate::service::{Pecs, Session};
use ratatui::Frame;
use ratatui::crossterm::event::{self, Event, KeyEvent, KeyEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use std::time::Duration;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// What the UI is given from the command line and the config file.
#[derive(Debug, Clone)]
pub struct UiOptions {
    pub keymap: Keymap,
    pub theme: Theme,
    pub idle_lock_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Cases,
    Users,
    Archive,
    Reports,
    System,
    Profile,
}

impl Tab {
    const ALL: [(Tab, Action, &'static str, Perm); 6] = [
        (Tab::Cases, Action::Tab1, "Cases", Perm::CaseList),
        (Tab::Users, Action::Tab2, "Users", Perm::UserList),
        (Tab::Archive, Action::Tab3, "Archive", Perm::ArchiveStatus),
        (Tab::Reports, Action::Tab4, "Reports", Perm::ActivityReport),
        (Tab::System, Action::Tab5, "System", Perm::SystemStatus),
        (Tab::Profile, Action::Tab6, "Profile", Perm::OwnProfile),
    ];
}

pub struct Main {
    pub session: Session,
    /// The screens the role may use.
    tabs: Vec<Tab>,
    /// Until two-factor enrolment is confirmed, only the Profile is offered.
    enrolment_due: bool,
    tab: Tab,
    cases: CasesScreen,
    users: UsersScreen,
    profile: ProfileScreen,
    system: SystemScreen,
    reports: ReportsScreen,
    archive: ArchiveScreen,
    notice: Option<String>,
    /// When the session last told the database it is alive.
    heartbeat_at: Millis,
}

enum Phase {
    Login(LoginScreen),
    ChoosePassword(Box<Session>, ChoosePasswordScreen),
    Main(Box<Main>),
}

enum Overlay {
    None,
    Help,
    Popup(Popup, Option<Pending>),
}

pub struct App {
    pecs: Pecs,
    /// The terminal is below 80x24: keys wait until it is larger.
    too_small: bool,
    /// Demo data: the login screen says so.
    demo: bool,
    opts: UiOptions,
    phase: Phase,
    overlay: Overlay,
    last_input: Millis,
    finished: bool,
}

impl App {
    pub fn new(pecs: Pecs, opts: UiOptions) -> App {
        let now = pecs.now();
        // The key ring says whether this is demo data, before anyone logs in.
        let demo = crate::service::demo::is_marked_demo(&pecs).unwrap_or(false);
        App {
            phase: Phase::Login(LoginScreen::new(demo, None)),
            demo,
            too_small: false,
            pecs,
            opts,
            overlay: Overlay::None,
            last_input: now,
            finished: false,
        }
    }

    pub fn finished(&self) -> bool {
        self.finished
    }

    /// The logged-in session, if any (tests read it).
    pub fn session(&self) -> Option<&Session> {
        match &self.phase {
            Phase::Main(m) => Some(&m.session),
            Phase::ChoosePassword(s, _) => Some(s),
            Phase::Login(_) => None,
        }
    }

    /// Run until quit, drawing to `terminal`.
    pub fn run(mut self, terminal: &mut super::terminal::Term) -> std::io::Result<()> {
        let result = self.event_loop(terminal);
        // However the loop ended (a hang-up shows as an I/O error), the logout is recorded.
        self.quit();
        result
    }

    fn event_loop(&mut self, terminal: &mut super::terminal::Term) -> std::io::Result<()> {
        let size = terminal.size()?;
        self.resize(size.width, size.height);
        while !self.finished {
            terminal.draw(|f| self.render(f))?;
            if event::poll(Duration::from_millis(500))? {
                match event::read()? {
                    Event::Key(k) if k.kind != KeyEventKind::Release => self.on_key(k),
                    Event::Paste(text) => self.on_paste(&text),
                    Event::Resize(w, h) => self.resize(w, h),
                    _ => {}
                }
            }
            self.tick();
        }
        Ok(())
    }

    pub fn on_paste(&mut self, text: &str) {
        self.last_input = self.pecs.now();
        if self.too_small || !matches!(self.overlay, Overlay::None) {
            return;
        }
        match &mut self.phase {
            Phase::Login(s) => s.paste(text),
            Phase::ChoosePassword(session, s) => s.paste(session, text),
            Phase::Main(m) => match m.tab {
                Tab::Cases => m.cases.paste(text),
                Tab::Users => m.users.paste(text),
                Tab::Profile => m.profile.paste(&m.session, text),
                Tab::Reports => m.reports.paste(text),
                Tab::Archive => m.archive.paste(text),
                _ => {}
            },
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        self.last_input = self.pecs.now();
        let action = self.opts.keymap.action_for(&key);
        if action == Some(Action::ForceQuit) {
            self.quit();
            return;
        }
        if self.too_small {
            return;
        }
        if action == Some(Action::Lock) && matches!(self.phase, Phase::Main(_)) {
            self.lock("Locked. Enter your password to continue.");
            return;
        }
        if self.on_overlay_key(action) {
            return;
        }
        let outcome = match &mut self.phase {
            Phase::Login(screen) => match screen.handle_key(&key, &self.pecs) {
                Some(session) => {
                    let restore = screen.restore_tab();
                    self.logged_in(session, restore);
                    Outcome::Nothing
                }
                None => Outcome::Nothing,
            },
            Phase::ChoosePassword(session, screen) => match screen.handle_key(&key, session) {
                Some(Ok(())) => {
                    self.password_chosen();
                    Outcome::Nothing
                }
                Some(Err(why)) => Outcome::SessionEnded(why),
                None => Outcome::Nothing,
            },
            Phase::Main(main) => Self::main_key(main, &key, action),
        };
        self.apply(outcome);
    }

    /// Keys for an open overlay; returns whether it took the key.
    fn on_overlay_key(&mut self, action: Option<Action>) -> bool {
        match std::mem::replace(&mut self.overlay, Overlay::None) {
            Overlay::None => false,
            Overlay::Help => {
                if !matches!(
                    action,
                    Some(Action::Help | Action::Back | Action::Quit | Action::Open)
                ) {
                    self.overlay = Overlay::Help;
                }
                true
            }
            Overlay::Popup(popup, pending) => {
                match (popup.tone, action, pending) {
                    (Tone::Question, Some(Action::Confirm), Some(p)) => self.confirmed(p),
                    (Tone::Question, Some(Action::Back | Action::Quit), _) => {}
                    (Tone::Question, _, pending) => self.overlay = Overlay::Popup(popup, pending),
                    (_, Some(Action::Back | Action::Open | Action::Quit), _) => {}
                    (_, _, pending) => self.overlay = Overlay::Popup(popup, pending),
                }
                true
            }
        }
    }

    fn main_key(main: &mut Main, key: &KeyEvent, action: Option<Action>) -> Outcome {
        main.notice = None;
        let typing = match main.tab {
            Tab::Cases => main.cases.is_typing(),
            Tab::Users => main.users.is_typing(),
            Tab::Profile => main.profile.is_typing(),
            Tab::Reports => main.reports.is_typing(),
            Tab::Archive => main.archive.is_typing(),
            _ => false,
        };
        if typing {
            let outcome = match main.tab {
                Tab::Cases => main.cases.handle_key(&main.session, key, action),
                Tab::Users => main.users.handle_key(&main.session, key, action),
                Tab::Reports => main.reports.handle_key(&main.session, key, action),
                Tab::Archive => main.archive.handle_key(&main.session, key, action),
                _ => main.profile.handle_key(&main.session, key, action),
            };
            if main.enrolment_due && main.profile.enrolled() {
                main.enrolment_due = false;
            }
            return outcome;
        }
        let switch = Tab::ALL
            .iter()
            .find(|(_, a, _, _)| Some(*a) == action)
            .map(|(t, ..)| *t);
        match (action, switch) {
            (_, Some(tab)) if main.offered().contains(&tab) => {
                main.tab = tab;
                main.refresh_current()
            }
            (Some(Action::Help), _) => Outcome::Help,
            (Some(Action::Lock), _) => Outcome::Lock,
            (Some(Action::Refresh), _) => main.refresh_current(),
            _ => {
                let outcome = match main.tab {
                    Tab::Cases => main.cases.handle_key(&main.session, key, action),
                    Tab::Users => main.users.handle_key(&main.session, key, action),
                    Tab::Profile => main.profile.handle_key(&main.session, key, action),
                    Tab::System => main.system.handle_key(&main.session, action),
                    Tab::Reports => main.reports.handle_key(&main.session, key, action),
                    Tab::Archive => main.archive.handle_key(&main.session, key, action),
                };
                match (outcome, action) {
                    (Outcome::Unhandled, Some(Action::Quit)) => Outcome::Ask(
                        Popup::question("Quit", "Log out and quit PECS?"),
                        Pending::Quit,
                    ),
                    (Outcome::Unhandled, _) => Outcome::Nothing,
                    (other, _) => other,
                }
            }
        }
    }

    fn apply(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Nothing | Outcome::Unhandled => {}
            Outcome::Help => self.overlay = Overlay::Help,
            Outcome::Show(p) => self.overlay = Overlay::Popup(p, None),
            Outcome::Ask(p, pending) => self.overlay = Overlay::Popup(p, Some(pending)),
            Outcome::Lock => self.lock("Locked. Enter your password to continue."),
            Outcome::SessionEnded(why) => self.back_to_login(&why),
        }
    }

    fn confirmed(&mut self, pending: Pending) {
        match pending {
            Pending::Quit => self.quit(),
            Pending::Users(p) => {
                if let Phase::Main(m) = &mut self.phase {
                    let outcome = m.users.confirmed(&m.session, p);
                    self.apply(outcome);
                }
            }
        }
    }

    fn logged_in(&mut self, session: Session, restore: Option<Tab>) {
        if session.info().must_change_password {
            let screen = ChoosePasswordScreen::default();
            self.phase = Phase::ChoosePassword(Box::new(session), screen);
        } else {
            self.enter_main(session, restore);
        }
    }

    fn enter_main(&mut self, session: Session, restore: Option<Tab>) {
        let info = session.info().clone();
        let tabs: Vec<Tab> = Tab::ALL
            .iter()
            .filter(|(_, _, _, p)| session.may(*p))
            .map(|(t, ..)| *t)
            .collect();
        let mut tab = restore
            .filter(|t| tabs.contains(t))
            .unwrap_or(tabs.first().copied().unwrap_or(Tab::Profile));
        let mut notice = match &info.previous_login {
            Some((at, from)) => format!(
                "Last login: {} UTC from {} · {} failed attempt{} since",
                at.to_minute(),
                inert(from),
                info.failed_since_previous,
                if info.failed_since_previous == 1 {
                    ""
                } else {
                    "s"
                }
            ),
            None => "Welcome: this is your first login.".into(),
        };
        if info.must_enrol_two_factor {
            tab = Tab::Profile;
            notice = "Your account needs two-factor login: enrol on this screen (t) before anything else.".into();
        }
        let mut main = Main {
            cases: CasesScreen::default(),
            users: UsersScreen::default(),
            profile: ProfileScreen::default(),
            system: SystemScreen::default(),
            reports: ReportsScreen::default(),
            archive: ArchiveScreen::default(),
            heartbeat_at: Millis(0),
            enrolment_due: info.must_enrol_two_factor,
            session,
            tabs,
            tab,
            notice: Some(notice),
        };
        let outcome = main.refresh_current();
        self.phase = Phase::Main(Box::new(main));
        self.apply(outcome);
    }

    fn password_chosen(&mut self) {
        if let Some((session, _)) = self.take_session() {
            self.enter_main(session, None);
            if let Phase::Main(m) = &mut self.phase
                && !m.session.info().must_enrol_two_factor
            {
                m.notice = Some("Your new password is set.".into());
            }
        }
    }

    /// Take the session out of the phase (leaving the login screen), with the tab it was
    /// on; `None` when nobody is logged in.
    fn take_session(&mut self) -> Option<(Session, Option<Tab>)> {
        self.overlay = Overlay::None;
        let login = Phase::Login(LoginScreen::new(self.demo, None));
        match std::mem::replace(&mut self.phase, login) {
            Phase::Main(m) => Some((m.session, Some(m.tab))),
            Phase::ChoosePassword(s, _) => Some((*s, None)),
            Phase::Login(l) => {
                self.phase = Phase::Login(l);
                None
            }
        }
    }

    /// End the session (its key is wiped with it) and ask for the password again. Before
    /// a password was chosen there is nothing to unlock with: the code is used up.
    fn lock(&mut self, message: &str) {
        let Some((session, tab)) = self.take_session() else {
            return;
        };
        let username = session.info().username.clone();
        log_failure("lock", session.lock());
        match tab {
            Some(tab) => {
                self.phase = Phase::Login(LoginScreen::locked(&username, tab, message, self.demo))
            }
            None => self
                .back_to_login("Locked before a password was chosen: ask for a new one-time code."),
        }
    }

    fn back_to_login(&mut self, message: &str) {
        self.overlay = Overlay::None;
        let mut screen = LoginScreen::new(self.demo, None);
        screen.set_message(message, true);
        self.phase = Phase::Login(screen);
    }

    fn quit(&mut self) {
        if let Some((session, _)) = self.take_session() {
            log_failure("logout", session.logout());
        }
        self.finished = true;
    }

    /// Idle lock and the absolute session limit; call every few hundred milliseconds.
    pub fn tick(&mut self) {
        let now = self.pecs.now();
        let Some(session) = self.session() else {
            return;
        };
        let started = session.info().started_at;
        if now.0 - started.0 >= self.pecs.settings.session_limit_hours * Millis::HOUR {
            let hours = self.pecs.settings.session_limit_hours;
            if let Some((session, _)) = self.take_session() {
                log_failure("session limit", session.expire());
            }
            self.back_to_login(&format!(
                "Your session reached its {hours}-hour limit: please log in again."
            ));
        } else if now.0 - self.last_input.0 >= self.opts.idle_lock_ms {
            let minutes = self.opts.idle_lock_ms / Millis::MINUTE;
            self.lock(&format!(
                "Locked after {minutes} minutes without a key press. Enter your password."
            ));
        } else if let Phase::Main(m) = &mut self.phase {
            if now.0 - m.heartbeat_at.0 >= HEARTBEAT_MS {
                m.heartbeat_at = now;
                log_failure("heartbeat", m.session.heartbeat());
            }
            if m.tab == Tab::Reports && matches!(self.overlay, Overlay::None) {
                let outcome = m.reports.refresh_if_due(&m.session);
                self.apply(outcome);
            }
        }
    }

    /// The terminal's size, from the event loop: below the minimum no key acts but Ctrl-C.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.too_small = width < MIN_WIDTH || height < MIN_HEIGHT;
    }

    pub fn render(&self, frame: &mut Frame) {
        let area = frame.area();
        let theme = &self.opts.theme;
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            render_too_small(frame, area, theme);
            return;
        }
        match &self.phase {
            Phase::Login(s) => s.render(frame, area, theme),
            Phase::ChoosePassword(_, s) => s.render(frame, area, theme),
            Phase::Main(m) => self.render_main(frame, m),
        }
        match &self.overlay {
            Overlay::None => {}
            Overlay::Help => self.render_help(frame),
            Overlay::Popup(p, _) => p.render(frame, theme, &self.opts.keymap),
        }
    }

    fn render_main(&self, frame: &mut Frame, m: &Main) {
        let theme = &self.opts.theme;
        if m.tab == Tab::Profile && m.profile.is_enrolling() {
            m.profile
                .render(frame, frame.area(), theme, &self.opts.keymap, &m.session);
            return;
        }
        let info = m.session.info();
        let [tabs, notice, body, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(frame.area());
        let mut spans = vec![Span::styled(" PECS ", theme.title())];
        for (tab, action, name, _) in Tab::ALL.iter().filter(|(t, ..)| m.offered().contains(t)) {
            let style = if *tab == m.tab {
                theme.tab_active()
            } else {
                theme.normal()
            };
            spans.push(Span::styled(
                format!(" {} {name} ", self.opts.keymap.hint(*action)),
                style,
            ));
        }
        if info.demo {
            spans.push(Span::raw("  "));
            spans.push(Span::styled(" DEMO DATA ", theme.demo_banner()));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), tabs);
        if let Some(n) = &m.notice {
            frame.render_widget(
                Paragraph::new(Span::styled(format!(" {n}"), theme.ok())),
                notice,
            );
        }
        match m.tab {
            Tab::Cases => m
                .cases
                .render(frame, body, theme, &self.opts.keymap, &m.session),
            Tab::Users => m
                .users
                .render(frame, body, theme, &self.opts.keymap, &m.session),
            Tab::Profile => m
                .profile
                .render(frame, body, theme, &self.opts.keymap, &m.session),
            Tab::System => m
                .system
                .render(frame, body, theme, &self.opts.keymap, &m.session),
            Tab::Reports => m
                .reports
                .render(frame, body, theme, &self.opts.keymap, &m.session),
            Tab::Archive => m
                .archive
                .render(frame, body, theme, &self.opts.keymap, &m.session),
        }
        let who = format!(
            " {} · {} · {} {} ",
            inert(&info.username),
            info.role,
            inert(&info.org_code),
            inert(&info.org_name)
        );
        let k = &self.opts.keymap;
        let keys = format!(
            "{} help · {} quit · {} lock ",
            k.hint(Action::Help),
            k.hint(Action::Quit),
            k.hint(Action::Lock)
        );
        let pad =
            (status.width as usize).saturating_sub(who.chars().count() + keys.chars().count());
        let mut line = vec![
            Span::styled(who, theme.selected()),
            Span::raw(" ".repeat(pad)),
        ];
        line.push(Span::styled(keys, theme.dim()));
        frame.render_widget(Paragraph::new(Line::from(line)), status);
    }

    /// (keys, what they do) for every action but the yes of a question; the six screen
    /// keys share one line, so the list fits 80x24.
    fn help_entries(&self) -> Vec<(String, &'static str)> {
        let keymap = &self.opts.keymap;
        let screens: Vec<String> = Tab::ALL.iter().map(|(_, a, ..)| keymap.hint(*a)).collect();
        let screen_keys = if screens == ["1", "2", "3", "4", "5", "6"] {
            "1-6".to_string()
        } else {
            screens.join(" ")
        };
        let mut entries = vec![(screen_keys, "switch screen (see the tab bar)")];
        // Pairs read as one line; keys the role cannot use are left out.
        let pairs = [
            (Action::Up, Action::Down, "move up and down"),
            (Action::PageUp, Action::PageDown, "move a page up and down"),
            (Action::Home, Action::End, "go to the first or last item"),
        ];
        let usable = |a: &Action| {
            a.needs()
                .is_none_or(|p| self.session().is_none_or(|s| s.may(p)))
        };
        for a in Action::ALL.iter().filter(|a| **a != Action::Confirm) {
            if Tab::ALL.iter().any(|(_, t, ..)| t == a) || !usable(a) {
                continue;
            }
            match pairs
                .iter()
                .find(|(first, second, _)| first == a || second == a)
            {
                Some((first, second, help)) if first == a => entries.push((
                    format!("{} / {}", keymap.keys_for(*first), keymap.keys_for(*second)),
                    help,
                )),
                Some(_) => {}
                None => entries.push((keymap.keys_for(*a), a.help())),
            }
        }
        entries
    }

    fn render_help(&self, frame: &mut Frame) {
        let theme = &self.opts.theme;
        let width = frame.area().width.saturating_sub(2).min(110);
        let area = super::widgets::popup::centered(
            frame.area(),
            width,
            frame.area().height.saturating_sub(2),
        );
        let mut lines = vec![Line::from(Span::styled(
            "[keys] in the config file changes these · forms: Tab moves, Enter submits",
            theme.dim(),
        ))];
        let entries = self.help_entries();
        let rows = area.height.saturating_sub(3) as usize;
        let per_column = entries.len().div_ceil(2);
        let column_width = (area.width.saturating_sub(3) / 2) as usize;
        let column = |(keys, help): &(String, &str)| {
            crate::sanitize::fit(&format!("{keys:>11}  {help}"), column_width)
        };
        for i in 0..per_column.min(rows) {
            let left = entries.get(i).map(column).unwrap_or_default();
            let right = entries.get(i + per_column).map(column).unwrap_or_default();
            lines.push(Line::from(format!("{left:<column_width$} {right}")));
        }
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.title())
                    .title(Span::styled(" Help · Esc to close ", theme.title())),
            ),
            area,
        );
    }
}

impl Main {
    fn offered(&self) -> &[Tab] {
        if self.enrolment_due {
            &[Tab::Profile]
        } else {
            &self.tabs
        }
    }

    fn refresh_current(&mut self) -> Outcome {
        match self.tab {
            Tab::Cases => self.cases.reload(&self.session),
            Tab::Users => self.users.reload(&self.session),
            Tab::Profile => self.profile.reload(&self.session),
            Tab::System => self.system.reload(&self.session),
            Tab::Reports => self.reports.reload(&self.session),
            Tab::Archive => self.archive.reload(&self.session),
        }
    }
}

fn render_too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = vec![
        Line::from(Span::styled(
            "The terminal is too small for PECS.",
            theme.warning(),
        )),
        Line::from(format!(
            "It needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this one is {}x{}.",
            area.width, area.height
        )),
        Line::from("Make the window larger to carry on."),
    ];
    frame.render_widget(
        Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
}

/// How often a running program tells the database its session is alive (a session not
/// heard from for a few minutes shows as "ended (lost)").
const HEARTBEAT_MS: i64 = 60_000;

/// A logout or lock that could not be written: the session row is left open and ends as
/// "lost" when its heartbeat stops; the reason goes to the log.
fn log_failure(what: &str, result: crate::service::Result<()>) {
    if let Err(e) = result {
        tracing::warn!(what, error = %e, "ending the session failed");
    }
}
