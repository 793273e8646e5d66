-- Account settings for peer login and inactivity expiration, and which peers' logins have lapsed. Defaults are
-- AccountSettings.defaults() (login expiration on after 24 h, inactivity expiration off, 10 min): the settings of
-- every account that never changed them, so existing rows are right without a rebuild.
ALTER TABLE rm_accounts
    ADD COLUMN peer_login_expiration_enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN peer_login_expiration              BIGINT  NOT NULL DEFAULT 86400,
    ADD COLUMN peer_inactivity_expiration_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN peer_inactivity_expiration         BIGINT  NOT NULL DEFAULT 600;

-- login_expiry_cause is PeerExpiry's name (LOGIN, INACTIVITY) while login_expired, else NULL.
ALTER TABLE rm_peers
    ADD COLUMN login_expired      BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN login_expiry_cause VARCHAR(16);

-- The expiry sweeper's two queries: per account, the peers that may lapse, ordered by the time their period
-- runs from. Partial, so peers without the flag (most of them) or already expired cost nothing.
CREATE INDEX rm_peers_login_expiry_due_idx ON rm_peers (account_id, last_login)
    WHERE login_expiration_enabled AND NOT login_expired;
CREATE INDEX rm_peers_inactivity_expiry_due_idx ON rm_peers (account_id, created_at)
    WHERE inactivity_expiration_enabled AND NOT login_expired;
