package dev.tern.query.identity;

import dev.tern.events.values.JwtGroupSettings;
import dev.tern.query.AsOfScope;
import dev.tern.query.jdbc.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/** Identity providers and JWT group settings as the API and REST's token verification read them. */
@Component
public class IdentityProviderReads {
    private static final RowMapper<IdentityProviderView> PROVIDER = (rs, n) -> new IdentityProviderView(
            rs.getString("id"), rs.getString("account_id"), rs.getString("type"), rs.getString("name"),
            rs.getString("issuer"), rs.getString("client_id"), rs.getString("sealed_client_secret"));
    private static final String COLUMNS = "id, account_id, type, name, issuer, client_id, sealed_client_secret";

    /** What an as-of state answers for these reads ({@link AsOfScope}). */
    public interface AsOf {
        JwtGroupSettings jwtGroupSettings();
    }

    private final JdbcTemplate jdbc;

    IdentityProviderReads(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<IdentityProviderView> list(String accountId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM rm_identity_providers WHERE account_id = ? ORDER BY name, id",
                PROVIDER, accountId);
    }

    public Optional<IdentityProviderView> find(String accountId, String providerId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM rm_identity_providers WHERE account_id = ? AND id = ?",
                PROVIDER, accountId, providerId).stream().findFirst();
    }

    /** The providers (of any account) whose tokens carry this {@code iss}. */
    public List<IdentityProviderView> byIssuer(String issuer) {
        return jdbc.query("SELECT " + COLUMNS + " FROM rm_identity_providers WHERE issuer = ? ORDER BY id", PROVIDER,
                issuer);
    }

    /** One sealed client secret with its provider's id (the associated data it was sealed with), if any is stored. */
    public Optional<Map.Entry<String, String>> anySealedSecret() {
        return jdbc.query("SELECT id, sealed_client_secret FROM rm_identity_providers"
                        + " WHERE sealed_client_secret IS NOT NULL ORDER BY id LIMIT 1",
                (rs, n) -> Map.entry(rs.getString("id"), rs.getString("sealed_client_secret"))).stream().findFirst();
    }

    public JwtGroupSettings jwtGroupSettings(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().jwtGroupSettings();
        }
        return jdbc.query("SELECT enabled, claim_name, allow_groups FROM rm_jwt_group_settings WHERE account_id = ?",
                        (rs, n) -> new JwtGroupSettings(rs.getBoolean("enabled"), rs.getString("claim_name"),
                                Json.readStringList(rs.getString("allow_groups"))), accountId)
                .stream().findFirst().orElse(JwtGroupSettings.defaults());
    }

    /** The names of the groups {@code groupIds}, each with whether JWT sync created it (issued "jwt"). */
    public Map<String, Boolean> groupNamesIssuedByJwt(String accountId, List<String> groupIds) {
        Map<String, Boolean> names = new TreeMap<>();
        if (!groupIds.isEmpty()) {
            jdbc.query("SELECT name, issued = 'JWT' FROM rm_groups WHERE account_id = ? AND id = ANY (?)",
                    rs -> {
                        names.put(rs.getString(1), rs.getBoolean(2));
                    }, accountId, groupIds.toArray(new String[0]));
        }
        return names;
    }

    /** The account a user (by id, unique across accounts) belongs to. */
    public Optional<String> accountOfUser(String userId) {
        return jdbc.queryForList("SELECT account_id FROM rm_users WHERE id = ?", String.class, userId).stream()
                .findFirst();
    }
}
