-- Two-factor login (TOTP). The secret lives only here, inside the encrypted database.
-- `totp_pending` holds a secret between "enrol" and the first confirmed code;
-- `totp_last_step` is the last accepted time step, so no code is accepted twice.

ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_pending BLOB;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
ALTER TABLE users ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0
    CHECK (require_two_factor IN (0, 1));
ALTER TABLE orgs ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0
    CHECK (require_two_factor IN (0, 1));
