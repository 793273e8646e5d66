package dev.tern.command;

import dev.tern.events.AccountCreated;
import dev.tern.events.GroupCreated;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerRegistered;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.SetupKeyRevoked;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.SetupKeyType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.tern.events.CommandRejected.Reason.CONFLICT;
import static dev.tern.events.CommandRejected.Reason.FORBIDDEN;
import static dev.tern.events.CommandRejected.Reason.NOT_FOUND;
import static dev.tern.events.CommandRejected.Reason.PRECONDITION_FAILED;

class PeerRegistrationTest extends AccountFixtureSupport {

    private static RegisterPeer register(String peerId, int key, String hostname, String keyId) {
        return new RegisterPeer(ACC, peerId, hash(keyId), wgKey(key), PeerSystemMeta.ofHostname(hostname));
    }

    private static PeerRegistered registered(String peerId, int key, String ip, String label, String hostname, String keyId) {
        return new PeerRegistered(ACC, peerId, wgKey(key), new MeshIp(ip), label, hostname,
                PeerSystemMeta.ofHostname(hostname), keyId, null, false, false, NOW);
    }

    @Test
    void registeringTakesTheFirstHostAddressAndJoinsTheKeysAutoGroups() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops"),
                        reusableKey("k1", 0, null, "g1", "g2")))
                .when(register("p1", 1, "Work Laptop", "k1"))
                .expectEvents(registered("p1", 1, "100.64.0.1", "work-laptop", "Work Laptop", "k1"),
                        member("g1", "p1"), member("g2", "p1"))
                .expectResultMessagePayload(new PeerRegistration("p1", new MeshIp("100.64.0.1"), "work-laptop", true));
    }

    @Test
    void anEphemeralKeyRegistersEphemeralPeers() {
        SetupKeyCreated ephemeralKey = new SetupKeyCreated(ACC, "k1", "ci", SetupKeyType.REUSABLE, hash("k1"), "ABCD",
                null, 0, List.of(), true, false, NOW);
        fixture.givenCurrentTime(NOW).andGiven(account(ephemeralKey))
                .when(register("p1", 1, "runner", "k1"))
                .expectEvents(new PeerRegistered(ACC, "p1", wgKey(1), new MeshIp("100.64.0.1"), "runner", "runner",
                        PeerSystemMeta.ofHostname("runner"), "k1", null, true, false, NOW));
    }

    @Test
    void registeringWithAnUnknownKeyIsNotFound() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null)))
                .when(register("p1", 1, "host", "other"))
                .expectException(rejected(NOT_FOUND, "setup key not found"))
                .expectNoEvents();
    }

    @Test
    void reRegisteringAKnownWireGuardKeyIsIdempotent() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "host", "k1")))
                .when(register("p-new", 1, "renamed-host", "k1"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents()
                .expectResultMessagePayload(new PeerRegistration("p1", new MeshIp("100.64.0.1"), "host", false));
    }

    @Test
    void reRegisteringAKnownKeySucceedsEvenWithARevokedAndUsedUpKey() {
        fixture.givenCurrentTime(NOW.plus(Duration.ofDays(30)))
                .andGiven(account(reusableKey("k1", 1, NOW.plus(Duration.ofDays(1))),
                        peer("p1", 1, "100.64.0.1", "host", "k1"), new SetupKeyRevoked(ACC, "k1")))
                .when(register("p-new", 1, "host", "k1"))
                .expectNoEvents()
                .expectResultMessagePayload(new PeerRegistration("p1", new MeshIp("100.64.0.1"), "host", false));
    }

    @Test
    void registeringWithARevokedKeyIsForbidden() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null), new SetupKeyRevoked(ACC, "k1")))
                .when(register("p1", 1, "host", "k1"))
                .expectException(rejected(FORBIDDEN, "is revoked"))
                .expectNoEvents();
    }

    @Test
    void registeringWithAnExpiredKeyIsForbidden() {
        Instant expiry = NOW.plus(Duration.ofHours(1));
        fixture.givenCurrentTime(expiry).andGiven(account(reusableKey("k1", 0, expiry)))
                .when(register("p1", 1, "host", "k1"))
                .expectException(rejected(FORBIDDEN, "has expired"))
                .expectNoEvents();
    }

    @Test
    void aKeyWorksUntilItsExpiry() {
        Instant expiry = NOW.plus(Duration.ofHours(1));
        fixture.givenCurrentTime(expiry.minusSeconds(1)).andGiven(account(reusableKey("k1", 0, expiry)))
                .when(register("p1", 1, "host", "k1"))
                .expectSuccessfulHandlerExecution();
    }

    @Test
    void registeringWithAnExhaustedKeyIsForbidden() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 2, null),
                        peer("p1", 1, "100.64.0.1", "a", "k1"), peer("p2", 2, "100.64.0.2", "b", "k1")))
                .when(register("p3", 3, "c", "k1"))
                .expectException(rejected(FORBIDDEN, "reached its usage limit of 2"))
                .expectNoEvents();
    }

    @Test
    void deletingPeersDoesNotGiveUsesBack() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 1, null),
                        peer("p1", 1, "100.64.0.1", "a", "k1"), new PeerDeleted(ACC, "p1", wgKey(1))))
                .when(register("p2", 2, "b", "k1"))
                .expectException(rejected(FORBIDDEN, "usage limit"))
                .expectNoEvents();
    }

    @Test
    void aOneOffKeyRegistersExactlyOnePeer() {
        SetupKeyCreated oneOff = new SetupKeyCreated(ACC, "k1", "once", SetupKeyType.ONE_OFF, hash("k1"), "ABCD",
                null, 1, List.of(), false, false, NOW);
        fixture.givenCurrentTime(NOW).andGiven(account(oneOff))
                .when(register("p1", 1, "a", "k1"))
                .expectSuccessfulHandlerExecution();
        fixture.givenCurrentTime(NOW).andGiven(account(oneOff, peer("p1", 1, "100.64.0.1", "a", "k1")))
                .when(register("p2", 2, "b", "k1"))
                .expectException(rejected(FORBIDDEN, "usage limit of 1"))
                .expectNoEvents();
    }

    @Test
    void aKeyWithoutLimitKeepsRegistering() {
        fixture.givenCurrentTime(NOW)
                .andGiven(account(reusableKey("k1", 0, null)))
                .andGivenCommands(register("p1", 1, "a", "k1"), register("p2", 2, "a", "k1"), register("p3", 3, "a", "k1"))
                .when(register("p4", 4, "a", "k1"))
                .expectEvents(registered("p4", 4, "100.64.0.4", "a-3", "a", "k1"));
    }

    @Test
    void theLowestFreeAddressIsReusedAfterADelete() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null),
                        peer("p1", 1, "100.64.0.1", "a", "k1"), peer("p2", 2, "100.64.0.2", "b", "k1"),
                        peer("p3", 3, "100.64.0.3", "c", "k1"), new PeerDeleted(ACC, "p2", wgKey(2))))
                .when(register("p4", 4, "d", "k1"))
                .expectEvents(registered("p4", 4, "100.64.0.2", "d", "d", "k1"));
    }

    @Test
    void labelsGetTheLowestFreeNumericSuffix() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null),
                        peer("p1", 1, "100.64.0.1", "laptop", "k1"), peer("p2", 2, "100.64.0.2", "laptop-1", "k1"),
                        peer("p3", 3, "100.64.0.3", "laptop-2", "k1")))
                .when(register("p4", 4, "LAPTOP", "k1"))
                .expectEvents(registered("p4", 4, "100.64.0.4", "laptop-3", "LAPTOP", "k1"));
    }

    @Test
    void aFreedLabelSuffixIsReused() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null),
                        peer("p1", 1, "100.64.0.1", "laptop", "k1"), peer("p2", 2, "100.64.0.2", "laptop-1", "k1"),
                        peer("p3", 3, "100.64.0.3", "laptop-2", "k1"), new PeerDeleted(ACC, "p2", wgKey(2))))
                .when(register("p4", 4, "laptop", "k1"))
                .expectEvents(registered("p4", 4, "100.64.0.2", "laptop-1", "laptop", "k1"));
    }

    @Test
    void aProposedPeerIdThatExistsIsAConflict() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1")))
                .when(register("p1", 2, "b", "k1"))
                .expectException(rejected(CONFLICT, "peer p1 already exists"))
                .expectNoEvents();
    }

    @Test
    void aFullNetworkRefusesNewPeersButStillRecognisesKnownOnes() {
        List<Object> history = account(reusableKey("k1", 0, null));
        int hosts = (int) NETWORK.size() - 2;
        for (int i = 1; i <= hosts; i++) {
            history.add(peer("p" + i, i, MeshIp.of(NETWORK.networkBits() + i).address(), "h" + i, "k1"));
        }
        fixture.givenCurrentTime(NOW).andGiven(history)
                .when(register("p-new", hosts + 1, "late", "k1"))
                .expectException(rejected(PRECONDITION_FAILED, "has no free address"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(history)
                .when(register("p-again", 7, "h7", "k1"))
                .expectNoEvents()
                .expectResultMessagePayload(new PeerRegistration("p7", new MeshIp("100.64.0.7"), "h7", false));
    }

    @Test
    void aSmallAccountNetworkHandsOutItsLastHostAddressThenRefuses() {
        Cidr small = Cidr.parse("100.100.7.248/29"); // hosts .249 to .254
        List<Object> history = new ArrayList<>(List.of(new AccountCreated(ACC, small, DOMAIN, NOW),
                new GroupCreated(ACC, ALL, "All", GroupIssuer.API), reusableKey("k1", 0, null)));
        for (int i = 1; i <= 5; i++) {
            history.add(peer("p" + i, i, "100.100.7." + (248 + i), "h" + i, "k1"));
        }
        fixture.givenCurrentTime(NOW).andGiven(history)
                .when(register("p6", 6, "h6", "k1"))
                .expectEvents(registered("p6", 6, "100.100.7.254", "h6", "h6", "k1"));
        history.add(peer("p6", 6, "100.100.7.254", "h6", "k1"));
        fixture.givenCurrentTime(NOW).andGiven(history)
                .when(register("p7", 7, "h7", "k1"))
                .expectException(rejected(PRECONDITION_FAILED, "the account network 100.100.7.248/29 has no free"))
                .expectNoEvents();
    }
}
