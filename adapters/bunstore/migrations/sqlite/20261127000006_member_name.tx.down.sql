ALTER TABLE clientele_memberships DROP COLUMN name;
