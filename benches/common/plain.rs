//! The plain, unencrypted copy of a benchmark's database (`sqlcipher_export`) that the
//! service's figures are set beside: made again whenever the store's schema has moved
//! past it (a new migration), and opened with the store's own settings.

use pecs::crypto::DataKey;
use pecs::domain::Origin;
use pecs::service::Pecs;
use pecs::store::{Db, DbOptions, migrate};
use rusqlite::Connection;
use std::path::Path;

/// The plain copy of `pecs`'s database at `path`, made (again) if it is missing or from
/// an older schema.
pub fn copy_of(pecs: &Pecs, path: &Path, origin: Origin) -> Connection {
    let current = migrate::CORE.last().map_or(0, |m| m.number);
    if !path.exists() || schema_version(path) != current {
        let key = super::data_key::data_key_of(pecs, origin);
        export(pecs, &key, path);
    }
    open(path)
}

/// Export `pecs`'s database (migrated by opening it) to `path`, schema version included.
pub fn export(pecs: &Pecs, key: &DataKey, path: &Path) {
    let db = Db::open(&pecs.paths.db, key, DbOptions::default()).expect("open");
    let building = path.with_extension("building");
    let _ = std::fs::remove_file(&building);
    // The store opens without SQLITE_OPEN_CREATE, so ATTACH needs the file to exist.
    std::fs::File::create(&building).expect("plain copy file");
    let target = building.to_str().expect("a UTF-8 path").replace('\'', "''");
    // sqlcipher_export copies the schema and rows but not the schema version.
    let version: i64 = db
        .conn()
        .query_row("PRAGMA main.user_version", [], |r| r.get(0))
        .expect("schema version");
    db.conn()
        .execute_batch(&format!(
            "ATTACH DATABASE '{target}' AS plain KEY '';
             PRAGMA plain.cache_size = -1572864;
             SELECT sqlcipher_export('plain');
             PRAGMA plain.user_version = {version};
             DETACH DATABASE plain;"
        ))
        .expect("export a plain copy");
    std::fs::rename(&building, path).expect("plain copy in place");
}

fn schema_version(path: &Path) -> i64 {
    Connection::open(path)
        .and_then(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
        .expect("plain copy")
}

/// The copy opened as the store opens its own: WAL, `synchronous = FULL`, 64 MiB cache.
fn open(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("plain copy");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON; PRAGMA cache_size = -65536;",
    )
    .expect("pragmas");
    conn
}
