-- Clientele schema, version 3 (sqlite): the outbox of invitation emails. A
-- row holds a delivery, never the link or its token: the token is made, and
-- the invitation's token hash rotated, when the email is sent. Times are
-- UTC.
CREATE TABLE clientele_outbox (
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
-- The worker's scan: unsent deliveries by due time.
CREATE INDEX clientele_outbox_due ON clientele_outbox (next_attempt_at, id) WHERE sent_at IS NULL;
--bun:split
CREATE INDEX clientele_outbox_invitation ON clientele_outbox (invitation_id);
