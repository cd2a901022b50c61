-- Clientele schema, version 4 (mysql): the audit log of changes to access.
-- A row is written in the transaction of the change it records; it holds
-- ids, roles, statuses, permissions and branding, never a token, a token
-- hash or a password hash. client_id is '' for an agency-level event. No
-- foreign key to clients: the history outlives them. Times are UTC.
CREATE TABLE clientele_audit (
    id           varchar(64) PRIMARY KEY,
    agency_id    varchar(64) NOT NULL,
    client_id    varchar(64) NOT NULL DEFAULT '',
    at           datetime(6) NOT NULL,
    actor        varchar(64) NOT NULL,
    action       varchar(64) NOT NULL,
    target       varchar(64) NOT NULL DEFAULT '',
    before_value text NOT NULL,
    after_value  text NOT NULL,
    ip           varchar(64) NOT NULL DEFAULT '',
    -- The agency's log, newest first (it also serves the foreign key).
    INDEX clientele_audit_agency (agency_id, at, id),
    -- A client's log, newest first.
    INDEX clientele_audit_client (client_id, at, id),
    FOREIGN KEY (agency_id) REFERENCES clientele_agencies (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
