package dev.tern.api.commands;

import dev.tern.api.outage.DatabaseFailures;
import dev.tern.events.CommandRejected;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.InvalidValueException;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.NetworkMapHub;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.projector.NetworkMapProjector.PeerRef;
import dev.tern.projector.PeerConfig;
import dev.tern.projector.PeerNetworkMap;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a device is and whether it may log in, decided without any transport: a known peer gets its config, unless its
 * login expired; a setup key registers a new device or renews an expired login, if it belongs to the peer's own
 * account; a device registered here moments ago waits for its first map. Every answer is a {@link Result}: the
 * config, or a typed {@link Refusal} that the gRPC edge turns into a status. A user's JWT (NetBird's SSO login)
 * registers the device to the user or renews the user's peer ({@link UserDevices}); it wins over a setup key sent
 * beside it. The network projector is the directory of known keys across accounts, and its map of a peer says whether the
 * peer's login expired.
 */
public final class DeviceLogin {
    private static final Logger log = LoggerFactory.getLogger(DeviceLogin.class);

    /** What a login with a setup key needs from registration ({@link PeerRegistrationService} in the server). */
    public interface SetupKeys {
        /** The account a plain setup key belongs to, if any. */
        Optional<String> accountOfSetupKey(String plainSetupKey);

        /**
         * Registers the device (with the extra DNS labels it asks for), or for {@code knownPeerId} renews its login;
         * throws what the account rejects.
         */
        PeerRegistration logInWithoutReadYourWrites(String plainSetupKey, WireGuardKey wgPubKey, PeerSystemMeta meta,
                                                    String sourceAddress, String knownPeerId,
                                                    List<String> extraDnsLabels);
    }

    /**
     * What a login with a user's JWT needs (the JWT sign-in in the server): the token's user, once per token, and
     * the account's decision on the user's device.
     */
    public interface UserDevices {
        /**
         * Verifies the token and signs its user in (provisioned, groups synced, allowed), then claims the token:
         * each token logs in once until it expires.
         */
        JwtSignIn signIn(String jwt, String sourceAddress);

        /** The login that claimed this token failed transiently: the client's retry may use it again. */
        void release(String jwt);

        /**
         * Registers the device to the user, or for {@code knownPeerId} checks that it is the user's peer and renews
         * its lapsed login; throws what the account rejects.
         */
        PeerRegistration logInAsUser(SignedIn user, WireGuardKey wgPubKey, PeerSystemMeta meta, String sourceAddress,
                                     String knownPeerId, List<String> extraDnsLabels);
    }

    /** A server that verifies no JWTs (tests of other paths): every token is refused as invalid. */
    public static final UserDevices NO_JWT_SIGN_IN = new UserDevices() {
        @Override
        public JwtSignIn signIn(String jwt, String sourceAddress) {
            return new InvalidJwt("this server verifies no JWTs");
        }

        @Override
        public void release(String jwt) {
        }

        @Override
        public PeerRegistration logInAsUser(SignedIn user, WireGuardKey wgPubKey, PeerSystemMeta meta,
                                            String sourceAddress, String knownPeerId, List<String> extraDnsLabels) {
            throw new IllegalStateException("no JWT sign-in, so no signed-in user");
        }
    };

    /** What a JWT sign-in came to: the user, or why not. */
    public sealed interface JwtSignIn permits SignedIn, InvalidJwt, JwtUserRefused, JwtReused {
    }

    /** The token's user, with who they are for the events the login appends. */
    public record SignedIn(String accountId, String userId, Actor actor) implements JwtSignIn {
    }

    /**
     * One Login as the device sent it, its strings already checked at the edge.
     *
     * @param meta the metadata as Tern keeps it; asked for only when the login registers or renews (a known peer's
     *             Login does not judge it)
     * @param extraDnsLabels the labels the client asks for (LoginRequest.dnsLabels), kept when the login registers
     */
    public record Attempt(WireGuardKey peerKey, String setupKey, String jwtToken, Supplier<PeerSystemMeta> meta,
                          String sourceAddress, List<String> extraDnsLabels) {
        public Attempt(WireGuardKey peerKey, String setupKey, String jwtToken, Supplier<PeerSystemMeta> meta,
                       String sourceAddress) {
            this(peerKey, setupKey, jwtToken, meta, sourceAddress, List.of());
        }

        boolean withJwt() {
            return jwtToken != null && !jwtToken.isBlank();
        }

        /**
         * NetBird's client sends the all-zero UUID as its setup key beside a JWT (it parses an empty key as a UUID):
         * that is no key, and a JWT wins over any key.
         */
        boolean withSetupKey() {
            return !withJwt() && !setupKey.isBlank() && !NO_SETUP_KEY.equals(setupKey);
        }
    }

    /** The setup key NetBird's client sends when it has none (a JWT login). */
    static final String NO_SETUP_KEY = "00000000-0000-0000-0000-000000000000";
    /** NetBird's words when a JWT's user does not own the peer whose key logs in. */
    static final String PEER_OF_ANOTHER_OWNER = "peer is already registered by a different User or a Setup Key";

    /** The answer to a Login: the peer's config, or why not. */
    public sealed interface Result permits LoggedIn, Refusal {
    }

    public record LoggedIn(PeerConfig config) implements Result {
    }

    /** Why a device gets no config. */
    public sealed interface Refusal extends Result
            permits NotRegistered, NoLongerRegistered, LoginExpired, Replayed, RegistrationRefused,
            Unavailable, Interrupted, RegistrationFailed, InvalidJwt, JwtUserRefused, JwtReused {
    }

    /** An unknown device that presented no setup key. */
    public record NotRegistered() implements Refusal {
    }

    /** The JWT is not a valid token of a trusted issuer ({@code reason} says which check failed). */
    public record InvalidJwt(String reason) implements Refusal, JwtSignIn {
    }

    /** The token is valid but its user may not log in: blocked, or in none of the groups allowed to. */
    public record JwtUserRefused(String reason) implements Refusal, JwtSignIn {
    }

    /** The token logged in before: a JWT logs a device in once. */
    public record JwtReused() implements Refusal, JwtSignIn {
    }

    /** The key was known a moment ago, but the peer has no map: deleted in between. */
    public record NoLongerRegistered() implements Refusal {
    }

    /** A known peer whose login expired and that presented no setup key. */
    public record LoginExpired() implements Refusal {
    }

    /** The device sent this very body before (the edge's replay check said so). */
    public record Replayed() implements Refusal {
    }

    /**
     * The setup key or the account refused the registration or renewal: an unknown, revoked, expired or used-up key,
     * another account's key, a conflict, or invalid metadata. {@code message} is the account's reason.
     */
    public record RegistrationRefused(CommandRejected.Reason reason, String message) implements Refusal {
    }

    /** Try again later, for the given cause. */
    public record Unavailable(Cause cause) implements Refusal {
        public enum Cause {
            /** The projector has not replayed the event store since boot: "unknown" is not an answer yet. */
            MAPS_LOADING,
            /** Registered or renewed, but the projector did not show the peer logged in within the catch-up time. */
            MAP_NOT_READY,
            /** Registration needs PostgreSQL; known peers do not (their maps are in memory). */
            DATABASE
        }
    }

    /** The thread was interrupted while it waited for the peer's map. */
    public record Interrupted() implements Refusal {
    }

    /** Registration failed in a way nobody foresaw; {@code failure} is for the log. */
    public record RegistrationFailed(RuntimeException failure) implements Refusal {
    }

    /** Whether a peer with this key is known, for calls of a device that must be known already. */
    public sealed interface Lookup permits Known, Stranger, MapsLoading {
    }

    public record Known(PeerRef peer) implements Lookup {
    }

    public record Stranger() implements Lookup {
    }

    /** Maps are still loading after boot: a key the projector does not know may belong to a registered peer. */
    public record MapsLoading() implements Lookup {
    }

    private final SetupKeys setupKeys;
    private final UserDevices userDevices;
    private final NetworkMapProjector projector;
    private final BooleanSupplier mapsLoaded;
    private final Duration projectorCatchUp;
    private final PendingRegistrations pending;

    /**
     * @param mapsLoaded       whether the projector has replayed the event store since boot
     * @param projectorCatchUp how long a login waits for the projector to hold a just-registered (or just-renewed)
     *                         peer's map
     */
    public DeviceLogin(SetupKeys setupKeys, UserDevices userDevices, NetworkMapProjector projector,
                       BooleanSupplier mapsLoaded, Duration projectorCatchUp) {
        this(setupKeys, userDevices, projector, mapsLoaded, projectorCatchUp, new PendingRegistrations());
    }

    DeviceLogin(SetupKeys setupKeys, UserDevices userDevices, NetworkMapProjector projector,
                BooleanSupplier mapsLoaded, Duration projectorCatchUp, PendingRegistrations pending) {
        this.setupKeys = setupKeys;
        this.userDevices = userDevices;
        this.projector = projector;
        this.mapsLoaded = mapsLoaded;
        this.projectorCatchUp = projectorCatchUp;
        this.pending = pending;
    }

    /**
     * Decides a Login. {@code firstSeen} is the edge's replay check, asked only when the login would act on a known
     * peer or register with a setup key or a JWT (a replayed registration could re-register a deleted peer or renew
     * an expired login); a stranger's login without a key is answered without it, so strangers fill no memory.
     */
    public Result logIn(Attempt attempt, BooleanSupplier firstSeen) {
        try {
            Optional<PeerRef> known = find(attempt.peerKey());
            if ((known.isPresent() || attempt.withSetupKey() || attempt.withJwt()) && !firstSeen.getAsBoolean()) {
                return new Replayed();
            }
            return new LoggedIn(decide(attempt, known));
        } catch (Refused refused) {
            return refused.refusal;
        }
    }

    private PeerConfig decide(Attempt attempt, Optional<PeerRef> known) {
        if (attempt.withJwt()) {
            return logInWithJwt(attempt, known.orElse(null));
        }
        if (known.isPresent()) {
            // A known device needs no setup key (NetBird ignores it then), unless its login expired.
            PeerNetworkMap map = mapOf(known.get(), attempt.peerKey());
            if (!map.loginExpired()) {
                return map.peerConfig();
            }
            if (attempt.withSetupKey()) {
                return logInWithSetupKey(attempt, known.get());
            }
            throw new Refused(new LoginExpired());
        }
        if (attempt.withSetupKey()) {
            return logInWithSetupKey(attempt, null);
        }
        throw new Refused(new NotRegistered());
    }

    /** The peer with this key, for Sync, SyncMeta and Logout. */
    public Lookup lookUp(WireGuardKey key) {
        try {
            return find(key).<Lookup>map(Known::new).orElseGet(Stranger::new);
        } catch (Refused refused) {
            return new MapsLoading();
        }
    }

    /**
     * For a peer registered here moments ago, waits until the projector shows it (its Sync must find the map its
     * Login promised); empty when there is nothing to wait for or the map is there.
     */
    public Optional<Refusal> awaitFirstMap(PeerRef peer, WireGuardKey key) {
        if (!pending.contains(key)) {
            return Optional.empty();
        }
        try {
            mapOf(peer, key);
            return Optional.empty();
        } catch (Refused refused) {
            return Optional.of(refused.refusal);
        }
    }

    /**
     * RegisterPeer with the presented key: a new device is registered; a known one ({@code known}, whose login has
     * expired: otherwise its key is not looked at) gets its login renewed with a usable key, or is refused. A new
     * device gets its config as soon as the account has registered it (as NetBird's Login, which does not wait for
     * network maps either); it is remembered as pending until the projector shows it, so its Sync right after finds
     * it. A known device gets its config once the projector shows it logged in.
     */
    private PeerConfig logInWithSetupKey(Attempt attempt, PeerRef known) {
        PeerSystemMeta meta = attempt.meta().get();
        WireGuardKey peerKey = attempt.peerKey();
        Optional<String> keyAccount;
        try {
            keyAccount = setupKeys.accountOfSetupKey(attempt.setupKey());
        } catch (RuntimeException e) {
            // An uncached key needs the database: while it is away the client must retry (UNAVAILABLE), and the
            // gRPC edge forgets the body's nonce for a transient refusal so that the retry is not taken for a replay.
            throw new Refused(registrationFailure(CommandFailures.unwrap(e)));
        }
        if (known != null && !keyAccount.equals(Optional.of(known.accountId()))) {
            // Another account's key would register the device there too, under the same WireGuard key. To the
            // peer's own account the key is as unknown as one that does not exist.
            throw setupKeyNotFound();
        }
        PeerRegistration registration;
        try {
            // The device needs its network map, not the REST read tables: don't wait for those.
            registration = setupKeys.logInWithoutReadYourWrites(attempt.setupKey(), peerKey, meta,
                    attempt.sourceAddress(), known == null ? null : known.peerId(), attempt.extraDnsLabels());
        } catch (RuntimeException e) {
            throw new Refused(registrationFailure(CommandFailures.unwrap(e)));
        }
        String accountId = known != null ? known.accountId() : keyAccount.orElseThrow(DeviceLogin::setupKeyNotFound);
        return configAfter(registration, accountId, peerKey, meta);
    }

    /**
     * A login with a user's JWT, known device or not: the token's user registers the device, or for a known one
     * (which must be the user's peer) renews its lapsed login. A transient failure gives the token back, so that the
     * client's retry of the same Login is not taken for a reused token.
     */
    private PeerConfig logInWithJwt(Attempt attempt, PeerRef known) {
        JwtSignIn signIn = userDevices.signIn(attempt.jwtToken(), attempt.sourceAddress());
        if (!(signIn instanceof SignedIn user)) {
            throw new Refused((Refusal) signIn);
        }
        try {
            if (known != null && !known.accountId().equals(user.accountId())) {
                // a peer of another account: to this user it belongs to someone else
                throw new Refused(new RegistrationRefused(CommandRejected.Reason.FORBIDDEN, PEER_OF_ANOTHER_OWNER));
            }
            PeerSystemMeta meta = attempt.meta().get();
            PeerRegistration registration;
            try {
                registration = userDevices.logInAsUser(user, attempt.peerKey(), meta, attempt.sourceAddress(),
                        known == null ? null : known.peerId(), attempt.extraDnsLabels());
            } catch (RuntimeException e) {
                throw new Refused(registrationFailure(CommandFailures.unwrap(e)));
            }
            return configAfter(registration, user.accountId(), attempt.peerKey(), meta);
        } catch (Refused refused) {
            if (isTransient(refused.refusal)) {
                userDevices.release(attempt.jwtToken());
            }
            throw refused;
        }
    }

    private static boolean isTransient(Refusal refusal) {
        return refusal instanceof Unavailable || refusal instanceof Interrupted
                || refusal instanceof RegistrationFailed || (refusal instanceof RegistrationRefused refused
                && refused.reason() == CommandRejected.Reason.CONFLICT);
    }

    /**
     * A registered device gets its config as soon as the account has registered it and is remembered as pending;
     * a known device once the projector shows it logged in (see {@link #logInWithSetupKey}).
     */
    private PeerConfig configAfter(PeerRegistration registration, String accountId, WireGuardKey peerKey,
                                   PeerSystemMeta meta) {
        if (registration.created()) {
            log.info("peer {} registered in account {} with mesh IP {}", registration.peerId(), accountId,
                    registration.ip());
            Optional<PeerConfig> config = projector.newPeerConfig(accountId, registration.peerId(), meta.hostname(),
                    peerKey, registration.ip(), registration.dnsLabel());
            if (config.isPresent()) {
                pending.remember(peerKey, new PeerRef(accountId, registration.peerId()));
                return config.get();
            }
        }
        return awaitMap(accountId, registration.peerId()).peerConfig();
    }

    private static Refused setupKeyNotFound() {
        return new Refused(new RegistrationRefused(CommandRejected.Reason.NOT_FOUND, "setup key not found"));
    }

    private static Refusal registrationFailure(RuntimeException failure) {
        if (failure instanceof CommandRejected rejected) {
            return new RegistrationRefused(rejected.reason(), rejected.getMessage());
        }
        if (failure instanceof InvalidValueException invalid) {
            return new RegistrationRefused(CommandRejected.Reason.INVALID, invalid.getMessage());
        }
        if (DatabaseFailures.isUnavailable(failure)) {
            return new Unavailable(Unavailable.Cause.DATABASE);
        }
        return new RegistrationFailed(failure);
    }

    /** A known peer's current map; for a peer registered here moments ago, once the projector has caught up. */
    private PeerNetworkMap mapOf(PeerRef peer, WireGuardKey key) {
        Optional<PeerNetworkMap> current = projector.currentMap(peer.accountId(), peer.peerId());
        if (current.isPresent()) {
            return current.get();
        }
        if (pending.contains(key)) {
            return awaitMap(peer.accountId(), peer.peerId());
        }
        throw new Refused(new NoLongerRegistered());
    }

    /**
     * The projector runs behind the command side; the peer's Sync right after Login must find its map, and after a
     * renewal a map that no longer says the login expired (a peer that was not expired has one already).
     */
    private PeerNetworkMap awaitMap(String accountId, String peerId) {
        try (NetworkMapHub.Subscription subscription = projector.subscribe(accountId, peerId)) {
            Optional<PeerNetworkMap> map = subscription.await(projectorCatchUp, DeviceLogin::loggedIn);
            if (map.isEmpty()) {
                map = projector.currentMap(accountId, peerId).filter(DeviceLogin::loggedIn);
            }
            return map.orElseThrow(() -> new Refused(new Unavailable(Unavailable.Cause.MAP_NOT_READY)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(new Interrupted());
        }
    }

    private static boolean loggedIn(PeerNetworkMap map) {
        return !map.loginExpired();
    }

    /** The peer with this key; while the maps are still loading after boot, "unknown" is not an answer yet. */
    private Optional<PeerRef> find(WireGuardKey key) {
        Optional<PeerRef> peer = projector.findPeer(key);
        if (peer.isPresent()) {
            pending.forget(key);
            return peer;
        }
        peer = pending.find(key);
        if (peer.isEmpty() && !mapsLoaded.getAsBoolean()) {
            throw new Refused(new Unavailable(Unavailable.Cause.MAPS_LOADING));
        }
        return peer;
    }

    /** Carries a refusal out of the decision's depth to {@link #logIn}; never leaves this class. */
    private static final class Refused extends RuntimeException {
        private final Refusal refusal;

        Refused(Refusal refusal) {
            super(null, null, false, false);
            this.refusal = refusal;
        }
    }
}
