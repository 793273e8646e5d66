package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.values.PeerExpiry;
import java.time.Instant;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PolicyCreated;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkMapDeltaTest {

    @Test
    void deltaNamesAddedChangedAndRemovedPeersAndRebuildsTheNewMap() {
        NetworkMapProjector projector = new NetworkMapProjector();
        projector.apply(accountCreated());
        projector.apply(allGroup());
        projector.apply(group("dev"));
        for (int i = 1; i <= 4; i++) {
            projector.apply(peer("p" + i, i));
        }
        projector.apply(new PolicyCreated(ACCOUNT, "pol", policy("dev", accept("r", true, List.of("dev"), List.of("dev")))));
        for (String id : List.of("p1", "p2", "p3")) {
            projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", id));
        }
        PeerNetworkMap before = projector.currentMap(ACCOUNT, "p1").orElseThrow();

        projector.apply(new PeerRenamed(ACCOUNT, "p2", "name-p2", "two", "two"));
        projector.apply(new PeerDeleted(ACCOUNT, "p3", key(3)));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "p4"));
        PeerNetworkMap after = projector.currentMap(ACCOUNT, "p1").orElseThrow();

        NetworkMapDelta delta = NetworkMapDelta.between(before, after);
        assertThat(delta.added()).extracting(RemotePeer::peerId).containsExactly("p4");
        assertThat(delta.changed()).extracting(RemotePeer::fqdn).containsExactly("two.tern.internal");
        assertThat(delta.removed()).extracting(RemotePeer::peerId).containsExactly("p3");
        assertThat(delta.peerConfig()).isNull();
        assertThat(delta.firewallRules()).isEqualTo(after.firewallRules());
        assertThat(delta.applyTo(before)).isEqualTo(after);
        assertThat(NetworkMapDelta.between(after, after).isEmpty()).isTrue();
        assertThatThrownBy(() -> delta.applyTo(after)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deltaCarriesTheOfflinePeersAndTheOwnLoginStateWhenTheyChanged() {
        NetworkMapProjector projector = new NetworkMapProjector();
        projector.apply(accountCreated());
        projector.apply(allGroup());
        for (int i = 1; i <= 3; i++) {
            projector.apply(peer("p" + i, i));
        }
        projector.apply(new PolicyCreated(ACCOUNT, "pol", policy("all", accept("r", true, List.of(ALL), List.of(ALL)))));
        PeerNetworkMap p1Before = projector.currentMap(ACCOUNT, "p1").orElseThrow();
        PeerNetworkMap p2Before = projector.currentMap(ACCOUNT, "p2").orElseThrow();

        projector.apply(new PeerLoginExpired(ACCOUNT, "p2", PeerExpiry.LOGIN, Instant.EPOCH));
        PeerNetworkMap p1After = projector.currentMap(ACCOUNT, "p1").orElseThrow();
        PeerNetworkMap p2After = projector.currentMap(ACCOUNT, "p2").orElseThrow();

        NetworkMapDelta seen = NetworkMapDelta.between(p1Before, p1After);
        assertThat(seen.removed()).extracting(RemotePeer::peerId).containsExactly("p2");
        assertThat(seen.offlinePeers()).extracting(RemotePeer::peerId).containsExactly("p2");
        assertThat(seen.loginExpired()).isNull();
        assertThat(seen.firewallRules()).isNull();
        assertThat(seen.applyTo(p1Before)).isEqualTo(p1After);

        NetworkMapDelta own = NetworkMapDelta.between(p2Before, p2After);
        assertThat(own.loginExpired()).isTrue();
        assertThat(own.offlinePeers()).isNull();
        assertThat(own.added()).isEmpty();
        assertThat(own.removed()).isEmpty();
        assertThat(own.isEmpty()).isFalse();
        assertThat(own.applyTo(p2Before)).isEqualTo(p2After);
    }
}
