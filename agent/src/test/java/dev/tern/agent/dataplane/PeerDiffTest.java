package dev.tern.agent.dataplane;

import dev.tern.agent.TestKeys;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PeerDiffTest {
    private final String a = TestKeys.publicKey();
    private final String b = TestKeys.publicKey();
    private final String c = TestKeys.publicKey();

    private static Map<String, WgPeer> byKey(WgPeer... peers) {
        Map<String, WgPeer> map = new LinkedHashMap<>();
        for (WgPeer peer : peers) {
            map.put(peer.publicKey(), peer);
        }
        return map;
    }

    @Test
    void identicalPeerSetsNeedNoChange() {
        WgPeer peerA = new WgPeer(a, List.of("100.64.0.2/32"), "10.0.0.2:51820", 25);
        assertThat(PeerDiff.between(byKey(peerA), List.of(peerA)).isEmpty()).isTrue();
    }

    @Test
    void allowedIpOrderDoesNotCountAsAChange() {
        WgPeer before = new WgPeer(a, List.of("100.64.0.2/32", "10.0.0.0/8"), null, 25);
        WgPeer after = new WgPeer(a, List.of("10.0.0.0/8", "100.64.0.2/32"), null, 25);
        assertThat(PeerDiff.between(byKey(before), List.of(after)).isEmpty()).isTrue();
    }

    @Test
    void unchangedPeersStayOutOfTheDiff() {
        WgPeer peerA = new WgPeer(a, List.of("100.64.0.2/32"), "10.0.0.2:51820", 25);
        WgPeer peerB = new WgPeer(b, List.of("100.64.0.3/32"), null, 25);
        WgPeer peerC = new WgPeer(c, List.of("100.64.0.4/32"), null, 25);

        PeerDiff diff = PeerDiff.between(byKey(peerA, peerB), List.of(peerA, peerC));

        assertThat(diff.added()).containsExactly(peerC);
        assertThat(diff.removed()).containsExactly(b);
        assertThat(diff.changed()).isEmpty();
    }

    @Test
    void learnedEndpointOrNewAllowedIpIsAChange() {
        WgPeer peerA = new WgPeer(a, List.of("100.64.0.2/32"), null, 25);
        WgPeer peerB = new WgPeer(b, List.of("100.64.0.3/32"), null, 25);
        WgPeer peerAWithEndpoint = peerA.withEndpoint("10.0.0.2:51820");
        WgPeer peerBMoreIps = new WgPeer(b, List.of("100.64.0.3/32", "10.9.0.0/16"), null, 25);

        PeerDiff diff = PeerDiff.between(byKey(peerA, peerB), List.of(peerAWithEndpoint, peerBMoreIps));

        assertThat(diff.changed()).containsExactlyInAnyOrder(peerAWithEndpoint, peerBMoreIps);
        assertThat(diff.added()).isEmpty();
        assertThat(diff.removed()).isEmpty();
    }

    @Test
    void emptyDesiredSetRemovesEverything() {
        WgPeer peerA = new WgPeer(a, List.of(), null, 0);
        WgPeer peerB = new WgPeer(b, List.of(), null, 0);
        assertThat(PeerDiff.between(byKey(peerA, peerB), List.of()).removed()).containsExactlyInAnyOrder(a, b);
    }
}
