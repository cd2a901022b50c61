-- Clientele schema, version 1 (sqlite). Times are UTC; emails are stored normalized (lower case).
CREATE TABLE clientele_agencies (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    logo_url      TEXT NOT NULL DEFAULT '',
    primary_color TEXT NOT NULL DEFAULT '',
    custom_domain TEXT UNIQUE,
    created_at    TEXT NOT NULL
);
--bun:split
CREATE TABLE clientele_clients (
    id          TEXT PRIMARY KEY,
    agency_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    permissions TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    FOREIGN KEY (agency_id) REFERENCES clientele_agencies (id)
);
--bun:split
CREATE INDEX clientele_clients_agency_name ON clientele_clients (agency_id, name, id);
--bun:split
CREATE TABLE clientele_users (
    id            TEXT PRIMARY KEY,
    agency_id     TEXT NOT NULL,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    FOREIGN KEY (agency_id) REFERENCES clientele_agencies (id),
    CONSTRAINT clientele_users_agency_email UNIQUE (agency_id, email)
);
--bun:split
CREATE TABLE clientele_memberships (
    client_id      TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    email          TEXT NOT NULL,
    role           TEXT NOT NULL,
    status         TEXT NOT NULL,
    last_active_at TEXT,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (client_id, user_id),
    FOREIGN KEY (client_id) REFERENCES clientele_clients (id),
    FOREIGN KEY (user_id) REFERENCES clientele_users (id)
);
--bun:split
CREATE INDEX clientele_memberships_client_email ON clientele_memberships (client_id, email, user_id);
--bun:split
CREATE INDEX clientele_memberships_user ON clientele_memberships (user_id);
--bun:split
CREATE TABLE clientele_invitations (
    id          TEXT PRIMARY KEY,
    agency_id   TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL,
    status      TEXT NOT NULL,
    token_hash  BLOB NOT NULL UNIQUE,
    invited_by  TEXT NOT NULL DEFAULT '',
    replaced_by TEXT NOT NULL DEFAULT '',
    accepted_by TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    FOREIGN KEY (agency_id) REFERENCES clientele_agencies (id),
    FOREIGN KEY (client_id) REFERENCES clientele_clients (id)
);
--bun:split
CREATE INDEX clientele_invitations_client_email ON clientele_invitations (client_id, email, id);
--bun:split
CREATE UNIQUE INDEX clientele_invitations_one_pending ON clientele_invitations (client_id, email) WHERE status = 'pending';
