package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.NetworkResourceCreated;
import dev.tern.events.NetworkRouterCreated;
import dev.tern.events.NetworkRouterDeleted;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RouteDefinition;
import dev.tern.events.values.RuleAction;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A network with the resource 10.10.10.0/24 (in group "lab") routed by peer r; a policy dev -> lab lets a (in dev)
 * reach it. c is in no group. No policy lets a and r see each other: the network does.
 */
class NetworkResourceMapsTest {
    private NetworkMapProjector projector;

    @BeforeEach
    void account() {
        projector = new NetworkMapProjector();
        projector.apply(accountCreated());
        projector.apply(allGroup());
        projector.apply(group("dev"));
        projector.apply(group("lab"));
        projector.apply(peer("r", 1));
        projector.apply(peer("a", 2));
        projector.apply(peer("c", 3));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "a"));
        projector.apply(new NetworkResourceCreated(ACCOUNT, "net", "res", new NetworkResourceDefinition("lab", "",
                "10.10.10.0/24", NetworkResourceDefinition.SUBNET, Cidr.parse("10.10.10.0/24"), null, true,
                List.of("lab"))));
        projector.apply(new NetworkRouterCreated(ACCOUNT, "net", "router", new NetworkRouterDefinition("r",
                List.of(), 50, true, true)));
    }

    private PeerNetworkMap map(String peerId) {
        return projector.currentMap(ACCOUNT, peerId).orElseThrow();
    }

    @Test
    void withoutAPolicyTowardsTheResourceNothingIsRouted() {
        assertThat(map("a").routes()).isEmpty();
        assertThat(map("r").routes()).isEmpty();
        assertThat(map("r").remotePeers()).isEmpty();
    }

    @Test
    void aPolicyRuleTowardsTheResourceItselfRoutesToo() {
        projector.apply(new PolicyCreated(ACCOUNT, "ssh-lab", policy("ssh-lab", new dev.tern.events.values.PolicyRule(
                "r1", "r1", "", true, RuleAction.ACCEPT, false, Protocol.TCP,
                List.of(dev.tern.events.values.PortRange.single(22)), List.of(), List.of("dev"), List.of(),
                new dev.tern.events.values.ResourceRef("res", "subnet")))));
        assertThat(map("a").routes()).extracting(PeerRoute::id).containsExactly("res:r");
        assertThat(map("r").routeFirewallRules()).extracting(RouteFirewallRule::port, RouteFirewallRule::sourceRanges)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(dev.tern.events.values.PortRange.single(22),
                        List.of(ip(2).address() + "/32")));
    }

    @Test
    void aPolicyTowardsTheResourceGroupRoutesItsSourcesThroughTheRouter() {
        List<PeerNetworkMap> changed = projector.apply(new PolicyCreated(ACCOUNT, "to-lab", policy("to-lab",
                accept("r1", false, List.of("dev"), List.of("lab")))));
        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactlyInAnyOrder("a", "r");

        assertThat(map("a").routes()).containsExactly(new PeerRoute("res:r", "lab", "10.10.10.0/24",
                RouteDefinition.NETWORK_TYPE_IPV4, List.of(), key(1), 50, true, true, false));
        assertThat(map("r").routes()).extracting(PeerRoute::id, PeerRoute::routingPeer)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("res:r", key(1)));
        assertThat(map("r").routeFirewallRules()).containsExactly(new RouteFirewallRule("res:r", "to-lab",
                List.of(ip(2).address() + "/32"), RuleAction.ACCEPT, "10.10.10.0/24", Protocol.ALL, null, false,
                List.of()));
        // the router and the peers it serves see each other, though no policy is between them
        assertThat(map("a").remotePeers()).extracting(RemotePeer::peerId).containsExactly("r");
        assertThat(map("r").remotePeers()).extracting(RemotePeer::peerId).containsExactly("a");
        assertThat(map("c").routes()).isEmpty();

        projector.apply(new NetworkRouterDeleted(ACCOUNT, "net", "router"));
        assertThat(map("a").routes()).isEmpty();
        assertThat(map("a").remotePeers()).isEmpty();
        projector.apply(new PolicyDeleted(ACCOUNT, "to-lab", "to-lab"));
        assertThat(map("r").routeFirewallRules()).isEmpty();
    }
}
