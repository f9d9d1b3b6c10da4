-- The key ring (pecs.keys, plain SQLite): key slots, login throttling and sealed
-- failed-login records. Nothing here is readable personal data.
-- Never edit a landed migration: add the next number instead.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

CREATE TABLE slots (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('user', 'reset', 'service', 'recovery')),
    -- keyed hash of the user name: user and reset slots only, at most one per name
    name_hash  BLOB UNIQUE,
    kdf        TEXT,
    salt       BLOB NOT NULL,
    nonce      BLOB NOT NULL,
    wrapped    BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    CHECK ((kind IN ('user', 'reset')) = (name_hash IS NOT NULL))
) STRICT;

CREATE TABLE throttle (
    name_hash       BLOB PRIMARY KEY,
    consecutive     INTEGER NOT NULL,
    locked_until    INTEGER NOT NULL,
    window_start    INTEGER NOT NULL,
    window_failures INTEGER NOT NULL
) STRICT;

CREATE TABLE failed_logins (
    id     INTEGER PRIMARY KEY,
    sealed BLOB NOT NULL
) STRICT;
