-- INSERT OR REPLACE deletes the old row without firing DELETE triggers: refuse any
-- insert that does not extend the log, so the table stays append-only.

CREATE TRIGGER audit_append_only_insert BEFORE INSERT ON audit
WHEN NEW.seq <= (SELECT coalesce(max(seq), 0) FROM audit)
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
