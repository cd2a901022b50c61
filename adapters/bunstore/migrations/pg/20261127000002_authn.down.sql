DROP TABLE clientele_rate_limits;
--bun:split
DROP TABLE clientele_ceremonies;
--bun:split
DROP TABLE clientele_passkeys;
--bun:split
DROP TABLE clientele_sessions;
