-- The management server's X25519 key pair, which every peer seals its gRPC bodies to. Kept in the database
-- (not a file in the data dir) so that several tern-server nodes sharing one PostgreSQL present the same key.
-- Exactly one row; the first node to start inserts it, every other node and every restart reads it.
CREATE TABLE management_server_key (
    id          SMALLINT    PRIMARY KEY CHECK (id = 1),
    private_key BYTEA       NOT NULL CHECK (octet_length(private_key) = 32),
    version     INTEGER     NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
