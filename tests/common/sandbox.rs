//! The real `pecs` binary in a sandbox: a HOME, config and data dirs of its own, so
//! no real config file or data dir is ever touched.
#![allow(dead_code)]

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub const ADMIN: &str = "sam.sysadmin";
pub const ADMIN_PW: &str = "harbour lantern 7 quietly";

/// A home of its own for every test: no real config file or data dir is ever touched.
pub struct Sandbox {
    tmp: TempDir,
}

pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Sandbox {
    /// With a user config that relaxes two-factor login for sysadmins and supervisors:
    /// these tests are about the command line, and a new sysadmin would otherwise have
    /// to enrol in the terminal UI first (tests/cli_two_factor.rs covers that path).
    pub fn new() -> Sandbox {
        let sandbox = Sandbox {
            tmp: tempfile::tempdir().expect("temp dir"),
        };
        let config_dir = sandbox.path("home/.config/pecs");
        fs::create_dir_all(&config_dir).expect("config dir");
        fs::write(
            config_dir.join("config.toml"),
            "[security]\ntwo_factor_roles = []\n",
        )
        .expect("config");
        sandbox
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// The data dir most tests use (not created).
    pub fn data(&self) -> PathBuf {
        self.path("data")
    }

    pub fn xdg_data(&self) -> PathBuf {
        self.path("home/.local/share")
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("pecs").expect("the pecs binary");
        cmd.env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("home/.config"))
            .env("XDG_DATA_HOME", self.xdg_data())
            .env_remove("PECS_DATA_DIR")
            .env_remove("SSH_CONNECTION")
            .env_remove("SSH_CLIENT")
            .env_remove("CREDENTIALS_DIRECTORY")
            .env("NO_COLOR", "1");
        cmd
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Ran {
        let mut cmd = self.cmd();
        cmd.args(args);
        run(cmd, stdin)
    }

    /// `pecs init` into `dir` as sam.sysadmin; must succeed.
    pub fn init(&self, dir: &Path) {
        let r = self.run(
            &[
                "--data-dir",
                s(dir),
                "init",
                "--admin",
                ADMIN,
                "--password-stdin",
            ],
            Some(&format!("{ADMIN_PW}\n")),
        );
        r.expect(0);
    }

    /// `args` run as the sandbox's sysadmin on `dir` (password on stdin).
    pub fn as_admin(&self, dir: &Path, args: &[&str]) -> Ran {
        let mut all = vec!["--data-dir", s(dir), "--user", ADMIN, "--password-stdin"];
        all.extend_from_slice(args);
        self.run(&all, Some(&format!("{ADMIN_PW}\n")))
    }

    /// `audit verify` with a service key file.
    pub fn verify_with_key(&self, dir: &Path, key: &Path) -> Ran {
        self.run(
            &[
                "--data-dir",
                s(dir),
                "--service-key",
                s(key),
                "audit",
                "verify",
            ],
            None,
        )
    }

    pub fn verify(&self, dir: &Path, user: &str, password: &str) -> Ran {
        self.run(
            &[
                "--data-dir",
                s(dir),
                "--user",
                user,
                "--password-stdin",
                "audit",
                "verify",
            ],
            Some(&format!("{password}\n")),
        )
    }
}

pub fn run(mut cmd: Command, stdin: Option<&str>) -> Ran {
    if let Some(input) = stdin {
        cmd.write_stdin(input.to_owned());
    } else {
        cmd.write_stdin(Vec::new());
    }
    let out = cmd.output().expect("run pecs");
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

impl Ran {
    #[track_caller]
    pub fn expect(&self, code: i32) -> &Ran {
        assert_eq!(
            self.code,
            Some(code),
            "exit status\n--- stdout\n{}--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        if code == 0 {
            assert_eq!(self.stderr, "", "a success writes nothing to stderr");
        }
        self
    }

    /// Exit 1 with exactly one sentence on stderr (one line, `pecs: ` first); returns it.
    #[track_caller]
    pub fn failure(&self) -> &str {
        self.expect(1);
        assert!(
            self.stderr.starts_with("pecs: ") && self.stderr.ends_with(".\n"),
            "one sentence: {:?}",
            self.stderr
        );
        assert_eq!(
            self.stderr.lines().count(),
            1,
            "one line: {:?}",
            self.stderr
        );
        self.stderr
            .trim_end()
            .strip_prefix("pecs: ")
            .unwrap_or_default()
    }
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Every file in `dir` with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).expect("read file"),
            )
        })
        .collect()
}
