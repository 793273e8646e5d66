-- External OpenID Providers of an account (the client secret stays sealed with AES-GCM, as in the events) and the
-- account's JWT group settings: what REST's token verification and the identity-provider API read.
CREATE TABLE rm_identity_providers (
    id                   VARCHAR(64)   NOT NULL PRIMARY KEY,
    account_id           VARCHAR(64)   NOT NULL,
    type                 VARCHAR(32)   NOT NULL,
    name                 VARCHAR(255)  NOT NULL,
    issuer               VARCHAR(2048) NOT NULL,
    client_id            VARCHAR(1024) NOT NULL,
    sealed_client_secret TEXT
);
CREATE INDEX rm_identity_providers_account_idx ON rm_identity_providers (account_id);
CREATE INDEX rm_identity_providers_issuer_idx ON rm_identity_providers (issuer);

CREATE TABLE rm_jwt_group_settings (
    account_id  VARCHAR(64)  NOT NULL PRIMARY KEY,
    enabled     BOOLEAN      NOT NULL,
    claim_name  VARCHAR(255) NOT NULL,
    allow_groups TEXT        NOT NULL
);
