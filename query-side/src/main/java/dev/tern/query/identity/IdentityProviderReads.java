package dev.tern.query.identity;

import dev.tern.events.values.JwtGroupSettings;
import dev.tern.query.jdbc.Json;
import java.util.List;
import java.util.Optional;
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

    /** Whether any provider has a sealed client secret: then the server cannot start without its key. */
    public boolean anySealedSecret() {
        Boolean any = jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM rm_identity_providers WHERE sealed_client_secret IS NOT NULL)",
                Boolean.class);
        return Boolean.TRUE.equals(any);
    }

    /** One sealed secret, to check at start-up that the configured key opens it. */
    public Optional<String> anySealedSecretValue() {
        return jdbc.queryForList("SELECT sealed_client_secret FROM rm_identity_providers"
                + " WHERE sealed_client_secret IS NOT NULL LIMIT 1", String.class).stream().findFirst();
    }

    public JwtGroupSettings jwtGroupSettings(String accountId) {
        return jdbc.query("SELECT enabled, claim_name, allow_groups FROM rm_jwt_group_settings WHERE account_id = ?",
                        (rs, n) -> new JwtGroupSettings(rs.getBoolean("enabled"), rs.getString("claim_name"),
                                Json.readStringList(rs.getString("allow_groups"))), accountId)
                .stream().findFirst().orElse(JwtGroupSettings.defaults());
    }
}
