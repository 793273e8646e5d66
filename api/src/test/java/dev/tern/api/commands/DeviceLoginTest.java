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
    private final DeviceLogin logins = new DeviceLogin(setupKeys, projector, mapsLoaded::get, SHORT_CATCH_UP);
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

    @Test
    void aStrangerWithAJwtIsToldSsoIsNotSupported() {
        assertThat(logins.logIn(attempt(newKey, "", "eyJhbGciOi.jwt.sig"), fresh()))
                .isInstanceOf(DeviceLogin.JwtNotSupported.class);
        assertThat(replayChecks).hasValue(0);
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
