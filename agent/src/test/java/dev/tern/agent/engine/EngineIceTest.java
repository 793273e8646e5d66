package dev.tern.agent.engine;

import dev.tern.agent.TestKeys;
import dev.tern.agent.ice.IceLink;
import dev.tern.agent.ice.IceLinks;
import dev.tern.agent.ice.IcePeer;
import dev.tern.agent.ice.IceProxyTest;
import dev.tern.agent.relay.RecordingRelay;
import dev.tern.agent.relay.RelayTransport;
import dev.tern.agent.status.StatusReport;
import dev.tern.protocol.signal.Body;
import dev.tern.testsupport.time.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * NetBird clients connect with ICE: a fake data plane and relay, and either links we drive by hand (what the engine
 * does with a link's reports) or real ice4j links on this host's interfaces (the whole exchange).
 */
class EngineIceTest {
    private static final String NETBIRD_VERSION = "0.77.1";
    private final String keyB = TestKeys.publicKey();
    private final String keyC = TestKeys.publicKey();
    private final FakeDataPlane plane = new FakeDataPlane();
    private final RecordingRelay relay = new RecordingRelay();
    private final SettableClock clock =
            new SettableClock(Instant.parse("2026-01-01T12:00:00Z"));
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final List<FakeLink> opened = new ArrayList<>();
    private final Engine engine = new Engine(plane, 51820,
            () -> List.of(new Candidates.LocalAddress("10.77.0.1", 24)),
            (remote, body) -> sent.add(new Sent(remote, body)), relay, this::openFake, clock);

    private record Sent(String to, Body body) {
    }

    /** A link whose reports the test makes; it records what the engine asks of it. */
    private static final class FakeLink implements IcePeer {
        final String peerKey;
        final Listener listener;
        final List<Body> received = new ArrayList<>();
        int offers;
        boolean closed;
        /** The body on which this link ends itself, as a connected IceLink does on a restarted peer's offer. */
        Body endOn;

        FakeLink(String peerKey, Listener listener) {
            this.peerKey = peerKey;
            this.listener = listener;
        }

        @Override
        public void offer() {
            offers++;
        }

        @Override
        public void onSignal(Body body) {
            if (body == endOn) {
                listener.onFailed("the peer restarted its ICE session");
                return;
            }
            received.add(body);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private IcePeer openFake(String peerKey, IcePeer.Listener listener) {
        FakeLink link = new FakeLink(peerKey, listener);
        opened.add(link);
        return link;
    }

    @AfterEach
    void close() {
        engine.close();
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

    private static Body offerAnswer(Body.Type type, String version) {
        return Body.newBuilder().setType(type).setPayload("ufragB:passwordOfPeerBxxxxxxxx").setWgListenPort(51820)
                .setNetBirdVersion(version).build();
    }

    private StatusReport.Peer statusOf(String key) {
        return engine.peerStatus().stream().filter(p -> p.publicKey().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void anOfferFromANetBirdClientOpensAnIceLinkThatTakesTheOfferAndItsCandidates() {
        engine.applyMap(map(1, peerB()));
        sent.clear();

        Body offer = offerAnswer(Body.Type.OFFER, NETBIRD_VERSION);
        engine.onSignal(keyB, offer);
        Body candidate = Body.newBuilder().setType(Body.Type.CANDIDATE)
                .setPayload("candidate:1 1 udp 2130706431 10.77.0.2 51820 typ host").build();
        engine.onSignal(keyB, candidate);

        assertThat(opened).singleElement().satisfies(link -> {
            assertThat(link.peerKey).isEqualTo(keyB);
            assertThat(link.received).containsExactly(offer, candidate);
        });
        // the link answers; the engine's own exchange does not (no tern ANSWER, no WireGuard-port candidates)
        assertThat(sent).isEmpty();
        // a NetBird client's ICE candidate is not a WireGuard endpoint
        assertThat(plane.endpointOf(keyB)).isNull();
    }

    @Test
    void ternAgentsKeepTheEndpointExchangeAndNeverOpenALink() {
        engine.applyMap(map(1, peerB()));
        sent.clear();

        engine.onSignal(keyB, offerAnswer(Body.Type.OFFER, Engine.SIGNAL_VERSION));
        engine.onSignal(keyB, Body.newBuilder().setType(Body.Type.CANDIDATE)
                .setPayload(Candidates.format(0, "10.77.0.2", 51820)).build());

        assertThat(opened).isEmpty();
        assertThat(sent).extracting(s -> s.body().getType()).containsExactly(Body.Type.ANSWER, Body.Type.CANDIDATE);
        assertThat(plane.endpointOf(keyB)).isEqualTo("10.77.0.2:51820");
    }

    @Test
    void aNetBirdAnswerToOurTernOfferOpensALinkThatOffersInsteadOfTakingThatAnswer() {
        engine.applyMap(map(1, peerB()));

        engine.onSignal(keyB, offerAnswer(Body.Type.ANSWER, NETBIRD_VERSION));

        // the answer's credentials face our tern offer's random ones, which no ICE session stands behind
        FakeLink link = opened.get(0);
        assertThat(link.offers).isEqualTo(1);
        assertThat(link.received).isEmpty();

        // the answer to the link's own offer is the link's
        Body answer = offerAnswer(Body.Type.ANSWER, NETBIRD_VERSION);
        engine.onSignal(keyB, answer);
        assertThat(opened).hasSize(1);
        assertThat(link.received).containsExactly(answer);
    }

    @Test
    void aSelectedPairMakesTheLinksProxyWireGuardsEndpointAndStatusSaysDirect() {
        engine.applyMap(map(1, peerB()));
        engine.onSignal(keyB, offerAnswer(Body.Type.OFFER, NETBIRD_VERSION));

        opened.get(0).listener.onDirect("127.0.0.1:40123");

        assertThat(plane.endpointOf(keyB)).isEqualTo("127.0.0.1:40123");
        assertThat(statusOf(keyB).connectionType()).isEqualTo("direct");
    }

    @Test
    void iceFailureFallsBackToTheRelayAtOnceAndTheNextOfferOpensANewLink() {
        engine.applyMap(map(1, peerB()));
        engine.onSignal(keyB, offerAnswer(Body.Type.OFFER, NETBIRD_VERSION));
        FakeLink first = opened.get(0);

        first.listener.onFailed("ICE found no working candidate pair");

        assertThat(first.closed).isTrue();
        assertThat(plane.endpointOf(keyB)).startsWith("127.0.0.1:");
        assertThat(statusOf(keyB).connectionType()).isEqualTo("relayed");
        // the client retries ICE with a new offer: a new link, and a pair it selects moves the peer off the relay
        engine.onSignal(keyB, offerAnswer(Body.Type.OFFER, NETBIRD_VERSION));
        assertThat(opened).hasSize(2);
        opened.get(1).listener.onDirect("127.0.0.1:40124");
        assertThat(plane.endpointOf(keyB)).isEqualTo("127.0.0.1:40124");
        assertThat(statusOf(keyB).connectionType()).isEqualTo("direct");
    }

    @Test
    void aRelayedNetBirdPeerIsOfferedIceAgainAfterTheRetryIntervalAndMovesToTheDirectPathItFinds() {
        engine.applyMap(map(1, peerB()));
        engine.onSignal(keyB, offerAnswer(Body.Type.OFFER, NETBIRD_VERSION));
        opened.get(0).listener.onFailed("ICE found no working candidate pair");
        assertThat(statusOf(keyB).connectionType()).isEqualTo("relayed");

        clock.advance(Engine.ICE_RETRY_INTERVAL.minusSeconds(1));
        plane.handshakes.put(keyB, clock.instant().getEpochSecond()); // the relayed tunnel works
        engine.offerStale();
        assertThat(opened).as("within the retry interval").hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        plane.handshakes.put(keyB, clock.instant().getEpochSecond());
        engine.offerStale();

        assertThat(opened).hasSize(2);
        assertThat(opened.get(1).offers).isEqualTo(1);
        opened.get(1).listener.onDirect("127.0.0.1:40127");
        assertThat(plane.endpointOf(keyB)).isEqualTo("127.0.0.1:40127");
        assertThat(statusOf(keyB).connectionType()).isEqualTo("direct");
    }

    @Test
    void anOfferThatEndsAConnectedLinkRelaysThePeerAndOpensAFreshLinkWithIt() {
        engine.applyMap(map(1, peerB()));
        engine.onSignal(keyB, offerAnswer(Body.Type.OFFER, NETBIRD_VERSION));
        FakeLink first = opened.get(0);
        first.listener.onDirect("127.0.0.1:40128");
        Body restart = offerAnswer(Body.Type.OFFER, NETBIRD_VERSION);
        // what an IceLink does with an offer of a restarted peer session once its pair was selected
        first.endOn = restart;

        engine.onSignal(keyB, restart);

        assertThat(first.closed).isTrue();
        assertThat(opened).hasSize(2);
        assertThat(opened.get(1).received).containsExactly(restart);
        assertThat(statusOf(keyB).connectionType()).as("relayed until the fresh link finds a pair")
                .isEqualTo("relayed");
        opened.get(1).listener.onDirect("127.0.0.1:40129");
        assertThat(plane.endpointOf(keyB)).isEqualTo("127.0.0.1:40129");
    }

    @Test
    void withoutASelectedPairTheRelayTimeoutStillApplies() {
        engine.applyMap(map(1, peerB()));
        engine.onSignal(keyB, offerAnswer(Body.Type.OFFER, NETBIRD_VERSION));

        clock.advance(Engine.RELAY_AFTER);
        engine.offerStale();

        assertThat(statusOf(keyB).connectionType()).isEqualTo("relayed");
        assertThat(opened.get(0).closed).as("ICE goes on: a pair found later still upgrades").isFalse();
    }

    @Test
    void aNetBirdPeerWithoutAFreshHandshakeIsReOfferedThroughItsLink() {
        // no relay: the peer stays on ICE, however long it takes
        Engine noRelay = new Engine(plane, 51820, List::of, (remote, body) -> sent.add(new Sent(remote, body)),
                RelayTransport.NONE, this::openFake, clock);
        noRelay.applyMap(map(1, peerB()));
        noRelay.onSignal(keyB, offerAnswer(Body.Type.ANSWER, NETBIRD_VERSION));
        FakeLink link = opened.get(0);
        sent.clear();

        clock.advance(Engine.REOFFER_INTERVAL.minusSeconds(1));
        noRelay.offerStale();
        assertThat(link.offers).as("within the re-offer interval").isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        noRelay.offerStale();

        assertThat(link.offers).isEqualTo(2);
        assertThat(sent).as("no tern OFFER: it would make the client restart its ICE").isEmpty();
        noRelay.close();
        assertThat(link.closed).isTrue();
    }

    @Test
    void aPeerLeavingTheMapClosesItsLinkAndItsLateReportsChangeNothing() {
        engine.applyMap(map(1, peerB(), peerC()));
        engine.onSignal(keyB, offerAnswer(Body.Type.OFFER, NETBIRD_VERSION));
        FakeLink link = opened.get(0);

        engine.applyMap(map(2, peerC()));
        link.listener.onDirect("127.0.0.1:40125");
        link.listener.onFailed("closed");

        assertThat(link.closed).isTrue();
        assertThat(plane.peers).containsOnlyKeys(keyC);
        assertThat(relay.sent).isEmpty();
    }

    @Test
    void aFailureReportedByALinkThatWasReplacedIsIgnored() {
        engine.applyMap(map(1, peerB()));
        engine.onSignal(keyB, offerAnswer(Body.Type.OFFER, NETBIRD_VERSION));
        FakeLink first = opened.get(0);
        first.listener.onFailed("no pair");
        engine.onSignal(keyB, offerAnswer(Body.Type.OFFER, NETBIRD_VERSION));
        opened.get(1).listener.onDirect("127.0.0.1:40126");

        first.listener.onFailed("late");

        assertThat(plane.endpointOf(keyB)).isEqualTo("127.0.0.1:40126");
        assertThat(opened.get(1).closed).isFalse();
    }

    /**
     * The whole exchange with real ice4j links: the engine against a link playing a NetBird client (its version,
     * its offer first), on this host's interfaces. The engine answers with its own link's credentials and
     * candidates, and WireGuard's packets for the client cross the selected pair.
     */
    @Test
    void aRealLinkAnswersANetBirdOfferAndWireGuardTrafficCrossesTheSelectedPair() throws Exception {
        String ourKey = TestKeys.publicKey();
        try (DatagramSocket ourWireGuard = IceProxyTest.loopbackSocket();
             DatagramSocket clientWireGuard = IceProxyTest.loopbackSocket()) {
            AtomicBoolean toClient = new AtomicBoolean();
            IceLink[] client = new IceLink[1];
            List<Body> answers = new CopyOnWriteArrayList<>();
            Engine real = new Engine(plane, ourWireGuard.getLocalPort(), List::of, (remote, body) -> {
                if (toClient.get()) { // our tern OFFER to the new peer is left out: this client only does ICE
                    if (body.getType() == Body.Type.ANSWER) {
                        answers.add(body);
                    }
                    client[0].onSignal(viaSignal(body));
                }
                return true;
            }, relay, new IceLinks(ourKey, ourWireGuard.getLocalPort(), () -> "rel://relay:33080",
                    Engine.SIGNAL_VERSION, List::of), clock);
            client[0] = new IceLink(keyB.compareTo(ourKey) > 0, clientWireGuard.getLocalPort(), () -> null,
                    NETBIRD_VERSION, body -> real.onSignal(keyB, viaSignal(body)), endpoint -> { });
            try (IceLink netBird = client[0]) {
                real.applyMap(map(1, peerB()));
                toClient.set(true);

                netBird.offer();

                assertThat(answers).first().satisfies(answer -> {
                    assertThat(answer.getNetBirdVersion()).isEqualTo(Engine.SIGNAL_VERSION);
                    assertThat(answer.hasSessionId()).isTrue();
                    assertThat(answer.getRelayServerAddress()).isEqualTo("rel://relay:33080");
                });
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> plane.endpointOf(keyB) != null && plane.endpointOf(keyB).startsWith("127.0.0.1:"));
                String endpoint = plane.endpointOf(keyB);
                assertThat(real.peerStatus().get(0).connectionType()).isEqualTo("direct");

                byte[] initiation = {1, 0, 0, 0, 4, 2};
                DatagramPacket got = IceProxyTest.sendUntilReceived(ourWireGuard, endpoint, initiation, clientWireGuard);
                assertThat(Arrays.copyOf(got.getData(), got.getLength())).containsExactly(initiation);
            } finally {
                real.close();
            }
        }
    }

    private static Body viaSignal(Body body) {
        try {
            return Body.parseFrom(body.toByteArray());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
