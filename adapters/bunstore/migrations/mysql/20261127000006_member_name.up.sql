-- Clientele schema, version 6 (mysql): a membership keeps its user's name,
-- as it keeps the email, so that the user list and a session's
-- resolution read the client's memberships alone (no random lookups of
-- users at a million of them). A user's name never changes after the
-- account is made.
ALTER TABLE clientele_memberships ADD COLUMN name varchar(400) NOT NULL DEFAULT '';
--bun:split
UPDATE clientele_memberships AS m JOIN clientele_users AS u ON u.id = m.user_id SET m.name = u.name;
