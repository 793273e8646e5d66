package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountCreated;
import dev.tern.events.GroupCreated;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PolicyCreated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectorAccountsTest {

    private static final String OTHER = "acc2";

    private static void otherAccountWithAllToAll(NetworkMapProjector projector) {
        projector.apply(new AccountCreated(OTHER, Cidr.parse("100.65.0.0/16"), "other.example", Instant.EPOCH));
        projector.apply(new GroupCreated(OTHER, "other-all", "All", GroupIssuer.API));
        projector.apply(new PolicyCreated(OTHER, "op", policy("all", accept("r", true, List.of("other-all"), List.of("other-all")))));
        projector.apply(new PeerRegistered(OTHER, "x", key(100), MeshIp.of(Cidr.parse("100.65.0.0/16").networkBits() + 1),
                "x", "x", PeerSystemMeta.ofHostname("x"), "k", null, false, false, Instant.EPOCH));
    }

    @Test
    void accountsNeverSeeEachOther() {
        NetworkMapProjector projector = new NetworkMapProjector();
        projector.apply(accountCreated());
        projector.apply(allGroup());
        projector.apply(new PolicyCreated(ACCOUNT, "p", policy("all", accept("r", true, List.of(ALL), List.of(ALL)))));
        projector.apply(peer("a", 1));
        otherAccountWithAllToAll(projector);

        List<PeerNetworkMap> changed = projector.apply(peer("b", 2));

        assertThat(changed).extracting(PeerNetworkMap::accountId).containsOnly(ACCOUNT);
        assertThat(projector.accessiblePeers(ACCOUNT, "a")).extracting(RemotePeer::peerId).containsExactly("b");
        assertThat(projector.accessiblePeers(OTHER, "x")).isEmpty();
        assertThat(projector.currentMap(OTHER, "x").orElseThrow().peerConfig().fqdn()).isEqualTo("x.other.example");
        assertThat(projector.currentMap(OTHER, "a")).isEmpty();
        assertThat(projector.findPeer(key(100))).contains(new NetworkMapProjector.PeerRef(OTHER, "x"));
    }

    @Test
    void aNewPeersConfigBeforeItsRegistrationIsProjectedIsTheConfigItsMapThenHas() {
        NetworkMapProjector projector = new NetworkMapProjector();
        assertThat(projector.newPeerConfig(ACCOUNT, "a", "name-a", key(1), ip(1), "label-a")).isEmpty();
        projector.apply(accountCreated());
        projector.apply(allGroup());

        PeerConfig early = projector.newPeerConfig(ACCOUNT, "a", "name-a", key(1), ip(1), "label-a").orElseThrow();
        projector.apply(peer("a", 1));

        assertThat(early).isEqualTo(projector.currentMap(ACCOUNT, "a").orElseThrow().peerConfig());
        assertThat(early.address()).endsWith("/16");
    }

    @Test
    void serialsFollowStreamPositionsAndStillGrowWhenPositionsDoNot() {
        NetworkMapProjector projector = new NetworkMapProjector();
        projector.apply(accountCreated(), 1);
        projector.apply(allGroup(), 2);
        assertThat(projector.apply(peer("a", 1), 10)).extracting(PeerNetworkMap::serial).containsExactly(10L);
        projector.apply(new PolicyCreated(ACCOUNT, "p", policy("all", accept("r", true, List.of(ALL), List.of(ALL)))), 20);
        assertThat(projector.apply(peer("b", 2), 35)).extracting(PeerNetworkMap::serial).containsOnly(35L);
        // an event without a known position (or a lower one) still moves the serial forward
        assertThat(projector.apply(peer("c", 3))).extracting(PeerNetworkMap::serial).containsOnly(36L);
        assertThat(projector.apply(peer("d", 4), 5)).extracting(PeerNetworkMap::serial).containsOnly(37L);
    }

    @Test
    void unknownAccountsAndPeersHaveNoMap() {
        NetworkMapProjector projector = new NetworkMapProjector();
        assertThat(projector.currentMap("nope", "nope")).isEmpty();
        assertThat(projector.accessiblePeers("nope", "nope")).isEmpty();
        assertThat(projector.currentMaps("nope")).isEmpty();
        assertThat(projector.recomputeAll("nope")).isEmpty();
    }

    @Test
    void resetForgetsEverythingAndEndsSubscriptionsWithoutCallingThemRemovals() {
        NetworkMapProjector projector = new NetworkMapProjector();
        projector.apply(accountCreated());
        projector.apply(allGroup());
        projector.apply(peer("a", 1));
        NetworkMapHub.Subscription subscription = projector.subscribe(ACCOUNT, "a");

        projector.reset();

        assertThat(projector.currentMap(ACCOUNT, "a")).isEmpty();
        assertThat(projector.findPeer(key(1))).isEmpty();
        assertThat(subscription.isClosed()).isTrue();
        assertThat(subscription.isPeerRemoved()).isFalse();
        assertThat(projector.hub().subscriberCount(ACCOUNT, "a")).isZero();
    }

    @Test
    void fullRecomputationAgreesWithTheIncrementalMaps() {
        NetworkMapProjector projector = new NetworkMapProjector();
        projector.apply(accountCreated());
        projector.apply(allGroup());
        projector.apply(new PolicyCreated(ACCOUNT, "p", policy("all", accept("r", false, List.of(ALL), List.of(ALL)))));
        for (int i = 1; i <= 20; i++) {
            projector.apply(peer("p" + i, i));
        }
        var before = projector.currentMaps(ACCOUNT);
        assertThat(projector.recomputeAll(ACCOUNT)).isEmpty();
        assertThat(projector.currentMaps(ACCOUNT)).isEqualTo(before);
        assertThat(before.get("p1").remotePeers()).hasSize(19);
    }
}
