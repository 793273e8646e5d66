package dev.tern.command;

import static dev.tern.events.CommandRejected.Reason.FORBIDDEN;
import static dev.tern.events.CommandRejected.Reason.NOT_FOUND;
import static dev.tern.events.CommandRejected.Reason.PRECONDITION_FAILED;

import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerInactivityExpirationChanged;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRegistered;
import dev.tern.events.UserBlocked;
import dev.tern.events.UserCreated;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.commands.RegisterUserPeer;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.UserRole;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A user's device with the user's JWT (NetBird's SSO login): registered to the user with login expiration and the
 * user's auto-groups, renewed only by its own user, never by a setup key.
 */
class UserPeerRegistrationTest extends AccountFixtureSupport {
    private static final String ALICE = "user-alice";
    private static final Instant LATER = NOW.plus(Duration.ofDays(2));

    private static UserCreated alice(String... autoGroups) {
        return new UserCreated(ACC, ALICE, "alice@example.com", "Alice", UserRole.USER, false, List.of(autoGroups),
                NOW);
    }

    private static RegisterUserPeer logIn(String userId, int key, List<String> extraLabels) {
        return new RegisterUserPeer(ACC, "p-new", userId, wgKey(key), PeerSystemMeta.ofHostname("laptop"),
                extraLabels);
    }

    private static PeerRegistered alicesPeer(String id, int key, String ip) {
        return new PeerRegistered(ACC, id, wgKey(key), new MeshIp(ip), "laptop", "laptop",
                PeerSystemMeta.ofHostname("laptop"), null, ALICE, false, true, NOW);
    }

    @Test
    void anUnknownKeyBecomesTheUsersPeerWithLoginExpirationAndTheUsersAutoGroups() {
        fixture.givenCurrentTime(NOW)
                .andGiven(account(group("g-dev", "dev"), group("g-ops", "ops"), alice("g-dev", "g-ops")))
                .when(logIn(ALICE, 7, List.of()))
                .expectEvents(new PeerRegistered(ACC, "p-new", wgKey(7), new MeshIp("100.64.0.1"), "laptop", "laptop",
                                PeerSystemMeta.ofHostname("laptop"), null, ALICE, false, true, NOW, List.of()),
                        new PeerInactivityExpirationChanged(ACC, "p-new", true),
                        new PeerAddedToGroup(ACC, "g-dev", "p-new"),
                        new PeerAddedToGroup(ACC, "g-ops", "p-new"))
                .expectResultMessagePayload(new PeerRegistration("p-new", new MeshIp("100.64.0.1"), "laptop", true));
    }

    @Test
    void blockedOrUnknownUsersAddNoPeer() {
        fixture.givenCurrentTime(NOW)
                .andGiven(account(alice(), new UserBlocked(ACC, ALICE)))
                .when(logIn(ALICE, 7, List.of()))
                .expectNoEvents()
                .expectException(rejected(FORBIDDEN, "user is blocked"));
        createFixture();
        fixture.givenCurrentTime(NOW)
                .andGiven(account())
                .when(logIn("user-nobody", 7, List.of()))
                .expectNoEvents()
                .expectException(rejected(NOT_FOUND, "user-nobody"));
    }

    @Test
    void extraDnsLabelsNeedASetupKey() {
        fixture.givenCurrentTime(NOW)
                .andGiven(account(alice()))
                .when(logIn(ALICE, 7, List.of("printer")))
                .expectNoEvents()
                .expectException(rejected(PRECONDITION_FAILED, "extra DNS labels need a setup key"));
    }

    @Test
    void aKnownKeyMustBeTheUsersOwnPeer() {
        fixture.givenCurrentTime(NOW)
                .andGiven(account(reusableKey("k1", 0, null), alice(), user("user-bob", UserRole.USER),
                        peer("p-key", 1, "100.64.0.1", "a", "k1"), alicesPeer("p-alice", 2, "100.64.0.2")))
                .when(logIn("user-bob", 2, List.of()))
                .expectNoEvents()
                .expectException(rejected(FORBIDDEN,
                        "peer is already registered by a different User or a Setup Key"));
        createFixture();
        fixture.givenCurrentTime(NOW)
                .andGiven(account(reusableKey("k1", 0, null), alice(), peer("p-key", 1, "100.64.0.1", "a", "k1")))
                .when(logIn(ALICE, 1, List.of()))
                .expectNoEvents()
                .expectException(rejected(FORBIDDEN,
                        "peer is already registered by a different User or a Setup Key"));
    }

    @Test
    void theOwnersJwtRenewsAnExpiredLoginAndChangesNothingOtherwise() {
        fixture.givenCurrentTime(LATER)
                .andGiven(account(alice(), alicesPeer("p-alice", 2, "100.64.0.1"),
                        new PeerLoginExpired(ACC, "p-alice", PeerExpiry.LOGIN, LATER)))
                .when(logIn(ALICE, 2, List.of()))
                .expectEvents(new PeerLoginRenewed(ACC, "p-alice", null, LATER))
                .expectResultMessagePayload(new PeerRegistration("p-alice", new MeshIp("100.64.0.1"), "laptop", false));
        createFixture();
        fixture.givenCurrentTime(LATER)
                .andGiven(account(alice(), alicesPeer("p-alice", 2, "100.64.0.1")))
                .when(logIn(ALICE, 2, List.of()))
                .expectNoEvents()
                .expectResultMessagePayload(new PeerRegistration("p-alice", new MeshIp("100.64.0.1"), "laptop", false));
    }

    @Test
    void aSetupKeyDoesNotRenewAnExpiredUserPeer() {
        fixture.givenCurrentTime(LATER)
                .andGiven(account(reusableKey("k1", 0, null), alice(), alicesPeer("p-alice", 2, "100.64.0.1"),
                        new PeerLoginExpired(ACC, "p-alice", PeerExpiry.LOGIN, LATER)))
                .when(new RegisterPeer(ACC, "unused", hash("k1"), wgKey(2), PeerSystemMeta.ofHostname("laptop")))
                .expectNoEvents()
                .expectException(rejected(FORBIDDEN, "peer login has expired, please log in once more"));
    }
}
