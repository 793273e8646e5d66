package dev.tern.query.peers;

import static dev.tern.query.jdbc.Rows.ts;

import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerExtraDnsLabelsSet;
import dev.tern.events.PeerInactivityExpirationChanged;
import dev.tern.events.PeerLoginExpirationChanged;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.query.QuerySideConfiguration;
import dev.tern.query.jdbc.Json;
import dev.tern.query.jdbc.WriteBehind;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Peers (with their login expiry), and the setup-key usage their registrations count. */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
public class PeerProjection {
    private final JdbcTemplate jdbc;
    /** Held in one queue with every projection's while a rebuild replays ({@link WriteBehind}). */
    private final WriteBehind writes;

    PeerProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.writes = new WriteBehind(jdbc);
    }

    @ResetHandler
    void reset() {
        // peer_status is live session state, not a projection: a rebuild keeps it.
        // DELETE, not TRUNCATE, which would lock readers out until the rebuild commits (ReadModelRebuild).
        jdbc.execute("DELETE FROM rm_peers");
    }

    @EventHandler
    void on(PeerRegistered e) {
        // Count a key's use only for a peer that is new here, so a redelivered event does not count twice; one
        // statement (the update sees what the insert returned), so a rebuild can hold it (WriteBehind).
        writes.update("""
                        WITH inserted AS (
                            INSERT INTO rm_peers (id, account_id, name, wg_pub_key, ip, dns_label, meta, user_id,
                                                  setup_key_id, login_expiration_enabled, ephemeral, created_at,
                                                  last_login, extra_dns_labels)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            ON CONFLICT DO NOTHING
                            RETURNING setup_key_id)
                        UPDATE rm_setup_keys SET used_times = used_times + 1, last_used = ?
                        WHERE id = (SELECT setup_key_id FROM inserted)""",
                e.peerId(), e.accountId(), e.name(), e.wgPubKey().base64(), e.ip().address(), e.dnsLabel(),
                Json.write(e.meta()), e.userId(), e.setupKeyId(), e.loginExpirationEnabled(), e.ephemeral(),
                ts(e.registeredAt()), ts(e.registeredAt()), Json.write(e.extraDnsLabels()), ts(e.registeredAt()));
    }

    @EventHandler
    void on(AccountNetworkRangeChanged e) {
        for (AccountNetworkRangeChanged.PeerAddress moved : e.peerAddresses()) {
            writes.update("UPDATE rm_peers SET ip = ? WHERE id = ?", moved.ip().address(), moved.peerId());
        }
    }

    @EventHandler
    void on(PeerRenamed e) {
        writes.update("UPDATE rm_peers SET name = ?, dns_label = ? WHERE id = ?", e.newName(), e.dnsLabel(),
                e.peerId());
    }

    @EventHandler
    void on(PeerExtraDnsLabelsSet e) {
        writes.update("UPDATE rm_peers SET extra_dns_labels = ? WHERE id = ?", Json.write(e.labels()), e.peerId());
    }

    @EventHandler
    void on(PeerSshChanged e) {
        writes.update("UPDATE rm_peers SET ssh_enabled = ? WHERE id = ?", e.enabled(), e.peerId());
    }

    @EventHandler
    void on(PeerLoginExpirationChanged e) {
        writes.update("UPDATE rm_peers SET login_expiration_enabled = ? WHERE id = ?", e.enabled(), e.peerId());
    }

    @EventHandler
    void on(PeerInactivityExpirationChanged e) {
        writes.update("UPDATE rm_peers SET inactivity_expiration_enabled = ? WHERE id = ?", e.enabled(), e.peerId());
    }

    @EventHandler
    void on(PeerLoginExpired e) {
        writes.update("UPDATE rm_peers SET login_expired = TRUE, login_expiry_cause = ? WHERE id = ?",
                e.cause().name(), e.peerId());
    }

    @EventHandler
    void on(PeerLoginExpiryLifted e) {
        writes.update("UPDATE rm_peers SET login_expired = FALSE, login_expiry_cause = NULL WHERE id = ?", e.peerId());
    }

    @EventHandler
    void on(PeerLoginRenewed e) {
        writes.update("""
                        UPDATE rm_peers SET last_login = ?, login_expired = FALSE, login_expiry_cause = NULL
                        WHERE id = ?""", ts(e.renewedAt()), e.peerId());
    }

    @EventHandler
    void on(PeerDeleted e) {
        writes.update("DELETE FROM peer_status WHERE peer_id = ?", e.peerId());
        writes.update("DELETE FROM rm_peers WHERE id = ?", e.peerId());
    }
}
