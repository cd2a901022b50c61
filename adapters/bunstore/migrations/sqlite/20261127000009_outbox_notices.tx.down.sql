-- Back to version 8: the outbox holds invitations only, the table
-- rebuilt as version 3 made it. Queued and sent notices are deleted.
CREATE TABLE clientele_outbox_v3 (
    id              TEXT PRIMARY KEY,
    agency_id       TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    invitation_id   TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    FOREIGN KEY (invitation_id) REFERENCES clientele_invitations (id),
    FOREIGN KEY (client_id) REFERENCES clientele_clients (id)
);
--bun:split
INSERT INTO clientele_outbox_v3 (id, agency_id, client_id, invitation_id, attempts, next_attempt_at, last_error, created_at, sent_at)
    SELECT id, agency_id, client_id, invitation_id, attempts, next_attempt_at, last_error, created_at, sent_at
    FROM clientele_outbox WHERE kind = 'invitation';
--bun:split
DROP TABLE clientele_outbox;
--bun:split
ALTER TABLE clientele_outbox_v3 RENAME TO clientele_outbox;
--bun:split
-- The worker's scan: unsent deliveries by due time.
CREATE INDEX clientele_outbox_due ON clientele_outbox (next_attempt_at, id) WHERE sent_at IS NULL;
--bun:split
CREATE INDEX clientele_outbox_invitation ON clientele_outbox (invitation_id);
