package dev.tern.api.grpc;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import com.google.protobuf.Timestamp;
import dev.tern.api.commands.CommandFailures;
import dev.tern.api.commands.PeerRegistrationService;
import dev.tern.api.outage.DatabaseFailures;
import dev.tern.events.CommandRejected;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.values.InvalidValueException;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.NetworkMapHub;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.projector.NetworkMapProjector.PeerRef;
import dev.tern.projector.PeerNetworkMap;
import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.NaclBoxException;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.Empty;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.protocol.management.NetbirdConfig;
import dev.tern.protocol.management.ServerKeyResponse;
import dev.tern.protocol.management.SyncMetaRequest;
import dev.tern.protocol.management.SyncRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NetBird's {@code management.ManagementService} for Tern: every body is a NaCl box between the peer's WireGuard
 * key (the envelope's wgPubKey) and the server key, and every answer is sealed back the same way. A body that does
 * not open is INVALID_ARGUMENT; a peer the server does not know is PERMISSION_DENIED (NetBird's client then retries
 * Login with its setup key). So is a known peer whose login expired, with NetBird's text: it may log in again with a
 * valid setup key of its account, which renews the login; until then it cannot sync. The network projector is the
 * directory of known keys across accounts, and its map of a peer says whether the peer's login expired.
 */
final class ManagementService extends ManagementServiceGrpc.ManagementServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(ManagementService.class);

    /** Clients fetch the key again after this; the key itself does not change. */
    static final Duration SERVER_KEY_VALIDITY = Duration.ofHours(24);
    /** How long Login waits for the projector to hold a just-registered (or just-renewed) peer's map. */
    static final Duration PROJECTOR_CATCH_UP = Duration.ofSeconds(10);
    /**
     * NetBird's answer to a peer whose login expired, word for word: its client (and the tern agent, which matches
     * "expired") then logs in again, with the setup key.
     */
    static final Status LOGIN_EXPIRED = Status.PERMISSION_DENIED
            .withDescription("peer login has expired, please log in once more");

    /** Registration needs PostgreSQL; known peers do not (their maps are in memory). Clients retry UNAVAILABLE. */
    static final Status DATABASE_UNAVAILABLE = Status.UNAVAILABLE
            .withDescription("database temporarily unavailable, retry later");

    /** A body whose nonce this peer used before: a legitimate client draws a fresh random nonce every time. */
    static final Status REPLAYED = Status.INVALID_ARGUMENT
            .withDescription("replayed message: this body was already received from this peer");

    private final ServerKeyStore.ServerKey serverKey;
    private final byte[] serverPrivateKey;
    private final PeerRegistrationService registrations;
    private final NetworkMapProjector projector;
    private final SignalEndpoint signal;
    private final StunRelayEndpoints stunRelay;
    private final SyncSessions sessions;
    private final Executor executor;
    private final BooleanSupplier mapsLoaded;
    private final Clock clock;
    private final PendingRegistrations pending = new PendingRegistrations();
    private final ReplayGuard replays = new ReplayGuard();
    private final int maxAnswerBytes;

    /**
     * @param executor   runs map pushes to Sync streams (hand-offs from the projector's thread)
     * @param mapsLoaded whether the projector has replayed the event store (see {@link NetworkMapReadiness})
     * @param maxAnswerBytes the largest answer a client can receive (see {@link GrpcLimits#maxAnswerBytes()})
     */
    ManagementService(ServerKeyStore.ServerKey serverKey, PeerRegistrationService registrations,
                      NetworkMapProjector projector, SignalEndpoint signal, StunRelayEndpoints stunRelay,
                      SyncSessions sessions, Executor executor, BooleanSupplier mapsLoaded, Clock clock,
                      int maxAnswerBytes) {
        this.serverKey = serverKey;
        this.serverPrivateKey = serverKey.keyPair().privateKey();
        this.registrations = registrations;
        this.projector = projector;
        this.signal = signal;
        this.stunRelay = stunRelay;
        this.sessions = sessions;
        this.executor = executor;
        this.mapsLoaded = mapsLoaded;
        this.clock = clock;
        this.maxAnswerBytes = maxAnswerBytes;
    }

    @Override
    public void getServerKey(Empty request, StreamObserver<ServerKeyResponse> responses) {
        Instant expires = clock.instant().plus(SERVER_KEY_VALIDITY);
        responses.onNext(ServerKeyResponse.newBuilder()
                .setKey(serverKey.publicKeyBase64())
                .setExpiresAt(Timestamp.newBuilder().setSeconds(expires.getEpochSecond()).setNanos(expires.getNano()))
                .setVersion(serverKey.version())
                .build());
        responses.onCompleted();
    }

    @Override
    public void isHealthy(Empty request, StreamObserver<Empty> responses) {
        responses.onNext(Empty.getDefaultInstance());
        responses.onCompleted();
    }

    @Override
    public void login(EncryptedMessage request, StreamObserver<EncryptedMessage> responses) {
        answer(responses, () -> {
            Opened<LoginRequest> opened = open(request, LoginRequest.parser());
            LoginRequest login = opened.message();
            requireSameKey(login, opened.peerKey());
            LoginInput.check(login);
            Optional<PeerRef> known = lookUp(opened.peerKey());
            boolean withSetupKey = !login.getSetupKey().isBlank();
            if (known.isPresent() || withSetupKey) {
                // a replayed registration could re-register a deleted peer or renew an expired login
                requireFresh(request, opened.peerKey());
            }
            // NetBird's client retries a Login that failed transiently or that it gave up waiting for (deadline)
            // with the very same body: such a Login must not count as seen, or the retry would look like a replay
            try {
                EncryptedMessage answer = logIn(login, opened, known, withSetupKey);
                if (Context.current().isCancelled()) {
                    replays.forget(opened.peerKey(), request.getBody());
                }
                return answer;
            } catch (StatusRuntimeException e) {
                if (isTransient(e.getStatus())) {
                    replays.forget(opened.peerKey(), request.getBody());
                }
                throw e;
            }
        });
    }

    private EncryptedMessage logIn(LoginRequest login, Opened<LoginRequest> opened, Optional<PeerRef> known,
                                   boolean withSetupKey) {
        dev.tern.projector.PeerConfig config;
        if (known.isPresent()) {
            // A known device needs no setup key (NetBird ignores it then), unless its login expired.
            PeerNetworkMap map = mapOf(known.get(), opened.peerKey());
            if (!map.loginExpired()) {
                config = map.peerConfig();
            } else if (withSetupKey) {
                config = logInWithSetupKey(login, opened.peerKey(), known.get());
            } else {
                throw LOGIN_EXPIRED.asRuntimeException();
            }
        } else if (withSetupKey) {
            config = logInWithSetupKey(login, opened.peerKey(), null);
        } else if (!login.getJwtToken().isBlank()) {
            throw Status.PERMISSION_DENIED
                    .withDescription("peer is not registered and SSO login is not supported; use a setup key")
                    .asRuntimeException();
        } else {
            throw Status.PERMISSION_DENIED
                    .withDescription("peer is not registered; log in with a setup key").asRuntimeException();
        }
        LoginResponse response = LoginResponse.newBuilder()
                .setNetbirdConfig(netbirdConfig(CallOrigin.authorityHost(), opened.peerKey()))
                .setPeerConfig(NetworkMapMessages.peerConfig(config))
                .build();
        EncryptedMessage sealed = seal(response, opened.sealKey());
        if (sealed.getSerializedSize() > maxAnswerBytes) {
            log.warn("login answer for peer key {} is {} bytes, over the {} bytes a client can receive",
                    opened.peerKey().base64(), sealed.getSerializedSize(), maxAnswerBytes);
            SyncStream.tooLarge("login");
            throw Status.RESOURCE_EXHAUSTED.withDescription("login answer too large: "
                    + sealed.getSerializedSize() + " bytes, clients receive at most " + maxAnswerBytes)
                    .asRuntimeException();
        }
        return sealed;
    }

    private static boolean isTransient(Status status) {
        return switch (status.getCode()) {
            case UNAVAILABLE, ABORTED, INTERNAL, CANCELLED, DEADLINE_EXCEEDED -> true;
            default -> false;
        };
    }

    /**
     * RegisterPeer with the presented key: a new device is registered; a known one ({@code known}, whose login has
     * expired: otherwise its key is not looked at) gets its login renewed with a usable key, or is refused. A new device gets its config as soon as the account has registered it (as NetBird's Login, which
     * does not wait for network maps either); it is remembered as pending until the projector shows it, so its Sync
     * right after finds it. A known device gets its config once the projector shows it logged in.
     */
    private dev.tern.projector.PeerConfig logInWithSetupKey(LoginRequest login, WireGuardKey peerKey, PeerRef known) {
        PeerSystemMeta meta = LoginInput.meta(login);
        Optional<String> keyAccount = registrations.accountOfSetupKey(login.getSetupKey());
        if (known != null && !keyAccount.equals(Optional.of(known.accountId()))) {
            // Another account's key would register the device there too, under the same WireGuard key. To the
            // peer's own account the key is as unknown as one that does not exist.
            throw Status.PERMISSION_DENIED.withDescription("setup key not found").asRuntimeException();
        }
        PeerRegistration registration;
        try {
            // The device needs its network map, not the REST read tables: don't wait for those.
            registration = registrations.logInWithoutReadYourWrites(login.getSetupKey(), peerKey, meta,
                    CallOrigin.remoteIp(), known == null ? null : known.peerId());
        } catch (RuntimeException e) {
            throw registrationFailure(CommandFailures.unwrap(e));
        }
        String accountId = known != null ? known.accountId() : keyAccount
                .orElseThrow(() -> Status.PERMISSION_DENIED.withDescription("setup key not found")
                        .asRuntimeException());
        if (registration.created()) {
            log.info("peer {} registered in account {} with mesh IP {}", registration.peerId(), accountId,
                    registration.ip());
            Optional<dev.tern.projector.PeerConfig> config = projector.newPeerConfig(accountId, registration.peerId(),
                    meta.hostname(), peerKey, registration.ip(), registration.dnsLabel());
            if (config.isPresent()) {
                pending.remember(peerKey, new PeerRef(accountId, registration.peerId()));
                return config.get();
            }
        }
        return awaitMap(accountId, registration.peerId()).peerConfig();
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
        throw Status.PERMISSION_DENIED.withDescription("peer is not registered").asRuntimeException();
    }

    /**
     * The projector runs behind the command side; the peer's Sync right after Login must find its map, and after a
     * renewal a map that no longer says the login expired (a peer that was not expired has one already).
     */
    private PeerNetworkMap awaitMap(String accountId, String peerId) {
        try (NetworkMapHub.Subscription subscription = projector.subscribe(accountId, peerId)) {
            Optional<PeerNetworkMap> map = subscription.await(PROJECTOR_CATCH_UP, ManagementService::loggedIn);
            if (map.isEmpty()) {
                map = projector.currentMap(accountId, peerId).filter(ManagementService::loggedIn);
            }
            return map.orElseThrow(() -> Status.UNAVAILABLE
                    .withDescription("peer logged in but its network map is not ready yet; log in again")
                    .asRuntimeException());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
        }
    }

    private static boolean loggedIn(PeerNetworkMap map) {
        return !map.loginExpired();
    }

    private static StatusRuntimeException registrationFailure(RuntimeException failure) {
        if (failure instanceof CommandRejected rejected) {
            Status status = switch (rejected.reason()) {
                // unknown, revoked, expired or used-up key: the device is not allowed in
                case NOT_FOUND, FORBIDDEN -> Status.PERMISSION_DENIED;
                case INVALID -> Status.INVALID_ARGUMENT;
                case PRECONDITION_FAILED -> Status.FAILED_PRECONDITION;
                case CONFLICT -> Status.ABORTED;
            };
            return status.withDescription(rejected.getMessage()).asRuntimeException();
        }
        if (failure instanceof InvalidValueException invalid) {
            return Status.INVALID_ARGUMENT.withDescription(invalid.getMessage()).asRuntimeException();
        }
        if (DatabaseFailures.isUnavailable(failure)) {
            return DATABASE_UNAVAILABLE.asRuntimeException();
        }
        log.error("peer registration failed", failure);
        return Status.INTERNAL.withDescription("registration failed").asRuntimeException();
    }

    @Override
    public void sync(EncryptedMessage request, StreamObserver<EncryptedMessage> responses) {
        ServerCallStreamObserver<EncryptedMessage> observer = (ServerCallStreamObserver<EncryptedMessage>) responses;
        SyncStream stream;
        try {
            Opened<SyncRequest> opened = open(request, SyncRequest.parser());
            PeerRef peer = knownPeer(opened.peerKey());
            // before anything else: a replayed Sync must not open a stream, let alone replace the peer's live one
            requireFresh(request, opened.peerKey());
            if (pending.contains(opened.peerKey())) {
                mapOf(peer, opened.peerKey()); // registered moments ago: wait until the projector shows it
            }
            NetworkMapHub.Subscription subscription = projector.subscribe(peer.accountId(), peer.peerId());
            Optional<PeerNetworkMap> current = projector.currentMap(peer.accountId(), peer.peerId());
            if (current.isEmpty()) {
                // deleted between the look-up and the subscription: the hub will never end this subscription
                subscription.close();
                throw Status.PERMISSION_DENIED.withDescription("peer has been deleted").asRuntimeException();
            }
            if (current.get().loginExpired()) {
                // refused before the stream opens, so the peer is never shown connected (a later expiry ends the
                // stream in SyncStream)
                subscription.close();
                throw LOGIN_EXPIRED.asRuntimeException();
            }
            // The host is read here, in the call's context; the stream sends later, from other threads.
            String managementHost = CallOrigin.authorityHost();
            WireGuardKey peerKey = opened.peerKey();
            stream = new SyncStream(peer, CallOrigin.remoteIp(), observer, subscription, opened.sealKey(),
                    serverKey.publicKeyBase64(), () -> netbirdConfig(managementHost, peerKey), sessions, executor,
                    maxAnswerBytes);
        } catch (StatusRuntimeException e) {
            responses.onError(e);
            return;
        }
        stream.start();
    }

    /** Tern has no IdP login yet; NetBird's server answers NOT_FOUND too when none is configured. */
    @Override
    public void getDeviceAuthorizationFlow(EncryptedMessage request, StreamObserver<EncryptedMessage> responses) {
        responses.onError(Status.NOT_FOUND
                .withDescription("no device authorization flow information available; use a setup key")
                .asRuntimeException());
    }

    @Override
    public void getPKCEAuthorizationFlow(EncryptedMessage request, StreamObserver<EncryptedMessage> responses) {
        responses.onError(Status.NOT_FOUND
                .withDescription("no authorization flow information available; use a setup key")
                .asRuntimeException());
    }

    @Override
    public void syncMeta(EncryptedMessage request, StreamObserver<Empty> responses) {
        answer(responses, () -> {
            Opened<SyncMetaRequest> opened = open(request, SyncMetaRequest.parser());
            knownPeer(opened.peerKey());
            requireFresh(request, opened.peerKey());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void logout(EncryptedMessage request, StreamObserver<Empty> responses) {
        answer(responses, () -> {
            Opened<Empty> opened = open(request, Empty.parser());
            PeerRef peer = knownPeer(opened.peerKey());
            requireFresh(request, opened.peerKey());
            sessions.terminate(peer, Status.OK);
            return Empty.getDefaultInstance();
        });
    }

    /**
     * Refuses a body this peer already sent (see {@link ReplayGuard}). Checked only once the body opened (so it
     * came from the key's holder) and, except for a registration, once the key is known: strangers fill no memory.
     */
    private void requireFresh(EncryptedMessage request, WireGuardKey peerKey) {
        if (!replays.firstSeen(peerKey, request.getBody())) {
            throw REPLAYED.asRuntimeException();
        }
    }

    private PeerRef knownPeer(WireGuardKey key) {
        return lookUp(key).orElseThrow(() -> Status.PERMISSION_DENIED
                .withDescription("peer is not registered; log in with a setup key").asRuntimeException());
    }

    /** The peer with this key; while the maps are still loading after boot, "unknown" is not an answer yet. */
    private Optional<PeerRef> lookUp(WireGuardKey key) {
        Optional<PeerRef> peer = projector.findPeer(key);
        if (peer.isPresent()) {
            pending.forget(key);
            return peer;
        }
        peer = pending.find(key);
        if (peer.isEmpty() && !mapsLoaded.getAsBoolean()) {
            throw Status.UNAVAILABLE.withDescription("tern-server is still loading network maps; retry shortly")
                    .asRuntimeException();
        }
        return peer;
    }

    /** Signal, STUN and relay for a peer that reached us at {@code managementHost}, with a fresh relay token for it. */
    private NetbirdConfig netbirdConfig(String managementHost, WireGuardKey peerKey) {
        NetbirdConfig.Builder config = NetbirdConfig.newBuilder()
                .setSignal(signal.hostConfig(managementHost))
                .addAllStuns(stunRelay.stuns(managementHost));
        stunRelay.relay(managementHost, peerKey).ifPresent(config::setRelay);
        return config.build();
    }

    /** A body opened from its sender, with the key to seal answers to that sender. */
    private record Opened<T>(T message, WireGuardKey peerKey, NaclBox.SharedKey sealKey) {
    }

    private <T extends MessageLite> Opened<T> open(EncryptedMessage request, Parser<T> parser) {
        try {
            byte[] peerPublic = EncryptedMessages.senderKey(request);
            NaclBox.SharedKey key = NaclBox.precompute(peerPublic, serverPrivateKey);
            T message = EncryptedMessages.open(request, key, parser);
            return new Opened<>(message, WireGuardKey.of(peerPublic), key);
        } catch (NaclBoxException e) {
            throw Status.INVALID_ARGUMENT.withDescription("cannot open the message body: " + e.getMessage())
                    .asRuntimeException();
        }
    }

    /** LoginRequest.peerKeys.wgPubKey, when sent, is the same base64 text as the envelope's key. */
    private static void requireSameKey(LoginRequest login, WireGuardKey envelopeKey) {
        if (login.hasPeerKeys() && !login.getPeerKeys().getWgPubKey().isEmpty()) {
            String inner = login.getPeerKeys().getWgPubKey().toString(StandardCharsets.UTF_8).trim();
            if (!inner.equals(envelopeKey.base64())) {
                throw Status.INVALID_ARGUMENT
                        .withDescription("peerKeys.wgPubKey differs from the message's wgPubKey").asRuntimeException();
            }
        }
    }

    private EncryptedMessage seal(MessageLite message, NaclBox.SharedKey key) {
        return EncryptedMessages.seal(message, serverKey.publicKeyBase64(), key);
    }

    private interface Call<R> {
        R run();
    }

    /** Runs a unary call: its value, or its status; anything unexpected is logged and INTERNAL. */
    private static <R> void answer(StreamObserver<R> responses, Call<R> call) {
        R result;
        try {
            result = call.run();
        } catch (StatusRuntimeException e) {
            responses.onError(e);
            return;
        } catch (RuntimeException e) {
            if (DatabaseFailures.isUnavailable(e)) {
                responses.onError(DATABASE_UNAVAILABLE.asRuntimeException());
                return;
            }
            log.error("management call failed", e);
            responses.onError(Status.INTERNAL.withDescription("internal error").asRuntimeException());
            return;
        }
        responses.onNext(result);
        responses.onCompleted();
    }
}
