-- Clientele schema, version 1 (mysql). Times are UTC; emails are stored normalized (lower case).
CREATE TABLE clientele_agencies (
    id            varchar(64) PRIMARY KEY,
    name          varchar(400) NOT NULL,
    logo_url      varchar(2048) NOT NULL DEFAULT '',
    primary_color varchar(7) NOT NULL DEFAULT '',
    custom_domain varchar(253) UNIQUE,
    created_at    datetime(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--bun:split
CREATE TABLE clientele_clients (
    id          varchar(64) PRIMARY KEY,
    agency_id   varchar(64) NOT NULL,
    name        varchar(400) NOT NULL,
    permissions varchar(2000) NOT NULL DEFAULT '',
    created_at  datetime(6) NOT NULL,
    FOREIGN KEY (agency_id) REFERENCES clientele_agencies (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--bun:split
CREATE INDEX clientele_clients_agency_name ON clientele_clients (agency_id, name, id);
--bun:split
CREATE TABLE clientele_users (
    id            varchar(64) PRIMARY KEY,
    agency_id     varchar(64) NOT NULL,
    email         varchar(254) NOT NULL,
    name          varchar(400) NOT NULL,
    password_hash varchar(512) NOT NULL DEFAULT '',
    created_at    datetime(6) NOT NULL,
    FOREIGN KEY (agency_id) REFERENCES clientele_agencies (id),
    CONSTRAINT clientele_users_agency_email UNIQUE (agency_id, email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--bun:split
CREATE TABLE clientele_memberships (
    client_id      varchar(64) NOT NULL,
    user_id        varchar(64) NOT NULL,
    email          varchar(254) NOT NULL,
    role           varchar(16) NOT NULL,
    status         varchar(16) NOT NULL,
    last_active_at datetime(6),
    created_at     datetime(6) NOT NULL,
    PRIMARY KEY (client_id, user_id),
    FOREIGN KEY (client_id) REFERENCES clientele_clients (id),
    FOREIGN KEY (user_id) REFERENCES clientele_users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--bun:split
CREATE INDEX clientele_memberships_client_email ON clientele_memberships (client_id, email, user_id);
--bun:split
CREATE INDEX clientele_memberships_user ON clientele_memberships (user_id);
--bun:split
CREATE TABLE clientele_invitations (
    id          varchar(64) PRIMARY KEY,
    agency_id   varchar(64) NOT NULL,
    client_id   varchar(64) NOT NULL,
    email       varchar(254) NOT NULL,
    role        varchar(16) NOT NULL,
    status      varchar(16) NOT NULL,
    token_hash  varbinary(32) NOT NULL UNIQUE,
    invited_by  varchar(64) NOT NULL DEFAULT '',
    replaced_by varchar(64) NOT NULL DEFAULT '',
    accepted_by varchar(64) NOT NULL DEFAULT '',
    created_at  datetime(6) NOT NULL,
    expires_at  datetime(6) NOT NULL,
    pending_email varchar(254) AS (CASE WHEN status = 'pending' THEN email END) STORED,
    FOREIGN KEY (agency_id) REFERENCES clientele_agencies (id),
    FOREIGN KEY (client_id) REFERENCES clientele_clients (id),
    CONSTRAINT clientele_invitations_one_pending UNIQUE (client_id, pending_email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--bun:split
CREATE INDEX clientele_invitations_client_email ON clientele_invitations (client_id, email, id);
