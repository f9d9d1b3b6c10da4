//! The real `pecs` binary in a pseudo-terminal (portable-pty), its output read into a
//! terminal emulator (vt100) and the screen checked as a person would read it.
//!
//! The demo cast is seeded once per test binary with `pecs demo --no-tui`; each test
//! drives the UI with keys on its own copy of that data dir. Waits poll the screen every
//! 20 ms and give up after a generous timeout, dumping the screen; nothing asserts how
//! long anything takes.

use pecs::domain::Origin;
use pecs::service::demo;
use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tempfile::TempDir;

pub const PECS: &str = env!("CARGO_BIN_EXE_pecs");
pub const PASSWORD: &str = demo::DEMO_PASSWORD;
pub const SSH_CONNECTION: &str = "203.0.113.9 50555 10.0.0.1 22";
/// How the audit log shows [`SSH_CONNECTION`].
pub const REMOTE: &str = "203.0.113.9:50555";
/// How long any one wait may take (Argon2id in a debug build on a busy machine).
pub const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(20);
/// Between keys: an Esc immediately followed by a letter would be read as Alt-letter.
const KEY_PAUSE: Duration = Duration::from_millis(50);
pub const LOGIN_TITLE: &str = "PECS · log in";

/// A temporary home (HOME and XDG dirs) with a demo data dir in it.
pub struct Sandbox {
    tmp: TempDir,
}

impl Sandbox {
    /// A fresh sandbox holding a copy of the demo data dir.
    pub fn demo() -> Sandbox {
        let sandbox = Sandbox::empty();
        copy_dir(demo_template(), &sandbox.data_dir());
        sandbox
    }

    pub fn empty() -> Sandbox {
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

    pub fn data_dir(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    /// The whole environment of every `pecs` these tests start.
    pub fn env(&self) -> Vec<(String, String)> {
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

    pub fn tui(&self) -> Tui {
        self.tui_sized(120, 35)
    }

    pub fn tui_sized(&self, cols: u16, rows: u16) -> Tui {
        Tui::spawn(self, cols, rows, &[])
    }

    /// A 120x35 UI whose environment is [`Sandbox::env`] with `overrides` set on top (one
    /// process's own `SSH_CONNECTION`, say), the other processes' left as they are.
    pub fn tui_with_env(&self, overrides: &[(&str, &str)]) -> Tui {
        Tui::spawn(self, 120, 35, overrides)
    }
}

/// Seeding the demo cast with the real Argon2id takes seconds: it is done once per test
/// binary run, into `target/tmp`, and each test works on its own copy.
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
pub struct Tui {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
    /// Signalled when the reader has seen the end of the output.
    reader_done: Receiver<()>,
    status: Option<ExitStatus>,
    /// The audit log records it in each event's origin.
    pub pid: u32,
    /// The terminal's modes before pecs started (echo, canonical input, …).
    modes_before: String,
}

impl Tui {
    fn spawn(sandbox: &Sandbox, cols: u16, rows: u16, overrides: &[(&str, &str)]) -> Tui {
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
        for (k, v) in overrides {
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

    pub fn contents(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// The screen's rows as text, top to bottom.
    pub fn rows(&self) -> Vec<String> {
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        let (_, cols) = screen.size();
        screen.rows(0, cols.get()).collect()
    }

    pub fn dump(&self) -> String {
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
    pub fn wait_until(&mut self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) {
        self.wait_until_within(what, WAIT, pred);
    }

    /// [`Tui::wait_until`] with its own timeout; returns how long the wait took.
    pub fn wait_until_within(
        &mut self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&vt100::Screen) -> bool,
    ) -> Duration {
        let start = Instant::now();
        let deadline = start + timeout;
        loop {
            if pred(self.parser.lock().unwrap().screen()) {
                return start.elapsed();
            }
            if self.status.is_none()
                && let Ok(Some(status)) = self.child.try_wait()
            {
                self.status = Some(status);
                // Let the reader take in the last of the output, then look once more.
                let _ = self.reader_done.recv_timeout(WAIT);
                if pred(self.parser.lock().unwrap().screen()) {
                    return start.elapsed();
                }
                panic!(
                    "pecs exited ({:?}) while waiting for {what}\n{}",
                    self.status,
                    self.dump()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting for {what}\n{}",
                    self.dump()
                );
            }
            std::thread::sleep(POLL);
        }
    }

    pub fn wait_for(&mut self, text: &str) {
        let what = format!("{text:?} on the screen");
        self.wait_until(&what, |s| s.contents().contains(text));
    }

    pub fn wait_gone(&mut self, text: &str) {
        let what = format!("{text:?} to leave the screen");
        self.wait_until(&what, |s| !s.contents().contains(text));
    }

    /// Send bytes as typed, then pause.
    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush pty");
        std::thread::sleep(KEY_PAUSE);
    }

    pub fn enter(&mut self) {
        self.send("\r");
    }

    pub fn tab(&mut self) {
        self.send("\t");
    }

    pub fn esc(&mut self) {
        self.send("\x1b");
    }

    pub fn ctrl_c(&mut self) {
        self.send("\x03");
    }

    /// Ctrl-U: empty the focused text field.
    pub fn ctrl_u(&mut self) {
        self.send("\x15");
    }

    pub fn right(&mut self) {
        self.send("\x1b[C");
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
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
    pub fn log_in(&mut self, user: &str, secret: &str) {
        self.wait_for(LOGIN_TITLE);
        self.send(user);
        self.tab();
        self.send(secret);
        self.enter();
    }

    /// Wait for pecs to end; then the terminal must be back on the main screen.
    pub fn wait_exit(&mut self) -> ExitStatus {
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
    pub fn assert_clean_exit(&mut self, how: &str) {
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
    pub fn quit_with_q(&mut self) {
        self.send("q");
        self.wait_for("Log out and quit PECS?");
        self.send("y");
        self.assert_clean_exit("q + y");
    }

    pub fn quit_with_ctrl_c(&mut self) {
        self.ctrl_c();
        self.assert_clean_exit("Ctrl-C");
    }

    /// The screen row (index, text) holding `text`.
    pub fn row_with(&self, text: &str) -> Option<(u16, String)> {
        self.rows()
            .into_iter()
            .enumerate()
            .find(|(_, row)| row.contains(text))
            .map(|(i, row)| (i as u16, row))
    }

    /// Move a list's selection with j/k onto the row holding `text`, as a person does:
    /// count the rows from the selection (drawn reversed) in the same box to that row.
    pub fn select_row_with(&mut self, text: &str) {
        let found = {
            let parser = self.parser.lock().unwrap();
            selection_and_target(parser.screen(), text)
        };
        let (selected, target) = found.unwrap_or_else(|| {
            panic!(
                "no selected row in the box holding {text:?}\n{}",
                self.dump()
            )
        });
        let (key, steps) = if target >= selected {
            ("j", target - selected)
        } else {
            ("k", selected - target)
        };
        for _ in 0..steps {
            self.send(key);
        }
        self.wait_until(&format!("the row with {text:?} selected"), |s| {
            s.rows(0, s.size().1.get())
                .enumerate()
                .any(|(i, line)| line.contains(text) && reversed_at(s, i as u16, &line, text))
        });
    }
}

/// The selected row and the row holding `text`, among the rows of the box around `text`
/// (the contiguous rows drawn between `│` borders; a status bar outside it may be reversed
/// too). The selection is the row whose cell in `text`'s column is reversed.
fn selection_and_target(screen: &vt100::Screen, text: &str) -> Option<(u16, u16)> {
    let lines: Vec<String> = screen.rows(0, screen.size().1.get()).collect();
    let target = lines.iter().position(|l| l.contains(text))?;
    let line = &lines[target];
    let col = line[..line.find(text)?].chars().count() as u16;
    let boxed = |i: &usize| lines[*i].starts_with('│');
    let first = (0..=target).rev().take_while(boxed).last()?;
    let last = (target..lines.len()).take_while(boxed).last()?;
    let selected = (first..=last).find(|i| {
        screen
            .cell(*i as u16, col)
            .is_some_and(|cell| cell.inverse())
    })?;
    Some((selected as u16, target as u16))
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
pub fn reversed_at(screen: &vt100::Screen, row: u16, line: &str, text: &str) -> bool {
    line.find(text)
        .map(|byte| line[..byte].chars().count() as u16)
        .and_then(|col| screen.cell(row, col))
        .is_some_and(|cell| cell.inverse())
}

/// The origin of the tests' own calls into the library.
pub fn library_origin() -> Origin {
    Origin::from_parts(None, None, None, Some("ui_e2e".into()), std::process::id())
}

/// `pecs audit verify` as sue.supervisor must say the log is intact.
pub fn assert_audit_verifies(sandbox: &Sandbox) {
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
