-- Core schema: installation facts, organisations, users, sessions, the audit log.
-- Never edit a landed migration: add the next number instead.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

CREATE TABLE orgs (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('internal', 'client')),
    created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX orgs_one_internal ON orgs (kind) WHERE kind = 'internal';

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    org_id               INTEGER NOT NULL REFERENCES orgs (id),
    role                 TEXT NOT NULL CHECK (role IN ('sysadmin', 'supervisor', 'caseworker',
                             'general_admin', 'client_admin', 'client_user')),
    enabled              INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    must_change_password INTEGER NOT NULL DEFAULT 1 CHECK (must_change_password IN (0, 1)),
    expires_at           INTEGER,
    created_at           INTEGER NOT NULL,
    last_login_at        INTEGER,
    last_login_from      TEXT
) STRICT;
CREATE INDEX users_org ON users (org_id);

CREATE TRIGGER users_never_deleted BEFORE DELETE ON users
BEGIN
    SELECT RAISE(ABORT, 'users are disabled, never deleted');
END;

CREATE TRIGGER orgs_never_deleted BEFORE DELETE ON orgs
BEGIN
    SELECT RAISE(ABORT, 'organisations are never deleted');
END;

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    started_at   INTEGER NOT NULL,
    origin       TEXT NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    ended_at     INTEGER,
    end_reason   TEXT
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id, started_at);

CREATE TABLE audit (
    seq          INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    session_id   TEXT,
    actor_id     INTEGER,
    actor_name   TEXT,
    actor_role   TEXT,
    actor_org    TEXT,
    action       TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_id    TEXT,
    target_label TEXT,
    origin       TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    detail       TEXT NOT NULL,
    hash         BLOB NOT NULL
) STRICT;
CREATE INDEX audit_actor ON audit (actor_id, at);
CREATE INDEX audit_target ON audit (target_kind, target_id, at);
CREATE INDEX audit_action ON audit (action, at);

CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
