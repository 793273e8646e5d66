-- When each personal access token was last used. Like peer_status this is live state written on every
-- authenticated request, not a projection of events: a rebuild of the read model leaves it alone.
CREATE TABLE token_usage (
    token_id  VARCHAR(64) NOT NULL PRIMARY KEY,
    last_used TIMESTAMPTZ NOT NULL
);

-- superseded by token_usage (a projection column would be wiped by every rebuild)
ALTER TABLE rm_tokens DROP COLUMN last_used;
