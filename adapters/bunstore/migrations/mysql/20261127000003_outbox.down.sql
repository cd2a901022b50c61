DROP TABLE clientele_outbox;
