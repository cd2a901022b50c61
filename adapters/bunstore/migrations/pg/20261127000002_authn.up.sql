-- Clientele schema, version 2 (pg): sign-in. Times are UTC. Sessions and
-- ceremonies are found by the SHA-256 hash of their token (32 bytes);
-- passkeys by their credential id (1 to 1023 bytes).
CREATE TABLE clientele_sessions (
    token_hash   bytea PRIMARY KEY,
    agency_id    varchar(64) COLLATE "C" NOT NULL,
    client_id    varchar(64) COLLATE "C" NOT NULL,
    user_id      varchar(64) COLLATE "C" NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
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
    id               bytea PRIMARY KEY,
    agency_id        varchar(64) COLLATE "C" NOT NULL,
    user_id          varchar(64) COLLATE "C" NOT NULL,
    name             varchar(400) NOT NULL DEFAULT '',
    public_key       bytea NOT NULL,
    attestation_type varchar(64) NOT NULL DEFAULT '',
    aaguid           bytea NOT NULL,
    sign_count       bigint NOT NULL,
    transports       varchar(255) NOT NULL DEFAULT '',
    backup_eligible  boolean NOT NULL,
    backup_state     boolean NOT NULL,
    created_at       timestamptz NOT NULL,
    last_used_at     timestamptz,
    FOREIGN KEY (user_id) REFERENCES clientele_users (id) ON DELETE CASCADE
);
--bun:split
-- Serves both the user's list (agency_id, user_id) and the cascade.
CREATE INDEX clientele_passkeys_user ON clientele_passkeys (user_id, agency_id);
--bun:split
CREATE TABLE clientele_ceremonies (
    id         bytea PRIMARY KEY,
    kind       varchar(16) NOT NULL,
    agency_id  varchar(64) COLLATE "C" NOT NULL,
    user_id    varchar(64) COLLATE "C" NOT NULL DEFAULT '',
    data       bytea NOT NULL,
    expires_at timestamptz NOT NULL
);
--bun:split
CREATE INDEX clientele_ceremonies_expires ON clientele_ceremonies (expires_at);
--bun:split
CREATE TABLE clientele_rate_limits (
    limit_key    varchar(255) COLLATE "C" NOT NULL,
    window_start timestamptz NOT NULL,
    count        integer NOT NULL,
    PRIMARY KEY (limit_key, window_start)
);
--bun:split
CREATE INDEX clientele_rate_limits_window ON clientele_rate_limits (window_start);
