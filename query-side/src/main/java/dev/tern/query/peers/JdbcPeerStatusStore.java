package dev.tern.query.peers;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** {@link PeerStatusStore} on the peer_status table, which the rebuild of the read model leaves alone. */
@Component
public class JdbcPeerStatusStore implements PeerStatusStore {
    private final JdbcTemplate jdbc;

    public JdbcPeerStatusStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void markConnected(String accountId, String peerId, Instant at, String connectionIp) {
        jdbc.update("""
                        INSERT INTO peer_status (peer_id, account_id, connected, last_seen, connection_ip)
                        VALUES (?, ?, TRUE, ?, ?)
                        ON CONFLICT (peer_id) DO UPDATE SET connected = TRUE, last_seen = EXCLUDED.last_seen,
                            connection_ip = COALESCE(EXCLUDED.connection_ip, peer_status.connection_ip)""",
                peerId, accountId, Timestamp.from(at), connectionIp);
    }

    @Override
    public void markDisconnected(String accountId, String peerId, Instant at) {
        // last_seen never moves backwards: a disconnect stamped before the latest contact changes nothing. A peer
        // deleted meanwhile (its stream ends after the deletion) gets no row: nothing would ever delete it again.
        jdbc.update("""
                        INSERT INTO peer_status (peer_id, account_id, connected, last_seen)
                        SELECT ?, ?, FALSE, ? WHERE EXISTS (SELECT 1 FROM rm_peers WHERE id = ?)
                        ON CONFLICT (peer_id) DO UPDATE SET connected = FALSE, last_seen = EXCLUDED.last_seen
                        WHERE peer_status.last_seen <= EXCLUDED.last_seen""",
                peerId, accountId, Timestamp.from(at), peerId);
    }
}
