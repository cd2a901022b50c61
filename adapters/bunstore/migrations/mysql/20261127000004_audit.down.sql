DROP TABLE clientele_audit;
