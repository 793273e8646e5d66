package dev.tern.query.users;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** {@link TokenUsageStore} on the token_usage table. */
@Component
public class JdbcTokenUsageStore implements TokenUsageStore {
    private final JdbcTemplate jdbc;

    public JdbcTokenUsageStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void markUsed(String tokenId, Instant at) {
        jdbc.update("""
                        INSERT INTO token_usage (token_id, last_used) VALUES (?, ?)
                        ON CONFLICT (token_id) DO UPDATE SET last_used = EXCLUDED.last_used
                        WHERE token_usage.last_used < EXCLUDED.last_used""",
                tokenId, Timestamp.from(at));
    }
}
