package dev.tern.command;

import dev.tern.events.GroupDeleted;
import dev.tern.events.RouteCreated;
import dev.tern.events.RouteDeleted;
import dev.tern.events.RouteUpdated;
import dev.tern.events.commands.CreateRoute;
import dev.tern.events.commands.DeleteGroup;
import dev.tern.events.commands.DeleteRoute;
import dev.tern.events.commands.UpdateRoute;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.RouteDefinition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tern.events.CommandRejected.Reason.CONFLICT;
import static dev.tern.events.CommandRejected.Reason.INVALID;
import static dev.tern.events.CommandRejected.Reason.NOT_FOUND;

class RouteCommandsTest extends AccountFixtureSupport {

    /** The site 10.10.10.0/24 through peer p1, for the peers of g1. */
    static RouteDefinition siteVia(String peer, List<String> peerGroups, String network, int metric) {
        return new RouteDefinition("site", "site", true, peer, peerGroups,
                network == null ? null : Cidr.parse(network), List.of(), metric, true, List.of("g1"), false,
                List.of(), false);
    }

    private static List<Object> accountWithPeers(Object... more) {
        List<Object> events = account(group("g1", "dev"), group("routers", "routers"),
                peer("p1", 1, "100.64.0.1", "r1", null), peer("p2", 2, "100.64.0.2", "r2", null),
                member("routers", "p2"));
        events.addAll(List.of(more));
        return events;
    }

    @Test
    void creatingARouteThroughOnePeer() {
        RouteDefinition site = siteVia("p1", List.of(), "10.10.10.0/24", 100);
        fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                .when(new CreateRoute(ACC, "r-1", site))
                .expectEvents(new RouteCreated(ACC, "r-1", site));
    }

    @Test
    void anExitNodeAndADomainRouteAreRoutesToo() {
        RouteDefinition exit = siteVia(null, List.of("routers"), "0.0.0.0/0", 1);
        fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                .when(new CreateRoute(ACC, "r-1", exit))
                .expectEvents(new RouteCreated(ACC, "r-1", exit));
        RouteDefinition domains = new RouteDefinition("", "corp", true, "p1", List.of(), null,
                List.of("corp.example", "*.corp.example"), 10, false, List.of("g1"), true, List.of(), false);
        fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                .when(new CreateRoute(ACC, "r-2", domains))
                .expectEvents(new RouteCreated(ACC, "r-2", domains));
    }

    @Test
    void aRouteNeedsExactlyOneOfPeerAndPeerGroups() {
        fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                .when(new CreateRoute(ACC, "r-1", siteVia(null, List.of(), "10.10.10.0/24", 100)))
                .expectException(rejected(INVALID, "either a routing peer or peer groups"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                .when(new CreateRoute(ACC, "r-1", siteVia("p1", List.of("routers"), "10.10.10.0/24", 100)))
                .expectException(rejected(INVALID, "either a routing peer or peer groups"))
                .expectNoEvents();
    }

    @Test
    void unknownPeersAndGroupsAreInvalid() {
        fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                .when(new CreateRoute(ACC, "r-1", siteVia("ghost", List.of(), "10.10.10.0/24", 100)))
                .expectException(rejected(INVALID, "peer ghost not found"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                .when(new CreateRoute(ACC, "r-1", siteVia(null, List.of("nope"), "10.10.10.0/24", 100)))
                .expectException(rejected(INVALID, "group nope not found"))
                .expectNoEvents();
    }

    @Test
    void theMetricMustBeWithinNetBirdsRange() {
        for (int metric : new int[]{0, 10_000}) {
            fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                    .when(new CreateRoute(ACC, "r-1", siteVia("p1", List.of(), "10.10.10.0/24", metric)))
                    .expectException(rejected(INVALID, "metric should be between 1 and 9999"))
                    .expectNoEvents();
        }
    }

    @Test
    void aNetworkInsideTheMeshIsRefused() {
        fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                .when(new CreateRoute(ACC, "r-1", siteVia("p1", List.of(), "100.64.3.0/24", 100)))
                .expectException(rejected(INVALID, "inside the account's mesh network"))
                .expectNoEvents();
    }

    @Test
    void networkAndDomainsTogetherAreRefused() {
        RouteDefinition both = new RouteDefinition("", "x", true, "p1", List.of(), Cidr.parse("10.0.0.0/8"),
                List.of("corp.example"), 10, false, List.of("g1"), false, List.of(), false);
        fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                .when(new CreateRoute(ACC, "r-1", both))
                .expectException(rejected(INVALID, "either a network or domains"))
                .expectNoEvents();
    }

    @Test
    void anInvalidDomainIsRefused() {
        for (String bad : List.of("corp..example", "-corp.example", "corp example", "a.*.example", "Corp.Example")) {
            RouteDefinition domains = new RouteDefinition("", "corp", true, "p1", List.of(), null, List.of(bad), 10,
                    false, List.of("g1"), false, List.of(), false);
            fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                    .when(new CreateRoute(ACC, "r-1", domains))
                    .expectException(rejected(INVALID, "is not a valid domain"))
                    .expectNoEvents();
        }
    }

    @Test
    void aPeerServesOneNetworkThroughOneRouteOnly() {
        fixture.givenCurrentTime(NOW)
                .andGiven(accountWithPeers(new RouteCreated(ACC, "r-1", siteVia("p2", List.of(), "10.10.10.0/24", 1))))
                .when(new CreateRoute(ACC, "r-2", siteVia(null, List.of("routers"), "10.10.10.0/24", 2)))
                .expectException(rejected(CONFLICT, "peer r2 of group routers already has a route to network 10.10.10.0/24"))
                .expectNoEvents();
        // another routing peer for the same network is high availability, not a conflict
        RouteDefinition ha = siteVia("p1", List.of(), "10.10.10.0/24", 2);
        fixture.givenCurrentTime(NOW)
                .andGiven(accountWithPeers(new RouteCreated(ACC, "r-1", siteVia("p2", List.of(), "10.10.10.0/24", 1))))
                .when(new CreateRoute(ACC, "r-2", ha))
                .expectEvents(new RouteCreated(ACC, "r-2", ha));
    }

    @Test
    void anUpdateMayKeepItsOwnDestination() {
        RouteDefinition changed = siteVia("p1", List.of(), "10.10.10.0/24", 7);
        fixture.givenCurrentTime(NOW)
                .andGiven(accountWithPeers(new RouteCreated(ACC, "r-1", siteVia("p1", List.of(), "10.10.10.0/24", 1))))
                .when(new UpdateRoute(ACC, "r-1", changed))
                .expectEvents(new RouteUpdated(ACC, "r-1", changed));
    }

    @Test
    void updatingOrDeletingAnUnknownRouteIsNotFound() {
        fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                .when(new UpdateRoute(ACC, "r-9", siteVia("p1", List.of(), "10.10.10.0/24", 1)))
                .expectException(rejected(NOT_FOUND, "route r-9 not found"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(accountWithPeers())
                .when(new DeleteRoute(ACC, "r-9"))
                .expectException(rejected(NOT_FOUND, "route r-9 not found"))
                .expectNoEvents();
    }

    @Test
    void deletingEmitsRouteDeletedWithItsNetworkId() {
        fixture.givenCurrentTime(NOW)
                .andGiven(accountWithPeers(new RouteCreated(ACC, "r-1", siteVia("p1", List.of(), "10.10.10.0/24", 1))))
                .when(new DeleteRoute(ACC, "r-1"))
                .expectEvents(new RouteDeleted(ACC, "r-1", "site"));
    }

    @Test
    void aGroupARouteUsesCannotBeDeletedUntilTheRouteIsGone() {
        fixture.givenCurrentTime(NOW)
                .andGiven(accountWithPeers(new RouteCreated(ACC, "r-1", siteVia("p1", List.of(), "10.10.10.0/24", 1))))
                .when(new DeleteGroup(ACC, "g1"))
                .expectException(rejected(CONFLICT, "group 'dev' is used by route 'site'"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW)
                .andGiven(accountWithPeers(new RouteCreated(ACC, "r-1", siteVia("p1", List.of(), "10.10.10.0/24", 1)),
                        new RouteDeleted(ACC, "r-1", "site")))
                .when(new DeleteGroup(ACC, "g1"))
                .expectEvents(new GroupDeleted(ACC, "g1", "dev"));
    }
}
