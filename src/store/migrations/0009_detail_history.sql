-- A rectification of subject data keeps the previous value: every change of the
-- subject's name, date of birth, address or the client's reference is recorded with the
-- old and new value, by a trigger, so no path can change them without a trace. A
-- destruction (which sets destroyed_at in the same statement) is not recorded, and blanks
-- these rows too.

CREATE TABLE case_detail_history (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    at        INTEGER NOT NULL,
    by_user   INTEGER NOT NULL REFERENCES users (id),
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
) STRICT;
CREATE INDEX case_detail_history_case ON case_detail_history (case_id, id);

CREATE TRIGGER cases_detail_history AFTER UPDATE OF subject_name, subject_dob,
    subject_address, client_ref ON cases
WHEN NEW.destroyed_at IS NULL
BEGIN
    INSERT INTO case_detail_history (case_id, at, by_user, field, old_value, new_value)
    SELECT NEW.id, NEW.updated_at, NEW.updated_by, 'subject_name', OLD.subject_name,
           NEW.subject_name WHERE OLD.subject_name IS NOT NEW.subject_name;
    INSERT INTO case_detail_history (case_id, at, by_user, field, old_value, new_value)
    SELECT NEW.id, NEW.updated_at, NEW.updated_by, 'subject_dob', OLD.subject_dob,
           NEW.subject_dob WHERE OLD.subject_dob IS NOT NEW.subject_dob;
    INSERT INTO case_detail_history (case_id, at, by_user, field, old_value, new_value)
    SELECT NEW.id, NEW.updated_at, NEW.updated_by, 'subject_address', OLD.subject_address,
           NEW.subject_address WHERE OLD.subject_address IS NOT NEW.subject_address;
    INSERT INTO case_detail_history (case_id, at, by_user, field, old_value, new_value)
    SELECT NEW.id, NEW.updated_at, NEW.updated_by, 'client_ref', OLD.client_ref,
           NEW.client_ref WHERE OLD.client_ref IS NOT NEW.client_ref;
END;

CREATE TRIGGER case_detail_history_never_deleted BEFORE DELETE ON case_detail_history
BEGIN
    SELECT RAISE(ABORT, 'case history is never deleted');
END;
