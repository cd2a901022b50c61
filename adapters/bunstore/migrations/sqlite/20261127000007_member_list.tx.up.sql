-- Clientele schema, version 7 (sqlite): a page of a client's users is
-- read from one covering index alone, whatever the order in which the
-- memberships were written; the pending invitations of the list likewise.
CREATE INDEX IF NOT EXISTS clientele_memberships_list ON clientele_memberships
    (client_id, email, user_id, name, role, status, last_active_at, created_at);
--bun:split
DROP INDEX IF EXISTS clientele_memberships_client_email;
--bun:split
CREATE INDEX IF NOT EXISTS clientele_invitations_pending_list ON clientele_invitations
    (client_id, email, id, role, expires_at) WHERE status = 'pending';
