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
import dev.tern.query.audit.AuditQuery;
import java.time.Instant;
import java.util.List;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.AbstractEventProcessor;
import org.axonframework.eventhandling.EventHandlerInvoker;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericTrackedDomainEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.Segment;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The same event handled twice (a batch retried after a crash between handling and commit) counts once. */
class RedeliveryTest extends ReadModelTestBase {
    private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");

    @Autowired
    EventProcessingConfiguration processing;

    @Test
    void aRedeliveredRegistrationDoesNotCountTheSetupKeyTwice() throws Exception {
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
            assertThat(setupKeyReads.setupKey(accountId, keyId).orElseThrow().usedTimes()).isEqualTo(1);
            assertThat(groupReads.group(accountId, groupId).orElseThrow().peers()).hasSize(1);
            assertThat(peerReads.peers(accountId)).hasSize(1);
            assertThat(auditReads.audit(accountId, new AuditQuery(null, null, null, null, null, 0, 100)).total())
                    .isEqualTo(4);
        } finally {
            // These rows come from no stored event: leave nothing a rebuild test would miss.
            jdbc.update("DELETE FROM rm_group_members WHERE group_id = ?", groupId);
            for (String table : List.of("rm_setup_keys", "rm_groups", "rm_peers", "rm_audit")) {
                jdbc.update("DELETE FROM " + table + " WHERE account_id = ?", accountId);
            }
        }
    }

    /** Straight to the read-model group's handlers (audit and tables, in their order), as its processor would. */
    private void deliverTwice(String accountId, long position, SetupKeyCreated key, GroupCreated group,
                              PeerRegistered registered, PeerAddedToGroup joined) throws Exception {
        EventHandlerInvoker handlers = processing
                .eventProcessor(QuerySideConfiguration.READ_MODEL, AbstractEventProcessor.class).orElseThrow()
                .eventHandlerInvoker();
        handlers.handle(tracked(position, message(accountId, 0, key)), Segment.ROOT_SEGMENT);
        handlers.handle(tracked(position + 1, message(accountId, 1, group)), Segment.ROOT_SEGMENT);
        for (int delivery = 0; delivery < 2; delivery++) {
            handlers.handle(tracked(position + 2, message(accountId, 2, registered)), Segment.ROOT_SEGMENT);
            handlers.handle(tracked(position + 3, message(accountId, 3, joined)), Segment.ROOT_SEGMENT);
        }
    }

    private static <T> GenericTrackedDomainEventMessage<T> tracked(long position,
                                                                   GenericDomainEventMessage<T> message) {
        return new GenericTrackedDomainEventMessage<>(new GlobalSequenceTrackingToken(position), message);
    }

    private static <T> GenericDomainEventMessage<T> message(String accountId, long sequence, T payload) {
        return new GenericDomainEventMessage<>("Account", accountId, sequence, payload,
                AccountHistory.ADMIN.toMetadata());
    }
}
