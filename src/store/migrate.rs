//! Numbered migrations tracked by `PRAGMA user_version`. A landed migration is never
//! edited; a change is the next number.

use super::Result;
use rusqlite::Connection;

pub struct Migration {
    pub number: i64,
    pub sql: &'static str,
}

/// Migrations of `pecs.db`.
pub const CORE: &[Migration] = &[
    Migration {
        number: 1,
        sql: include_str!("migrations/0001_core.sql"),
    },
    Migration {
        number: 2,
        sql: include_str!("migrations/0002_audit_no_replace.sql"),
    },
    Migration {
        number: 3,
        sql: include_str!("migrations/0003_two_factor.sql"),
    },
    Migration {
        number: 4,
        sql: include_str!("migrations/0004_cases.sql"),
    },
    Migration {
        number: 5,
        sql: include_str!("migrations/0005_case_list_order.sql"),
    },
    Migration {
        number: 6,
        sql: include_str!("migrations/0006_audit_reports.sql"),
    },
    Migration {
        number: 7,
        sql: include_str!("migrations/0007_records.sql"),
    },
    Migration {
        number: 8,
        sql: include_str!("migrations/0008_paper_and_subject_access.sql"),
    },
    Migration {
        number: 9,
        sql: include_str!("migrations/0009_detail_history.sql"),
    },
    Migration {
        number: 10,
        sql: include_str!("migrations/0010_audit_report_order.sql"),
    },
    Migration {
        number: 11,
        sql: include_str!("migrations/0011_audit_hours.sql"),
    },
    Migration {
        number: 12,
        sql: include_str!("migrations/0012_search_secure_delete.sql"),
    },
    Migration {
        number: 13,
        sql: include_str!("migrations/0013_archive_counts.sql"),
    },
];

/// Migrations of the plain `pecs.keys` key ring.
pub const KEYRING: &[Migration] = &[Migration {
    number: 1,
    sql: include_str!("migrations/keyring_0001.sql"),
}];

pub fn run(conn: &Connection, migrations: &[Migration]) -> Result<()> {
    // One IMMEDIATE transaction, version read inside it: two processes opening at once
    // cannot both apply the same migration.
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for m in migrations.iter().filter(|m| m.number > current) {
        tx.execute_batch(m.sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", m.number))?;
    }
    tx.commit()?;
    Ok(())
}
