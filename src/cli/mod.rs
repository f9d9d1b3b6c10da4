//! The command line (DESIGN.md §5): clap definitions and the non-interactive commands.
//! Exit status: 0 success, 1 failure with one sentence on stderr, 2 usage error.
//! Everything goes through the service layer.

mod backup;
mod paper;
mod report;
mod retention;

use crate::config::Config;
use crate::service::Password;
use crate::service::{
    self, Pecs, ServiceError, Session, audit, demo, install::InitRequest, instructions, slots,
    users,
};
use crate::tui::keymap::Keymap;
use crate::tui::terminal::TerminalGuard;
use crate::tui::theme::Theme;
use crate::tui::{App, UiOptions};
use clap::{Parser, Subcommand};
use std::io::BufRead;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "pecs",
    version,
    about = "PECS case system: encrypted, audited, keyboard-driven"
)]
pub struct Cli {
    /// The data directory (default: the platform data dir, `…/pecs`).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The config file (TOML).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Act as this user (with --password-stdin for scripts).
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,
    /// Read the password (then, if needed, the two-factor code) from standard input.
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// Act as the unattended service principal with this 32-byte key file.
    #[arg(long, global = true, value_name = "FILE")]
    pub service_key: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new data dir, key ring and the first sysadmin.
    Init {
        /// User name of the first sysadmin.
        #[arg(long, value_name = "NAME")]
        admin: String,
        /// The agency's name, shown as the internal organisation.
        #[arg(long, value_name = "NAME", default_value = "Penham Excel")]
        org_name: String,
    },
    /// Seed a marked demo installation, print its logins and open the UI. Without
    /// --data-dir it uses its own folder, never the real data dir.
    Demo {
        /// Print the logins and stop; do not open the terminal UI.
        #[arg(long)]
        no_tui: bool,
        /// How many demo cases to seed (a new demo only).
        #[arg(long, default_value_t = 500, value_name = "N")]
        cases: usize,
    },
    /// Client instructions from CSV: all rows or none.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Cases the caller may see, as CSV or JSON on standard output.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Service key files for the unattended jobs (backup, verify, health).
    ServiceKey {
        #[command(subcommand)]
        command: ServiceKeyCommand,
    },
    /// Recovery codes for the office safe.
    RecoveryCode {
        #[command(subcommand)]
        command: RecoveryCodeCommand,
    },
    /// With a recovery code: issue a one-time reset code for a sysadmin account.
    Recover {
        /// The sysadmin account to get back into.
        #[arg(long, value_name = "NAME")]
        sysadmin: String,
    },
    /// Activity reports for scheduled jobs (CSV or JSON on standard output).
    Report {
        #[command(subcommand)]
        command: report::ReportCommand,
    },
    /// The paper register: filing units, key holders, items, movements, destruction.
    Paper {
        #[command(subcommand)]
        command: paper::PaperCommand,
    },
    /// Subject access requests: log one, list the open ones, export what is held.
    SubjectAccess {
        #[command(subcommand)]
        command: paper::SubjectAccessCommand,
    },
    /// The retention review: closed cases, their retention dates, holds and destruction.
    Retention {
        #[command(subcommand)]
        command: retention::RetentionCommand,
    },
    /// Encrypted, verified backups to every configured destination.
    Backup {
        #[command(subcommand)]
        command: backup::BackupCommand,
    },
    /// A new data dir from a backup (verified before and after; needs the service key).
    Restore {
        backup_dir: PathBuf,
        /// The new data dir; it must not exist or must be empty.
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Backup health in the monitoring-plugin convention: exit 0 OK, 1 WARNING,
    /// 2 CRITICAL, 3 UNKNOWN.
    Health {
        /// The same facts as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// One new case per row (header: client_ref, case_type, subject_name, subject_dob,
    /// subject_address, due_date, notes; any order).
    Cases {
        file: PathBuf,
        /// The client organisation's code, e.g. HARLOW.
        #[arg(long, value_name = "CODE")]
        client: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    Cases {
        #[arg(long, value_name = "CODE")]
        client: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and compare it with the checkpoint; exit 0 only if intact.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum ServiceKeyCommand {
    /// Write a new service key file (mode 0600).
    Create {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RecoveryCodeCommand {
    /// Create a recovery code and show it once, to be printed and locked away.
    Create,
}

/// Why a command failed: one sentence, a refused import's list of problems, or (health)
/// an exit status whose reason is already on standard output.
enum Failure {
    Sentence(String),
    Refused(Vec<String>),
    Status(u8),
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::ImportRefused(problems) => Failure::Refused(problems),
            other => Failure::Sentence(other.to_string()),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Sentence(format!("Input or output failed: {e}."))
    }
}

pub fn run(cli: Cli) -> ExitCode {
    match dispatch(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Sentence(sentence)) => {
            tracing::warn!(%sentence, "command failed");
            eprintln!("pecs: {sentence}");
            ExitCode::from(1)
        }
        Err(Failure::Refused(problems)) => {
            // A refused import: one sentence, then every problem, one a line.
            eprintln!("pecs: The file was not imported: nothing was changed. Problems:");
            for p in &problems {
                eprintln!("  {p}");
            }
            ExitCode::from(1)
        }
        Err(Failure::Status(code)) => ExitCode::from(code),
    }
}

fn dispatch(cli: &Cli) -> Result<(), Failure> {
    let config =
        Config::load(cli.config.as_deref()).map_err(|e| Failure::Sentence(e.to_string()))?;
    let dir = match &cli.command {
        Some(Command::Demo { .. }) => cli.data_dir.clone().unwrap_or_else(demo_dir),
        _ => config.data_dir(
            cli.data_dir
                .clone()
                .or_else(|| std::env::var_os("PECS_DATA_DIR").map(PathBuf::from))
                .as_deref(),
        ),
    };
    let pecs = Pecs::new(&dir, config.settings());
    if pecs.is_installed() && !matches!(cli.command, Some(Command::Init { .. })) {
        init_logging(&pecs.paths.log);
    }
    let Some(command) = &cli.command else {
        return run_ui(pecs, &config);
    };
    match command {
        Command::Init { admin, org_name } => {
            let password = read_new_password(cli.password_stdin)?;
            let req = InitRequest {
                admin,
                password: &password,
                org_name,
                demo: false,
            };
            pecs.init(&req, audit::current_origin())?;
            println!(
                "Created a new PECS installation in {} with sysadmin {}.",
                dir.display(),
                service::auth::normalise_username(admin)
            );
            Ok(())
        }
        Command::Demo { no_tui, cases } => {
            if pecs.is_installed() {
                if !demo::is_marked_demo(&pecs)? {
                    return Err(Failure::Sentence(format!(
                        "{} holds real data, not a demo: give another --data-dir.",
                        dir.display()
                    )));
                }
                println!("Reopened the demo data in {}.", dir.display());
            } else {
                demo::create(&pecs, audit::current_origin())?;
                demo::seed_cases(&pecs, *cases, audit::current_origin())?;
                println!("Created demo data in {}.", dir.display());
            }
            print_demo_logins();
            if *no_tui {
                Ok(())
            } else {
                run_ui(pecs, &config)
            }
        }
        Command::Import {
            command: ImportCommand::Cases { file, client },
        } => {
            let bytes = std::fs::read(file)
                .map_err(|e| Failure::Sentence(format!("Cannot read {}: {e}.", file.display())))?;
            with_session(cli, &pecs, |s| {
                match instructions::import_csv(s, client, &bytes) {
                    Ok(done) => {
                        let (first, last) = (done.references.first(), done.references.last());
                        println!(
                            "Imported {} case{} for {}: {} to {}.",
                            done.references.len(),
                            if done.references.len() == 1 { "" } else { "s" },
                            done.client,
                            first.map_or("", String::as_str),
                            last.map_or("", String::as_str)
                        );
                        Ok(())
                    }
                    Err(e) => Err(e.into()),
                }
            })
        }
        Command::Export {
            command: ExportCommand::Cases { client, format },
        } => with_session(cli, &pecs, |s| {
            let format = match format {
                ExportFormat::Csv => instructions::Format::Csv,
                ExportFormat::Json => instructions::Format::Json,
            };
            write_out(&instructions::export(s, client, format)?)
        }),
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let report = match &backup::service_key(cli) {
                Some(key) if cli.user.is_none() => {
                    audit::verify_as_service(&pecs.open_as_service(key, audit::current_origin())?)?
                }
                _ => {
                    let session = login(cli, &pecs)?;
                    let report = audit::verify(&session);
                    session.logout()?;
                    report?
                }
            };
            match (&report.problem, &report.checkpoint) {
                (None, Some((seq, hash))) => {
                    println!(
                        "Audit log intact: {} events; checkpoint event {seq} matched (hash {}…).",
                        report.events,
                        &hash[..16.min(hash.len())]
                    );
                    Ok(())
                }
                (None, None) => {
                    println!(
                        "Audit log intact: {} events; no checkpoint yet.",
                        report.events
                    );
                    Ok(())
                }
                (Some(problem), _) => Err(Failure::Sentence(format!(
                    "Audit log verification FAILED. {problem}"
                ))),
            }
        }
        Command::ServiceKey {
            command: ServiceKeyCommand::Create { out },
        } => with_session(cli, &pecs, |s| {
            let slot = slots::create_service_key(s, out)?;
            println!(
                "Wrote service key {} (slot {}). Keep it readable by the pecs account only.",
                out.display(),
                slot.id
            );
            Ok(())
        }),
        Command::RecoveryCode {
            command: RecoveryCodeCommand::Create,
        } => with_session(cli, &pecs, |s| {
            let (slot, code) = slots::create_recovery_code(s)?;
            println!(
                "Recovery code (slot {}), shown once: print it and lock it in the safe.",
                slot.id
            );
            println!("{}", code.expose());
            Ok(())
        }),
        Command::Recover { sysadmin } => {
            let code = read_secret(cli.password_stdin, "Recovery code: ")?;
            let issued = pecs.recover(&code, sysadmin, audit::current_origin())?;
            print_issued(&issued);
            Ok(())
        }
        Command::Backup { command } => backup::dispatch(cli, &pecs, command),
        Command::Report { command } => report::dispatch(cli, &pecs, command),
        Command::Retention { command } => retention::dispatch(cli, &pecs, command),
        Command::Paper { command } => paper::paper(cli, &pecs, command),
        Command::SubjectAccess { command } => paper::subject_access(cli, &pecs, command),
        Command::Restore { backup_dir, to } => backup::restore(cli, backup_dir, to),
        Command::Health { json } => backup::health(&pecs, *json),
    }
}

/// Write a command's output; a reader that stopped early (`| head`) is not a failure.
fn write_out(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// The terminal UI, on an existing installation. A bad `[keys]` table is reported
/// before the screen is taken over.
fn run_ui(pecs: Pecs, config: &Config) -> Result<(), Failure> {
    if !pecs.is_installed() {
        return Err(ServiceError::NotInstalled(pecs.paths.dir.display().to_string()).into());
    }
    let keymap = Keymap::with_overrides(&config.keys).map_err(|e| {
        Failure::Sentence(format!("The config file's key bindings are not valid: {e}"))
    })?;
    let options = UiOptions {
        keymap,
        theme: Theme::from_env(),
        idle_lock_ms: i64::from(config.security.idle_lock_minutes) * 60_000,
    };
    let mut guard = TerminalGuard::enter()?;
    App::new(pecs, options).run(&mut guard.terminal)?;
    Ok(())
}

/// The demo's own folder, beside (never inside) the real data dir.
fn demo_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "pecs-demo")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("pecs-demo"))
}

fn print_demo_logins() {
    println!(
        "DEMO DATA. Every account's password is {}",
        demo::DEMO_PASSWORD
    );
    println!("  {:<18} {:<14} organisation", "user", "role");
    println!("  {:<18} {:<14} PE", demo::SYSADMIN, "sysadmin");
    for (user, _, role, org) in demo::ACCOUNTS {
        println!("  {user:<18} {:<14} {org}", role.as_str());
    }
}

fn print_issued(issued: &users::IssuedCode) {
    println!(
        "One-time reset code for {}: {}\nIt works once, until {}; the password must be chosen at that login.",
        issued.username,
        issued.code.expose(),
        issued.expires_at.to_rfc3339()
    );
}

fn with_session(
    cli: &Cli,
    pecs: &Pecs,
    f: impl FnOnce(&Session) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let session = login(cli, pecs)?;
    let result = f(&session);
    session.logout()?;
    result
}

fn login(cli: &Cli, pecs: &Pecs) -> Result<Session, Failure> {
    let user = cli.user.as_deref().ok_or_else(|| {
        Failure::Sentence(
            "This command acts as a person: give --user NAME (and --password-stdin in scripts)."
                .into(),
        )
    })?;
    let password = read_secret(cli.password_stdin, "Password: ")?;
    let origin = audit::current_origin();
    let session = match pecs.login_with_code(user, &password, None, origin.clone()) {
        Err(ServiceError::CodeRequired) => {
            let code = read_secret(cli.password_stdin, "Two-factor code: ")?;
            pecs.login_with_code(user, &password, Some(code.expose()), origin)?
        }
        other => other?,
    };
    if session.info().must_change_password {
        // Logged in with a one-time code, which is now used up: choose the password here
        // (the next line of stdin, or asked twice), or the account needs another reset.
        let chosen = read_new_password(cli.password_stdin)
            .and_then(|p| service::auth::choose_password(&session, &p).map_err(Failure::from));
        if let Err(e) = chosen {
            session.logout()?;
            return Err(e);
        }
    }
    if session.info().must_enrol_two_factor {
        session.logout()?;
        return Err(Failure::Sentence(
            "This account must set up two-factor login first: log in to the terminal UI (Profile)."
                .into(),
        ));
    }
    Ok(session)
}

/// The first line of stdin, or a prompt on the terminal without echo.
fn read_secret(from_stdin: bool, prompt: &str) -> Result<Password, Failure> {
    let mut line = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line
    } else {
        rpassword::prompt_password(prompt)?
    };
    let trimmed = line.trim_end_matches(['\r', '\n']);
    let secret = Password::new(trimmed);
    zeroize::Zeroize::zeroize(&mut line);
    Ok(secret)
}

fn read_new_password(from_stdin: bool) -> Result<Password, Failure> {
    let first = read_secret(from_stdin, "New password: ")?;
    if !from_stdin {
        let again = read_secret(false, "The same password again: ")?;
        if again.expose() != first.expose() {
            return Err(Failure::Sentence(
                "The two passwords differ; nothing was changed.".into(),
            ));
        }
    }
    Ok(first)
}

/// Diagnostics go to `pecs.log` in the data dir, never to the terminal. Only for an
/// existing installation: a refused `init` must leave the folder as it was.
fn init_logging(log: &Path) {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(log);
    if let Ok(file) = file {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::sync::Mutex::new(file))
            .with_ansi(false)
            .try_init();
    }
}
