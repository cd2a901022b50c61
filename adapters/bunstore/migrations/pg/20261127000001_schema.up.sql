-- Clientele schema, version 1 (pg). Times are UTC; emails are stored normalized (lower case).
CREATE TABLE clientele_agencies (
    id            varchar(64) COLLATE "C" PRIMARY KEY,
    name          varchar(400) COLLATE "C" NOT NULL,
    logo_url      varchar(2048) NOT NULL DEFAULT '',
    primary_color varchar(7) NOT NULL DEFAULT '',
    custom_domain varchar(253) COLLATE "C" UNIQUE,
    created_at    timestamptz NOT NULL
);
--bun:split
CREATE TABLE clientele_clients (
    id          varchar(64) COLLATE "C" PRIMARY KEY,
    agency_id   varchar(64) COLLATE "C" NOT NULL,
    name        varchar(400) COLLATE "C" NOT NULL,
    permissions text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    FOREIGN KEY (agency_id) REFERENCES clientele_agencies (id)
);
--bun:split
CREATE INDEX clientele_clients_agency_name ON clientele_clients (agency_id, name, id);
--bun:split
CREATE TABLE clientele_users (
    id            varchar(64) COLLATE "C" PRIMARY KEY,
    agency_id     varchar(64) COLLATE "C" NOT NULL,
    email         varchar(254) COLLATE "C" NOT NULL,
    name          varchar(400) COLLATE "C" NOT NULL,
    password_hash varchar(512) NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    FOREIGN KEY (agency_id) REFERENCES clientele_agencies (id),
    CONSTRAINT clientele_users_agency_email UNIQUE (agency_id, email)
);
--bun:split
CREATE TABLE clientele_memberships (
    client_id      varchar(64) COLLATE "C" NOT NULL,
    user_id        varchar(64) COLLATE "C" NOT NULL,
    email          varchar(254) COLLATE "C" NOT NULL,
    role           varchar(16) NOT NULL,
    status         varchar(16) NOT NULL,
    last_active_at timestamptz,
    created_at     timestamptz NOT NULL,
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
    id          varchar(64) COLLATE "C" PRIMARY KEY,
    agency_id   varchar(64) COLLATE "C" NOT NULL,
    client_id   varchar(64) COLLATE "C" NOT NULL,
    email       varchar(254) COLLATE "C" NOT NULL,
    role        varchar(16) NOT NULL,
    status      varchar(16) NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    invited_by  varchar(64) COLLATE "C" NOT NULL DEFAULT '',
    replaced_by varchar(64) COLLATE "C" NOT NULL DEFAULT '',
    accepted_by varchar(64) COLLATE "C" NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    FOREIGN KEY (agency_id) REFERENCES clientele_agencies (id),
    FOREIGN KEY (client_id) REFERENCES clientele_clients (id)
);
--bun:split
CREATE INDEX clientele_invitations_client_email ON clientele_invitations (client_id, email, id);
--bun:split
CREATE UNIQUE INDEX clientele_invitations_one_pending ON clientele_invitations (client_id, email) WHERE status = 'pending';
