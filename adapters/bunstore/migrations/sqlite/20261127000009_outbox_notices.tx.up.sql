-- Clientele schema, version 9 (sqlite): the outbox also queues security
-- notices (a passkey added or removed, a password changed), written in the
-- transaction of the change to the user's credentials. kind tells an
-- invitation's delivery ('invitation': invitation_id set) from a notice's
-- ('notice': user_id and notice set, invitation_id NULL). A row still
-- holds no address, link or token: the worker reads the user when it
-- sends. No foreign key to users: a notice to a user who is gone is
-- dropped by the worker. Existing rows are invitations.
--
-- SQLite cannot drop NOT NULL in ALTER TABLE: the table is rebuilt in
-- this transaction, with its foreign keys and indexes. No table refers
-- to it.
CREATE TABLE clientele_outbox_v9 (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL DEFAULT 'invitation',
    agency_id       TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    invitation_id   TEXT,
    user_id         TEXT NOT NULL DEFAULT '',
    notice          TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    FOREIGN KEY (invitation_id) REFERENCES clientele_invitations (id),
    FOREIGN KEY (client_id) REFERENCES clientele_clients (id)
);
--bun:split
INSERT INTO clientele_outbox_v9 (id, kind, agency_id, client_id, invitation_id, attempts, next_attempt_at, last_error, created_at, sent_at)
    SELECT id, 'invitation', agency_id, client_id, invitation_id, attempts, next_attempt_at, last_error, created_at, sent_at
    FROM clientele_outbox;
--bun:split
DROP TABLE clientele_outbox;
--bun:split
ALTER TABLE clientele_outbox_v9 RENAME TO clientele_outbox;
--bun:split
-- The worker's scan: unsent deliveries by due time.
CREATE INDEX clientele_outbox_due ON clientele_outbox (next_attempt_at, id) WHERE sent_at IS NULL;
--bun:split
CREATE INDEX clientele_outbox_invitation ON clientele_outbox (invitation_id);
