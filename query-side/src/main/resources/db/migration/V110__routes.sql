-- Routes (RouteProjection): the definition as the account stored it, read back whole by the REST API.
CREATE TABLE rm_routes (
    id         VARCHAR(64) NOT NULL PRIMARY KEY,
    account_id VARCHAR(64) NOT NULL,
    net_id     VARCHAR(64) NOT NULL,
    definition TEXT        NOT NULL
);
CREATE INDEX rm_routes_account_idx ON rm_routes (account_id);
