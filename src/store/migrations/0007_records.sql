-- Records keeping: a closed case is kept until `retain_until` (closing date + the
-- retention period, never under 6 years); legal holds stop destruction while set;
-- destruction is requested by one supervisor and decided by another, and an approval
-- redacts the personal data in place, leaving the case row as a tombstone with its
-- certificate. Nothing here is ever deleted, whoever asks.

ALTER TABLE cases ADD COLUMN retain_until TEXT;
ALTER TABLE cases ADD COLUMN destroyed_at INTEGER;
CREATE INDEX cases_retention ON cases (retain_until) WHERE retain_until IS NOT NULL;

CREATE TABLE legal_holds (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    set_by       INTEGER NOT NULL REFERENCES users (id),
    set_at       INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    cleared_by   INTEGER REFERENCES users (id),
    cleared_at   INTEGER,
    clear_reason TEXT
) STRICT;
CREATE INDEX legal_holds_case ON legal_holds (case_id, cleared_at);

CREATE TABLE destructions (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    requested_by    INTEGER NOT NULL REFERENCES users (id),
    requested_at    INTEGER NOT NULL,
    request_reason  TEXT NOT NULL,
    decided_by      INTEGER REFERENCES users (id),
    decided_at      INTEGER,
    decision        TEXT CHECK (decision IN ('approved', 'rejected')),
    decision_reason TEXT,
    certificate     TEXT UNIQUE
) STRICT;
CREATE INDEX destructions_case ON destructions (case_id);
CREATE UNIQUE INDEX destructions_one_open ON destructions (case_id) WHERE decision IS NULL;

CREATE TABLE certificate_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
) STRICT;

CREATE TRIGGER legal_holds_never_deleted BEFORE DELETE ON legal_holds
BEGIN
    SELECT RAISE(ABORT, 'legal holds are cleared, never deleted');
END;
CREATE TRIGGER destructions_never_deleted BEFORE DELETE ON destructions
BEGIN
    SELECT RAISE(ABORT, 'destruction records are never deleted');
END;
