//! End-to-end tests of the terminal UI: the real `pecs` binary in a pseudo-terminal
//! (portable-pty), its output read into a terminal emulator (vt100) and the screen
//! checked as a person would read it.
//!
//! The demo cast is seeded once per run with `pecs demo --no-tui`; each test drives the
//! UI with keys on its own copy of that data dir. Waits poll the screen every 20 ms and give up after a generous timeout,
//! dumping the screen; nothing asserts how long anything takes.

use pecs::crypto::Password;
use pecs::domain::Origin;
use pecs::service::{Pecs, Settings, audit, demo};
use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const PECS: &str = env!("CARGO_BIN_EXE_pecs");
const PASSWORD: &str = demo::DEMO_PASSWORD;
const SSH_CONNECTION: &str = "203.0.113.9 50555 10.0.0.1 22";
const REMOTE: &str = "203.0.113.9:50555";
/// How long any one wait may take (Argon2id in a debug build on a busy machine).
const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(20);
/// Between keys: an Esc immediately followed by a letter would be read as Alt-letter.
const KEY_PAUSE: Duration = Duration::from_millis(50);
const LOGIN_TITLE: &str = "PECS · log in";

/// A temporary home (HOME and XDG dirs) with a demo data dir in it.
struct Sandbox {
    tmp: TempDir,
}

impl Sandbox {
    /// A fresh sandbox holding a copy of the demo data dir.
    fn demo() -> Sandbox {
        let sandbox = Sandbox::empty();
        copy_dir(demo_template(), &sandbox.data_dir());
        sandbox
    }

    fn empty() -> Sandbox {
        let tmp = tempfile::tempdir().expect("temp dir");
        let sandbox = Sandbox { tmp };
        for sub in ["home", "config", "data-home", "cache", "state"] {
            std::fs::create_dir_all(sandbox.tmp.path().join(sub)).expect("sandbox dir");
        }
        sandbox
    }

    /// `pecs demo --no-tui --data-dir DIR`.
    fn seed_demo(&self, dir: &Path) {
        let out = std::process::Command::new(PECS)
            .args(["demo", "--no-tui", "--data-dir"])
            .arg(dir)
            .env_clear()
            .envs(self.env())
            .current_dir(self.tmp.path())
            .output()
            .expect("run pecs demo");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("Created demo data"),
            "pecs demo --no-tui failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn data_dir(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    /// The whole environment of every `pecs` these tests start.
    fn env(&self) -> Vec<(String, String)> {
        let p = |sub: &str| self.tmp.path().join(sub).display().to_string();
        vec![
            ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
            ("HOME".into(), p("home")),
            ("XDG_CONFIG_HOME".into(), p("config")),
            ("XDG_DATA_HOME".into(), p("data-home")),
            ("XDG_CACHE_HOME".into(), p("cache")),
            ("XDG_STATE_HOME".into(), p("state")),
            ("TERM".into(), "xterm-256color".into()),
            ("LANG".into(), "C.UTF-8".into()),
            ("NO_COLOR".into(), "1".into()),
            ("SSH_CONNECTION".into(), SSH_CONNECTION.into()),
        ]
    }

    fn tui(&self) -> Tui {
        self.tui_sized(120, 35)
    }

    fn tui_sized(&self, cols: u16, rows: u16) -> Tui {
        Tui::spawn(self, cols, rows)
    }
}

/// Seeding the demo cast with the real Argon2id takes seconds: it is done once per test
/// run, into `target/tmp`, and each test works on its own copy.
fn demo_template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui_e2e");
        std::fs::create_dir_all(&root).expect("template root");
        // Templates of earlier runs whose process is gone.
        for entry in std::fs::read_dir(&root)
            .expect("read template root")
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("demo-")
                && !Path::new("/proc").join(pid).exists()
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = root.join(format!("demo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Sandbox::empty().seed_demo(&dir);
        dir
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create data dir");
    for entry in std::fs::read_dir(from).expect("read template").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy template file");
        }
    }
}

/// `pecs --data-dir DIR` running in a pseudo-terminal.
struct Tui {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
    /// Signalled when the reader has seen the end of the output.
    reader_done: Receiver<()>,
    status: Option<ExitStatus>,
    /// The audit log records it in each event's origin.
    pid: u32,
    /// The terminal's modes before pecs started (echo, canonical input, …).
    modes_before: String,
}

impl Tui {
    fn spawn(sandbox: &Sandbox, cols: u16, rows: u16) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open pty");
        let modes_before = terminal_modes(pair.master.as_ref());
        assert!(
            is_cooked(&modes_before),
            "a fresh pty should echo and be line-buffered: {modes_before}"
        );
        let mut cmd = CommandBuilder::new(PECS);
        cmd.arg("--data-dir");
        cmd.arg(sandbox.data_dir());
        cmd.env_clear();
        for (k, v) in sandbox.env() {
            cmd.env(k, v);
        }
        cmd.cwd(sandbox.tmp.path());
        let child = pair.slave.spawn_command(cmd).expect("spawn pecs");
        let pid = child.process_id().expect("pid of pecs");
        // Only the child holds the slave end: its exit ends our reads.
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            nonzero(rows),
            nonzero(cols),
            0,
        )));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let (done_tx, reader_done) = mpsc::channel();
        let sink = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => sink.lock().unwrap().process(&buf[..n]),
                }
            }
            let _ = done_tx.send(());
        });
        let mut tui = Tui {
            master: pair.master,
            writer,
            child,
            parser,
            reader_done,
            status: None,
            pid,
            modes_before,
        };
        // Keys sent before raw mode would be echoed: wait for the first frame.
        tui.wait_until("the first frame", |s| {
            s.alternate_screen() && !s.contents().trim().is_empty()
        });
        // Raw mode is on before the first frame: the check after quitting means something.
        let modes = terminal_modes(tui.master.as_ref());
        assert!(
            !is_cooked(&modes),
            "pecs is drawing but the terminal is not in raw mode: {modes}"
        );
        tui
    }

    fn contents(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn dump(&self) -> String {
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        let (_, cols) = screen.size();
        let mut out = format!(
            "--- screen (alternate screen: {}) ---\n",
            screen.alternate_screen()
        );
        for (i, row) in screen.rows(0, cols.get()).enumerate() {
            out.push_str(&format!("{i:>2}|{row}\n"));
        }
        out.push_str("--- end of screen ---");
        out
    }

    /// Poll the screen until `pred` holds; panic with the screen after [`WAIT`], or
    /// when pecs exits first.
    fn wait_until(&mut self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + WAIT;
        loop {
            if pred(self.parser.lock().unwrap().screen()) {
                return;
            }
            if self.status.is_none()
                && let Ok(Some(status)) = self.child.try_wait()
            {
                self.status = Some(status);
                // Let the reader take in the last of the output, then look once more.
                let _ = self.reader_done.recv_timeout(WAIT);
                if pred(self.parser.lock().unwrap().screen()) {
                    return;
                }
                panic!(
                    "pecs exited ({:?}) while waiting for {what}\n{}",
                    self.status,
                    self.dump()
                );
            }
            if Instant::now() >= deadline {
                panic!("timed out waiting for {what}\n{}", self.dump());
            }
            std::thread::sleep(POLL);
        }
    }

    fn wait_for(&mut self, text: &str) {
        let what = format!("{text:?} on the screen");
        self.wait_until(&what, |s| s.contents().contains(text));
    }

    fn wait_gone(&mut self, text: &str) {
        let what = format!("{text:?} to leave the screen");
        self.wait_until(&what, |s| !s.contents().contains(text));
    }

    /// Send bytes as typed, then pause.
    fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush pty");
        std::thread::sleep(KEY_PAUSE);
    }

    fn enter(&mut self) {
        self.send("\r");
    }

    fn tab(&mut self) {
        self.send("\t");
    }

    fn esc(&mut self) {
        self.send("\x1b");
    }

    fn ctrl_c(&mut self) {
        self.send("\x03");
    }

    fn resize(&mut self, cols: u16, rows: u16) {
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(nonzero(rows), nonzero(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
    }

    /// Type a user name and secret on the login screen and submit them.
    fn log_in(&mut self, user: &str, secret: &str) {
        self.wait_for(LOGIN_TITLE);
        self.send(user);
        self.tab();
        self.send(secret);
        self.enter();
    }

    /// Wait for pecs to end; then the terminal must be back on the main screen.
    fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.status.clone() {
                break status;
            }
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                self.status = Some(status.clone());
                break status;
            }
            if Instant::now() >= deadline {
                panic!("pecs did not exit\n{}", self.dump());
            }
            std::thread::sleep(POLL);
        };
        self.reader_done
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("the pty output did not end\n{}", self.dump()));
        status
    }

    /// After quitting: exit status 0 and the terminal left as it was found.
    fn assert_clean_exit(&mut self, how: &str) {
        let status = self.wait_exit();
        assert!(
            status.success(),
            "pecs should exit 0 after {how}, got {status}\n{}",
            self.dump()
        );
        let modes = terminal_modes(self.master.as_ref());
        assert_eq!(
            modes, self.modes_before,
            "after {how} the terminal modes (raw mode) were not restored"
        );
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        assert!(
            !screen.alternate_screen(),
            "after {how} the terminal is still in the alternate screen"
        );
        assert!(
            !screen.hide_cursor(),
            "after {how} the cursor is still hidden"
        );
        assert!(
            !screen.bracketed_paste(),
            "after {how} bracketed paste is still on"
        );
    }

    /// `q` then `y` from a top-level screen.
    fn quit_with_q(&mut self) {
        self.send("q");
        self.wait_for("Log out and quit PECS?");
        self.send("y");
        self.assert_clean_exit("q + y");
    }

    fn quit_with_ctrl_c(&mut self) {
        self.ctrl_c();
        self.assert_clean_exit("Ctrl-C");
    }

    /// The screen row (index, text) holding `text`.
    fn row_with(&self, text: &str) -> Option<(u16, String)> {
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        let (_, cols) = screen.size();
        screen
            .rows(0, cols.get())
            .enumerate()
            .find(|(_, row)| row.contains(text))
            .map(|(i, row)| (i as u16, row))
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if self.status.is_none() && !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The pty's local and input modes as text (no termios crate needed to compare them);
/// raw mode shows as ECHO and ICANON missing.
fn terminal_modes(master: &dyn MasterPty) -> String {
    let t = master.get_termios().expect("termios of the pty");
    format!("{:?} {:?}", t.local_flags, t.input_flags)
}

fn is_cooked(modes: &str) -> bool {
    let words: Vec<&str> = modes
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .collect();
    words.contains(&"ECHO") && words.contains(&"ICANON")
}

fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("a pty needs a real size")
}

/// Whether the cell where `text` starts on `row` is drawn reversed (the selection).
fn reversed_at(screen: &vt100::Screen, row: u16, line: &str, text: &str) -> bool {
    line.find(text)
        .map(|byte| line[..byte].chars().count() as u16)
        .and_then(|col| screen.cell(row, col))
        .is_some_and(|cell| cell.inverse())
}

/// A one-time code, XXXX-XXXX-XXXX-XXXX in the code alphabet, found on the screen.
fn find_code(contents: &str) -> Option<String> {
    const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    contents
        .split(|c: char| c.is_whitespace() || c == '│')
        .find(|token| {
            token.len() == 19
                && token.char_indices().all(|(i, c)| {
                    if i % 5 == 4 {
                        c == '-'
                    } else {
                        ALPHABET.contains(c)
                    }
                })
        })
        .map(str::to_owned)
}

fn library_origin() -> Origin {
    Origin::from_parts(None, None, None, Some("ui_e2e".into()), std::process::id())
}

/// `pecs audit verify` as sue.supervisor must say the log is intact.
fn assert_audit_verifies(sandbox: &Sandbox) {
    let mut child = std::process::Command::new(PECS)
        .arg("--data-dir")
        .arg(sandbox.data_dir())
        .args([
            "--user",
            "sue.supervisor",
            "--password-stdin",
            "audit",
            "verify",
        ])
        .env_clear()
        .envs(sandbox.env())
        .current_dir(sandbox.tmp.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run pecs audit verify");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().expect("pecs audit verify output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("Audit log intact"),
        "pecs audit verify: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Reset harry.harlow's password as hannah.harlow, log in as harry with the code, be
/// made to choose a password and land on Cases.
#[test]
fn client_admin_resets_a_password_and_the_user_logs_in_with_the_code() {
    let sandbox = Sandbox::demo();

    let mut ui = sandbox.tui();
    ui.log_in("hannah.harlow", PASSWORD);
    ui.wait_for("hannah.harlow · client_admin · HARLOW");
    ui.wait_for("DEMO DATA");
    ui.send("2");
    ui.wait_until("the Users list with harry.harlow", |s| {
        let c = s.contents();
        c.contains(" Users ") && c.contains("harry.harlow") && c.contains("accounts")
    });
    // A client admin sees only their own organisation.
    let listed = ui.contents();
    for other in [
        "mia.meridian",
        "kim.kestrel",
        "sue.supervisor",
        "sam.sysadmin",
    ] {
        assert!(
            !listed.contains(other),
            "hannah.harlow sees {other}\n{}",
            ui.dump()
        );
    }

    // Move the selection to harry.harlow with j/k.
    let (harry_row, _) = ui.row_with("harry.harlow").expect("harry.harlow row");
    let selected_row = {
        let parser = ui.parser.lock().unwrap();
        let screen = parser.screen();
        let (_, cols) = screen.size();
        screen
            .rows(0, cols.get())
            .enumerate()
            // Table rows sit between the borders; the status bar is reversed too.
            .find(|(i, line)| {
                line.contains('│')
                    && line.contains(".harlow")
                    && reversed_at(screen, *i as u16, line, ".harlow")
            })
            .map(|(i, _)| i as u16)
    };
    let selected_row =
        selected_row.unwrap_or_else(|| panic!("no selected user row\n{}", ui.dump()));
    let (key, steps) = if harry_row >= selected_row {
        ("j", harry_row - selected_row)
    } else {
        ("k", selected_row - harry_row)
    };
    for _ in 0..steps {
        ui.send(key);
    }
    ui.wait_until("harry.harlow selected", |s| {
        let (_, cols) = s.size();
        s.rows(0, cols.get()).enumerate().any(|(i, line)| {
            line.contains("harry.harlow") && reversed_at(s, i as u16, &line, "harry.harlow")
        })
    });

    // Reset his password; the code is shown once.
    ui.send("p");
    ui.wait_for("Reset the password of harry.harlow?");
    ui.send("y");
    ui.wait_for("One-time code for harry.harlow:");
    let code = find_code(&ui.contents())
        .unwrap_or_else(|| panic!("no XXXX-XXXX-XXXX-XXXX code on screen\n{}", ui.dump()));
    ui.esc();
    ui.wait_gone("One-time code for");
    assert!(
        !ui.contents().contains(&code),
        "the code stays on screen after the popup closed\n{}",
        ui.dump()
    );
    ui.quit_with_q();

    // harry.harlow logs in with the code and must choose a password.
    let mut ui = sandbox.tui();
    ui.log_in("harry.harlow", &code);
    ui.wait_for("Choose your password");
    let new_password = "velvet canyon lantern 93";
    ui.send(new_password);
    ui.tab();
    ui.wait_for("Now type it again");
    ui.send(new_password);
    ui.wait_for("This password meets the policy.");
    ui.enter();
    ui.wait_until("the Cases screen", |s| {
        let c = s.contents();
        let (_, cols) = s.size();
        let tab_bar = s.rows(0, cols.get()).next().unwrap_or_default();
        tab_bar.contains("1 Cases") && c.contains(" Cases ") && c.contains("page 1 · cases 1–")
    });
    ui.wait_for("Your new password is set.");
    ui.wait_for("harry.harlow · client_user · HARLOW");
    ui.quit_with_ctrl_c();

    // The code is used up; the new password works.
    let pecs = Pecs::new(&sandbox.data_dir(), Settings::default());
    assert!(
        pecs.login("harry.harlow", &Password::new(&code), library_origin())
            .is_err(),
        "the one-time code worked twice"
    );
    let harry = pecs
        .login(
            "harry.harlow",
            &Password::new(new_password),
            library_origin(),
        )
        .expect("harry.harlow logs in with the chosen password");
    assert!(!harry.info().must_change_password);
    harry.logout().unwrap();
}

/// Type `attempts` wrong passwords for `user`, each answered before the next.
fn wrong_passwords(ui: &mut Tui, user: &str, attempts: usize) {
    ui.wait_for(LOGIN_TITLE);
    ui.send(user);
    ui.tab();
    for i in 1..=attempts {
        let guess = format!("wrong-guess-{i}");
        ui.send(&guess);
        let dots = "•".repeat(guess.chars().count());
        ui.wait_until(&format!("attempt {i} typed"), |s| {
            s.contents()
                .lines()
                .any(|l| l.contains("Password") && l.contains(&dots))
        });
        ui.enter();
        // A failure clears the password field and says so.
        ui.wait_until(&format!("attempt {i} answered"), |s| {
            let c = s.contents();
            c.contains("Login failed")
                && c.lines()
                    .any(|l| l.contains("Password") && !l.contains('•'))
        });
        if i < attempts {
            let c = ui.contents();
            assert!(
                !c.contains("paused until"),
                "paused after only {i} failures\n{}",
                ui.dump()
            );
        }
    }
}

/// Five wrong passwords, then the login screen explains the pause.
#[test]
fn five_wrong_passwords_pause_the_login() {
    let sandbox = Sandbox::demo();
    let mut ui = sandbox.tui();
    wrong_passwords(&mut ui, "carl.caseworker", 5);
    ui.wait_for("paused until");
    assert!(
        ui.contents().contains(LOGIN_TITLE),
        "not on the login screen\n{}",
        ui.dump()
    );

    // While paused even the right password is refused, with the same explanation.
    ui.send(PASSWORD);
    ui.enter();
    ui.wait_until("the right password answered while paused", |s| {
        let c = s.contents();
        c.contains("paused until")
            && c.lines()
                .any(|l| l.contains("Password") && !l.contains('•'))
    });
    assert!(
        ui.contents().contains(LOGIN_TITLE),
        "logged in while paused\n{}",
        ui.dump()
    );
    ui.quit_with_ctrl_c();
}

/// The pause is explained the same way for a name that does not exist.
#[test]
fn the_pause_does_not_tell_whether_the_account_exists() {
    let sandbox = Sandbox::demo();
    let mut ui = sandbox.tui();
    wrong_passwords(&mut ui, "nobody.here", 5);
    ui.wait_for("paused until");
    ui.quit_with_ctrl_c();
}

/// Quitting with `q` + `y` and with Ctrl-C both record the logout, with the SSH origin,
/// and the audit log still verifies.
#[test]
fn quitting_records_the_logout() {
    let sandbox = Sandbox::demo();

    let mut ui = sandbox.tui();
    ui.log_in("hannah.harlow", PASSWORD);
    ui.wait_for("hannah.harlow · client_admin · HARLOW");
    let first_pid = ui.pid;
    ui.quit_with_q();

    let mut ui = sandbox.tui();
    ui.log_in("hannah.harlow", PASSWORD);
    ui.wait_for("hannah.harlow · client_admin · HARLOW");
    ui.send("6");
    ui.wait_for(" Your recent logins ");
    let second_pid = ui.pid;
    ui.quit_with_ctrl_c();

    assert_audit_verifies(&sandbox);

    let pecs = Pecs::new(&sandbox.data_dir(), Settings::default());
    let sue = pecs
        .login("sue.supervisor", &Password::new(PASSWORD), library_origin())
        .expect("sue.supervisor logs in");
    let events = audit::recent_events(&sue, 1000).expect("recent events");
    sue.logout().unwrap();
    // Each run's events carry its process id: one logout each, from the SSH client.
    for (pid, how) in [(first_pid, "q + y"), (second_pid, "Ctrl-C")] {
        let of_run = |action: &str| -> Vec<_> {
            events
                .iter()
                .filter(|e| e.event.action == action && e.event.origin.pid == pid)
                .collect()
        };
        let logins = of_run("login");
        let logouts = of_run("logout");
        assert_eq!(
            logouts.len(),
            1,
            "one logout after {how} (pid {pid}) expected, got {logouts:#?}"
        );
        let logout = &logouts[0].event;
        assert_eq!(
            logout.actor.name.as_deref(),
            Some("hannah.harlow"),
            "{logout:#?}"
        );
        assert_eq!(logout.origin.remote.as_deref(), Some(REMOTE), "{logout:#?}");
        assert_eq!(logout.outcome, pecs::domain::Outcome::Ok, "{logout:#?}");
        assert_eq!(logins.len(), 1, "one login in pid {pid}: {logins:#?}");
        assert!(
            logout.session_id.is_some() && logout.session_id == logins[0].event.session_id,
            "the logout after {how} is not of the session that logged in: {logout:#?}"
        );
    }
}

/// Below 80x24 the screen says it is too small; growing the terminal redraws the login.
#[test]
fn too_small_then_resized() {
    let sandbox = Sandbox::demo();
    let mut ui = sandbox.tui_sized(70, 20);
    ui.wait_for("The terminal is too small for PECS.");
    ui.wait_for("this one is 70x20");
    assert!(!ui.contents().contains(LOGIN_TITLE));

    ui.resize(100, 30);
    ui.wait_until("the login screen after the resize", |s| {
        let c = s.contents();
        c.contains(LOGIN_TITLE) && !c.contains("too small")
    });
    // It works at the new size.
    ui.send("carl.caseworker");
    ui.wait_for("carl.caseworker");
    ui.quit_with_ctrl_c();
}

#[test]
fn find_code_reads_the_code_shape() {
    assert_eq!(
        find_code("│    7K3M-QX9P-2RTA-HWZ4     │").as_deref(),
        Some("7K3M-QX9P-2RTA-HWZ4")
    );
    assert_eq!(find_code("7K3M-QX9P-2RTA-HWZI"), None);
    assert_eq!(find_code("2026-12-04 09:00"), None);
}
