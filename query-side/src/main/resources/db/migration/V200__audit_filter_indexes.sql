-- The audit page's filters by initiator and by activity code (GET /api/events/audit?initiator_id=...,
-- ?activity_code=...): without these, both the page and its count walked every row of the account and filtered
-- (at a million events, an account of 400,000 rows). Each index serves the filter's equality, the newest-first
-- order of the page (global_index DESC, sub DESC) and the count. See docs/benchmarks.md (issue 12, audit page).
CREATE INDEX rm_audit_account_initiator_idx ON rm_audit (account_id, initiator_id, global_index DESC, sub DESC);
CREATE INDEX rm_audit_account_activity_idx ON rm_audit (account_id, activity_code, global_index DESC, sub DESC);
