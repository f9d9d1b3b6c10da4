//! The config file: every file in `tests/config_invalid/` must be refused, by
//! `Config::parse` and by the real binary (exit 1, one sentence naming the problem: the
//! key, and the line where the TOML parser can point at one), while a valid file works.

use pecs::config::{Config, ConfigError, Database, Security};
use pecs::domain::Role;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

mod common;

use common::sandbox::{ADMIN, ADMIN_PW, Sandbox, s, snapshot};

/// Each invalid file, the key its error must name (none for a file that is not TOML),
/// and the other substrings its error must contain: what is wrong and, when the TOML
/// parser can point at it, the line.
const INVALID: &[(&str, Option<&str>, &[&str])] = &[
    (
        "unknown_key.toml",
        Some("session_limt_hours"),
        &["unknown field `session_limt_hours`", "line 4"],
    ),
    (
        "unknown_table.toml",
        Some("securty"),
        &["unknown field `securty`", "line 3"],
    ),
    (
        "unknown_top_level_key.toml",
        Some("colour"),
        &["unknown field `colour`", "line 3"],
    ),
    (
        "wrong_type.toml",
        Some("idle_lock_minutes"),
        &["invalid type", "\"ten\"", "expected u32", "line 3"],
    ),
    (
        "negative_hours.toml",
        Some("session_limit_hours"),
        &["invalid value", "-2", "line 2"],
    ),
    (
        "fractional_hours.toml",
        Some("reset_code_hours"),
        &["invalid type", "24.5", "line 2"],
    ),
    (
        "cache_beyond_u32.toml",
        Some("cache_mib"),
        &["invalid value", "99999999999", "line 2"],
    ),
    (
        "data_dir_not_a_path.toml",
        Some("data_dir"),
        &["invalid type", "42", "line 2"],
    ),
    (
        "security_not_a_table.toml",
        Some("security"),
        &["invalid type", "line 2"],
    ),
    (
        "duplicate_key.toml",
        Some("idle_lock_minutes"),
        &["duplicate key", "line 3"],
    ),
    ("not_toml.toml", None, &["expected `=`", "line 3"]),
    ("unclosed_table.toml", None, &["unclosed table", "line 1"]),
    (
        "idle_zero.toml",
        Some("security.idle_lock_minutes"),
        &["must be between 1 and 1440."],
    ),
    (
        "idle_too_big.toml",
        Some("security.idle_lock_minutes"),
        &["must be between 1 and 1440."],
    ),
    (
        "session_limit_zero.toml",
        Some("security.session_limit_hours"),
        &["must be between 1 and 24."],
    ),
    (
        "session_limit_too_big.toml",
        Some("security.session_limit_hours"),
        &["must be between 1 and 24."],
    ),
    (
        "reset_hours_zero.toml",
        Some("security.reset_code_hours"),
        &["must be between 1 and 72."],
    ),
    (
        "reset_hours_too_big.toml",
        Some("security.reset_code_hours"),
        &["must be between 1 and 72."],
    ),
    (
        "cache_too_small.toml",
        Some("database.cache_mib"),
        &["must be between 2 and 4096."],
    ),
    (
        "cache_too_big.toml",
        Some("database.cache_mib"),
        &["must be between 2 and 4096."],
    ),
    (
        "backup_duplicate_destination.toml",
        Some("backup.destination"),
        &["\"onsite\" is used twice."],
    ),
    (
        "backup_relative_path.toml",
        Some("backup.destination"),
        &["\"onsite\" needs an absolute path."],
    ),
    (
        "backup_bad_name.toml",
        Some("backup.destination"),
        &["\"On Site\" must be 1 to 32 of a-z, 0-9, - and _."],
    ),
    (
        "backup_missing_path.toml",
        Some("path"),
        &["missing field `path`"],
    ),
    (
        "backup_warn_after_critical.toml",
        Some("backup.warn_after_minutes"),
        &["must be above 0 and below backup.critical_after_minutes."],
    ),
    (
        "records_retention_below_six.toml",
        Some("records.retention_years"),
        &["must be between 6 (the Limitation Act period) and 100."],
    ),
    (
        "backup_keep_zero.toml",
        Some("backup.keep"),
        &["must each be at least 1."],
    ),
];

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/config_invalid")
}

fn read(name: &str) -> String {
    fs::read_to_string(folder().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Which substrings `message` lacks.
fn missing<'a>(message: &str, wanted: &[&'a str]) -> Vec<&'a str> {
    wanted
        .iter()
        .copied()
        .filter(|w| !message.contains(w))
        .collect()
}

#[test]
fn every_file_in_the_folder_has_an_expectation() {
    let on_disk: BTreeSet<String> = fs::read_dir(folder())
        .expect("tests/config_invalid")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = INVALID.iter().map(|(n, ..)| (*n).to_owned()).collect();
    assert_eq!(on_disk, listed);
}

#[test]
fn parse_refuses_every_invalid_file_and_says_what_is_wrong() {
    let mut wrong = BTreeMap::new();
    for (name, _, wanted) in INVALID {
        match Config::parse(&read(name)) {
            Ok(c) => {
                wrong.insert(*name, format!("accepted: {c:?}"));
            }
            Err(message) => {
                let lacking = missing(&message, wanted);
                if !lacking.is_empty() {
                    wrong.insert(*name, format!("{message:?} lacks {lacking:?}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A person fixing the file needs to know which setting is wrong, whatever kind of
/// wrong it is (DESIGN.md §6: "a bad config is a clear error").
#[test]
fn every_error_about_a_key_names_the_key() {
    let mut wrong = BTreeMap::new();
    for (name, key, _) in INVALID {
        let Some(key) = key else { continue };
        let message = Config::parse(&read(name)).expect_err(name);
        if !message.contains(key) {
            wrong.insert(*name, format!("{message:?} does not name `{key}`"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

// ---------------------------------------------------------------------------------------
// Config::parse and its defaults
// ---------------------------------------------------------------------------------------

#[test]
fn an_empty_file_gives_the_defaults() {
    let c = Config::parse("").unwrap();
    assert_eq!(c, Config::default());
    assert_eq!(c.data_dir, None);
    assert_eq!(
        c.security,
        Security {
            idle_lock_minutes: 15,
            session_limit_hours: 12,
            reset_code_hours: 24,
            two_factor_roles: vec![Role::Sysadmin, Role::Supervisor],
        }
    );
    assert_eq!(c.database, Database { cache_mib: 64 });
    assert_eq!(Config::parse("# only a comment\n\n").unwrap(), c);
    let s = c.settings();
    assert_eq!(s.reset_code_hours, 24);
    assert_eq!(s.session_limit_hours, 12);
    assert_eq!(s.db.cache_mib, 64);
}

#[test]
fn every_key_is_read() {
    let c = Config::parse(
        r#"
# The office server
data_dir = "/srv/pecs/data"

[security]
idle_lock_minutes = 5
session_limit_hours = 8
reset_code_hours = 2
two_factor_roles = ["sysadmin"]

[database]
cache_mib = 128
"#,
    )
    .unwrap();
    assert_eq!(c.data_dir.as_deref(), Some(Path::new("/srv/pecs/data")));
    assert_eq!(c.security.idle_lock_minutes, 5);
    assert_eq!(c.security.session_limit_hours, 8);
    assert_eq!(c.security.reset_code_hours, 2);
    assert_eq!(c.database.cache_mib, 128);

    // The settings the service layer runs with follow the file.
    let s = c.settings();
    assert_eq!(s.session_limit_hours, 8);
    assert_eq!(s.reset_code_hours, 2);
    assert_eq!(s.db.cache_mib, 128);
    assert_eq!(s.two_factor_roles, [Role::Sysadmin]);
    // The KDF is not the config file's business.
    assert_eq!(s.kdf, pecs::service::Settings::default().kdf);
}

#[test]
fn a_table_may_be_partial() {
    let c = Config::parse("[security]\nreset_code_hours = 48\n").unwrap();
    assert_eq!(c.security.reset_code_hours, 48);
    assert_eq!(c.security.idle_lock_minutes, 15);
    assert_eq!(c.security.session_limit_hours, 12);
    assert_eq!(c.database.cache_mib, 64);
}

#[test]
fn the_limits_are_inclusive() {
    for ok in [
        "[security]\nidle_lock_minutes = 1\n",
        "[security]\nidle_lock_minutes = 1440\n",
        "[security]\nsession_limit_hours = 1\n",
        "[security]\nsession_limit_hours = 24\n",
        "[security]\nreset_code_hours = 1\n",
        "[security]\nreset_code_hours = 72\n",
        "[database]\ncache_mib = 2\n",
        "[database]\ncache_mib = 4096\n",
    ] {
        assert!(Config::parse(ok).is_ok(), "{ok:?}: {:?}", Config::parse(ok));
    }
    for (bad, key) in [
        (
            "[security]\nidle_lock_minutes = 1441\n",
            "idle_lock_minutes",
        ),
        (
            "[security]\nsession_limit_hours = 25\n",
            "session_limit_hours",
        ),
        ("[security]\nreset_code_hours = 73\n", "reset_code_hours"),
        ("[database]\ncache_mib = 4097\n", "cache_mib"),
        ("[database]\ncache_mib = 0\n", "cache_mib"),
    ] {
        let e = Config::parse(bad).unwrap_err();
        assert!(e.contains(key), "{bad:?}: {e}");
    }
}

#[test]
fn data_dir_comes_from_the_flag_then_the_file_then_the_default() {
    let file = Config::parse("data_dir = \"/srv/pecs/data\"\n").unwrap();
    let flag = Path::new("/tmp/flag-data");
    assert_eq!(file.data_dir(Some(flag)), flag);
    assert_eq!(file.data_dir(None), Path::new("/srv/pecs/data"));
    let default = Config::default().data_dir(None);
    assert!(default.ends_with("pecs"), "{}", default.display());
    assert_ne!(default, Path::new("/srv/pecs/data"));
}

#[test]
fn load_reads_an_explicit_file_and_reports_a_missing_or_bad_one() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.toml");
    fs::write(&good, "[security]\nidle_lock_minutes = 3\n").unwrap();
    assert_eq!(
        Config::load(Some(&good))
            .unwrap()
            .security
            .idle_lock_minutes,
        3
    );

    let absent = tmp.path().join("absent.toml");
    match Config::load(Some(&absent)) {
        Err(e @ ConfigError::Read { .. }) => {
            let m = e.to_string();
            assert!(
                m.starts_with(&format!(
                    "Cannot read the config file {}: ",
                    absent.display()
                )),
                "{m}"
            );
        }
        other => panic!("expected a read error, got {other:?}"),
    }

    let bad = folder().join("unknown_key.toml");
    match Config::load(Some(&bad)) {
        Err(e @ ConfigError::Invalid { .. }) => {
            let m = e.to_string();
            assert!(
                m.starts_with(&format!("The config file {} is not valid: ", bad.display())),
                "{m}"
            );
            assert!(
                m.contains("session_limt_hours") && m.contains("line 4"),
                "{m}"
            );
        }
        other => panic!("expected an invalid-file error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// The binary
// ---------------------------------------------------------------------------------------

#[test]
fn the_binary_refuses_every_invalid_config_with_exit_1_and_one_sentence() {
    let sb = Sandbox::new();
    let data = sb.path("data");
    sb.init(&data);
    let before = snapshot(&data);
    let stdin = format!("{ADMIN_PW}\n");

    let mut wrong = BTreeMap::new();
    for (name, _, wanted) in INVALID {
        let file = folder().join(name);
        // Everything else about the command is right: only the config is at fault.
        let r = sb.run(
            &[
                "--config",
                s(&file),
                "--data-dir",
                s(&data),
                "--user",
                ADMIN,
                "--password-stdin",
                "audit",
                "verify",
            ],
            Some(&stdin),
        );
        // The same message as Config::parse gives, after the file's name.
        let prefix = format!("pecs: The config file {} is not valid: ", file.display());
        let expected = format!("{prefix}{}\n", Config::parse(&read(name)).expect_err(name));
        let message = r.stderr.strip_prefix(&prefix).unwrap_or_default();
        let problems: Vec<String> = [
            (r.code != Some(1)).then(|| format!("exit {:?}", r.code)),
            (!r.stdout.is_empty()).then(|| format!("stdout {:?}", r.stdout)),
            (r.stderr != expected).then(|| format!("stderr {:?}", r.stderr)),
            (r.stderr.lines().count() != 1).then(|| "more than one line".to_owned()),
            Some(missing(message, wanted))
                .filter(|m| !m.is_empty())
                .map(|m| format!("{message:?} lacks {m:?}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !problems.is_empty() {
            wrong.insert(*name, problems);
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // A refused config touches nothing in the data dir, not even the log.
    assert!(snapshot(&data) == before, "the data dir changed");

    // The same command without the bad config works.
    let r = sb.run(
        &[
            "--data-dir",
            s(&data),
            "--user",
            ADMIN,
            "--password-stdin",
            "audit",
            "verify",
        ],
        Some(&stdin),
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

#[test]
fn the_binary_reports_a_missing_config_file() {
    let sb = Sandbox::new();
    let absent = sb.path("absent.toml");
    let r = sb.run(
        &[
            "--config",
            s(&absent),
            "--data-dir",
            s(&sb.path("data")),
            "audit",
            "verify",
        ],
        None,
    );
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.starts_with(&format!(
            "pecs: Cannot read the config file {}: ",
            absent.display()
        )),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(!sb.path("data").exists());
}

/// A bad `[keys]` table is refused before the terminal UI takes the screen, with a
/// sentence naming the action or the key.
#[test]
fn the_ui_refuses_bad_key_bindings_with_one_sentence() {
    let sb = Sandbox::new();
    let data = sb.path("data");
    sb.init(&data);
    let cases = [
        (
            "[keys]\nfrobnicate = \"z\"\n",
            "unknown action \"frobnicate\"",
        ),
        ("[keys]\nquit = \"Ctrl-\"\n", "quit: \"Ctrl-\" is not a key"),
        ("[keys]\nhelp = \"q\"\n", "both use the key q"),
        ("[keys]\nquit = []\n", "quit needs at least one key"),
    ];
    for (text, wanted) in cases {
        let config = sb.path("keys.toml");
        fs::write(&config, text).unwrap();
        let r = sb.run(&["--config", s(&config), "--data-dir", s(&data)], None);
        assert_eq!(r.code, Some(1), "{text}: {}", r.stderr);
        assert!(r.stderr.contains(wanted), "{text}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(
            !r.stdout.contains("\x1b[?1049h"),
            "the screen was never taken over"
        );
    }
}

#[test]
fn a_valid_config_works_and_its_data_dir_is_used() {
    let sb = Sandbox::new();
    let data = sb.path("data");
    sb.init(&data);
    let config = sb.path("pecs.toml");
    fs::write(
        &config,
        format!(
            "# PECS on the office server\ndata_dir = \"{}\"\n\n[security]\nidle_lock_minutes = 10\nsession_limit_hours = 8\nreset_code_hours = 12\ntwo_factor_roles = []\n\n[database]\ncache_mib = 32\n",
            data.display()
        ),
    )
    .unwrap();
    let stdin = format!("{ADMIN_PW}\n");

    // No --data-dir: the file's data_dir is the one used.
    let r = sb.run(
        &[
            "--config",
            s(&config),
            "--user",
            ADMIN,
            "--password-stdin",
            "audit",
            "verify",
        ],
        Some(&stdin),
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.starts_with("Audit log intact: "), "{}", r.stdout);
    assert_eq!(r.stderr, "");

    // The option after the subcommand, too; and --data-dir wins over the file.
    let other = sb.path("other");
    let r = sb.run(
        &[
            "audit",
            "verify",
            "--config",
            s(&config),
            "--data-dir",
            s(&other),
            "--user",
            ADMIN,
            "--password-stdin",
        ],
        Some(&stdin),
    );
    assert_eq!(r.code, Some(1));
    assert_eq!(
        r.stderr,
        format!(
            "pecs: No PECS installation was found in {}: run `pecs init` first.\n",
            other.display()
        )
    );
}
