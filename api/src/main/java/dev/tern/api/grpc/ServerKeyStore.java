package dev.tern.api.grpc;

import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The management server's X25519 key pair in the {@code management_server_key} table (Flyway V2). The first call
 * anywhere creates it; every later call, restart or other node sharing the database reads the same key, so peers
 * never have to refetch it. The private key is never logged and leaves this class only inside {@link ServerKey}.
 */
final class ServerKeyStore {
    /** Bumped if the key is ever rotated; GetServerKey reports it. */
    static final int KEY_VERSION = 1;

    private final JdbcTemplate jdbc;
    private final Clock clock;

    ServerKeyStore(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The stored key, created first if there is none. Safe against several nodes creating it at once. */
    ServerKey loadOrCreate() {
        ServerKey stored = load();
        if (stored != null) {
            return stored;
        }
        X25519KeyPair fresh = NaclBox.generateKeyPair();
        // Two nodes may race here: the primary key lets exactly one insert win and both then read the winner.
        jdbc.update("""
                        INSERT INTO management_server_key (id, private_key, version, created_at) VALUES (1, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING""",
                fresh.privateKey(), KEY_VERSION, Timestamp.from(clock.instant()));
        ServerKey winner = load();
        if (winner == null) {
            throw new IllegalStateException("management server key was neither found nor created");
        }
        return winner;
    }

    private ServerKey load() {
        List<ServerKey> rows = jdbc.query("SELECT private_key, version FROM management_server_key WHERE id = 1",
                (rs, i) -> new ServerKey(X25519KeyPair.fromPrivateKey(rs.getBytes("private_key")), rs.getInt("version")));
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** The key pair and its version. {@link #toString()} shows only the public half. */
    record ServerKey(X25519KeyPair keyPair, int version) {
        String publicKeyBase64() {
            return keyPair.publicKeyBase64();
        }
    }
}
