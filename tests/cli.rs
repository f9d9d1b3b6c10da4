//! The command line contract of DESIGN.md §5, run on the real `pecs` binary: init, audit
//! verify as a person and as the service principal, global options, exit codes (0
//! success, 1 failure with one sentence on stderr, 2 usage error) and `pecs demo`.
//! These use the real Argon2id parameters, as the binary does.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

mod common;

use common::sandbox::{ADMIN, ADMIN_PW, Ran, Sandbox, run, s, snapshot};
const DEMO_PW: &str = "demo-pass-PECS-2026";
const GENERIC: &str = "pecs: Login failed: the user name or password is not correct.\n";

fn mode(p: &Path) -> u32 {
    fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

fn names(dir: &Path) -> Vec<String> {
    snapshot(dir).into_keys().collect()
}

#[track_caller]
fn assert_private(dir: &Path) {
    assert_eq!(mode(dir), 0o700, "mode of {}", dir.display());
    for name in names(dir) {
        let p = dir.join(&name);
        assert_eq!(mode(&p), 0o600, "mode of {name}");
    }
}

/// "Audit log intact: N events; checkpoint event S matched (hash 16-hex…)."; returns (N, S).
#[track_caller]
fn intact(r: &Ran) -> (i64, i64) {
    r.expect(0);
    let line = r.stdout.trim_end();
    assert_eq!(r.stdout.lines().count(), 1, "{:?}", r.stdout);
    let rest = line
        .strip_prefix("Audit log intact: ")
        .unwrap_or_else(|| panic!("{line:?}"));
    let (events, rest) = rest.split_once(" events; checkpoint event ").expect(line);
    let (seq, rest) = rest.split_once(" matched (hash ").expect(line);
    let hash = rest.strip_suffix("…).").expect(line);
    assert_eq!(hash.len(), 16, "{line:?}");
    assert!(
        hash.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "{line:?}"
    );
    (events.parse().expect(line), seq.parse().expect(line))
}

// ---------------------------------------------------------------------------------------
// init
// ---------------------------------------------------------------------------------------

#[test]
fn init_creates_a_private_data_dir_with_private_files() {
    let sb = Sandbox::new();
    let data = sb.data();
    let r = sb.run(
        &[
            "--data-dir",
            s(&data),
            "init",
            "--admin",
            ADMIN,
            "--password-stdin",
        ],
        Some(&format!("{ADMIN_PW}\n")),
    );
    r.expect(0);
    assert_eq!(
        r.stdout,
        format!(
            "Created a new PECS installation in {} with sysadmin {ADMIN}.\n",
            data.display()
        )
    );
    let files = names(&data);
    assert!(files.contains(&"pecs.db".to_owned()), "{files:?}");
    assert!(files.contains(&"pecs.keys".to_owned()), "{files:?}");
    assert_private(&data);

    // Later commands (which add the log file and the database's side files) keep it so.
    intact(&sb.verify(&data, ADMIN, ADMIN_PW));
    assert_private(&data);
}

#[test]
fn init_tightens_an_existing_empty_dir_to_0700() {
    let sb = Sandbox::new();
    let data = sb.data();
    fs::create_dir(&data).unwrap();
    fs::set_permissions(&data, fs::Permissions::from_mode(0o755)).unwrap();
    sb.init(&data);
    assert_private(&data);
}

#[test]
fn a_second_init_exits_1_and_changes_nothing() {
    let sb = Sandbox::new();
    let data = sb.data();
    sb.init(&data);
    intact(&sb.verify(&data, ADMIN, ADMIN_PW));
    let before = snapshot(&data);

    for (admin, password) in [
        (ADMIN, ADMIN_PW),
        ("other.admin", "a different strong passphrase 31"),
    ] {
        let r = sb.run(
            &[
                "--data-dir",
                s(&data),
                "init",
                "--admin",
                admin,
                "--password-stdin",
            ],
            Some(&format!("{password}\n")),
        );
        assert_eq!(
            r.failure(),
            format!(
                "{} already holds a PECS installation; nothing was changed.",
                data.display()
            )
        );
        assert_eq!(r.stdout, "");
    }
    // Every file byte for byte the same, and no file more (not even a log line).
    assert!(snapshot(&data) == before, "the data dir changed");
    assert_eq!(names(&data), before.keys().cloned().collect::<Vec<_>>());

    // The first sysadmin is still the one; the second name never came to be.
    intact(&sb.verify(&data, ADMIN, ADMIN_PW));
    assert_eq!(
        sb.verify(&data, "other.admin", "a different strong passphrase 31")
            .failure(),
        GENERIC.trim_end().strip_prefix("pecs: ").unwrap()
    );
}

#[test]
fn a_refused_password_leaves_no_files_and_no_directory() {
    let sb = Sandbox::new();
    let cases = [
        (
            "Sh0rt-pw!",
            "A password needs at least 12 characters (this one has 9).",
        ),
        (
            "",
            "A password needs at least 12 characters (this one has 0).",
        ),
        (
            "password1234",
            "This password is too easy to guess. This is a very common password.",
        ),
        (
            "i am sam.sysadmin, 2026!",
            "A password must not contain your user name.",
        ),
        (
            "penham excel forever 1977",
            "A password must not contain the organisation's name.",
        ),
    ];
    for (i, (password, sentence)) in cases.iter().enumerate() {
        let data = sb.path(&format!("new-{i}/data"));
        let r = sb.run(
            &[
                "--data-dir",
                s(&data),
                "init",
                "--admin",
                ADMIN,
                "--password-stdin",
            ],
            Some(&format!("{password}\n")),
        );
        assert_eq!(r.failure(), *sentence, "for {password:?}");
        assert_eq!(r.stdout, "");
        assert!(!data.exists(), "{} was left behind", data.display());
        assert!(
            !data.parent().unwrap().exists(),
            "the parent was left behind"
        );
    }

    // An existing empty dir stays, and stays empty.
    let data = sb.data();
    fs::create_dir(&data).unwrap();
    let r = sb.run(
        &[
            "--data-dir",
            s(&data),
            "init",
            "--admin",
            ADMIN,
            "--password-stdin",
        ],
        Some("password1234\n"),
    );
    r.failure();
    assert!(names(&data).is_empty(), "{:?}", names(&data));
}

#[test]
fn init_refuses_a_bad_admin_name() {
    let sb = Sandbox::new();
    let data = sb.data();
    let r = sb.run(
        &[
            "--data-dir",
            s(&data),
            "init",
            "--admin",
            "Sam Sysadmin!",
            "--password-stdin",
        ],
        Some(&format!("{ADMIN_PW}\n")),
    );
    assert_eq!(
        r.failure(),
        "A user name is 3 to 64 characters: letters a-z, digits, dot, hyphen or underscore."
    );
    assert!(!data.exists());
}

// ---------------------------------------------------------------------------------------
// audit verify as a person
// ---------------------------------------------------------------------------------------

#[test]
fn audit_verify_prints_the_event_count_and_the_checkpoint() {
    let sb = Sandbox::new();
    let data = sb.data();
    sb.init(&data);
    // init wrote two events (system.init, user.create); this login is the third.
    assert_eq!(intact(&sb.verify(&data, ADMIN, ADMIN_PW)), (3, 3));
    // Then came the verification event and the logout; this login is the sixth.
    assert_eq!(intact(&sb.verify(&data, ADMIN, ADMIN_PW)), (6, 6));
}

#[test]
fn global_options_work_after_the_subcommand_too() {
    let sb = Sandbox::new();
    let data = sb.data();
    sb.init(&data);
    let stdin = format!("{ADMIN_PW}\n");
    let orders: [&[&str]; 3] = [
        &[
            "audit",
            "verify",
            "--data-dir",
            s(&data),
            "--user",
            ADMIN,
            "--password-stdin",
        ],
        &[
            "--data-dir",
            s(&data),
            "audit",
            "--user",
            ADMIN,
            "verify",
            "--password-stdin",
        ],
        &[
            "audit",
            "--password-stdin",
            "verify",
            "--user",
            ADMIN,
            "--data-dir",
            s(&data),
        ],
    ];
    for args in orders {
        intact(&sb.run(args, Some(&stdin)));
    }
}

#[test]
fn pecs_data_dir_in_the_environment_selects_the_data_dir() {
    let sb = Sandbox::new();
    let data = sb.data();
    let stdin = format!("{ADMIN_PW}\n");

    let mut init = sb.cmd();
    init.env("PECS_DATA_DIR", &data)
        .args(["init", "--admin", ADMIN, "--password-stdin"]);
    run(init, Some(&stdin)).expect(0);
    assert_private(&data);

    let mut verify = sb.cmd();
    verify.env("PECS_DATA_DIR", &data).args([
        "--user",
        ADMIN,
        "--password-stdin",
        "audit",
        "verify",
    ]);
    intact(&run(verify, Some(&stdin)));

    // --data-dir wins over the environment.
    let elsewhere = sb.path("elsewhere");
    let mut flag_wins = sb.cmd();
    flag_wins.env("PECS_DATA_DIR", &data).args([
        "--data-dir",
        s(&elsewhere),
        "--user",
        ADMIN,
        "--password-stdin",
        "audit",
        "verify",
    ]);
    assert_eq!(
        run(flag_wins, Some(&stdin)).failure(),
        format!(
            "No PECS installation was found in {}: run `pecs init` first.",
            elsewhere.display()
        )
    );
    assert!(!elsewhere.exists());
}

#[test]
fn a_wrong_password_or_unknown_user_exits_1_with_the_generic_message() {
    let sb = Sandbox::new();
    let data = sb.data();
    sb.init(&data);
    for (user, password) in [
        (ADMIN, "not the right password 99"),
        (ADMIN, ""),
        ("nobody.here", ADMIN_PW),
    ] {
        let r = sb.verify(&data, user, password);
        r.expect(1);
        assert_eq!(r.stderr, GENERIC, "for {user}");
        assert_eq!(r.stdout, "");
    }
    intact(&sb.verify(&data, ADMIN, ADMIN_PW));
}

#[test]
fn a_command_that_acts_as_a_person_without_user_exits_1() {
    let sb = Sandbox::new();
    let data = sb.data();
    sb.init(&data);
    let r = sb.run(
        &[
            "--data-dir",
            s(&data),
            "--password-stdin",
            "audit",
            "verify",
        ],
        Some(&format!("{ADMIN_PW}\n")),
    );
    assert_eq!(
        r.failure(),
        "This command acts as a person: give --user NAME (and --password-stdin in scripts)."
    );
    assert_eq!(r.stdout, "");
}

#[test]
fn audit_verify_without_an_installation_exits_1() {
    let sb = Sandbox::new();
    let data = sb.data();
    let r = sb.verify(&data, ADMIN, ADMIN_PW);
    assert_eq!(
        r.failure(),
        format!(
            "No PECS installation was found in {}: run `pecs init` first.",
            data.display()
        )
    );
    assert!(!data.exists());
}

#[test]
fn usage_errors_exit_2_and_touch_nothing() {
    let sb = Sandbox::new();
    let data = sb.data();
    let d = s(&data);
    let cases: [&[&str]; 8] = [
        &["--data-dir", d, "frobnicate"],
        &["--data-dir", d, "audit", "frobnicate"],
        &["--data-dir", d, "audit"],
        &["--data-dir", d, "audit", "verify", "--frobnicate"],
        &["--frobnicate", "--data-dir", d, "audit", "verify"],
        &["--data-dir", d, "audit", "verify", "surplus"],
        &["--data-dir", d, "init", "--password-stdin"],
        &["--data-dir", d, "service-key", "create"],
    ];
    for args in cases {
        let r = sb.run(args, Some(&format!("{ADMIN_PW}\n")));
        assert_eq!(r.code, Some(2), "for {args:?}: {}", r.stderr);
        assert!(!r.stderr.is_empty(), "for {args:?}: says what is wrong");
        assert_eq!(r.stdout, "", "for {args:?}");
    }
    assert!(!data.exists());
    let home: Vec<_> = walk(&sb.path("home"));
    assert_eq!(
        home,
        [sb.path("home/.config/pecs/config.toml")],
        "nothing written under HOME"
    );
}

#[test]
fn help_and_version_exit_0() {
    let sb = Sandbox::new();
    let r = sb.run(&["--help"], None);
    r.expect(0);
    for word in ["init", "demo", "audit", "service-key", "--data-dir"] {
        assert!(r.stdout.contains(word), "--help mentions {word}");
    }
    let r = sb.run(&["--version"], None);
    r.expect(0);
    assert!(r.stdout.starts_with("pecs "), "{:?}", r.stdout);
}

// ---------------------------------------------------------------------------------------
// The service key
// ---------------------------------------------------------------------------------------

#[test]
fn a_service_key_opens_audit_verify_without_a_person() {
    let sb = Sandbox::new();
    let data = sb.data();
    sb.init(&data);
    let key = sb.path("pecs-service.key");
    let r = sb.as_admin(&data, &["service-key", "create", "--out", s(&key)]);
    r.expect(0);
    assert!(
        r.stdout
            .starts_with(&format!("Wrote service key {} (slot ", key.display())),
        "{:?}",
        r.stdout
    );
    assert_eq!(fs::read(&key).unwrap().len(), 32);
    assert_eq!(mode(&key), 0o600);

    let (events, seq) = intact(&sb.verify_with_key(&data, &key));
    assert_eq!(events, seq);
    // The option after the subcommand, too.
    intact(&sb.run(
        &[
            "audit",
            "verify",
            "--service-key",
            s(&key),
            "--data-dir",
            s(&data),
        ],
        None,
    ));

    // It refuses to overwrite an existing key file.
    let bytes = fs::read(&key).unwrap();
    let r = sb.as_admin(&data, &["service-key", "create", "--out", s(&key)]);
    assert!(r.failure().starts_with("Cannot create "), "{}", r.stderr);
    assert_eq!(fs::read(&key).unwrap(), bytes);
    intact(&sb.verify_with_key(&data, &key));
}

#[test]
fn a_wrong_or_malformed_service_key_exits_1() {
    let sb = Sandbox::new();
    let data = sb.data();
    sb.init(&data);
    let wrong = sb.path("wrong.key");
    fs::write(&wrong, [7u8; 32]).unwrap();
    let r = sb.run(
        &[
            "--data-dir",
            s(&data),
            "--service-key",
            s(&wrong),
            "audit",
            "verify",
        ],
        None,
    );
    assert_eq!(r.failure(), "The key does not open this installation.");

    let short = sb.path("short.key");
    fs::write(&short, [7u8; 31]).unwrap();
    let r = sb.run(
        &[
            "--data-dir",
            s(&data),
            "--service-key",
            s(&short),
            "audit",
            "verify",
        ],
        None,
    );
    assert_eq!(
        r.failure(),
        format!(
            "{} is not a PECS service key (it must be exactly 32 bytes).",
            short.display()
        )
    );
}

// ---------------------------------------------------------------------------------------
// pecs demo
// ---------------------------------------------------------------------------------------

const DEMO_USERS: [&str; 10] = [
    "sam.sysadmin",
    "sue.supervisor",
    "steve.supervisor",
    "carl.caseworker",
    "cara.caseworker",
    "gina.admin",
    "hannah.harlow",
    "harry.harlow",
    "mia.meridian",
    "kim.kestrel",
];

#[track_caller]
fn assert_lists_the_logins(stdout: &str) {
    assert!(
        stdout.contains(&format!("DEMO DATA. Every account's password is {DEMO_PW}")),
        "{stdout}"
    );
    for user in DEMO_USERS {
        assert!(
            stdout.lines().any(|l| l.trim_start().starts_with(user)),
            "{user} is listed: {stdout}"
        );
    }
}

#[test]
fn demo_prints_the_logins_and_a_second_run_reopens_it() {
    let sb = Sandbox::new();
    let data = sb.data();
    let r = sb.run(&["demo", "--no-tui", "--data-dir", s(&data)], None);
    r.expect(0);
    assert!(
        r.stdout
            .starts_with(&format!("Created demo data in {}.\n", data.display())),
        "{}",
        r.stdout
    );
    assert_lists_the_logins(&r.stdout);
    assert_private(&data);
    let (seeded, _) = intact(&sb.verify(&data, ADMIN, DEMO_PW));

    let r = sb.run(&["demo", "--no-tui", "--data-dir", s(&data)], None);
    r.expect(0);
    assert!(
        r.stdout
            .starts_with(&format!("Reopened the demo data in {}.\n", data.display())),
        "{}",
        r.stdout
    );
    assert_lists_the_logins(&r.stdout);
    // Reopened, not seeded again (a seed writes dozens of events): since the last count
    // came only that verification, its logout and the next login, plus a login and
    // logout if the reopening checks the demo mark by logging in.
    let (events, _) = intact(&sb.verify(&data, ADMIN, DEMO_PW));
    assert!(
        (seeded + 3..=seeded + 5).contains(&events),
        "{seeded} events, then {events}"
    );

    // The printed logins work.
    intact(&sb.verify(&data, "sue.supervisor", DEMO_PW));
    // A caseworker may not verify the audit log.
    assert_eq!(
        sb.verify(&data, "carl.caseworker", DEMO_PW).failure(),
        "You do not have permission to do that."
    );
}

#[test]
fn demo_without_data_dir_uses_its_own_folder() {
    let sb = Sandbox::new();
    let r = sb.run(&["demo", "--no-tui"], None);
    r.expect(0);
    let own = sb.xdg_data().join("pecs-demo");
    assert!(
        r.stdout
            .starts_with(&format!("Created demo data in {}.\n", own.display())),
        "{}",
        r.stdout
    );
    assert!(own.join("pecs.db").is_file());
    assert!(!sb.xdg_data().join("pecs").exists(), "the real data dir");
}

/// DESIGN.md §5: without --data-dir the demo "uses its own folder, never the real data
/// dir" — and `PECS_DATA_DIR` is how the real data dir is named (§2).
#[test]
fn demo_does_not_follow_pecs_data_dir_to_the_real_data_dir() {
    let sb = Sandbox::new();
    let real = sb.path("srv/pecs");
    let mut cmd = sb.cmd();
    cmd.env("PECS_DATA_DIR", &real).args(["demo", "--no-tui"]);
    let r = run(cmd, None);
    r.expect(0);
    assert!(!real.exists(), "the demo was seeded into PECS_DATA_DIR");
    assert!(sb.xdg_data().join("pecs-demo").join("pecs.db").is_file());
}

#[track_caller]
fn assert_demo_refuses(sb: &Sandbox, data: &Path) {
    let before = snapshot(data);
    let r = sb.run(&["demo", "--no-tui", "--data-dir", s(data)], None);
    let sentence = r.failure().to_owned();
    assert_eq!(
        sentence,
        format!(
            "{} holds real data, not a demo: give another --data-dir.",
            data.display()
        )
    );
    assert!(!r.stdout.contains(DEMO_PW), "no demo logins: {}", r.stdout);
    let after = snapshot(data);
    for file in ["pecs.db", "pecs.keys"] {
        assert!(before[file] == after[file], "{file} changed");
    }
}

#[test]
fn demo_refuses_a_real_data_dir_whose_sysadmin_has_another_password() {
    let sb = Sandbox::new();
    let data = sb.data();
    sb.init(&data);
    intact(&sb.verify(&data, ADMIN, ADMIN_PW));
    assert_demo_refuses(&sb, &data);
    // The real installation is as it was, and its sysadmin is not held up.
    intact(&sb.verify(&data, ADMIN, ADMIN_PW));
}

#[test]
fn demo_refuses_a_real_data_dir_without_the_demo_cast() {
    let sb = Sandbox::new();
    let data = sb.data();
    let r = sb.run(
        &[
            "--data-dir",
            s(&data),
            "init",
            "--admin",
            "root.admin",
            "--password-stdin",
        ],
        Some(&format!("{ADMIN_PW}\n")),
    );
    r.expect(0);
    assert_demo_refuses(&sb, &data);
    intact(&sb.verify(&data, "root.admin", ADMIN_PW));
}

/// Every file below `dir`, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}
