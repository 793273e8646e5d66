package dev.tern.command;

import static dev.tern.events.CommandRejected.Reason.FORBIDDEN;
import static dev.tern.events.CommandRejected.Reason.INVALID;

import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.AccountNetworkRangeChanged.PeerAddress;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerRegistered;
import dev.tern.events.commands.ChangeAccountNetworkRange;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.UserRole;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NetBird's {@code settings.network_range}: the account moves its network and readdresses every peer. */
class AccountNetworkRangeTest extends AccountFixtureSupport {

    private static ChangeAccountNetworkRange change(String network) {
        return new ChangeAccountNetworkRange(ACC, Cidr.parse(network), OWNER);
    }

    private static PeerAddress at(String peerId, String ip) {
        return new PeerAddress(peerId, new MeshIp(ip));
    }

    @Test
    void everyPeerKeepsItsHostOffsetInTheNewNetwork() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null),
                        peer("p1", 1, "100.64.0.1", "a", "k1"), peer("p2", 2, "100.64.0.7", "b", "k1"),
                        peer("p3", 3, "100.64.1.2", "c", "k1")))
                .when(change("10.20.0.0/16"))
                .expectEvents(new AccountNetworkRangeChanged(ACC, NETWORK, Cidr.parse("10.20.0.0/16"),
                        List.of(at("p1", "10.20.0.1"), at("p2", "10.20.0.7"), at("p3", "10.20.1.2"))));
    }

    @Test
    void peersWhoseOffsetDoesNotFitTakeTheLowestFreeAddresses() {
        // 100.64.0.15 would be the /28's broadcast address and 100.64.1.2 lies beyond it
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null),
                        peer("p1", 1, "100.64.1.2", "a", "k1"), peer("p2", 2, "100.64.0.1", "b", "k1"),
                        peer("p3", 3, "100.64.0.15", "c", "k1"), peer("p4", 4, "100.64.0.3", "d", "k1")))
                .when(change("192.168.7.16/28"))
                .expectEvents(new AccountNetworkRangeChanged(ACC, NETWORK, Cidr.parse("192.168.7.16/28"),
                        List.of(at("p2", "192.168.7.17"), at("p4", "192.168.7.19"), at("p3", "192.168.7.18"),
                                at("p1", "192.168.7.20"))));
    }

    @Test
    void theSameNetworkAgainChangesNothing() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null),
                        peer("p1", 1, "100.64.0.1", "a", "k1")))
                .when(change("100.64.0.0/16"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void newPeersAreAddressedInTheNewNetworkAndFreedAddressesThereAreReused() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null),
                        peer("p1", 1, "100.64.0.1", "a", "k1"), peer("p2", 2, "100.64.0.2", "b", "k1"),
                        new AccountNetworkRangeChanged(ACC, NETWORK, Cidr.parse("10.1.0.0/24"),
                                List.of(at("p1", "10.1.0.1"), at("p2", "10.1.0.2"))),
                        new PeerDeleted(ACC, "p1", wgKey(1))))
                .when(new RegisterPeer(ACC, "p3", hash("k1"), wgKey(3), PeerSystemMeta.ofHostname("c")))
                .expectEvents(new PeerRegistered(ACC, "p3", wgKey(3), new MeshIp("10.1.0.1"), "c", "c",
                        PeerSystemMeta.ofHostname("c"), "k1", null, false, false, NOW))
                .expectResultMessagePayload(new PeerRegistration("p3", new MeshIp("10.1.0.1"), "c", true));
    }

    @Test
    void aRangeOutsideThePrivateAndCgnatRangesIsRefused() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(change("8.8.8.0/24"))
                .expectException(rejected(INVALID, "must lie inside a private range"))
                .expectNoEvents();
    }

    @Test
    void aRangeSmallerThanASlash28OrLargerThanASlash16IsRefused() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(change("10.0.0.0/29"))
                .expectException(rejected(INVALID, "must be a /16 to a /28"))
                .expectNoEvents();
        createFixture();
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(change("10.0.0.0/15"))
                .expectException(rejected(INVALID, "must be a /16 to a /28"))
                .expectNoEvents();
    }

    @Test
    void aRangeWithoutRoomForThePeersAndHalfAsManyAgainIsRefused() {
        List<Object> given = new ArrayList<>(account(reusableKey("k1", 0, null)));
        for (int i = 1; i <= 10; i++) {
            given.add(peer("p" + i, i, "100.64.0." + i, "h" + i, "k1"));
        }
        // 10 peers need 15 addresses; a /28 has 14
        fixture.givenCurrentTime(NOW).andGiven(given)
                .when(change("10.0.0.0/28"))
                .expectException(rejected(INVALID, "need at least 15 addresses for 10 peers"))
                .expectNoEvents();
    }

    @Test
    void onlyOwnersAndAdminsMoveTheNetwork() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u1", UserRole.USER)))
                .when(new ChangeAccountNetworkRange(ACC, Cidr.parse("10.0.0.0/24"), "u1"))
                .expectException(rejected(FORBIDDEN, ""))
                .expectNoEvents();
    }
}
