DROP TABLE clientele_nodes;
--bun:split
DROP TABLE clientele_changes;
--bun:split
DROP TABLE clientele_change_clock;
