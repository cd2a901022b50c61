DROP TABLE clientele_devices;
--bun:split
ALTER TABLE clientele_sessions DROP COLUMN signed_in_at;
