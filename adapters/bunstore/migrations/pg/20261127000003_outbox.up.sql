-- Clientele schema, version 3 (pg): the outbox of invitation emails. A row
-- holds a delivery, never the link or its token: the token is made, and the
-- invitation's token hash rotated, when the email is sent. Times are UTC.
CREATE TABLE clientele_outbox (
    id              varchar(64) COLLATE "C" PRIMARY KEY,
    agency_id       varchar(64) COLLATE "C" NOT NULL,
    client_id       varchar(64) COLLATE "C" NOT NULL,
    invitation_id   varchar(64) COLLATE "C" NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      varchar(200) NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    FOREIGN KEY (invitation_id) REFERENCES clientele_invitations (id),
    FOREIGN KEY (client_id) REFERENCES clientele_clients (id)
);
--bun:split
-- The worker's scan: unsent deliveries by due time.
CREATE INDEX clientele_outbox_due ON clientele_outbox (next_attempt_at, id) WHERE sent_at IS NULL;
--bun:split
CREATE INDEX clientele_outbox_invitation ON clientele_outbox (invitation_id);
