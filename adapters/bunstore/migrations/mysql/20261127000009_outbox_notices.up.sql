-- Clientele schema, version 9 (mysql): the outbox also queues security
-- notices (a passkey added or removed, a password changed), written in the
-- transaction of the change to the user's credentials. kind tells an
-- invitation's delivery ('invitation': invitation_id set) from a notice's
-- ('notice': user_id and notice set, invitation_id NULL). A row still
-- holds no address, link or token: the worker reads the user when it
-- sends. No foreign key to users: a notice to a user who is gone is
-- dropped by the worker. Existing rows are invitations. One statement, so
-- that the table is never half changed.
ALTER TABLE clientele_outbox
    ADD COLUMN kind varchar(16) NOT NULL DEFAULT 'invitation',
    ADD COLUMN user_id varchar(64) NOT NULL DEFAULT '',
    ADD COLUMN notice varchar(32) NOT NULL DEFAULT '',
    MODIFY invitation_id varchar(64) NULL;
