-- Clientele schema, version 2 (mysql): sign-in. Times are UTC. Sessions and
-- ceremonies are found by the SHA-256 hash of their token (32 bytes);
-- passkeys by their credential id (1 to 1023 bytes), kept as it is in a
-- varbinary(1023) primary key: InnoDB takes keys up to 3072 bytes, and
-- real credential ids are 16 to 64 bytes, so secondary indexes stay small.
CREATE TABLE clientele_sessions (
    token_hash   varbinary(32) PRIMARY KEY,
    agency_id    varchar(64) NOT NULL,
    client_id    varchar(64) NOT NULL,
    user_id      varchar(64) NOT NULL,
    created_at   datetime(6) NOT NULL,
    last_seen_at datetime(6) NOT NULL,
    expires_at   datetime(6) NOT NULL,
    -- Removing a membership ends its sessions in the same statement.
    FOREIGN KEY (client_id, user_id) REFERENCES clientele_memberships (client_id, user_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--bun:split
CREATE INDEX clientele_sessions_agency_user ON clientele_sessions (agency_id, user_id);
--bun:split
CREATE INDEX clientele_sessions_membership ON clientele_sessions (client_id, user_id);
--bun:split
CREATE INDEX clientele_sessions_expires ON clientele_sessions (expires_at);
--bun:split
CREATE TABLE clientele_passkeys (
    id               varbinary(1023) PRIMARY KEY,
    agency_id        varchar(64) NOT NULL,
    user_id          varchar(64) NOT NULL,
    name             varchar(400) NOT NULL DEFAULT '',
    public_key       blob NOT NULL,
    attestation_type varchar(64) NOT NULL DEFAULT '',
    aaguid           varbinary(16) NOT NULL,
    sign_count       bigint NOT NULL,
    transports       varchar(255) NOT NULL DEFAULT '',
    backup_eligible  boolean NOT NULL,
    backup_state     boolean NOT NULL,
    created_at       datetime(6) NOT NULL,
    last_used_at     datetime(6),
    FOREIGN KEY (user_id) REFERENCES clientele_users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--bun:split
-- Serves both the user's list (agency_id, user_id) and the foreign key.
CREATE INDEX clientele_passkeys_user ON clientele_passkeys (user_id, agency_id);
--bun:split
CREATE TABLE clientele_ceremonies (
    id         varbinary(32) PRIMARY KEY,
    kind       varchar(16) NOT NULL,
    agency_id  varchar(64) NOT NULL,
    user_id    varchar(64) NOT NULL DEFAULT '',
    data       longblob NOT NULL,
    expires_at datetime(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--bun:split
CREATE INDEX clientele_ceremonies_expires ON clientele_ceremonies (expires_at);
--bun:split
CREATE TABLE clientele_rate_limits (
    limit_key    varchar(255) NOT NULL,
    window_start datetime(6) NOT NULL,
    count        integer NOT NULL,
    PRIMARY KEY (limit_key, window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--bun:split
CREATE INDEX clientele_rate_limits_window ON clientele_rate_limits (window_start);
