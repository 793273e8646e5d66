-- The cursor of the live audit stream and the JSON-lines export: the order rows were committed in. The global
-- index cannot serve: a write that took its index first may commit after a later one (the tracking processor
-- takes such gaps in as they fill), and a reader resuming "after global index N" would miss it. rm_audit has one
-- writer at a time (the read-model processor's claimed segment), so a sequence drawn at insert grows in commit
-- order. Existing rows are numbered in global-index order.
CREATE SEQUENCE rm_audit_stream_cursor_seq AS BIGINT;
ALTER TABLE rm_audit ADD COLUMN stream_cursor BIGINT;
UPDATE rm_audit a SET stream_cursor = o.n
FROM (SELECT global_index, sub, row_number() OVER (ORDER BY global_index, sub) AS n FROM rm_audit) o
WHERE a.global_index = o.global_index AND a.sub = o.sub;
SELECT setval('rm_audit_stream_cursor_seq', COALESCE((SELECT max(stream_cursor) FROM rm_audit), 0) + 1, false);
ALTER TABLE rm_audit ALTER COLUMN stream_cursor SET DEFAULT nextval('rm_audit_stream_cursor_seq'),
                     ALTER COLUMN stream_cursor SET NOT NULL;
ALTER SEQUENCE rm_audit_stream_cursor_seq OWNED BY rm_audit.stream_cursor;
CREATE UNIQUE INDEX rm_audit_account_stream_idx ON rm_audit (account_id, stream_cursor);
