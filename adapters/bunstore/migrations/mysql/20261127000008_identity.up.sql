-- Clientele schema, version 8 (mysql): identity edges. A session keeps
-- when its user last proved who they are (credential changes need it
-- recent; a session started from another keeps that one's), and browsers
-- that signed in to an account are remembered by the SHA-256 hash of their
-- device token, so that strangers' failed sign-ins never lock them out.
ALTER TABLE clientele_sessions ADD COLUMN signed_in_at datetime(6) NULL;
--bun:split
UPDATE clientele_sessions SET signed_in_at = created_at;
--bun:split
ALTER TABLE clientele_sessions MODIFY COLUMN signed_in_at datetime(6) NOT NULL;
--bun:split
CREATE TABLE clientele_devices (
    token_hash varbinary(32) PRIMARY KEY,
    agency_id  varchar(64) NOT NULL,
    user_id    varchar(64) NOT NULL,
    created_at datetime(6) NOT NULL,
    expires_at datetime(6) NOT NULL,
    FOREIGN KEY (user_id) REFERENCES clientele_users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--bun:split
CREATE INDEX clientele_devices_expires ON clientele_devices (expires_at);
