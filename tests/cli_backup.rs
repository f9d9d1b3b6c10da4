//! The backup commands of DESIGN.md §5 on the real `pecs` binary: `backup run` exits 1
//! naming a destination it could not write while the others get their verified copy;
//! `backup list | verify | prune`; `restore BACKUP_DIR --to DIR` with the service key;
//! `health [--json]` with each monitoring-plugin exit code (0 OK, 1 WARNING, 2 CRITICAL,
//! 3 UNKNOWN). These use the real Argon2id parameters, as the binary does.

use std::fs;
use std::path::{Path, PathBuf};

mod common;

use common::sandbox::{ADMIN, ADMIN_PW, Ran, Sandbox, s};

/// An installation with a service key, and a config naming `destinations` (name, path).
struct Office {
    sb: Sandbox,
    data: PathBuf,
    key: PathBuf,
}

fn office() -> Office {
    let sb = Sandbox::new();
    let data = sb.data();
    sb.init(&data);
    let key = sb.path("pecs-service-key");
    sb.as_admin(&data, &["service-key", "create", "--out", s(&key)])
        .expect(0);
    Office { sb, data, key }
}

impl Office {
    /// Replace the user config: two-factor relaxed (as the sandbox does) plus `[backup]`.
    fn configure(&self, destinations: &[(&str, &Path)]) {
        let mut toml = String::from(
            "[security]\ntwo_factor_roles = []\n\n[backup]\nwarn_after_minutes = 65\ncritical_after_minutes = 120\nmin_free_mib = 0\n",
        );
        for (name, path) in destinations {
            toml.push_str(&format!(
                "\n[[backup.destination]]\nname = \"{name}\"\npath = \"{}\"\n",
                path.display()
            ));
        }
        fs::write(self.sb.path("home/.config/pecs/config.toml"), toml).expect("config");
    }

    /// `args` as the service principal on the data dir.
    fn service(&self, args: &[&str]) -> Ran {
        let mut all = vec!["--data-dir", s(&self.data), "--service-key", s(&self.key)];
        all.extend_from_slice(args);
        self.sb.run(&all, None)
    }

    fn dir(&self, name: &str) -> PathBuf {
        let p = self.sb.path(name);
        fs::create_dir_all(&p).expect("dir");
        p
    }
}

/// The complete backups in a destination.
fn backups_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read destination")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pecs-"))
        .collect();
    names.sort();
    names
}

/// The name a backup made `minutes_ago` would have.
fn name_minutes_ago(minutes_ago: i64) -> String {
    let t = chrono::Utc::now() - chrono::Duration::minutes(minutes_ago);
    format!("pecs-{}", t.format("%Y%m%dT%H%M%SZ"))
}

#[test]
fn backup_run_exits_1_naming_the_unwritable_destination_and_the_others_get_verified_copies() {
    let o = office();
    let onsite = o.dir("backups/onsite");
    let offsite = o.dir("backups/offsite");
    fs::write(o.sb.path("plain-file"), b"x").expect("file");
    let usb = o.sb.path("plain-file").join("pecs");
    o.configure(&[("onsite", &onsite), ("usb", &usb), ("offsite", &offsite)]);

    let r = o.service(&["backup", "run"]);
    let sentence = r.failure().to_owned();
    assert!(
        sentence.starts_with("The backup pecs-")
            && sentence.contains("did not reach every destination: usb ("),
        "{sentence}"
    );
    assert!(sentence.contains(s(&usb)), "names the path: {sentence}");
    assert!(
        !sentence.contains("onsite") && !sentence.contains("offsite"),
        "{sentence}"
    );
    let name = backups_in(&onsite).pop().expect("a backup onsite");
    assert_eq!(backups_in(&offsite), std::slice::from_ref(&name));
    assert_eq!(
        r.stdout,
        format!(
            "onsite: {} verified\nusb: FAILED: {}\noffsite: {} verified\n",
            onsite.join(&name).display(),
            sentence
                .split_once("usb (")
                .and_then(|(_, rest)| rest.strip_suffix(")."))
                .expect("the reason"),
            offsite.join(&name).display()
        )
    );

    // list shows both copies verified and usb unreadable.
    let r = o.sb.run(&["backup", "list"], None);
    r.expect(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], format!("onsite ({})", onsite.display()));
    assert!(
        lines[1].starts_with(&format!("  {name}  verified ")),
        "{}",
        r.stdout
    );
    assert_eq!(lines[2], format!("usb ({})", usb.display()));
    assert!(lines[3].starts_with("  unreadable: "), "{}", r.stdout);
    assert!(
        lines[5].starts_with(&format!("  {name}  verified ")),
        "{}",
        r.stdout
    );

    // verify: the good ones verify; verifying everything fails, naming usb only.
    let r = o.service(&["backup", "verify", "--destination", "offsite"]);
    r.expect(0);
    assert_eq!(r.stdout, format!("offsite {name}: verified\n"));
    let r = o.service(&["backup", "verify", "--all"]);
    assert_eq!(r.failure(), "Verification failed for usb.");
    assert!(r.stdout.contains(&format!("onsite {name}: verified\n")));
    assert!(r.stdout.contains(&format!("offsite {name}: verified\n")));

    // As a sysadmin, with the password, too.
    let r =
        o.sb.as_admin(&o.data, &["backup", "verify", "--destination", "onsite"]);
    r.expect(0);
    // A bad destination name is a clear failure.
    let r = o.service(&["backup", "verify", "--destination", "nowhere"]);
    assert_eq!(
        r.failure(),
        "There is no backup destination called nowhere."
    );

    // prune keeps the only backup, and says the unreadable destination stopped it
    // pruning anything not known to be there (exit 1, for the timer's unit to show).
    let r = o.service(&["backup", "prune"]);
    assert!(
        r.failure().starts_with(
            "Some destinations could not be read, so backups not known to be there were kept: usb ("
        ),
        "{}",
        r.failure()
    );
    assert_eq!(backups_in(&onsite), std::slice::from_ref(&name));
    assert_eq!(backups_in(&offsite), [name]);
}

#[test]
fn health_exit_codes_and_json() {
    let o = office();
    // 3 UNKNOWN: no destination configured.
    o.configure(&[]);
    let r = o.sb.run(&["health"], None);
    r.expect(3);
    assert_eq!(r.stderr, "");
    assert_eq!(
        r.stdout,
        "PECS BACKUP UNKNOWN - no backup destination is configured | \n"
    );

    // 2 CRITICAL: a destination with no backup yet.
    let onsite = o.dir("backups/onsite");
    o.configure(&[("onsite", &onsite)]);
    let r = o.sb.run(&["health"], None);
    r.expect(2);
    assert!(
        r.stdout
            .starts_with("PECS BACKUP CRITICAL - onsite: no verified backup | "),
        "{}",
        r.stdout
    );

    // 0 OK: a fresh verified backup.
    o.service(&["backup", "run"]).expect(0);
    let r = o.sb.run(&["health"], None);
    r.expect(0);
    assert!(
        r.stdout.starts_with(
            "PECS BACKUP OK - onsite: newest verified backup 0 min old | 'onsite_age'="
        ),
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.lines().count(), 1);
    let made = backups_in(&onsite).pop().expect("a backup");

    // 1 WARNING: the newest verified backup is 90 minutes old (warn 65, critical 120).
    let older = name_minutes_ago(90);
    fs::rename(onsite.join(&made), onsite.join(&older)).expect("rename");
    let r = o.sb.run(&["health"], None);
    r.expect(1);
    assert_eq!(r.stderr, "");
    assert!(
        r.stdout.starts_with(
            "PECS BACKUP WARNING - onsite: newest verified backup 90 min old | 'onsite_age'=54"
        ) && r.stdout.contains("s;3900;7200;0"),
        "{}",
        r.stdout
    );

    // 2 CRITICAL: three hours old; the JSON says the same facts.
    let oldest = name_minutes_ago(180);
    fs::rename(onsite.join(&older), onsite.join(&oldest)).expect("rename");
    let r = o.sb.run(&["health"], None);
    r.expect(2);
    assert!(
        r.stdout
            .starts_with("PECS BACKUP CRITICAL - onsite: newest verified backup 3 h old |"),
        "{}",
        r.stdout
    );
    let r = o.sb.run(&["health", "--json"], None);
    r.expect(2);
    assert_eq!(r.stderr, "");
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON on stdout");
    assert_eq!(json["status"], "CRITICAL");
    assert_eq!(json["summary"], "onsite: newest verified backup 3 h old");
    let d = &json["destinations"][0];
    assert_eq!(d["name"], "onsite");
    assert_eq!(d["path"], s(&onsite));
    assert_eq!(d["backups"], 1);
    assert_eq!(d["newest_verified"], oldest.as_str());
    let age = d["newest_verified_age_seconds"].as_i64().expect("age");
    assert!((180 * 60..180 * 60 + 60).contains(&age), "{age}");
    assert!(d["error"].is_null() && d["failed_verification"].is_null());

    // 2 CRITICAL: an unreadable destination beside a fresh one.
    o.service(&["backup", "run"]).expect(0);
    fs::write(o.sb.path("plain-file"), b"x").expect("file");
    let usb = o.sb.path("plain-file").join("pecs");
    o.configure(&[("onsite", &onsite), ("usb", &usb)]);
    let r = o.sb.run(&["health", "--json"], None);
    r.expect(2);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(json["status"], "CRITICAL");
    assert!(json["destinations"][1]["error"].is_string(), "{json}");
    assert!(
        json["summary"]
            .as_str()
            .expect("summary")
            .starts_with("onsite: newest verified backup 0 min old; usb: "),
        "{json}"
    );

    // 0 again with the fresh backup alone.
    o.configure(&[("onsite", &onsite)]);
    o.sb.run(&["health"], None).expect(0);
    let r = o.sb.run(&["health", "--json"], None);
    r.expect(0);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(json["status"], "OK");
    assert_eq!(json["destinations"][0]["backups"], 2);
}

#[test]
fn restore_with_the_service_key_into_a_new_dir_and_never_over_a_used_one() {
    let o = office();
    let onsite = o.dir("backups/onsite");
    o.configure(&[("onsite", &onsite)]);
    o.service(&["backup", "run"]).expect(0);
    let name = backups_in(&onsite).pop().expect("a backup");
    let backup = onsite.join(&name);

    // Over the live data dir: refused, one sentence.
    let r = o.sb.run(
        &[
            "--service-key",
            s(&o.key),
            "restore",
            s(&backup),
            "--to",
            s(&o.data),
        ],
        None,
    );
    assert_eq!(
        r.failure(),
        format!(
            "{} already exists and is not empty: restore into a new directory.",
            o.data.display()
        )
    );
    // Without the service key: refused.
    let to = o.sb.path("restored");
    let r = o.sb.run(&["restore", s(&backup), "--to", s(&to)], None);
    assert_eq!(
        r.failure(),
        "A restore opens the backup with the service key: give --service-key FILE."
    );
    assert!(!to.exists());

    let r = o.sb.run(
        &[
            "--service-key",
            s(&o.key),
            "restore",
            s(&backup),
            "--to",
            s(&to),
        ],
        None,
    );
    r.expect(0);
    assert!(
        r.stdout
            .starts_with(&format!("Restored {name} to {} in ", to.display()))
            && r.stdout.contains(" s; verified before and after, ")
            && r.stdout.ends_with(" audit events intact.\n"),
        "{}",
        r.stdout
    );
    // The restored installation: the sysadmin logs in with their password.
    intact_as_admin(&o.sb, &to);
}

/// `--to data`: a relative path of one component (whose parent is the empty path).
#[test]
fn restore_to_a_relative_dir() {
    let o = office();
    let onsite = o.dir("backups/onsite");
    o.configure(&[("onsite", &onsite)]);
    o.service(&["backup", "run"]).expect(0);
    let name = backups_in(&onsite).pop().expect("a backup");
    let work = o.dir("work");
    let mut cmd = o.sb.cmd();
    cmd.current_dir(&work).args([
        "--service-key",
        s(&o.key),
        "restore",
        s(&onsite.join(&name)),
        "--to",
        "restored",
    ]);
    let r = common::sandbox::run(cmd, None);
    r.expect(0);
    assert!(
        r.stdout.starts_with(&format!(
            "Restored {name} to {} in ",
            work.join("restored").display()
        )),
        "{}",
        r.stdout
    );
    assert_eq!(
        fs::read_dir(&work).expect("work").count(),
        1,
        "only the restored dir, no staging left"
    );
    intact_as_admin(&o.sb, &work.join("restored"));
}

#[track_caller]
fn intact_as_admin(sb: &Sandbox, dir: &Path) {
    let r = sb.verify(dir, ADMIN, ADMIN_PW);
    r.expect(0);
    assert!(r.stdout.starts_with("Audit log intact: "), "{}", r.stdout);
}

#[test]
fn under_systemd_the_service_key_comes_from_the_credentials_directory() {
    let o = office();
    let onsite = o.dir("backups/onsite");
    o.configure(&[("onsite", &onsite)]);
    let creds = o.dir("credentials");
    fs::copy(&o.key, creds.join("pecs-service-key")).expect("credential");
    let mut cmd = o.sb.cmd();
    cmd.env("CREDENTIALS_DIRECTORY", &creds)
        .args(["--data-dir", s(&o.data), "backup", "run"]);
    let r = common::sandbox::run(cmd, None);
    r.expect(0);
    assert_eq!(backups_in(&onsite).len(), 1, "{}", r.stdout);
    // Without the credential and without a person, it says what it needs.
    let r = o.sb.run(&["--data-dir", s(&o.data), "backup", "run"], None);
    assert!(r.failure().contains("--user NAME"), "{}", r.failure());
}
