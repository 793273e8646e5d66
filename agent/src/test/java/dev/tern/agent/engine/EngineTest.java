package dev.tern.agent.engine;

import dev.tern.agent.TestKeys;
import dev.tern.agent.dataplane.FirewallRuleSpec;
import dev.tern.agent.dataplane.PeerDiff;
import dev.tern.agent.dataplane.WgPeer;
import dev.tern.agent.status.StatusReport;
import dev.tern.protocol.signal.Body;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EngineTest {
    private final String keyB = TestKeys.publicKey();
    private final String keyC = TestKeys.publicKey();
    private final FakeDataPlane plane = new FakeDataPlane();
    private final List<String> sentTo = new ArrayList<>();
    private final List<Body> sent = new ArrayList<>();
    private final Instant now = Instant.parse("2026-01-01T12:00:00Z");
    private final Engine engine = new Engine(plane, 51820,
            () -> List.of(new Candidates.LocalAddress("10.77.0.1", 24)),
            (remote, body) -> {
                sentTo.add(remote);
                sent.add(body);
                return true;
            }, Clock.fixed(now, ZoneOffset.UTC));

    private MeshMap map(long serial, MeshMap.RemotePeer... peers) {
        return new MeshMap(serial, "100.64.0.1/16", "a.tern.internal", List.of(peers),
                List.of(new FirewallRuleSpec("100.64.0.2", FirewallRuleSpec.Protocol.ALL, 0, 0, true)));
    }

    private MeshMap.RemotePeer peerB() {
        return new MeshMap.RemotePeer(keyB, List.of("100.64.0.2/32"), "b.tern.internal");
    }

    private MeshMap.RemotePeer peerC() {
        return new MeshMap.RemotePeer(keyC, List.of("100.64.0.3/32"), "c.tern.internal");
    }

    private static Body candidate(String ip, int port) {
        return Body.newBuilder().setType(Body.Type.CANDIDATE).setPayload(Candidates.format(0, ip, port)).build();
    }

    @Test
    void aMapSetsAddressPeersAndFirewallAndOffersToNewPeers() {
        engine.applyMap(map(1, peerB()));

        assertThat(plane.address).isEqualTo("100.64.0.1/16");
        assertThat(plane.peers).containsOnlyKeys(keyB);
        assertThat(plane.peers.get(keyB).keepaliveSeconds()).isEqualTo(Engine.KEEPALIVE_SECONDS);
        assertThat(plane.firewalls).hasSize(1);
        assertThat(sentTo).containsOnly(keyB);
        assertThat(sent.get(0).getType()).isEqualTo(Body.Type.OFFER);
        assertThat(sent.get(0).getWgListenPort()).isEqualTo(51820);
        assertThat(sent.get(0).getPayload()).matches("[A-Za-z0-9]+:[A-Za-z0-9]+");
        assertThat(sent.get(1).getType()).isEqualTo(Body.Type.CANDIDATE);
        assertThat(Candidates.parse(sent.get(1).getPayload())).contains(new Candidates.Candidate("10.77.0.1", 51820));
    }

    @Test
    void aCandidateFromAMappedPeerBecomesItsEndpoint() {
        engine.applyMap(map(1, peerB()));

        engine.onSignal(keyB, candidate("10.77.0.2", 40000));

        assertThat(plane.endpointOf(keyB)).isEqualTo("10.77.0.2:40000");
    }

    @Test
    void anOfferIsAnsweredWithOurCandidates() {
        engine.applyMap(map(1, peerB()));
        sent.clear();

        engine.onSignal(keyB, Body.newBuilder().setType(Body.Type.OFFER).setPayload("u:p").setWgListenPort(4000).build());

        assertThat(sent).extracting(Body::getType).containsExactly(Body.Type.ANSWER, Body.Type.CANDIDATE);
    }

    @Test
    void signalFromAPeerOutsideTheMapChangesNothing() {
        engine.applyMap(map(1, peerB()));
        sent.clear();
        int diffs = plane.diffs.size();

        engine.onSignal(keyC, candidate("10.77.0.3", 51820));
        engine.onSignal(keyC, Body.newBuilder().setType(Body.Type.OFFER).build());

        assertThat(plane.peers).doesNotContainKey(keyC);
        assertThat(plane.diffs).hasSize(diffs);
        assertThat(sent).isEmpty();
    }

    @Test
    void aNewMapOnlyTouchesPeersThatChanged() {
        engine.applyMap(map(1, peerB()));
        engine.onSignal(keyB, candidate("10.77.0.2", 40000));
        int before = plane.diffs.size();

        engine.applyMap(map(2, peerB(), peerC()));

        PeerDiff last = plane.diffs.get(plane.diffs.size() - 1);
        assertThat(plane.diffs).hasSize(before + 1);
        assertThat(last.added()).extracting(WgPeer::publicKey).containsExactly(keyC);
        assertThat(last.changed()).isEmpty();
        assertThat(last.removed()).isEmpty();
        // B kept the endpoint it learned over signal
        assertThat(plane.endpointOf(keyB)).isEqualTo("10.77.0.2:40000");
    }

    @Test
    void aPeerDroppedFromTheMapIsRemoved() {
        engine.applyMap(map(1, peerB(), peerC()));

        engine.applyMap(map(2, peerC()));

        assertThat(plane.peers).containsOnlyKeys(keyC);
    }

    @Test
    void connectedPeersAreNotReofferedButStaleOnesAreAfterTheInterval() {
        engine.applyMap(map(1, peerB(), peerC()));
        plane.handshakes.put(keyB, now.minusSeconds(10).getEpochSecond());
        sent.clear();
        sentTo.clear();

        engine.offerStale(); // within the re-offer interval: nobody
        assertThat(sentTo).isEmpty();

        engine.onSignalConnected(); // signal came back: everyone without a fresh handshake
        assertThat(sentTo).contains(keyC).doesNotContain(keyB);
    }

    @Test
    void statusMergesMapAndDeviceCounters() {
        engine.applyMap(map(1, peerB()));
        engine.onSignal(keyB, candidate("10.77.0.2", 40000));
        plane.handshakes.put(keyB, now.minusSeconds(5).getEpochSecond());

        StatusReport.Peer peer = engine.peerStatus().get(0);

        assertThat(peer.name()).isEqualTo("b");
        assertThat(peer.meshIp()).isEqualTo("100.64.0.2");
        assertThat(peer.state()).isEqualTo("connected");
        assertThat(peer.endpoint()).isEqualTo("10.77.0.2:40000");
        assertThat(peer.lastHandshake()).isEqualTo(now.minusSeconds(5).toString());
        assertThat(peer.rxBytes()).isEqualTo(10);
    }

    @Test
    void aPeerWhoseLoginExpiredLeavesWireGuardAndShowsAsLoginExpired() {
        engine.applyMap(map(1, peerB(), peerC()));

        engine.applyMap(new MeshMap(2, "100.64.0.1/16", "a.tern.internal", List.of(peerB()), List.of(peerC()),
                List.of()));

        assertThat(plane.peers).containsOnlyKeys(keyB);
        assertThat(engine.peerStatus()).extracting(StatusReport.Peer::name, StatusReport.Peer::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("b", "idle"),
                        org.assertj.core.groups.Tuple.tuple("c", StatusReport.LOGIN_EXPIRED));
    }
}
