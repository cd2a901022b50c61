-- Clientele schema, version 8 (pg): identity edges. A session keeps when
-- its user last proved who they are (credential changes need it recent;
-- a session started from another keeps that one's), and browsers that
-- signed in to an account are remembered by the SHA-256 hash of their
-- device token, so that strangers' failed sign-ins never lock them out.
ALTER TABLE clientele_sessions ADD COLUMN signed_in_at timestamptz;
--bun:split
UPDATE clientele_sessions SET signed_in_at = created_at;
--bun:split
ALTER TABLE clientele_sessions ALTER COLUMN signed_in_at SET NOT NULL;
--bun:split
CREATE TABLE clientele_devices (
    token_hash bytea PRIMARY KEY,
    agency_id  varchar(64) COLLATE "C" NOT NULL,
    user_id    varchar(64) COLLATE "C" NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    FOREIGN KEY (user_id) REFERENCES clientele_users (id) ON DELETE CASCADE
);
--bun:split
CREATE INDEX clientele_devices_expires ON clientele_devices (expires_at);
--bun:split
CREATE INDEX clientele_devices_user ON clientele_devices (user_id);
