-- Clientele schema, version 5 (sqlite): exact caches across processes.
-- Every change to who may do what (role, status, removal, client
-- permissions, branding, sessions ended) bumps clientele_change_clock as
-- the last statement of its transaction, which serializes these
-- transactions, so versions become visible in order; the change's keys go
-- to clientele_changes under that version. A process that caches reads
-- registers in clientele_nodes with a lease and the last version it has
-- applied (seen); a writer returns only when every node with a live lease
-- has seen its version. Times here are milliseconds of the database's
-- clock since 1970.
CREATE TABLE clientele_change_clock (
    id      integer PRIMARY KEY,
    version bigint NOT NULL
);
--bun:split
INSERT INTO clientele_change_clock (id, version) VALUES (1, 0);
--bun:split
CREATE TABLE clientele_changes (
    version    bigint NOT NULL,
    seq        integer NOT NULL,
    kind       varchar(16) NOT NULL,
    agency_id  varchar(64) NOT NULL DEFAULT '',
    client_id  varchar(64) NOT NULL DEFAULT '',
    user_id    varchar(64) NOT NULL DEFAULT '',
    token_hash blob,
    created_ms bigint NOT NULL,
    PRIMARY KEY (version, seq)
);
--bun:split
CREATE TABLE clientele_nodes (
    id          varchar(64) PRIMARY KEY,
    seen        bigint NOT NULL,
    lease_until bigint NOT NULL
);
