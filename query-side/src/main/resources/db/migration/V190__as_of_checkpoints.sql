-- Read-model checkpoints for as_of reads (ReadModelCheckpoints): one account's read rows as they stood after its
-- event number last_sequence, so a point-in-time read restores them and replays only the events after. Not a
-- projection of the live tables and no rm_* table: as_of reads shadow rm_* tables, never these. A rebuild drops
-- them; each account keeps only its newest few (TERN_AS_OF_CHECKPOINTS_KEPT).

CREATE TABLE as_of_checkpoint (
    account_id      VARCHAR(255) NOT NULL,
    -- the account's event (aggregate sequence number) the rows stand after
    last_sequence   BIGINT       NOT NULL,
    -- the newest timestamp among the account's events up to last_sequence, rounded up to the microsecond: the
    -- checkpoint answers an instant only when none of its events lies after it
    newest_event_at TIMESTAMPTZ  NOT NULL,
    -- the read tables' columns and the schema version the rows were taken with; others are never restored
    fingerprint     VARCHAR(64)  NOT NULL,
    created_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, last_sequence)
);

CREATE TABLE as_of_checkpoint_rows (
    account_id    VARCHAR(255) NOT NULL,
    last_sequence BIGINT       NOT NULL,
    table_name    VARCHAR(63)  NOT NULL,
    -- the table's rows, each to_jsonb of the row; restored with jsonb_populate_recordset
    rows          JSONB        NOT NULL,
    PRIMARY KEY (account_id, last_sequence, table_name),
    FOREIGN KEY (account_id, last_sequence) REFERENCES as_of_checkpoint ON DELETE CASCADE
);
