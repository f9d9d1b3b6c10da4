-- The paper register: filing units with their authorised key holders, paper items of a
-- case locked in a unit with a named key holder, their movements (checked out to whom,
-- returned), and their destruction records (method, certificate, witness, date). And the
-- log of subject access requests: received when, due when, exported when. Nothing here
-- is ever deleted.

CREATE TABLE filing_units (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE key_holders (
    unit_id INTEGER NOT NULL REFERENCES filing_units (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (unit_id, user_id)
) STRICT;

CREATE TABLE paper_items (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    description   TEXT NOT NULL,
    unit_id       INTEGER NOT NULL REFERENCES filing_units (id),
    key_holder_id INTEGER NOT NULL REFERENCES users (id),
    registered_by INTEGER NOT NULL REFERENCES users (id),
    registered_at INTEGER NOT NULL
) STRICT;
CREATE INDEX paper_items_case ON paper_items (case_id);
CREATE INDEX paper_items_unit ON paper_items (unit_id);

CREATE TABLE paper_movements (
    id             INTEGER PRIMARY KEY,
    item_id        INTEGER NOT NULL REFERENCES paper_items (id),
    checked_out_to INTEGER NOT NULL REFERENCES users (id),
    out_at         INTEGER NOT NULL,
    out_by         INTEGER NOT NULL REFERENCES users (id),
    returned_at    INTEGER,
    returned_by    INTEGER REFERENCES users (id)
) STRICT;
CREATE INDEX paper_movements_item ON paper_movements (item_id, returned_at);

CREATE TABLE paper_destructions (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL UNIQUE REFERENCES paper_items (id),
    method          TEXT NOT NULL CHECK (method IN ('cross_cut_on_site', 'confidential_waste')),
    certificate_ref TEXT NOT NULL,
    witness_id      INTEGER NOT NULL REFERENCES users (id),
    destroyed_on    TEXT NOT NULL,
    recorded_by     INTEGER NOT NULL REFERENCES users (id),
    recorded_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE subject_access_requests (
    id          INTEGER PRIMARY KEY,
    subject     TEXT NOT NULL,
    received_on TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    logged_by   INTEGER NOT NULL REFERENCES users (id),
    logged_at   INTEGER NOT NULL,
    exported_at INTEGER,
    export_path TEXT
) STRICT;

CREATE TRIGGER filing_units_never_deleted BEFORE DELETE ON filing_units
BEGIN SELECT RAISE(ABORT, 'paper records are never deleted'); END;
CREATE TRIGGER paper_items_never_deleted BEFORE DELETE ON paper_items
BEGIN SELECT RAISE(ABORT, 'paper records are never deleted'); END;
CREATE TRIGGER paper_movements_never_deleted BEFORE DELETE ON paper_movements
BEGIN SELECT RAISE(ABORT, 'paper records are never deleted'); END;
CREATE TRIGGER paper_destructions_never_deleted BEFORE DELETE ON paper_destructions
BEGIN SELECT RAISE(ABORT, 'paper records are never deleted'); END;
CREATE TRIGGER subject_access_requests_never_deleted BEFORE DELETE ON subject_access_requests
BEGIN SELECT RAISE(ABORT, 'subject access requests are never deleted'); END;
