-- As-of reads fold the account's events in memory (AccountSnapshot) and no longer restore read-model checkpoints:
-- V190's tables, and every checkpoint taken into them, go.
DROP TABLE IF EXISTS as_of_checkpoint_rows;
DROP TABLE IF EXISTS as_of_checkpoint;
