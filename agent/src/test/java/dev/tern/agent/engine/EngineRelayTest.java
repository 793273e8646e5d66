package dev.tern.agent.engine;

import dev.tern.agent.TestKeys;
import dev.tern.agent.relay.RecordingRelay;
import dev.tern.agent.relay.RelayTransport;
import dev.tern.agent.status.StatusReport;
import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.signal.Body;
import dev.tern.testsupport.time.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The switch to the relay: a fake data plane, a recording relay, real loopback proxies and a clock we move. */
class EngineRelayTest {
    private final String keyB = TestKeys.publicKey();
    private final String keyC = TestKeys.publicKey();
    private final FakeDataPlane plane = new FakeDataPlane();
    private final RecordingRelay relay = new RecordingRelay();
    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T12:00:00Z"));
    /** Stands in for WireGuard's listen socket: relayed packets must arrive here. */
    private final DatagramSocket wireGuard = bindLoopback();
    private final Engine engine = new Engine(plane, wireGuard.getLocalPort(),
            () -> List.of(new Candidates.LocalAddress("10.77.0.1", 24)), (remote, body) -> true, relay, clock);

    @AfterEach
    void closeSockets() {
        engine.close();
        wireGuard.close();
    }

    private static DatagramSocket bindLoopback() {
        try {
            return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (java.net.SocketException e) {
            throw new IllegalStateException(e);
        }
    }

    private MeshMap map(long serial, MeshMap.RemotePeer... peers) {
        return new MeshMap(serial, "100.64.0.1/16", "a.tern.internal", List.of(peers), List.of());
    }

    private MeshMap.RemotePeer peerB() {
        return new MeshMap.RemotePeer(keyB, List.of("100.64.0.2/32"), "b.tern.internal");
    }

    private MeshMap.RemotePeer peerC() {
        return new MeshMap.RemotePeer(keyC, List.of("100.64.0.3/32"), "c.tern.internal");
    }

    private StatusReport.Peer statusOf(String key) {
        return engine.peerStatus().stream().filter(p -> p.publicKey().equals(key)).findFirst().orElseThrow();
    }

    private static InetSocketAddress address(String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        return new InetSocketAddress(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)));
    }

    @Test
    void aPeerWithoutHandshakeIsRelayedAfterTheTimeoutAndItsPacketsGoToTheRelay() throws Exception {
        engine.applyMap(map(1, peerB()));
        engine.onSignal(keyB, Body.newBuilder().setType(Body.Type.CANDIDATE)
                .setPayload(Candidates.format(0, "10.77.0.2", 51820)).build());
        assertThat(plane.endpointOf(keyB)).isEqualTo("10.77.0.2:51820");
        assertThat(statusOf(keyB).connectionType()).isEqualTo("direct");

        clock.advance(Engine.RELAY_AFTER.minusSeconds(1));
        engine.offerStale();
        assertThat(plane.endpointOf(keyB)).as("still within the timeout").isEqualTo("10.77.0.2:51820");

        clock.advance(Duration.ofSeconds(1));
        engine.offerStale();
        String proxy = plane.endpointOf(keyB);
        assertThat(proxy).startsWith("127.0.0.1:");
        assertThat(statusOf(keyB).endpoint()).isEqualTo(proxy);
        assertThat(statusOf(keyB).connectionType()).isEqualTo("relayed");

        // What WireGuard sends to the proxy goes to the relay, addressed to B.
        byte[] initiation = {1, 0, 0, 0, 5};
        wireGuard.send(new DatagramPacket(initiation, initiation.length, address(proxy)));
        RecordingRelay.Sent sent = relay.sent.poll(5, TimeUnit.SECONDS);
        assertThat(sent).isNotNull();
        assertThat(sent.to()).isEqualTo(PeerId.ofPublicKey(keyB));
        assertThat(sent.payload()).containsExactly(initiation);

        // B's reply through the relay reaches WireGuard from the proxy address.
        byte[] response = {2, 0, 0, 0, 6};
        engine.onRelayed(PeerId.ofPublicKey(keyB), response);
        DatagramPacket received = receive();
        assertThat(Arrays.copyOf(received.getData(), received.getLength())).containsExactly(response);
        assertThat(received.getSocketAddress()).isEqualTo(address(proxy));

        // Relayed stays relayed: new candidates do not move the endpoint back.
        engine.onSignal(keyB, Body.newBuilder().setType(Body.Type.CANDIDATE)
                .setPayload(Candidates.format(1, "10.77.0.9", 51820)).build());
        assertThat(plane.endpointOf(keyB)).isEqualTo(proxy);
    }

    @Test
    void aPeerWithAFreshHandshakeIsNotRelayed() {
        engine.applyMap(map(1, peerB()));
        engine.onSignal(keyB, Body.newBuilder().setType(Body.Type.CANDIDATE)
                .setPayload(Candidates.format(0, "10.77.0.2", 51820)).build());
        clock.advance(Engine.RELAY_AFTER.plusSeconds(5));
        plane.handshakes.put(keyB, clock.instant().minusSeconds(2).getEpochSecond());

        engine.offerStale();

        assertThat(plane.endpointOf(keyB)).isEqualTo("10.77.0.2:51820");
    }

    @Test
    void withoutARelayConfiguredPeersStayOnTheirDirectEndpoint() {
        Engine noRelay = new Engine(plane, wireGuard.getLocalPort(), List::of, (remote, body) -> true,
                RelayTransport.NONE, clock);
        noRelay.applyMap(map(1, peerB()));
        clock.advance(Engine.RELAY_AFTER.multipliedBy(3));

        noRelay.offerStale();

        assertThat(plane.endpointOf(keyB)).isNull();
        assertThat(noRelay.peerStatus().get(0).connectionType()).isNull();
    }

    @Test
    void aNewEndpointRestartsTheTimeout() {
        engine.applyMap(map(1, peerB()));
        clock.advance(Engine.RELAY_AFTER.minusSeconds(2));
        engine.onSignal(keyB, Body.newBuilder().setType(Body.Type.CANDIDATE)
                .setPayload(Candidates.format(0, "10.77.0.2", 51820)).build());
        clock.advance(Duration.ofSeconds(3));

        engine.offerStale();

        assertThat(plane.endpointOf(keyB)).isEqualTo("10.77.0.2:51820");
    }

    @Test
    void aRelayedPacketNeitherMovesAPeerToTheRelayNorReachesWireGuardBeforeOurOwnTimeout() throws Exception {
        engine.applyMap(map(1, peerB()));
        engine.onSignal(keyB, Body.newBuilder().setType(Body.Type.CANDIDATE)
                .setPayload(Candidates.format(0, "10.77.0.2", 51820)).build());

        // Anyone on the relay can claim to be B: such a packet is no evidence that B's direct path is gone.
        byte[] claimed = {1, 0, 0, 0, 1};
        engine.onRelayed(PeerId.ofPublicKey(keyB), claimed);
        engine.onRelayed(PeerId.ofPublicKey(keyC), new byte[]{9});

        assertThat(plane.endpointOf(keyB)).isEqualTo("10.77.0.2:51820");
        assertThat(statusOf(keyB).connectionType()).isEqualTo("direct");
        assertThat(plane.peers).containsOnlyKeys(keyB);
        clock.advance(Engine.RELAY_AFTER.minusSeconds(1));
        engine.offerStale();
        assertThat(plane.endpointOf(keyB)).as("the fallback period counts from the endpoint, not from relayed packets")
                .isEqualTo("10.77.0.2:51820");

        // Only no handshake for the whole fallback period moves B, and only to our own loopback proxy.
        clock.advance(Duration.ofSeconds(1));
        engine.offerStale();
        String proxy = plane.endpointOf(keyB);
        assertThat(proxy).startsWith("127.0.0.1:");
        byte[] afterTimeout = {2, 0, 0, 0, 2};
        engine.onRelayed(PeerId.ofPublicKey(keyB), afterTimeout);
        DatagramPacket received = receive();
        // The packet relayed before the timeout was dropped, not handed to WireGuard (where it could make it roam).
        assertThat(Arrays.copyOf(received.getData(), received.getLength())).containsExactly(afterTimeout);
        assertThat(received.getSocketAddress()).isEqualTo(address(proxy));
    }

    @Test
    void relayedPacketsOfAPeerWithAFreshDirectHandshakeNeverMoveIt() {
        engine.applyMap(map(1, peerB()));
        engine.onSignal(keyB, Body.newBuilder().setType(Body.Type.CANDIDATE)
                .setPayload(Candidates.format(0, "10.77.0.2", 51820)).build());
        for (int i = 0; i < 5; i++) {
            clock.advance(Engine.RELAY_AFTER);
            plane.handshakes.put(keyB, clock.instant().minusSeconds(1).getEpochSecond());
            engine.onRelayed(PeerId.ofPublicKey(keyB), new byte[]{1, 0, 0, 0, (byte) i});
            engine.offerStale();
        }

        assertThat(plane.endpointOf(keyB)).isEqualTo("10.77.0.2:51820");
        assertThat(plane.diffs).hasSize(2); // added, then its endpoint: nothing since
    }

    @Test
    void aPeerLeavingTheMapClosesItsLink() throws Exception {
        engine.applyMap(map(1, peerB(), peerC()));
        clock.advance(Engine.RELAY_AFTER);
        engine.offerStale();
        engine.onRelayed(PeerId.ofPublicKey(keyB), new byte[]{1});
        receive();
        InetSocketAddress proxy = address(plane.endpointOf(keyB));

        engine.applyMap(map(2, peerC()));

        assertThat(plane.peers).containsOnlyKeys(keyC);
        // The port is free again: the proxy socket is closed.
        try (DatagramSocket rebound = new DatagramSocket(proxy)) {
            assertThat(rebound.getLocalPort()).isEqualTo(proxy.getPort());
        }
        // A later packet from B, no longer mapped, opens nothing.
        engine.onRelayed(PeerId.ofPublicKey(keyB), new byte[]{1});
        assertThat(plane.peers).containsOnlyKeys(keyC);
    }

    private DatagramPacket receive() throws Exception {
        wireGuard.setSoTimeout(5000);
        DatagramPacket packet = new DatagramPacket(new byte[100], 100);
        wireGuard.receive(packet);
        return packet;
    }

    /** NetBird's client opens a relayed link to a peer only when that peer's OFFER or ANSWER names its relay. */
    @Test
    void offersAndAnswersNameOurRelaySoNetBirdClientsRelayToUs() {
        List<Body> sent = new java.util.ArrayList<>();
        RelayTransport namedRelay = new RelayTransport() {
            @Override
            public boolean configured() {
                return true;
            }

            @Override
            public boolean send(PeerId to, byte[] payload) {
                return true;
            }

            @Override
            public String address() {
                return "rel://relay.example:33080";
            }
        };
        Engine withRelay = new Engine(plane, 51820, List::of, (remote, body) -> sent.add(body), namedRelay, clock);
        withRelay.applyMap(map(1, peerB()));
        withRelay.onSignal(keyB, Body.newBuilder().setType(Body.Type.OFFER).setPayload("ufragB:passwordOfPeerB")
                .setWgListenPort(51820).build());
        withRelay.close();

        assertThat(sent).extracting(Body::getType).containsExactly(Body.Type.OFFER, Body.Type.ANSWER);
        assertThat(sent).allSatisfy(body -> {
            assertThat(body.hasRelayServerAddress()).isTrue();
            assertThat(body.getRelayServerAddress()).isEqualTo("rel://relay.example:33080");
        });
    }

    @Test
    void withoutARelayOffersNameNone() {
        List<Body> sent = new java.util.ArrayList<>();
        Engine noRelay = new Engine(plane, 51820, List::of, (remote, body) -> sent.add(body), clock);
        noRelay.applyMap(map(1, peerB()));

        assertThat(sent).singleElement().satisfies(body -> assertThat(body.hasRelayServerAddress()).isFalse());
    }
}
