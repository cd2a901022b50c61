-- Clientele schema, version 2 (sqlite): sign-in. Times are UTC. Sessions and
-- ceremonies are found by the SHA-256 hash of their token (32 bytes);
-- passkeys by their credential id (1 to 1023 bytes).
CREATE TABLE clientele_sessions (
    token_hash   BLOB PRIMARY KEY,
    agency_id    TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    -- Removing a membership ends its sessions in the same statement.
    FOREIGN KEY (client_id, user_id) REFERENCES clientele_memberships (client_id, user_id) ON DELETE CASCADE
);
--bun:split
CREATE INDEX clientele_sessions_agency_user ON clientele_sessions (agency_id, user_id);
--bun:split
CREATE INDEX clientele_sessions_membership ON clientele_sessions (client_id, user_id);
--bun:split
CREATE INDEX clientele_sessions_expires ON clientele_sessions (expires_at);
--bun:split
CREATE TABLE clientele_passkeys (
    id               BLOB PRIMARY KEY,
    agency_id        TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    name             TEXT NOT NULL DEFAULT '',
    public_key       BLOB NOT NULL,
    attestation_type TEXT NOT NULL DEFAULT '',
    aaguid           BLOB NOT NULL,
    sign_count       INTEGER NOT NULL,
    transports       TEXT NOT NULL DEFAULT '',
    backup_eligible  INTEGER NOT NULL,
    backup_state     INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    last_used_at     TEXT,
    FOREIGN KEY (user_id) REFERENCES clientele_users (id) ON DELETE CASCADE
);
--bun:split
-- Serves both the user's list (agency_id, user_id) and the cascade.
CREATE INDEX clientele_passkeys_user ON clientele_passkeys (user_id, agency_id);
--bun:split
CREATE TABLE clientele_ceremonies (
    id         BLOB PRIMARY KEY,
    kind       TEXT NOT NULL,
    agency_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL DEFAULT '',
    data       BLOB NOT NULL,
    expires_at TEXT NOT NULL
);
--bun:split
CREATE INDEX clientele_ceremonies_expires ON clientele_ceremonies (expires_at);
--bun:split
CREATE TABLE clientele_rate_limits (
    limit_key    TEXT NOT NULL,
    window_start TEXT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (limit_key, window_start)
);
--bun:split
CREATE INDEX clientele_rate_limits_window ON clientele_rate_limits (window_start);
