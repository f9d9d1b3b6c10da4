-- Cases, their diary notes, documents and status history, and the full-text index.
-- Nothing here is ever deleted: notes are voided, cases destroyed only by redaction
-- (a later migration), and triggers refuse DELETE whatever the caller.

CREATE TABLE case_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
) STRICT;

CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    client_org_id   INTEGER NOT NULL REFERENCES orgs (id),
    client_ref      TEXT,
    case_type       TEXT NOT NULL CHECK (case_type IN ('trace', 'process_serving',
                        'investigation', 'debt_recovery', 'other')),
    subject_name    TEXT NOT NULL,
    subject_dob     TEXT,
    subject_address TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'active', 'on_hold',
                        'completed', 'closed')),
    priority        TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high',
                        'urgent')),
    assigned_to     INTEGER REFERENCES users (id),
    due_date        TEXT,
    opened_at       INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    updated_by      INTEGER NOT NULL REFERENCES users (id),
    completed_at    INTEGER,
    closed_at       INTEGER,
    version         INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE UNIQUE INDEX cases_client_ref ON cases (client_org_id, client_ref) WHERE client_ref IS NOT NULL;
CREATE INDEX cases_client_due ON cases (client_org_id, due_date, id);
CREATE INDEX cases_assignee_due ON cases (assigned_to, due_date, id);
CREATE INDEX cases_due ON cases (due_date, id);
CREATE INDEX cases_updated ON cases (updated_at, id);
CREATE INDEX cases_status ON cases (status, due_date, id);

CREATE TABLE case_notes (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    author_id      INTEGER NOT NULL REFERENCES users (id),
    at             INTEGER NOT NULL,
    client_visible INTEGER NOT NULL CHECK (client_visible IN (0, 1)),
    body           TEXT NOT NULL,
    voided_at      INTEGER,
    voided_by      INTEGER REFERENCES users (id),
    void_reason    TEXT
) STRICT;
CREATE INDEX case_notes_case ON case_notes (case_id, at);

CREATE TABLE case_documents (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    file_name      TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         BLOB NOT NULL,
    content        BLOB NOT NULL,
    client_visible INTEGER NOT NULL CHECK (client_visible IN (0, 1)),
    added_by       INTEGER NOT NULL REFERENCES users (id),
    added_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX case_documents_case ON case_documents (case_id, added_at);

CREATE TABLE case_status_history (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    at          INTEGER NOT NULL,
    by_user     INTEGER NOT NULL REFERENCES users (id)
) STRICT;
CREATE INDEX case_status_history_case ON case_status_history (case_id, at);

CREATE TRIGGER cases_never_deleted BEFORE DELETE ON cases
BEGIN
    SELECT RAISE(ABORT, 'case records are never deleted');
END;
CREATE TRIGGER case_notes_never_deleted BEFORE DELETE ON case_notes
BEGIN
    SELECT RAISE(ABORT, 'notes are voided, never deleted');
END;
CREATE TRIGGER case_documents_never_deleted BEFORE DELETE ON case_documents
BEGIN
    SELECT RAISE(ABORT, 'documents are never deleted');
END;
CREATE TRIGGER case_status_history_append_only BEFORE DELETE ON case_status_history
BEGIN
    SELECT RAISE(ABORT, 'status history is never deleted');
END;

-- Search over reference, client reference, subject name and address; diacritics folded
-- ("muller" finds "Müller"); prefixes of 2 and 3 characters indexed for fast prefix search.
CREATE VIRTUAL TABLE cases_fts USING fts5 (
    reference, client_ref, subject_name, subject_address,
    content = 'cases', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO cases_fts (rowid, reference, client_ref, subject_name, subject_address)
    VALUES (NEW.id, NEW.reference, NEW.client_ref, NEW.subject_name, NEW.subject_address);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF reference, client_ref, subject_name,
    subject_address ON cases
BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, reference, client_ref, subject_name, subject_address)
    VALUES ('delete', OLD.id, OLD.reference, OLD.client_ref, OLD.subject_name, OLD.subject_address);
    INSERT INTO cases_fts (rowid, reference, client_ref, subject_name, subject_address)
    VALUES (NEW.id, NEW.reference, NEW.client_ref, NEW.subject_name, NEW.subject_address);
END;
