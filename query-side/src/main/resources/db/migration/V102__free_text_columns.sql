-- Names, e-mails and actor fields come from clients and metadata. A value too long for its column would make
-- its event unprojectable, so free text has no length limit here (PostgreSQL stores TEXT like VARCHAR).
ALTER TABLE rm_accounts ALTER COLUMN dns_domain TYPE TEXT;
ALTER TABLE rm_users ALTER COLUMN email TYPE TEXT, ALTER COLUMN name TYPE TEXT;
ALTER TABLE rm_tokens ALTER COLUMN name TYPE TEXT, ALTER COLUMN created_by TYPE TEXT;
ALTER TABLE rm_setup_keys ALTER COLUMN name TYPE TEXT, ALTER COLUMN key_prefix TYPE TEXT;
ALTER TABLE rm_groups ALTER COLUMN name TYPE TEXT;
ALTER TABLE rm_policies ALTER COLUMN name TYPE TEXT;
ALTER TABLE rm_peers ALTER COLUMN name TYPE TEXT, ALTER COLUMN dns_label TYPE TEXT;
ALTER TABLE peer_status ALTER COLUMN connection_ip TYPE TEXT;
ALTER TABLE rm_audit ALTER COLUMN initiator_id TYPE TEXT, ALTER COLUMN initiator_name TYPE TEXT,
    ALTER COLUMN initiator_email TYPE TEXT, ALTER COLUMN target_id TYPE TEXT;
