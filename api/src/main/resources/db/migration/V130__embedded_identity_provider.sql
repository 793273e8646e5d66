-- The embedded OpenID Provider (dev.tern.api.idp). Like management_server_key, kept in the database, not in a file of
-- the data dir, so that every tern-server node sharing one PostgreSQL signs with and publishes the same keys.
-- None of these tables is a projection: a read-model rebuild must leave them alone.

-- RSA signing keys. The newest signs until it is older than TERN_IDP_KEY_ROTATION; older ones stay (and are
-- published in the JWKS) until every token they signed has expired, then they are deleted.
CREATE TABLE idp_signing_key (
    kid         TEXT        PRIMARY KEY,
    private_key BYTEA       NOT NULL,   -- PKCS#8 DER, never logged
    public_key  BYTEA       NOT NULL,   -- X.509 SubjectPublicKeyInfo DER
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX idp_signing_key_created ON idp_signing_key (created_at);

-- Local users' sign-in secrets, apart from the event stream on purpose: events are forever and exported whole
-- (audit export, backups), and a password hash or a TOTP secret in them could never be taken back.
CREATE TABLE idp_local_credential (
    user_id         TEXT        PRIMARY KEY,
    account_id      TEXT        NOT NULL,
    login           TEXT        NOT NULL UNIQUE,   -- the e-mail address, lower case
    password_hash   TEXT        NOT NULL,          -- Argon2id, self-describing ($argon2id$v=19$...)
    totp_secret     BYTEA,                         -- AES-GCM under the key in <data dir>/idp-totp.key; null = no TOTP
    totp_confirmed  BOOLEAN     NOT NULL DEFAULT FALSE,
    updated_at      TIMESTAMPTZ NOT NULL
);

-- Invitations to join an account as a local user (NetBird's /api/users/invites). The token is shown once; only its
-- SHA-256 is kept.
CREATE TABLE idp_invite (
    id          TEXT        PRIMARY KEY,
    account_id  TEXT        NOT NULL,
    email       TEXT        NOT NULL,
    name        TEXT        NOT NULL,
    role        TEXT        NOT NULL,
    auto_groups TEXT        NOT NULL,   -- JSON array of group ids
    token_hash  TEXT        NOT NULL UNIQUE,
    invited_by  TEXT        NOT NULL,   -- the inviting user's name, shown to the invitee
    inviter_id  TEXT        NOT NULL,   -- the inviting user: accepting acts with their right to add users
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX idp_invite_account ON idp_invite (account_id, created_at);
