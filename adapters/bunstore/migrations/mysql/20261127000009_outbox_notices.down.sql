-- Back to version 8: the outbox holds invitations only. Queued and sent
-- notices are deleted.
DELETE FROM clientele_outbox WHERE kind <> 'invitation';
--bun:split
ALTER TABLE clientele_outbox
    MODIFY invitation_id varchar(64) NOT NULL,
    DROP COLUMN notice,
    DROP COLUMN user_id,
    DROP COLUMN kind;
