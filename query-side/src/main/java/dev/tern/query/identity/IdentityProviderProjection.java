package dev.tern.query.identity;

import dev.tern.events.IdentityProviderCreated;
import dev.tern.events.IdentityProviderDeleted;
import dev.tern.events.IdentityProviderUpdated;
import dev.tern.events.JwtGroupSettingsUpdated;
import dev.tern.query.QuerySideConfiguration;
import dev.tern.query.jdbc.Json;
import dev.tern.query.jdbc.WriteBehind;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Identity providers and JWT group settings into rm_identity_providers and rm_jwt_group_settings. */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
public class IdentityProviderProjection {
    private final JdbcTemplate jdbc;
    /** Held in one queue with every projection's while a rebuild replays ({@link WriteBehind}). */
    private final WriteBehind writes;

    IdentityProviderProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.writes = new WriteBehind(jdbc);
    }

    @ResetHandler
    void reset() {
        // DELETE, not TRUNCATE, which would lock readers (sign-in) out until the rebuild commits (ReadModelRebuild).
        jdbc.execute("DELETE FROM rm_identity_providers");
        jdbc.execute("DELETE FROM rm_jwt_group_settings");
    }

    @EventHandler
    void on(IdentityProviderCreated e) {
        writes.update("""
                        INSERT INTO rm_identity_providers (id, account_id, type, name, issuer, client_id,
                                                           sealed_client_secret)
                        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING""",
                e.providerId(), e.accountId(), e.type(), e.name(), e.issuer(), e.clientId(), e.sealedClientSecret());
    }

    @EventHandler
    void on(IdentityProviderUpdated e) {
        writes.update("""
                        UPDATE rm_identity_providers SET type = ?, name = ?, issuer = ?, client_id = ?,
                            sealed_client_secret = ? WHERE id = ?""",
                e.type(), e.name(), e.issuer(), e.clientId(), e.sealedClientSecret(), e.providerId());
    }

    @EventHandler
    void on(IdentityProviderDeleted e) {
        writes.update("DELETE FROM rm_identity_providers WHERE id = ?", e.providerId());
    }

    @EventHandler
    void on(JwtGroupSettingsUpdated e) {
        writes.update("""
                        INSERT INTO rm_jwt_group_settings (account_id, enabled, claim_name, allow_groups)
                        VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE
                        SET enabled = EXCLUDED.enabled, claim_name = EXCLUDED.claim_name,
                            allow_groups = EXCLUDED.allow_groups""",
                e.accountId(), e.after().enabled(), e.after().claimName(), Json.write(e.after().allowGroups()));
    }
}
