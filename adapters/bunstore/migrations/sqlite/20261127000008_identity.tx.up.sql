-- Clientele schema, version 8 (sqlite): identity edges. A session keeps
-- when its user last proved who they are (credential changes need it
-- recent; a session started from another keeps that one's), and browsers
-- that signed in to an account are remembered by the SHA-256 hash of their
-- device token, so that strangers' failed sign-ins never lock them out.
-- SQLite adds a NOT NULL column only with a default: every row gets its
-- created_at at once, and every new row states its own.
ALTER TABLE clientele_sessions ADD COLUMN signed_in_at TEXT NOT NULL DEFAULT '';
--bun:split
UPDATE clientele_sessions SET signed_in_at = created_at;
--bun:split
CREATE TABLE clientele_devices (
    token_hash BLOB PRIMARY KEY,
    agency_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    FOREIGN KEY (user_id) REFERENCES clientele_users (id) ON DELETE CASCADE
);
--bun:split
CREATE INDEX clientele_devices_expires ON clientele_devices (expires_at);
--bun:split
CREATE INDEX clientele_devices_user ON clientele_devices (user_id);
