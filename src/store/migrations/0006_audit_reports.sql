-- Activity reports read the audit log by time, by who acted and by what they acted on:
-- one index for each, so one case's viewers, one person's day or a week's failed logins
-- are range reads however long the log grows.
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_actor_name ON audit (actor_name, at);
CREATE INDEX audit_label ON audit (target_label, at);
