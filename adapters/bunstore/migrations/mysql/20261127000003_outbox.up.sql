-- Clientele schema, version 3 (mysql): the outbox of invitation emails. A
-- row holds a delivery, never the link or its token: the token is made, and
-- the invitation's token hash rotated, when the email is sent. Times are
-- UTC.
CREATE TABLE clientele_outbox (
    id              varchar(64) PRIMARY KEY,
    agency_id       varchar(64) NOT NULL,
    client_id       varchar(64) NOT NULL,
    invitation_id   varchar(64) NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at datetime(6) NOT NULL,
    last_error      varchar(200) NOT NULL DEFAULT '',
    created_at      datetime(6) NOT NULL,
    sent_at         datetime(6),
    FOREIGN KEY (invitation_id) REFERENCES clientele_invitations (id),
    FOREIGN KEY (client_id) REFERENCES clientele_clients (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--bun:split
-- The worker's scan: unsent deliveries (sent_at IS NULL) by due time.
CREATE INDEX clientele_outbox_due ON clientele_outbox (sent_at, next_attempt_at, id);
