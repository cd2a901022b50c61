-- Clientele schema, version 4 (sqlite): the audit log of changes to access.
-- A row is written in the transaction of the change it records; it holds
-- ids, roles, statuses, permissions and branding, never a token, a token
-- hash or a password hash. client_id is '' for an agency-level event. No
-- foreign key to clients: the history outlives them. Times are UTC.
CREATE TABLE clientele_audit (
    id           TEXT PRIMARY KEY,
    agency_id    TEXT NOT NULL,
    client_id    TEXT NOT NULL DEFAULT '',
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    target       TEXT NOT NULL DEFAULT '',
    before_value TEXT NOT NULL DEFAULT '',
    after_value  TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (agency_id) REFERENCES clientele_agencies (id)
);
--bun:split
-- The agency's log, newest first.
CREATE INDEX clientele_audit_agency ON clientele_audit (agency_id, at, id);
--bun:split
-- A client's log, newest first.
CREATE INDEX clientele_audit_client ON clientele_audit (client_id, at, id);
