-- The audit page without filters (GET /api/events/audit, newest first) at a million events: its total counted every
-- key of the account (402,255 in the benchmark's biggest, ~50 ms) and a page half way down skipped 200,000 keys
-- (0.2 s p99, docs/benchmarks.md, issue 12). account_seq numbers an account's rows 1, 2, 3, ... in the page's order
-- (global_index, sub) without holes, so the total is the highest number and page k of size n the numbers
-- (total - k*n - n, total - k*n]: two index look-ups at any depth. AuditProjection keeps it so: a row gets its
-- predecessor's number + 1, and the rare row that arrives after later ones (an event that committed late) moves
-- those up by one; a full rebuild numbers every row afresh. Not unique: a late row's shift would collide mid-update.
ALTER TABLE rm_audit ADD COLUMN account_seq BIGINT;
UPDATE rm_audit a SET account_seq = o.n
FROM (SELECT global_index, sub, row_number() OVER (PARTITION BY account_id ORDER BY global_index, sub) AS n
      FROM rm_audit) o
WHERE a.global_index = o.global_index AND a.sub = o.sub;
ALTER TABLE rm_audit ALTER COLUMN account_seq SET NOT NULL;
CREATE INDEX rm_audit_account_seq_idx ON rm_audit (account_id, account_seq);
