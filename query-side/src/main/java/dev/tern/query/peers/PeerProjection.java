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
import dev.tern.query.RebuildHeldWrites;
import dev.tern.query.jdbc.FoldedTable;
import dev.tern.query.jdbc.Json;
import dev.tern.query.jdbc.TableWrites;
import dev.tern.query.jdbc.WriteBehind;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Peers (with their login expiry), and the setup-key usage their registrations count. A rebuild folds rm_peers in
 * memory ({@link TableWrites}, {@link RebuildHeldWrites}): most of a long history's peer statements touch rows a later
 * event changes again or deletes, so only the final rows are written, with the usage counts and the deleted peers'
 * session rows in one statement each.
 */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
public class PeerProjection implements RebuildHeldWrites {
    /** rm_peers as its writes see it: every column a handler writes, in {@link #on(PeerRegistered)}'s order. */
    static final TableWrites.Shape PEERS = TableWrites.Shape.of("rm_peers", List.of("id", "account_id", "name",
                    "wg_pub_key", "ip", "dns_label", "meta", "user_id", "setup_key_id", "login_expiration_enabled",
                    "ephemeral", "created_at", "last_login", "extra_dns_labels", "ssh_enabled",
                    "inactivity_expiration_enabled", "login_expired", "login_expiry_cause"),
            List.of("id"), List.of(List.of("account_id", "wg_pub_key")), List.of());

    private final JdbcTemplate jdbc;
    /** Held in one queue with every projection's while a rebuild replays ({@link WriteBehind}). */
    private final WriteBehind writes;
    private final TableWrites peers;
    /** While a rebuild folds rm_peers on this thread: what the live statements would have done beside it. */
    private final ThreadLocal<FoldedSideEffects> sideEffects = new ThreadLocal<>();

    /** A setup key's registrations counted during a rebuild, and the time of the last one. */
    private record Usage(int count, Timestamp lastUsed) {
    }

    /** The setup-key usage and the session rows a folding rebuild writes once at its end. */
    private static final class FoldedSideEffects {
        final Map<String, Usage> usage = new LinkedHashMap<>();
        final List<String> deletedPeers = new ArrayList<>();
    }

    PeerProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.writes = new WriteBehind(jdbc);
        this.peers = new TableWrites(jdbc, PEERS);
    }

    @ResetHandler
    void reset() {
        // peer_status is live session state, not a projection: a rebuild keeps it.
        // DELETE, not TRUNCATE, which would lock readers out until the rebuild commits (ReadModelRebuild).
        jdbc.execute("DELETE FROM rm_peers");
    }

    @EventHandler
    void on(PeerRegistered e) {
        FoldedTable folded = peers.folded();
        if (folded != null) {
            if (folded.insert(e.peerId(), e.accountId(), e.name(), e.wgPubKey().base64(), e.ip().address(),
                    e.dnsLabel(), Json.write(e.meta()), e.userId(), e.setupKeyId(), e.loginExpirationEnabled(),
                    e.ephemeral(), ts(e.registeredAt()), ts(e.registeredAt()), Json.write(e.extraDnsLabels()),
                    false, false, false, null) && e.setupKeyId() != null) {
                // as the statement below counts: a key's use only for a peer that is new here
                sideEffects.get().usage.merge(e.setupKeyId(), new Usage(1, ts(e.registeredAt())),
                        (old, one) -> new Usage(old.count() + 1, one.lastUsed()));
            }
            return;
        }
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
            // through the table's writes, so a folding rebuild moves the folded row, not a row not written yet
            peers.update(moved.peerId(), "ip", moved.ip().address());
        }
    }

    @EventHandler
    void on(PeerRenamed e) {
        peers.update(e.peerId(), "name", e.newName(), "dns_label", e.dnsLabel());
    }

    @EventHandler
    void on(PeerExtraDnsLabelsSet e) {
        peers.update(e.peerId(), "extra_dns_labels", Json.write(e.labels()));
    }

    @EventHandler
    void on(PeerSshChanged e) {
        peers.update(e.peerId(), "ssh_enabled", e.enabled());
    }

    @EventHandler
    void on(PeerLoginExpirationChanged e) {
        peers.update(e.peerId(), "login_expiration_enabled", e.enabled());
    }

    @EventHandler
    void on(PeerInactivityExpirationChanged e) {
        peers.update(e.peerId(), "inactivity_expiration_enabled", e.enabled());
    }

    @EventHandler
    void on(PeerLoginExpired e) {
        peers.update(e.peerId(), "login_expired", true, "login_expiry_cause", e.cause().name());
    }

    @EventHandler
    void on(PeerLoginExpiryLifted e) {
        peers.update(e.peerId(), "login_expired", false, "login_expiry_cause", null);
    }

    @EventHandler
    void on(PeerLoginRenewed e) {
        peers.update(e.peerId(), "last_login", ts(e.renewedAt()), "login_expired", false, "login_expiry_cause", null);
    }

    @EventHandler
    void on(PeerDeleted e) {
        FoldedSideEffects folding = sideEffects.get();
        if (folding != null) {
            folding.deletedPeers.add(e.peerId());
        } else {
            writes.update("DELETE FROM peer_status WHERE peer_id = ?", e.peerId());
        }
        peers.delete(e.peerId());
    }

    @Override
    public void holdWrites() {
        peers.fold();
        sideEffects.set(new FoldedSideEffects());
    }

    /** Nothing to write before the end: no statement of the rebuild reads rm_peers. */
    @Override
    public void flushHeldWrites() {
    }

    /**
     * The final peers, then the usage their registrations counted (the keys' rows were written by the held
     * statements the rebuild flushed before; a registration names a key the aggregate knows, so counting at the end
     * counts what the statements in order would have), then the deleted peers' session rows.
     */
    @Override
    public void finishHeldWrites() {
        peers.writeFolded();
        FoldedSideEffects folded = sideEffects.get();
        if (folded == null) {
            return;
        }
        if (!folded.usage.isEmpty()) {
            jdbc.update("""
                            UPDATE rm_setup_keys k SET used_times = k.used_times + u.n, last_used = u.last_used
                            FROM unnest(?::text[], ?::text[]::int[], ?::text[]::timestamptz[]) AS u (id, n, last_used)
                            WHERE k.id = u.id""",
                    folded.usage.keySet().toArray(String[]::new),
                    folded.usage.values().stream().map(u -> String.valueOf(u.count())).toArray(String[]::new),
                    // instants as ISO-8601 with their zone: the text of a timestamptz, whatever the JVM's zone
                    folded.usage.values().stream().map(u -> u.lastUsed().toInstant().toString())
                            .toArray(String[]::new));
        }
        if (!folded.deletedPeers.isEmpty()) {
            jdbc.update("DELETE FROM peer_status WHERE peer_id = ANY(?)",
                    (Object) folded.deletedPeers.toArray(String[]::new));
        }
        sideEffects.set(new FoldedSideEffects());
    }

    @Override
    public void stopHoldingWrites() {
        peers.stopFolding();
        sideEffects.remove();
    }
}
