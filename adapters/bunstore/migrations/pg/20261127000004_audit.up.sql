-- Clientele schema, version 4 (pg): the audit log of changes to access.
-- A row is written in the transaction of the change it records; it holds
-- ids, roles, statuses, permissions and branding, never a token, a token
-- hash or a password hash. client_id is '' for an agency-level event. No
-- foreign key to clients: the history outlives them. Times are UTC.
CREATE TABLE clientele_audit (
    id           varchar(64) COLLATE "C" PRIMARY KEY,
    agency_id    varchar(64) COLLATE "C" NOT NULL,
    client_id    varchar(64) COLLATE "C" NOT NULL DEFAULT '',
    at           timestamptz NOT NULL,
    actor        varchar(64) COLLATE "C" NOT NULL,
    action       varchar(64) COLLATE "C" NOT NULL,
    target       varchar(64) COLLATE "C" NOT NULL DEFAULT '',
    before_value text NOT NULL DEFAULT '',
    after_value  text NOT NULL DEFAULT '',
    ip           varchar(64) NOT NULL DEFAULT '',
    FOREIGN KEY (agency_id) REFERENCES clientele_agencies (id)
);
--bun:split
-- The agency's log, newest first.
CREATE INDEX clientele_audit_agency ON clientele_audit (agency_id, at, id);
--bun:split
-- A client's log, newest first.
CREATE INDEX clientele_audit_client ON clientele_audit (client_id, at, id);
