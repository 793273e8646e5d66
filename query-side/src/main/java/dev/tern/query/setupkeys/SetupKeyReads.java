package dev.tern.query.setupkeys;

import static dev.tern.query.jdbc.Rows.first;
import static dev.tern.query.jdbc.Rows.instant;

import dev.tern.events.values.SetupKeyType;
import dev.tern.query.AsOfScope;
import dev.tern.query.jdbc.Json;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/**
 * Reads of the table {@link SetupKeyProjection} keeps (setup keys, with the usage their peers' registrations
 * count). Scoped to one account, except the look-up by hash a registration starts from.
 */
@Component
public class SetupKeyReads implements RegistrationReads {
    /** What an as-of state answers for these reads ({@link AsOfScope}): the keys in {@link #setupKeys}' order. */
    public interface AsOf {
        List<SetupKeyView> setupKeys();
    }

    private final JdbcTemplate jdbc;

    public SetupKeyReads(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<String> findAccountBySetupKeyHash(String keyHash) {
        return first(jdbc.queryForList("SELECT account_id FROM rm_setup_keys WHERE key_hash = ?", String.class,
                keyHash));
    }

    private static final String SETUP_KEY_COLUMNS = "id, account_id, name, type, key_prefix, expires_at, revoked, "
            + "used_times, last_used, auto_groups::text, updated_at, usage_limit, ephemeral, allow_extra_dns_labels";
    private static final RowMapper<SetupKeyView> SETUP_KEY = (rs, i) -> new SetupKeyView(rs.getString(1),
            rs.getString(2), rs.getString(3), SetupKeyType.valueOf(rs.getString(4)), rs.getString(5),
            instant(rs, 6), rs.getBoolean(7), rs.getInt(8), instant(rs, 9), Json.readStringList(rs.getString(10)),
            instant(rs, 11), rs.getInt(12), rs.getBoolean(13), rs.getBoolean(14));

    public List<SetupKeyView> setupKeys(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().setupKeys();
        }
        return jdbc.query("SELECT " + SETUP_KEY_COLUMNS
                + " FROM rm_setup_keys WHERE account_id = ? ORDER BY created_at, id", SETUP_KEY, accountId);
    }

    public Optional<SetupKeyView> setupKey(String accountId, String setupKeyId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().setupKeys().stream().filter(k -> k.id().equals(setupKeyId)).findFirst();
        }
        return first(jdbc.query("SELECT " + SETUP_KEY_COLUMNS + " FROM rm_setup_keys WHERE account_id = ? AND id = ?",
                SETUP_KEY, accountId, setupKeyId));
    }
}
