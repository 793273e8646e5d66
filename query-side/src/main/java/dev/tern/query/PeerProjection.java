package dev.tern.query;

import static dev.tern.query.AuditTrail.meta;
import static dev.tern.query.UserProjection.ts;

import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerInactivityExpirationChanged;
import dev.tern.events.PeerLoginExpirationChanged;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import java.util.Map;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Peers (with their login expiry), and the setup-key usage their registrations count. */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
class PeerProjection {
    private final JdbcTemplate jdbc;
    private final AuditTrail audit;

    PeerProjection(JdbcTemplate jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    @ResetHandler
    void reset() {
        // peer_status is live session state, not a projection: a rebuild keeps it.
        jdbc.execute("TRUNCATE rm_peers");
    }

    @EventHandler
    void on(PeerRegistered e, EventMessage<?> message, TrackingToken token) {
        boolean byUser = e.userId() != null && !e.userId().isBlank();
        audit.record(message, token, e.accountId(),
                byUser ? Activity.PEER_ADDED_BY_USER : Activity.PEER_ADDED_WITH_SETUP_KEY, e.peerId(),
                meta("name", e.name(), "ip", e.ip().address(), "dns_label", e.dnsLabel(),
                        "setup_key_id", e.setupKeyId(), "setup_key_name", audit.setupKeyName(e.setupKeyId()),
                        "user_id", byUser ? e.userId() : null));
        int inserted = jdbc.update("""
                        INSERT INTO rm_peers (id, account_id, name, wg_pub_key, ip, dns_label, meta, user_id,
                                              setup_key_id, login_expiration_enabled, ephemeral, created_at,
                                              last_login)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT DO NOTHING""",
                e.peerId(), e.accountId(), e.name(), e.wgPubKey().base64(), e.ip().address(), e.dnsLabel(),
                Json.write(e.meta()), e.userId(), e.setupKeyId(), e.loginExpirationEnabled(), e.ephemeral(),
                ts(e.registeredAt()), ts(e.registeredAt()));
        // Count a key's use only for a peer that is new here, so a redelivered event does not count twice.
        if (inserted == 1 && e.setupKeyId() != null) {
            jdbc.update("UPDATE rm_setup_keys SET used_times = used_times + 1, last_used = ? WHERE id = ?",
                    ts(e.registeredAt()), e.setupKeyId());
        }
    }

    @EventHandler
    void on(PeerRenamed e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), Activity.PEER_RENAMED, e.peerId(),
                withPeer(e.peerId(), meta("name", e.newName(), "old_name", e.oldName(), "dns_label", e.dnsLabel())));
        jdbc.update("UPDATE rm_peers SET name = ?, dns_label = ? WHERE id = ?", e.newName(), e.dnsLabel(),
                e.peerId());
    }

    @EventHandler
    void on(PeerSshChanged e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(),
                e.enabled() ? Activity.PEER_SSH_ENABLED : Activity.PEER_SSH_DISABLED, e.peerId(),
                withPeer(e.peerId(), meta()));
        jdbc.update("UPDATE rm_peers SET ssh_enabled = ? WHERE id = ?", e.enabled(), e.peerId());
    }

    @EventHandler
    void on(PeerLoginExpirationChanged e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), e.enabled()
                        ? Activity.PEER_LOGIN_EXPIRATION_ENABLED : Activity.PEER_LOGIN_EXPIRATION_DISABLED,
                e.peerId(), withPeer(e.peerId(), meta()));
        jdbc.update("UPDATE rm_peers SET login_expiration_enabled = ? WHERE id = ?", e.enabled(), e.peerId());
    }

    @EventHandler
    void on(PeerInactivityExpirationChanged e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), e.enabled()
                        ? Activity.PEER_INACTIVITY_EXPIRATION_ENABLED : Activity.PEER_INACTIVITY_EXPIRATION_DISABLED,
                e.peerId(), withPeer(e.peerId(), meta()));
        jdbc.update("UPDATE rm_peers SET inactivity_expiration_enabled = ? WHERE id = ?", e.enabled(), e.peerId());
    }

    @EventHandler
    void on(PeerLoginExpired e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), Activity.PEER_LOGIN_EXPIRED, e.peerId(),
                withPeer(e.peerId(), meta("cause", e.cause().wireName())));
        jdbc.update("UPDATE rm_peers SET login_expired = TRUE, login_expiry_cause = ? WHERE id = ?",
                e.cause().name(), e.peerId());
    }

    /** Not audited: the settings or flag change that lifted the expiry is, in the same command. */
    @EventHandler
    void on(PeerLoginExpiryLifted e) {
        jdbc.update("UPDATE rm_peers SET login_expired = FALSE, login_expiry_cause = NULL WHERE id = ?", e.peerId());
    }

    @EventHandler
    void on(PeerLoginRenewed e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), Activity.PEER_LOGGED_IN, e.peerId(),
                withPeer(e.peerId(), meta("setup_key_id", e.setupKeyId(),
                        "setup_key_name", audit.setupKeyName(e.setupKeyId()))));
        jdbc.update("""
                        UPDATE rm_peers SET last_login = ?, login_expired = FALSE, login_expiry_cause = NULL
                        WHERE id = ?""", ts(e.renewedAt()), e.peerId());
    }

    @EventHandler
    void on(PeerDeleted e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), Activity.PEER_DELETED, e.peerId(),
                withPeer(e.peerId(), meta("wg_pub_key", e.wgPubKey() == null ? null : e.wgPubKey().base64())));
        jdbc.update("DELETE FROM rm_group_members WHERE peer_id = ?", e.peerId());
        jdbc.update("DELETE FROM peer_status WHERE peer_id = ?", e.peerId());
        jdbc.update("DELETE FROM rm_peers WHERE id = ?", e.peerId());
    }

    /** Adds the peer's current name and mesh IP, as NetBird's peer activities carry them. */
    private Map<String, String> withPeer(String peerId, Map<String, String> meta) {
        jdbc.query("SELECT name, ip, dns_label FROM rm_peers WHERE id = ?", rs -> {
            meta.putIfAbsent("name", rs.getString("name"));
            meta.putIfAbsent("ip", rs.getString("ip"));
            meta.putIfAbsent("dns_label", rs.getString("dns_label"));
        }, peerId);
        return meta;
    }
}
