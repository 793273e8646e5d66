package dev.tern.api.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountCreated;
import dev.tern.events.CommandRejected;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRegistered;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.projector.NetworkMapProjector.PeerRef;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The login decision tree without gRPC: a real in-memory network projector is the directory of known keys, and a
 * fake stands in for registration (the account's decision), applying what the account would append when a test
 * wants the projector to follow.
 */
class DeviceLoginTest {
    private static final String ACCOUNT = "acc-1";
    private static final String OTHER_ACCOUNT = "acc-2";
    private static final String KNOWN_PEER = "peer-known";
    private static final String OWN_KEY = "own-setup-key";
    private static final String FOREIGN_KEY = "foreign-setup-key";
    private static final Duration SHORT_CATCH_UP = Duration.ofMillis(50);

    private final NetworkMapProjector projector = new NetworkMapProjector();
    private final FakeSetupKeys setupKeys = new FakeSetupKeys();
    private final AtomicBoolean mapsLoaded = new AtomicBoolean(true);
    private final FakeUserDevices userDevices = new FakeUserDevices();
    private final DeviceLogin logins = new DeviceLogin(setupKeys, userDevices, projector, mapsLoaded::get,
            SHORT_CATCH_UP);
    private final WireGuardKey knownKey = key(1);
    private final WireGuardKey newKey = key(2);
    private final AtomicInteger replayChecks = new AtomicInteger();

    DeviceLoginTest() {
        projector.apply(new AccountCreated(ACCOUNT, new Cidr("100.64.0.0", 16), "test.internal", Instant.now()));
        projector.apply(registered(ACCOUNT, KNOWN_PEER, knownKey, "100.64.0.1", "laptop"));
    }

    // ------------------------------------------------------------------ known peers

    @Test
    void aKnownPeerGetsItsConfigWithoutAKeyAndWithoutRegistering() {
        DeviceLogin.Result result = logins.logIn(attempt(knownKey, "", ""), fresh());

        assertThat(result).isInstanceOfSatisfying(DeviceLogin.LoggedIn.class, loggedIn -> {
            assertThat(loggedIn.config().peerId()).isEqualTo(KNOWN_PEER);
            assertThat(loggedIn.config().fqdn()).isEqualTo("laptop.test.internal");
        });
        assertThat(replayChecks).as("a login that acts on a known peer is checked for replay").hasValue(1);
        assertThat(setupKeys.logIns).isEmpty();
    }

    @Test
    void aReplayedLoginOfAKnownPeerIsRefused() {
        DeviceLogin.Result result = logins.logIn(attempt(knownKey, "", ""), () -> false);

        assertThat(result).isInstanceOf(DeviceLogin.Replayed.class);
    }

    @Test
    void anExpiredPeerWithoutAKeyIsToldItsLoginExpired() {
        expire(KNOWN_PEER);

        assertThat(logins.logIn(attempt(knownKey, "", ""), fresh())).isInstanceOf(DeviceLogin.LoginExpired.class);
        assertThat(setupKeys.logIns).isEmpty();
    }

    @Test
    void anExpiredPeerRenewsWithAKeyOfItsOwnAccountAndGetsItsConfigOnceTheMapSaysSo() {
        expire(KNOWN_PEER);
        setupKeys.onLogIn = call -> {
            projector.apply(new PeerLoginRenewed(ACCOUNT, KNOWN_PEER, "sk-1", Instant.now()));
            return new PeerRegistration(KNOWN_PEER, new MeshIp("100.64.0.1"), "laptop", false);
        };

        DeviceLogin.Result result = logins.logIn(attempt(knownKey, OWN_KEY, ""), fresh());

        assertThat(result).isInstanceOfSatisfying(DeviceLogin.LoggedIn.class,
                loggedIn -> assertThat(loggedIn.config().peerId()).isEqualTo(KNOWN_PEER));
        assertThat(setupKeys.logIns).singleElement().satisfies(call -> {
            assertThat(call.knownPeerId()).as("a renewal names the known peer").isEqualTo(KNOWN_PEER);
            assertThat(call.key()).isEqualTo(knownKey);
        });
    }

    @Test
    void aRenewalTheProjectorDoesNotShowInTimeIsUnavailable() {
        expire(KNOWN_PEER);
        setupKeys.onLogIn = call -> new PeerRegistration(KNOWN_PEER, new MeshIp("100.64.0.1"), "laptop", false);

        assertThat(logins.logIn(attempt(knownKey, OWN_KEY, ""), fresh()))
                .isEqualTo(new DeviceLogin.Unavailable(DeviceLogin.Unavailable.Cause.MAP_NOT_READY));
    }

    @Test
    void anExpiredPeerPresentingAnotherAccountsKeyIsRefusedAsIfTheKeyDidNotExist() {
        expire(KNOWN_PEER);

        assertThat(logins.logIn(attempt(knownKey, FOREIGN_KEY, ""), fresh())).isEqualTo(
                new DeviceLogin.RegistrationRefused(CommandRejected.Reason.NOT_FOUND, "setup key not found"));
        assertThat(setupKeys.logIns).as("the device is not registered in the other account").isEmpty();
    }

    // ------------------------------------------------------------------ strangers

    @Test
    void aStrangerWithoutAKeyIsNotRegisteredAndFillsNoReplayMemory() {
        assertThat(logins.logIn(attempt(newKey, "", ""), fresh())).isInstanceOf(DeviceLogin.NotRegistered.class);
        assertThat(replayChecks).hasValue(0);
    }

    // ------------------------------------------------------------------ a user's JWT

    @Test
    void aStrangerWithAJwtAndNetBirdsAllZeroKeyBecomesTheUsersPeer() {
        userDevices.onLogIn = call -> registerToAlice(call.key());

        DeviceLogin.Result result = logins.logIn(attempt(newKey, DeviceLogin.NO_SETUP_KEY, ALICES_TOKEN), fresh());

        assertThat(result).isInstanceOfSatisfying(DeviceLogin.LoggedIn.class,
                loggedIn -> assertThat(loggedIn.config().peerId()).isEqualTo("peer-alice"));
        assertThat(userDevices.logIns).singleElement().satisfies(call -> {
            assertThat(call.user().userId()).isEqualTo(ALICE);
            assertThat(call.knownPeerId()).isNull();
            assertThat(call.key()).isEqualTo(newKey);
        });
        assertThat(setupKeys.logIns).as("the all-zero key is no key").isEmpty();
        assertThat(replayChecks).as("a JWT login acts: checked for replay").hasValue(1);
    }

    @Test
    void aJwtWinsOverASetupKeySentBesideIt() {
        userDevices.onLogIn = call -> registerToAlice(call.key());

        assertThat(logins.logIn(attempt(newKey, OWN_KEY, ALICES_TOKEN), fresh()))
                .isInstanceOf(DeviceLogin.LoggedIn.class);
        assertThat(setupKeys.logIns).isEmpty();
        assertThat(userDevices.logIns).hasSize(1);
    }

    @Test
    void theAllZeroKeyWithoutAJwtIsNoKey() {
        assertThat(logins.logIn(attempt(newKey, DeviceLogin.NO_SETUP_KEY, ""), fresh()))
                .isInstanceOf(DeviceLogin.NotRegistered.class);
        assertThat(setupKeys.logIns).isEmpty();
    }

    @Test
    void badTokensRefusedUsersAndReusedTokensRegisterNothing() {
        assertThat(logins.logIn(attempt(newKey, "", "forged"), fresh()))
                .isEqualTo(new DeviceLogin.InvalidJwt("token signature is invalid"));
        assertThat(logins.logIn(attempt(newKey, "", "blocked"), fresh()))
                .isEqualTo(new DeviceLogin.JwtUserRefused("user is blocked"));
        userDevices.claimed.add(ALICES_TOKEN);
        assertThat(logins.logIn(attempt(newKey, "", ALICES_TOKEN), fresh())).isEqualTo(new DeviceLogin.JwtReused());
        assertThat(userDevices.logIns).isEmpty();
    }

    @Test
    void aReplayedJwtLoginIsRefusedBeforeTheTokenIsLookedAt() {
        assertThat(logins.logIn(attempt(newKey, "", ALICES_TOKEN), () -> false)).isInstanceOf(DeviceLogin.Replayed.class);
        assertThat(userDevices.signIns).isZero();
    }

    @Test
    void anExpiredUserPeerIsRenewedByItsUsersJwt() {
        expire(KNOWN_PEER);
        userDevices.onLogIn = call -> {
            projector.apply(new PeerLoginRenewed(ACCOUNT, KNOWN_PEER, null, Instant.now()));
            return new PeerRegistration(KNOWN_PEER, new MeshIp("100.64.0.1"), "laptop", false);
        };

        assertThat(logins.logIn(attempt(knownKey, "", ALICES_TOKEN), fresh()))
                .isInstanceOfSatisfying(DeviceLogin.LoggedIn.class,
                        loggedIn -> assertThat(loggedIn.config().peerId()).isEqualTo(KNOWN_PEER));
        assertThat(userDevices.logIns).singleElement()
                .satisfies(call -> assertThat(call.knownPeerId()).isEqualTo(KNOWN_PEER));
    }

    @Test
    void aPeerOfAnotherAccountIsAnotherOwnersPeer() {
        assertThat(logins.logIn(attempt(knownKey, "", BOBS_TOKEN_OF_ANOTHER_ACCOUNT), fresh())).isEqualTo(
                new DeviceLogin.RegistrationRefused(CommandRejected.Reason.FORBIDDEN,
                        "peer is already registered by a different User or a Setup Key"));
        assertThat(userDevices.logIns).isEmpty();
    }

    @Test
    void aTransientFailureGivesTheTokenBackForTheRetry() {
        userDevices.onLogIn = call -> {
            throw new IllegalStateException("wrapped", new SQLTransientConnectionException("pool timeout"));
        };

        assertThat(logins.logIn(attempt(newKey, "", ALICES_TOKEN), fresh()))
                .isEqualTo(new DeviceLogin.Unavailable(DeviceLogin.Unavailable.Cause.DATABASE));
        assertThat(userDevices.claimed).doesNotContain(ALICES_TOKEN);

        userDevices.onLogIn = call -> registerToAlice(call.key());
        assertThat(logins.logIn(attempt(newKey, "", ALICES_TOKEN), fresh())).isInstanceOf(DeviceLogin.LoggedIn.class);
        assertThat(userDevices.claimed).contains(ALICES_TOKEN);
    }

    private PeerRegistration registerToAlice(WireGuardKey key) {
        projector.apply(new PeerRegistered(ACCOUNT, "peer-alice", key, new MeshIp("100.64.0.9"), "desktop", "desktop",
                PeerSystemMeta.ofHostname("desktop"), null, ALICE, false, true, Instant.now()));
        return new PeerRegistration("peer-alice", new MeshIp("100.64.0.9"), "desktop", true);
    }

    @Test
    void whileTheMapsLoadAStrangerIsAskedToRetryButAKnownPeerLogsIn() {
        mapsLoaded.set(false);

        assertThat(logins.logIn(attempt(newKey, OWN_KEY, ""), fresh()))
                .isEqualTo(new DeviceLogin.Unavailable(DeviceLogin.Unavailable.Cause.MAPS_LOADING));
        assertThat(replayChecks).as("nothing is remembered of a login that was not decided").hasValue(0);
        assertThat(logins.lookUp(newKey)).isInstanceOf(DeviceLogin.MapsLoading.class);
        assertThat(logins.logIn(attempt(knownKey, "", ""), fresh())).isInstanceOf(DeviceLogin.LoggedIn.class);
        assertThat(logins.lookUp(knownKey)).isEqualTo(new DeviceLogin.Known(new PeerRef(ACCOUNT, KNOWN_PEER)));
    }

    // ------------------------------------------------------------------ registration

    @Test
    void aNewDeviceGetsItsConfigBeforeTheProjectorShowsItAndItsSyncFindsIt() {
        setupKeys.onLogIn = call -> new PeerRegistration("peer-new", new MeshIp("100.64.0.7"), "desktop", true);

        DeviceLogin.Result result = logins.logIn(attempt(newKey, OWN_KEY, ""), fresh());

        assertThat(result).isInstanceOfSatisfying(DeviceLogin.LoggedIn.class, loggedIn -> {
            assertThat(loggedIn.config().peerId()).isEqualTo("peer-new");
            assertThat(loggedIn.config().fqdn()).isEqualTo("desktop.test.internal");
        });
        assertThat(setupKeys.logIns).singleElement().satisfies(call -> {
            assertThat(call.knownPeerId()).isNull();
            assertThat(call.sourceAddress()).isEqualTo("192.0.2.10");
        });
        PeerRef peer = new PeerRef(ACCOUNT, "peer-new");
        assertThat(projector.findPeer(newKey)).as("the projector is behind").isEmpty();
        assertThat(logins.lookUp(newKey)).as("pending: Sync finds it").isEqualTo(new DeviceLogin.Known(peer));
        assertThat(logins.awaitFirstMap(peer, newKey))
                .as("the projector never caught up: Sync is asked to retry")
                .contains(new DeviceLogin.Unavailable(DeviceLogin.Unavailable.Cause.MAP_NOT_READY));

        projector.apply(registered(ACCOUNT, "peer-new", newKey, "100.64.0.7", "desktop"));
        assertThat(logins.awaitFirstMap(peer, newKey)).isEmpty();
    }

    @Test
    void aKnownPeerWithoutAPendingRegistrationHasNothingToWaitFor() {
        assertThat(logins.awaitFirstMap(new PeerRef(ACCOUNT, KNOWN_PEER), knownKey)).isEmpty();
        assertThat(logins.lookUp(newKey)).isInstanceOf(DeviceLogin.Stranger.class);
    }

    @Test
    void whatTheAccountRejectsIsRefusedWithItsReason() {
        setupKeys.onLogIn = call -> {
            throw CommandRejected.preconditionFailed("setup key is revoked");
        };

        assertThat(logins.logIn(attempt(newKey, OWN_KEY, ""), fresh())).isEqualTo(
                new DeviceLogin.RegistrationRefused(CommandRejected.Reason.PRECONDITION_FAILED,
                        "setup key is revoked"));
    }

    @Test
    void aRegistrationWithoutTheDatabaseIsUnavailable() {
        setupKeys.onLogIn = call -> {
            throw new IllegalStateException("wrapped", new SQLTransientConnectionException("pool timeout"));
        };

        assertThat(logins.logIn(attempt(newKey, OWN_KEY, ""), fresh()))
                .isEqualTo(new DeviceLogin.Unavailable(DeviceLogin.Unavailable.Cause.DATABASE));
    }

    @Test
    void aSetupKeyThatCannotBeLookedUpWithoutTheDatabaseIsUnavailableNotAFailure() {
        setupKeys.accountLookupFails = true;

        // UNAVAILABLE is transient: the gRPC edge forgets the body's nonce, so the client's identical retry works
        assertThat(logins.logIn(attempt(newKey, OWN_KEY, ""), fresh()))
                .isEqualTo(new DeviceLogin.Unavailable(DeviceLogin.Unavailable.Cause.DATABASE));
        assertThat(setupKeys.logIns).isEmpty();
    }

    @Test
    void anUnforeseenRegistrationFailureIsHandedBackForTheLog() {
        IllegalStateException failure = new IllegalStateException("boom");
        setupKeys.onLogIn = call -> {
            throw failure;
        };

        assertThat(logins.logIn(attempt(newKey, OWN_KEY, ""), fresh()))
                .isEqualTo(new DeviceLogin.RegistrationFailed(failure));
    }

    @Test
    void theMetadataIsOnlyReadWhenTheLoginRegisters() {
        DeviceLogin.Attempt unreadableMeta = new DeviceLogin.Attempt(knownKey, "", "", () -> {
            throw new AssertionError("a known peer's login does not judge its metadata");
        }, "192.0.2.10");

        assertThat(logins.logIn(unreadableMeta, fresh())).isInstanceOf(DeviceLogin.LoggedIn.class);
    }

    // ------------------------------------------------------------------ support

    private BooleanSupplier fresh() {
        return () -> {
            replayChecks.incrementAndGet();
            return true;
        };
    }

    private static DeviceLogin.Attempt attempt(WireGuardKey key, String setupKey, String jwt) {
        return new DeviceLogin.Attempt(key, setupKey, jwt, () -> PeerSystemMeta.ofHostname("desktop"), "192.0.2.10");
    }

    private void expire(String peerId) {
        projector.apply(new PeerLoginExpired(ACCOUNT, peerId, PeerExpiry.LOGIN, Instant.now()));
        assertThat(projector.currentMap(ACCOUNT, peerId)).hasValueSatisfying(
                map -> assertThat(map.loginExpired()).isTrue());
    }

    private static PeerRegistered registered(String account, String peerId, WireGuardKey key, String ip, String name) {
        return new PeerRegistered(account, peerId, key, new MeshIp(ip), name, name, PeerSystemMeta.ofHostname(name),
                "sk-1", null, false, true, Instant.now());
    }

    private static WireGuardKey key(int n) {
        byte[] raw = new byte[32];
        raw[0] = (byte) n;
        return WireGuardKey.of(raw);
    }

    private record LogInCall(String setupKey, WireGuardKey key, PeerSystemMeta meta, String sourceAddress,
                             String knownPeerId) {
    }

    private interface OnLogIn {
        PeerRegistration logIn(LogInCall call);
    }

    /** Two accounts' setup keys; what a login does is up to each test. */
    private static final String ALICE = "user-alice";
    private static final String ALICES_TOKEN = "alices-token";
    private static final String BOBS_TOKEN_OF_ANOTHER_ACCOUNT = "bobs-token";

    private record UserLogInCall(DeviceLogin.SignedIn user, WireGuardKey key, String knownPeerId) {
    }

    private interface OnUserLogIn {
        PeerRegistration logIn(UserLogInCall call);
    }

    /** The JWT sign-in as the server does it, by token name: good, forged, blocked; claimed once. */
    private static final class FakeUserDevices implements DeviceLogin.UserDevices {
        final java.util.Set<String> claimed = new java.util.HashSet<>();
        final List<UserLogInCall> logIns = new ArrayList<>();
        int signIns;
        OnUserLogIn onLogIn = call -> {
            throw new AssertionError("no registration expected");
        };

        @Override
        public DeviceLogin.JwtSignIn signIn(String jwt, String sourceAddress) {
            signIns++;
            DeviceLogin.SignedIn user;
            switch (jwt) {
                case ALICES_TOKEN -> user = new DeviceLogin.SignedIn(ACCOUNT, ALICE, null);
                case BOBS_TOKEN_OF_ANOTHER_ACCOUNT -> user = new DeviceLogin.SignedIn(OTHER_ACCOUNT, "user-bob", null);
                case "blocked" -> {
                    return new DeviceLogin.JwtUserRefused("user is blocked");
                }
                default -> {
                    return new DeviceLogin.InvalidJwt("token signature is invalid");
                }
            }
            return claimed.add(jwt) ? user : new DeviceLogin.JwtReused();
        }

        @Override
        public void release(String jwt) {
            claimed.remove(jwt);
        }

        @Override
        public PeerRegistration logInAsUser(DeviceLogin.SignedIn user, WireGuardKey wgPubKey, PeerSystemMeta meta,
                                            String sourceAddress, String knownPeerId, List<String> extraDnsLabels) {
            UserLogInCall call = new UserLogInCall(user, wgPubKey, knownPeerId);
            logIns.add(call);
            return onLogIn.logIn(call);
        }
    }

    private static final class FakeSetupKeys implements DeviceLogin.SetupKeys {
        private final Map<String, String> accountByKey = Map.of(OWN_KEY, ACCOUNT, FOREIGN_KEY, OTHER_ACCOUNT);
        final List<LogInCall> logIns = new ArrayList<>();
        OnLogIn onLogIn = call -> {
            throw new AssertionError("no registration expected");
        };

        boolean accountLookupFails;

        @Override
        public Optional<String> accountOfSetupKey(String plainSetupKey) {
            if (accountLookupFails) {
                throw new IllegalStateException("wrapped", new SQLTransientConnectionException("pool timeout"));
            }
            return Optional.ofNullable(accountByKey.get(plainSetupKey));
        }

        @Override
        public PeerRegistration logInWithoutReadYourWrites(String plainSetupKey, WireGuardKey wgPubKey,
                                                           PeerSystemMeta meta, String sourceAddress,
                                                           String knownPeerId, List<String> extraDnsLabels) {
            LogInCall call = new LogInCall(plainSetupKey, wgPubKey, meta, sourceAddress, knownPeerId);
            logIns.add(call);
            return onLogIn.logIn(call);
        }
    }
}
