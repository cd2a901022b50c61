-- Clientele schema, version 6 (pg): a membership keeps its user's name,
-- as it keeps the email, so that the user list and a session's
-- resolution read the client's memberships alone (no random lookups of
-- users at a million of them). A user's name never changes after the
-- account is made.
ALTER TABLE clientele_memberships ADD COLUMN name varchar(400) COLLATE "C" NOT NULL DEFAULT '';
--bun:split
UPDATE clientele_memberships AS m SET name = u.name FROM clientele_users AS u WHERE u.id = m.user_id;
