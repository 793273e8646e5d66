package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.GroupCreated;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerRegistered;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.Ids;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.SetupKeyType;
import java.time.Instant;
import java.util.List;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The same event handled twice (a batch retried after a crash between handling and commit) counts once. */
class RedeliveryTest extends ReadModelTestBase {
    private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");

    @Autowired
    PeerProjection peers;
    @Autowired
    GroupProjection groups;
    @Autowired
    SetupKeyProjection setupKeys;

    @Test
    void aRedeliveredRegistrationDoesNotCountTheSetupKeyTwice() {
        String accountId = Ids.newId();
        String keyId = Ids.newId();
        String groupId = Ids.newId();
        String peerId = Ids.newId();
        long position = 9_000_000_000L + System.nanoTime() % 1_000_000_000L; // far from the real store's indexes

        SetupKeyCreated key = new SetupKeyCreated(accountId, keyId, "k", SetupKeyType.REUSABLE,
                "8".repeat(40) + Ids.newId(), "K", null, 5, List.of(), false, false, T0);
        GroupCreated group = new GroupCreated(accountId, groupId, "devs", GroupIssuer.API);
        PeerRegistered registered = new PeerRegistered(accountId, peerId, AccountHistory.randomKey(),
                new MeshIp("100.72.0.1"), "alpha", "alpha", PeerSystemMeta.ofHostname("alpha"), keyId, null, false,
                true, T0);
        PeerAddedToGroup joined = new PeerAddedToGroup(accountId, groupId, peerId);

        try {
            deliverTwice(accountId, position, key, group, registered, joined);
            assertThat(readModel.setupKey(accountId, keyId).orElseThrow().usedTimes()).isEqualTo(1);
            assertThat(readModel.group(accountId, groupId).orElseThrow().peers()).hasSize(1);
            assertThat(readModel.peers(accountId)).hasSize(1);
            assertThat(readModel.audit(accountId, new AuditQuery(null, null, null, null, null, 0, 100)).total())
                    .isEqualTo(4);
        } finally {
            // These rows come from no stored event: leave nothing a rebuild test would miss.
            jdbc.update("DELETE FROM rm_group_members WHERE group_id = ?", groupId);
            for (String table : List.of("rm_setup_keys", "rm_groups", "rm_peers", "rm_audit")) {
                jdbc.update("DELETE FROM " + table + " WHERE account_id = ?", accountId);
            }
        }
    }

    private void deliverTwice(String accountId, long position, SetupKeyCreated key, GroupCreated group,
                              PeerRegistered registered, PeerAddedToGroup joined) {
        setupKeys.on(key, message(accountId, 0, key), new GlobalSequenceTrackingToken(position));
        groups.on(group, message(accountId, 1, group), new GlobalSequenceTrackingToken(position + 1));
        for (int delivery = 0; delivery < 2; delivery++) {
            peers.on(registered, message(accountId, 2, registered), new GlobalSequenceTrackingToken(position + 2));
            groups.on(joined, message(accountId, 3, joined), new GlobalSequenceTrackingToken(position + 3));
        }
    }

    private static <T> GenericDomainEventMessage<T> message(String accountId, long sequence, T payload) {
        return new GenericDomainEventMessage<>("Account", accountId, sequence, payload,
                AccountHistory.ADMIN.toMetadata());
    }
}
