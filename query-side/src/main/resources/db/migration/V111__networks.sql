-- Networks with their resources and routers (NetworkProjection), definitions as the account stored them.
CREATE TABLE rm_networks (
    id          VARCHAR(64)  NOT NULL PRIMARY KEY,
    account_id  VARCHAR(64)  NOT NULL,
    name        VARCHAR(255) NOT NULL,
    description TEXT         NOT NULL
);
CREATE INDEX rm_networks_account_idx ON rm_networks (account_id);

CREATE TABLE rm_network_resources (
    id         VARCHAR(64) NOT NULL PRIMARY KEY,
    account_id VARCHAR(64) NOT NULL,
    network_id VARCHAR(64) NOT NULL,
    definition TEXT        NOT NULL
);
CREATE INDEX rm_network_resources_network_idx ON rm_network_resources (account_id, network_id);

CREATE TABLE rm_network_routers (
    id         VARCHAR(64) NOT NULL PRIMARY KEY,
    account_id VARCHAR(64) NOT NULL,
    network_id VARCHAR(64) NOT NULL,
    definition TEXT        NOT NULL
);
CREATE INDEX rm_network_routers_network_idx ON rm_network_routers (account_id, network_id);
