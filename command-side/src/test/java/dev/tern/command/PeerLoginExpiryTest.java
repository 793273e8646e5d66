package dev.tern.command;

import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.PeerInactivityExpirationChanged;
import dev.tern.events.PeerLoginExpirationChanged;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.SetupKeyRevoked;
import dev.tern.events.commands.ExpirePeerLogin;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.commands.UpdateAccountSettings;
import dev.tern.events.commands.UpdatePeer;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.UserRole;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static dev.tern.events.CommandRejected.Reason.FORBIDDEN;
import static dev.tern.events.CommandRejected.Reason.INVALID;

/** Login and inactivity expiration: when a peer lapses, what brings it back, and what settings may say. */
class PeerLoginExpiryTest extends AccountFixtureSupport {
    private static final long DAY = Duration.ofDays(1).toSeconds();
    private static final AccountSettings DEFAULTS = AccountSettings.defaults();

    private static PeerLoginExpirationChanged loginExpirationOn(String peerId) {
        return new PeerLoginExpirationChanged(ACC, peerId, true);
    }

    private static RegisterPeer logIn(int key, String keyId) {
        return new RegisterPeer(ACC, "unused", hash(keyId), wgKey(key), PeerSystemMeta.ofHostname("host"));
    }

    private static UpdateAccountSettings settings(AccountSettings settings) {
        return new UpdateAccountSettings(ACC, settings, OWNER);
    }

    @Test
    void newAccountsHaveNetBirdsDefaults() {
        org.assertj.core.api.Assertions.assertThat(DEFAULTS).isEqualTo(new AccountSettings(true, DAY, false, 600));
    }

    @Test
    void aPeerWithLoginExpirationLapsesOnceItsLastLoginIsOlderThanThePeriod() {
        Instant due = NOW.plus(Duration.ofDays(1));
        fixture.givenCurrentTime(due)
                .andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1"),
                        loginExpirationOn("p1")))
                .when(new ExpirePeerLogin(ACC, "p1", PeerExpiry.LOGIN))
                .expectEvents(new PeerLoginExpired(ACC, "p1", PeerExpiry.LOGIN, due))
                .expectResultMessagePayload(true);
    }

    @Test
    void aPeerIsNotExpiredASecondEarly() {
        fixture.givenCurrentTime(NOW.plus(Duration.ofDays(1)).minusSeconds(1))
                .andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1"),
                        loginExpirationOn("p1")))
                .when(new ExpirePeerLogin(ACC, "p1", PeerExpiry.LOGIN))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents()
                .expectResultMessagePayload(false);
    }

    @Test
    void setupKeyPeersDoNotExpireUnlessTheirOwnFlagIsOn() {
        fixture.givenCurrentTime(NOW.plus(Duration.ofDays(30)))
                .andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1")))
                .when(new ExpirePeerLogin(ACC, "p1", PeerExpiry.LOGIN))
                .expectNoEvents()
                .expectResultMessagePayload(false);
    }

    @Test
    void theAccountSwitchTurnsLoginExpirationOffForEveryPeer() {
        AccountSettings off = new AccountSettings(false, DAY, false, 600);
        fixture.givenCurrentTime(NOW.plus(Duration.ofDays(30)))
                .andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1"),
                        loginExpirationOn("p1"), new AccountSettingsUpdated(ACC, DEFAULTS, off)))
                .when(new ExpirePeerLogin(ACC, "p1", PeerExpiry.LOGIN))
                .expectNoEvents();
    }

    @Test
    void anExpiredPeerIsNotExpiredTwice() {
        Instant later = NOW.plus(Duration.ofDays(3));
        fixture.givenCurrentTime(later)
                .andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1"),
                        loginExpirationOn("p1"),
                        new PeerLoginExpired(ACC, "p1", PeerExpiry.LOGIN, NOW.plus(Duration.ofDays(1)))))
                .when(new ExpirePeerLogin(ACC, "p1", PeerExpiry.LOGIN))
                .expectNoEvents()
                .expectResultMessagePayload(false);
    }

    @Test
    void inactivityExpiresOnlyPeersWithInactivityExpirationUnderAnAccountThatEnablesIt() {
        AccountSettings inactivityOn = new AccountSettings(true, DAY, true, 600);
        fixture.givenCurrentTime(NOW)
                .andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1"),
                        new PeerInactivityExpirationChanged(ACC, "p1", true)))
                .when(new ExpirePeerLogin(ACC, "p1", PeerExpiry.INACTIVITY))
                .expectNoEvents();
        Instant tenMinutesOn = NOW.plus(Duration.ofMinutes(10));
        fixture.givenCurrentTime(tenMinutesOn)
                .andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1"),
                        new PeerInactivityExpirationChanged(ACC, "p1", true),
                        new AccountSettingsUpdated(ACC, DEFAULTS, inactivityOn)))
                .when(new ExpirePeerLogin(ACC, "p1", PeerExpiry.INACTIVITY))
                .expectEvents(new PeerLoginExpired(ACC, "p1", PeerExpiry.INACTIVITY, tenMinutesOn));
    }

    @Test
    void aPeerThatLoggedInWithinTheInactivityPeriodIsNotInactive() {
        // the sweeper saw it disconnected for long, but it has just logged in again (its Sync is on its way)
        AccountSettings inactivityOn = new AccountSettings(true, DAY, true, 600);
        Instant renewed = NOW.plus(Duration.ofDays(1));
        fixture.givenCurrentTime(renewed.plus(Duration.ofMinutes(10)).minusSeconds(1))
                .andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1"),
                        new PeerInactivityExpirationChanged(ACC, "p1", true),
                        new AccountSettingsUpdated(ACC, DEFAULTS, inactivityOn),
                        new PeerLoginExpired(ACC, "p1", PeerExpiry.INACTIVITY, renewed.minusSeconds(60)),
                        new PeerLoginRenewed(ACC, "p1", "k1", renewed)))
                .when(new ExpirePeerLogin(ACC, "p1", PeerExpiry.INACTIVITY))
                .expectNoEvents()
                .expectResultMessagePayload(false);
    }

    @Test
    void anExpiredPeerLogsInAgainWithAValidSetupKeyOfTheAccount() {
        Instant later = NOW.plus(Duration.ofDays(2));
        fixture.givenCurrentTime(later)
                .andGiven(account(reusableKey("k1", 1, null), reusableKey("k2", 0, null),
                        peer("p1", 1, "100.64.0.1", "a", "k1"), loginExpirationOn("p1"),
                        new PeerLoginExpired(ACC, "p1", PeerExpiry.LOGIN, NOW.plus(Duration.ofDays(1)))))
                // k1 is used up (limit 1, used by p1 itself): logging in registers nothing, so it still counts
                .when(logIn(1, "k1"))
                .expectEvents(new PeerLoginRenewed(ACC, "p1", "k1", later))
                .expectResultMessagePayload(new PeerRegistration("p1", new MeshIp("100.64.0.1"), "a", false));
    }

    @Test
    void presentingAKeyBeforeTheLoginLapsesChangesNothing() {
        // otherwise a client repeating its key on every login would keep its login fresh and append an event each time
        fixture.givenCurrentTime(NOW.plus(Duration.ofHours(23)))
                .andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1"),
                        loginExpirationOn("p1")))
                .when(logIn(1, "k1"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void aRenewedLoginStartsANewPeriod() {
        Instant renewed = NOW.plus(Duration.ofDays(2));
        fixture.givenCurrentTime(renewed.plus(Duration.ofDays(1)).minusSeconds(1))
                .andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1"),
                        loginExpirationOn("p1"),
                        new PeerLoginExpired(ACC, "p1", PeerExpiry.LOGIN, NOW.plus(Duration.ofDays(1))),
                        new PeerLoginRenewed(ACC, "p1", "k1", renewed)))
                .when(new ExpirePeerLogin(ACC, "p1", PeerExpiry.LOGIN))
                .expectNoEvents();
    }

    @Test
    void anExpiredPeerCannotLogInWithARevokedKey() {
        fixture.givenCurrentTime(NOW.plus(Duration.ofDays(2)))
                .andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1"),
                        loginExpirationOn("p1"),
                        new PeerLoginExpired(ACC, "p1", PeerExpiry.LOGIN, NOW.plus(Duration.ofDays(1))),
                        new SetupKeyRevoked(ACC, "k1")))
                .when(logIn(1, "k1"))
                .expectException(rejected(FORBIDDEN, "is revoked; the peer's login has expired"))
                .expectNoEvents();
    }

    @Test
    void anExpiredPeerCannotLogInWithAnExpiredKey() {
        Instant keyExpiry = NOW.plus(Duration.ofDays(1));
        fixture.givenCurrentTime(NOW.plus(Duration.ofDays(2)))
                .andGiven(account(reusableKey("k1", 0, keyExpiry), peer("p1", 1, "100.64.0.1", "a", "k1"),
                        loginExpirationOn("p1"), new PeerLoginExpired(ACC, "p1", PeerExpiry.LOGIN, keyExpiry)))
                .when(logIn(1, "k1"))
                .expectException(rejected(FORBIDDEN, "has expired; the peer's login has expired"))
                .expectNoEvents();
    }

    @Test
    void turningThePeersFlagOffLiftsItsExpiry() {
        fixture.givenCurrentTime(NOW.plus(Duration.ofDays(2)))
                .andGiven(account(reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1"),
                        loginExpirationOn("p1"),
                        new PeerLoginExpired(ACC, "p1", PeerExpiry.LOGIN, NOW.plus(Duration.ofDays(1)))))
                .when(new UpdatePeer(ACC, "p1", "a", false, false, false))
                .expectEvents(new PeerLoginExpirationChanged(ACC, "p1", false), new PeerLoginExpiryLifted(ACC, "p1"));
    }

    @Test
    void aLongerPeriodLiftsExactlyTheExpiriesItNoLongerJustifies() {
        Instant now = NOW.plus(Duration.ofDays(2));
        AccountSettings week = new AccountSettings(true, 7 * DAY, false, 600);
        fixture.givenCurrentTime(now)
                .andGiven(account(reusableKey("k1", 0, null),
                        peer("p1", 1, "100.64.0.1", "a", "k1"), loginExpirationOn("p1"),
                        new PeerLoginExpired(ACC, "p1", PeerExpiry.LOGIN, NOW.plus(Duration.ofDays(1))),
                        peer("p2", 2, "100.64.0.2", "b", "k1"), new PeerInactivityExpirationChanged(ACC, "p2", true),
                        new AccountSettingsUpdated(ACC, DEFAULTS, new AccountSettings(true, DAY, true, 600)),
                        new PeerLoginExpired(ACC, "p2", PeerExpiry.INACTIVITY, now)))
                .when(settings(new AccountSettings(true, 7 * DAY, true, 600)))
                .expectEvents(new AccountSettingsUpdated(ACC, new AccountSettings(true, DAY, true, 600),
                                new AccountSettings(true, 7 * DAY, true, 600)),
                        new PeerLoginExpiryLifted(ACC, "p1"));
        fixture.givenCurrentTime(now)
                .andGiven(account(reusableKey("k1", 0, null),
                        peer("p1", 1, "100.64.0.1", "a", "k1"), loginExpirationOn("p1"),
                        new PeerLoginExpired(ACC, "p1", PeerExpiry.LOGIN, NOW.plus(Duration.ofDays(1)))))
                .when(settings(week))
                .expectEvents(new AccountSettingsUpdated(ACC, DEFAULTS, week), new PeerLoginExpiryLifted(ACC, "p1"));
    }

    @Test
    void unchangedSettingsRecordNothing() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(settings(DEFAULTS))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void periodsOutsideNetBirdsLimitsAreRefused() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(settings(new AccountSettings(true, 3599, false, 600)))
                .expectException(rejected(INVALID, "between 1 hour and 180 days"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(settings(new AccountSettings(true, 181 * DAY, false, 600)))
                .expectException(rejected(INVALID, "between 1 hour and 180 days"));
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(settings(new AccountSettings(true, DAY, true, 59)))
                .expectException(rejected(INVALID, "between 1 minute and 180 days"));
    }

    @Test
    void onlyOwnersAndAdminsChangeSettings() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u1", UserRole.USER)))
                .when(new UpdateAccountSettings(ACC, new AccountSettings(false, DAY, false, 600), "u1"))
                .expectException(rejected(FORBIDDEN, "only owners and admins"))
                .expectNoEvents();
    }
}
