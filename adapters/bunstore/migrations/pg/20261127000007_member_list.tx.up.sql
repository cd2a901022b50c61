-- Clientele schema, version 7 (pg): a page of a client's users is read
-- from one index alone (an index-only scan), whatever the order in which
-- the memberships were written to the table: at a million users the
-- rows of one client lie on as many heap pages as it has users, while
-- their index entries lie on one or two. The pending invitations of the
-- list likewise.
CREATE INDEX IF NOT EXISTS clientele_memberships_list ON clientele_memberships (client_id, email, user_id)
    INCLUDE (name, role, status, last_active_at, created_at);
--bun:split
DROP INDEX IF EXISTS clientele_memberships_client_email;
--bun:split
CREATE INDEX IF NOT EXISTS clientele_invitations_pending_list ON clientele_invitations (client_id, email, id)
    INCLUDE (role, expires_at) WHERE status = 'pending';
