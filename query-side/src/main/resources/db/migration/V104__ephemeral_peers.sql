-- The ephemeral-peer sweeper's query (JdbcReadModel.EPHEMERAL_GONE): only ephemeral peers, a few of most accounts.
CREATE INDEX rm_peers_ephemeral_idx ON rm_peers (created_at) WHERE ephemeral;
