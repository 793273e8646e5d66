-- Read tables of the query side. Every rm_* table is a projection of the event store: the read-model processor's
-- reset handlers truncate them and a replay rebuilds them. peer_status is not: it is live session state written
-- by the management gRPC service and survives a rebuild.

CREATE TABLE rm_accounts (
    id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    network    VARCHAR(32)  NOT NULL,
    dns_domain VARCHAR(255) NOT NULL,
    created_at TIMESTAMPTZ  NOT NULL
);

CREATE TABLE rm_users (
    id           VARCHAR(64)  NOT NULL PRIMARY KEY,
    account_id   VARCHAR(64)  NOT NULL,
    email        VARCHAR(255) NOT NULL,
    name         VARCHAR(255) NOT NULL,
    role         VARCHAR(32)  NOT NULL,
    service_user BOOLEAN      NOT NULL,
    blocked      BOOLEAN      NOT NULL DEFAULT FALSE,
    auto_groups  JSONB        NOT NULL DEFAULT '[]',
    created_at   TIMESTAMPTZ  NOT NULL,
    last_login   TIMESTAMPTZ
);
CREATE INDEX rm_users_account_idx ON rm_users (account_id);

CREATE TABLE rm_tokens (
    id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    account_id VARCHAR(64)  NOT NULL,
    user_id    VARCHAR(64)  NOT NULL,
    name       VARCHAR(255) NOT NULL,
    token_hash VARCHAR(128) NOT NULL,
    expires_at TIMESTAMPTZ,
    created_by VARCHAR(64),
    created_at TIMESTAMPTZ  NOT NULL,
    last_used  TIMESTAMPTZ,
    CONSTRAINT rm_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX rm_tokens_user_idx ON rm_tokens (account_id, user_id);

CREATE TABLE rm_setup_keys (
    id                     VARCHAR(64)  NOT NULL PRIMARY KEY,
    account_id             VARCHAR(64)  NOT NULL,
    name                   VARCHAR(255) NOT NULL,
    type                   VARCHAR(16)  NOT NULL,
    key_hash               VARCHAR(128) NOT NULL,
    key_prefix             VARCHAR(64)  NOT NULL,
    expires_at             TIMESTAMPTZ,
    revoked                BOOLEAN      NOT NULL DEFAULT FALSE,
    used_times             INTEGER      NOT NULL DEFAULT 0,
    last_used              TIMESTAMPTZ,
    auto_groups            JSONB        NOT NULL DEFAULT '[]',
    usage_limit            INTEGER      NOT NULL,
    ephemeral              BOOLEAN      NOT NULL,
    allow_extra_dns_labels BOOLEAN      NOT NULL,
    created_at             TIMESTAMPTZ  NOT NULL,
    updated_at             TIMESTAMPTZ  NOT NULL,
    CONSTRAINT rm_setup_keys_hash_key UNIQUE (key_hash)
);
CREATE INDEX rm_setup_keys_account_idx ON rm_setup_keys (account_id);

CREATE TABLE rm_groups (
    id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    account_id VARCHAR(64)  NOT NULL,
    name       VARCHAR(255) NOT NULL,
    issued     VARCHAR(32)  NOT NULL,
    -- the built-in All group: its members are every peer of the account, never rows of rm_group_members
    is_all     BOOLEAN      NOT NULL
);
CREATE INDEX rm_groups_account_idx ON rm_groups (account_id);

CREATE TABLE rm_group_members (
    group_id VARCHAR(64) NOT NULL,
    peer_id  VARCHAR(64) NOT NULL,
    CONSTRAINT rm_group_members_pkey PRIMARY KEY (group_id, peer_id)
);
CREATE INDEX rm_group_members_peer_idx ON rm_group_members (peer_id);

CREATE TABLE rm_policies (
    id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    account_id VARCHAR(64)  NOT NULL,
    name       VARCHAR(255) NOT NULL,
    definition TEXT         NOT NULL
);
CREATE INDEX rm_policies_account_idx ON rm_policies (account_id);

CREATE TABLE rm_peers (
    id                            VARCHAR(64)  NOT NULL PRIMARY KEY,
    account_id                    VARCHAR(64)  NOT NULL,
    name                          VARCHAR(255) NOT NULL,
    wg_pub_key                    VARCHAR(64)  NOT NULL,
    ip                            VARCHAR(15)  NOT NULL,
    dns_label                     VARCHAR(255) NOT NULL,
    meta                          TEXT         NOT NULL,
    user_id                       VARCHAR(64),
    setup_key_id                  VARCHAR(64),
    ssh_enabled                   BOOLEAN      NOT NULL DEFAULT FALSE,
    login_expiration_enabled      BOOLEAN      NOT NULL,
    inactivity_expiration_enabled BOOLEAN      NOT NULL DEFAULT FALSE,
    ephemeral                     BOOLEAN      NOT NULL,
    created_at                    TIMESTAMPTZ  NOT NULL,
    last_login                    TIMESTAMPTZ,
    CONSTRAINT rm_peers_account_key_key UNIQUE (account_id, wg_pub_key)
);

CREATE TABLE peer_status (
    peer_id       VARCHAR(64) NOT NULL PRIMARY KEY,
    account_id    VARCHAR(64) NOT NULL,
    connected     BOOLEAN     NOT NULL,
    last_seen     TIMESTAMPTZ NOT NULL,
    connection_ip VARCHAR(64)
);

CREATE TABLE rm_audit (
    -- the event's global index in domain_event_entry; sub numbers the rows one event yields (one per group ...)
    global_index    BIGINT       NOT NULL,
    sub             INTEGER      NOT NULL,
    account_id      VARCHAR(64)  NOT NULL,
    occurred_at     TIMESTAMPTZ  NOT NULL,
    activity        VARCHAR(255) NOT NULL,
    activity_code   VARCHAR(128) NOT NULL,
    initiator_id    VARCHAR(255) NOT NULL,
    initiator_name  VARCHAR(255) NOT NULL,
    initiator_email VARCHAR(255) NOT NULL,
    target_id       VARCHAR(255) NOT NULL,
    meta            TEXT         NOT NULL,
    CONSTRAINT rm_audit_pkey PRIMARY KEY (global_index, sub)
);
CREATE INDEX rm_audit_account_idx ON rm_audit (account_id, global_index DESC, sub DESC);
CREATE INDEX rm_audit_account_time_idx ON rm_audit (account_id, occurred_at);
