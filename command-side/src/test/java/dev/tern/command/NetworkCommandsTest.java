package dev.tern.command;

import dev.tern.events.NetworkCreated;
import dev.tern.events.NetworkDeleted;
import dev.tern.events.NetworkResourceCreated;
import dev.tern.events.NetworkResourceDeleted;
import dev.tern.events.NetworkRouterCreated;
import dev.tern.events.NetworkRouterDeleted;
import dev.tern.events.commands.CreateNetwork;
import dev.tern.events.commands.DeleteGroup;
import dev.tern.events.commands.DeleteNetwork;
import dev.tern.events.commands.DeletePeer;
import dev.tern.events.commands.SaveNetworkResource;
import dev.tern.events.commands.SaveNetworkRouter;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tern.events.CommandRejected.Reason.CONFLICT;
import static dev.tern.events.CommandRejected.Reason.INVALID;
import static dev.tern.events.CommandRejected.Reason.NOT_FOUND;
import static dev.tern.events.CommandRejected.Reason.PRECONDITION_FAILED;

class NetworkCommandsTest extends AccountFixtureSupport {
    private static final NetworkResourceDefinition LAB = new NetworkResourceDefinition("lab", "", "10.10.10.0/24",
            NetworkResourceDefinition.SUBNET, Cidr.parse("10.10.10.0/24"), null, true, List.of("g1"));
    private static final NetworkRouterDefinition VIA_P1 = new NetworkRouterDefinition("p1", List.of(), 100, true,
            true);

    private static List<Object> withNetwork(Object... more) {
        List<Object> events = account(group("g1", "dev"), peer("p1", 1, "100.64.0.1", "r1", null),
                new NetworkCreated(ACC, "n1", "site", ""));
        events.addAll(List.of(more));
        return events;
    }

    @Test
    void resourcesAndRoutersBelongToAnExistingNetwork() {
        fixture.givenCurrentTime(NOW).andGiven(withNetwork())
                .when(new SaveNetworkResource(ACC, "n1", "res1", true, LAB))
                .expectEvents(new NetworkResourceCreated(ACC, "n1", "res1", LAB));
        fixture.givenCurrentTime(NOW).andGiven(withNetwork())
                .when(new SaveNetworkRouter(ACC, "n1", "rt1", true, VIA_P1))
                .expectEvents(new NetworkRouterCreated(ACC, "n1", "rt1", VIA_P1));
        fixture.givenCurrentTime(NOW).andGiven(withNetwork())
                .when(new SaveNetworkRouter(ACC, "n9", "rt1", true, VIA_P1))
                .expectException(rejected(NOT_FOUND, "network n9 not found"))
                .expectNoEvents();
    }

    @Test
    void badResourcesAndRoutersAreRefused() {
        NetworkResourceDefinition hostWithPrefix = new NetworkResourceDefinition("h", "", "10.0.0.0/24",
                NetworkResourceDefinition.HOST, Cidr.parse("10.0.0.0/24"), null, true, List.of());
        NetworkResourceDefinition badDomain = new NetworkResourceDefinition("d", "", "a..b",
                NetworkResourceDefinition.DOMAIN, null, "a..b", true, List.of());
        NetworkResourceDefinition unknownGroup = new NetworkResourceDefinition("d", "", "corp.example",
                NetworkResourceDefinition.DOMAIN, null, "corp.example", true, List.of("nope"));
        for (NetworkResourceDefinition bad : List.of(hostWithPrefix, badDomain, unknownGroup)) {
            fixture.givenCurrentTime(NOW).andGiven(withNetwork())
                    .when(new SaveNetworkResource(ACC, "n1", "res1", true, bad))
                    .expectException(rejected(INVALID, ""))
                    .expectNoEvents();
        }
        for (NetworkRouterDefinition bad : List.of(new NetworkRouterDefinition(null, List.of(), 1, false, true),
                new NetworkRouterDefinition("p1", List.of("g1"), 1, false, true),
                new NetworkRouterDefinition("p1", List.of(), 0, false, true),
                new NetworkRouterDefinition("ghost", List.of(), 1, false, true))) {
            fixture.givenCurrentTime(NOW).andGiven(withNetwork())
                    .when(new SaveNetworkRouter(ACC, "n1", "rt1", true, bad))
                    .expectException(rejected(INVALID, ""))
                    .expectNoEvents();
        }
    }

    @Test
    void aPolicyRuleMayGoToAnExistingNetworkResourceOnly() {
        dev.tern.events.values.PolicyDefinition toLab = new dev.tern.events.values.PolicyDefinition("ssh", "", true,
                List.of(new dev.tern.events.values.PolicyRule("r1", "r1", "", true,
                        dev.tern.events.values.RuleAction.ACCEPT, false, dev.tern.events.values.Protocol.ALL,
                        List.of(), List.of(), List.of("g1"), List.of(),
                        new dev.tern.events.values.ResourceRef("res1", "subnet"))), List.of());
        fixture.givenCurrentTime(NOW).andGiven(withNetwork(new NetworkResourceCreated(ACC, "n1", "res1", LAB)))
                .when(new dev.tern.events.commands.CreatePolicy(ACC, "pol1", toLab))
                .expectEvents(new dev.tern.events.PolicyCreated(ACC, "pol1", toLab));
        fixture.givenCurrentTime(NOW).andGiven(withNetwork())
                .when(new dev.tern.events.commands.CreatePolicy(ACC, "pol1", toLab))
                .expectException(rejected(INVALID, "unknown network resource res1"))
                .expectNoEvents();
    }

    @Test
    void deletingANetworkDeletesItsResourcesAndRoutersFirst() {
        fixture.givenCurrentTime(NOW).andGiven(withNetwork(new NetworkResourceCreated(ACC, "n1", "res1", LAB),
                        new NetworkRouterCreated(ACC, "n1", "rt1", VIA_P1)))
                .when(new DeleteNetwork(ACC, "n1"))
                .expectEvents(new NetworkResourceDeleted(ACC, "n1", "res1", "lab"),
                        new NetworkRouterDeleted(ACC, "n1", "rt1"), new NetworkDeleted(ACC, "n1", "site"));
    }

    @Test
    void aRoutingPeerAndAGroupInUseCannotBeDeleted() {
        fixture.givenCurrentTime(NOW).andGiven(withNetwork(new NetworkRouterCreated(ACC, "n1", "rt1", VIA_P1)))
                .when(new DeletePeer(ACC, "p1"))
                .expectException(rejected(PRECONDITION_FAILED, "peer is linked to a network router: rt1"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(withNetwork(new NetworkResourceCreated(ACC, "n1", "res1", LAB)))
                .when(new DeleteGroup(ACC, "g1"))
                .expectException(rejected(CONFLICT, "network resource 'lab'"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(withNetwork())
                .when(new CreateNetwork(ACC, "n1", "again", ""))
                .expectException(rejected(CONFLICT, "network n1 already exists"))
                .expectNoEvents();
    }
}
