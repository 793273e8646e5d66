-- Private DNS (DnsProjection): the account's DNS settings, nameserver groups, custom zones and their records.
-- Definitions are kept whole as JSON (the events' values), the columns beside them are what reads sort and filter by.
CREATE TABLE rm_dns_settings (
    account_id                 VARCHAR(64) PRIMARY KEY,
    disabled_management_groups JSONB       NOT NULL
);

CREATE TABLE rm_nameserver_groups (
    id         VARCHAR(64)  PRIMARY KEY,
    account_id VARCHAR(64)  NOT NULL,
    name       VARCHAR(255) NOT NULL,
    definition JSONB        NOT NULL
);
CREATE INDEX rm_nameserver_groups_account_idx ON rm_nameserver_groups (account_id);

CREATE TABLE rm_dns_zones (
    id         VARCHAR(64)  PRIMARY KEY,
    account_id VARCHAR(64)  NOT NULL,
    name       VARCHAR(255) NOT NULL,
    definition JSONB        NOT NULL
);
CREATE INDEX rm_dns_zones_account_idx ON rm_dns_zones (account_id);

CREATE TABLE rm_dns_records (
    id         VARCHAR(64)  PRIMARY KEY,
    zone_id    VARCHAR(64)  NOT NULL,
    account_id VARCHAR(64)  NOT NULL,
    name       VARCHAR(255) NOT NULL,
    definition JSONB        NOT NULL
);
CREATE INDEX rm_dns_records_zone_idx ON rm_dns_records (zone_id);
