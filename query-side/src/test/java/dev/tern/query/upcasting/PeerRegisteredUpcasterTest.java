package dev.tern.query.upcasting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.PeerRegistered;
import dev.tern.events.values.Ids;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.WireGuardKey;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelTestBase;
import dev.tern.query.history.PointInTimeReads;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

/**
 * PeerRegistered as the store holds it from before revision 2 (JSON written by the serializer of that time, in
 * {@code events/PeerRegistered-revision-1.json}) reads as revision 2, in the store's own reads, the peer table and
 * point-in-time reads; new events are written as revision 2.
 */
public class PeerRegisteredUpcasterTest extends ReadModelTestBase {
    @Autowired
    @Qualifier("eventSerializer")
    Serializer serializer;
    @Autowired
    PointInTimeReads history;

    /** The stored revision-1 payload, with this test's account and peer. */
    public static String revision1Payload(String accountId, String peerId, String wgPubKeyBase64, String ip,
                                          String dnsLabel) {
        try (InputStream in = PeerRegisteredUpcasterTest.class.getResourceAsStream(
                "/events/PeerRegistered-revision-1.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip()
                    .replace("\"acc-1\"", "\"" + accountId + "\"").replace("\"peer-1\"", "\"" + peerId + "\"")
                    .replace("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", wgPubKeyBase64)
                    .replace("\"100.71.0.9\"", "\"" + ip + "\"").replace("\"dnsLabel\":\"laptop\"",
                            "\"dnsLabel\":\"" + dnsLabel + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void newRegistrationsAreStoredAsRevision2WithTheirLabels() {
        PeerRegistered event = new PeerRegistered("a", "p", WireGuardKey.of(new byte[32]), new MeshIp("100.71.0.2"),
                "x", "x", PeerSystemMeta.ofHostname("x"), "k", null, false, false, Instant.EPOCH, List.of("web"));
        SerializedObject<String> stored = serializer.serialize(event, String.class);
        assertThat(stored.getType().getRevision()).isEqualTo(PeerRegistered.REVISION);
        assertThat(stored.getData()).contains("\"extraDnsLabels\":[\"web\"]");
    }

    @Test
    void aStoredRevision1RegistrationReadsAsRevision2EverywhereTheQuerySideReadsIt() {
        AccountHistory account = newAccount();
        String peerId = Ids.newId();
        String key = WireGuardKey.of(new byte[] {7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}).base64();
        jdbc.update("""
                INSERT INTO domain_event_entry (event_identifier, aggregate_identifier, sequence_number, type,
                                                time_stamp, payload_type, payload_revision, payload, meta_data)
                SELECT ?, aggregate_identifier, sequence_number + 1, type, ?, ?, NULL, ?, meta_data
                FROM domain_event_entry WHERE aggregate_identifier = ? ORDER BY sequence_number DESC LIMIT 1""",
                Ids.newId(), "2026-03-01T10:00:00Z", PeerRegistered.class.getName(),
                revision1Payload(account.accountId, peerId, key, "100.71.0.9", "old-laptop")
                        .getBytes(StandardCharsets.UTF_8),
                account.accountId);

        List<? extends DomainEventMessage<?>> events = eventStore.readEvents(account.accountId).asStream().toList();
        PeerRegistered upcast = (PeerRegistered) events.get(events.size() - 1).getPayload();
        assertThat(upcast.peerId()).isEqualTo(peerId);
        assertThat(upcast.extraDnsLabels()).isEmpty();
        assertThat(upcast.meta().hostname()).isEqualTo("laptop");
        assertThat(upcast.registeredAt()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));

        awaitProjection();
        assertThat(peerReads.peer(account.accountId, peerId)).hasValueSatisfying(peer -> {
            assertThat(peer.dnsLabel()).isEqualTo("old-laptop");
            assertThat(peer.extraDnsLabels()).isEmpty();
        });
        assertThat(history.at(account.accountId, Instant.now()).orElseThrow().peers())
                .anySatisfy(peer -> assertThat(peer.id()).isEqualTo(peerId));
    }
}
