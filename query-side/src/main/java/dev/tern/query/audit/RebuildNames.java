package dev.tern.query.audit;

import java.util.HashMap;
import java.util.Map;

/**
 * The names the audit trail shows (users, peers, groups, setup keys, routes), kept from the events while a full rebuild
 * replays, so the audit does not read them back from tables whose writes the rebuild holds (
 * {@link dev.tern.query.jdbc.WriteBehind}). A full rebuild hands the audit every event from the first, so these maps
 * hold what the tables hold at each event: each is changed by the same events, the same way, as the table its
 * projection writes (an insert that finds its id keeps the first row, as {@code ON CONFLICT DO NOTHING} does; an
 * update or delete of an unknown id changes nothing). The audit looks names up, then applies the event.
 */
final class RebuildNames {
    /** rm_users' name, email and service_user. */
    record User(String name, String email, boolean serviceUser) {
    }

    /** rm_peers' name, ip and dns_label. */
    record Peer(String name, String ip, String dnsLabel) {
    }

    final Map<String, User> users = new HashMap<>();
    final Map<String, Peer> peers = new HashMap<>();
    /** rm_groups' name by id. */
    final Map<String, String> groups = new HashMap<>();
    /** rm_setup_keys' name by id. */
    final Map<String, String> setupKeys = new HashMap<>();
    /** rm_routes' definition (JSON, as stored) by id. */
    final Map<String, String> routes = new HashMap<>();

    void peerRenamed(String peerId, String name, String dnsLabel) {
        peers.computeIfPresent(peerId, (id, peer) -> new Peer(name, peer.ip(), dnsLabel));
    }

    void groupRenamed(String groupId, String name) {
        groups.computeIfPresent(groupId, (id, old) -> name);
    }

    String groupName(String groupId) {
        return groupId == null ? null : groups.get(groupId);
    }

    String setupKeyName(String setupKeyId) {
        return setupKeyId == null ? null : setupKeys.get(setupKeyId);
    }
}
