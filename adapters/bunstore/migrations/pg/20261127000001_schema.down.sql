DROP TABLE clientele_invitations;
--bun:split
DROP TABLE clientele_memberships;
--bun:split
DROP TABLE clientele_users;
--bun:split
DROP TABLE clientele_clients;
--bun:split
DROP TABLE clientele_agencies;
