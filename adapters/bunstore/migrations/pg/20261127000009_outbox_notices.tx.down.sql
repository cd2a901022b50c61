-- Back to version 8: the outbox holds invitations only. Queued and sent
-- notices are deleted.
DELETE FROM clientele_outbox WHERE kind <> 'invitation';
--bun:split
ALTER TABLE clientele_outbox ALTER COLUMN invitation_id SET NOT NULL;
--bun:split
ALTER TABLE clientele_outbox DROP COLUMN notice;
--bun:split
ALTER TABLE clientele_outbox DROP COLUMN user_id;
--bun:split
ALTER TABLE clientele_outbox DROP COLUMN kind;
