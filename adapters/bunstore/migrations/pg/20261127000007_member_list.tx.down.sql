DROP INDEX clientele_invitations_pending_list;
--bun:split
CREATE INDEX clientele_memberships_client_email ON clientele_memberships (client_id, email, user_id);
--bun:split
DROP INDEX clientele_memberships_list;
