package dev.tern.api.grpc;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import com.google.protobuf.Timestamp;
import dev.tern.api.commands.DeviceLogin;
import dev.tern.api.commands.PeerRegistrationService;
import dev.tern.api.datapath.PeerDataPathConfig;
import dev.tern.api.idp.DeviceLoginSettings;
import dev.tern.api.outage.DatabaseFailures;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.NetworkMapHub;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.projector.NetworkMapProjector.PeerRef;
import dev.tern.projector.PeerNetworkMap;
import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.NaclBoxException;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.DeviceAuthorizationFlow;
import dev.tern.protocol.management.DeviceAuthorizationFlowRequest;
import dev.tern.protocol.management.Empty;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.protocol.management.PKCEAuthorizationFlow;
import dev.tern.protocol.management.PKCEAuthorizationFlowRequest;
import dev.tern.protocol.management.ProviderConfig;
import dev.tern.protocol.management.ServerKeyResponse;
import dev.tern.protocol.management.SyncMetaRequest;
import dev.tern.protocol.management.SyncRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NetBird's {@code management.ManagementService} for Tern: every body is a NaCl box between the peer's WireGuard
 * key (the envelope's wgPubKey) and the server key, and every answer is sealed back the same way. A body that does
 * not open is INVALID_ARGUMENT. This class is the edge: envelopes, the replay guard, input checks
 * ({@link LoginInput}), answer sizes and the status of every refusal. Who may log in is decided by
 * {@link DeviceLogin}: a peer the server does not know is PERMISSION_DENIED (NetBird's client then retries Login with
 * its setup key), and so is a known peer whose login expired, with NetBird's text: it may log in again with a valid
 * setup key of its account, which renews the login; until then it cannot sync. A user's device signs in at the
 * embedded provider (GetDeviceAuthorizationFlow, GetPKCEAuthorizationFlow say how) and logs in with the user's JWT.
 */
final class ManagementService extends ManagementServiceGrpc.ManagementServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(ManagementService.class);

    /** Clients fetch the key again after this; the key itself does not change. */
    static final Duration SERVER_KEY_VALIDITY = Duration.ofHours(24);
    /** How long Login waits for the projector to hold a just-registered (or just-renewed) peer's map. */
    static final Duration PROJECTOR_CATCH_UP = Duration.ofSeconds(10);
    /** An unknown device without a key: NetBird's client then retries Login with its setup key. */
    static final Status NOT_REGISTERED = Status.PERMISSION_DENIED
            .withDescription("peer is not registered; log in with a setup key");
    /** Until the projector has replayed the event store, a key it does not know may be a registered peer's. */
    static final Status MAPS_LOADING = Status.UNAVAILABLE
            .withDescription("tern-server is still loading network maps; retry shortly");
    /**
     * NetBird's answer to a peer whose login expired, word for word: its client (and the tern agent, which matches
     * "expired") then logs in again, with the setup key.
     */
    static final Status LOGIN_EXPIRED = Status.PERMISSION_DENIED
            .withDescription("peer login has expired, please log in once more");

    /** Registration needs PostgreSQL; known peers do not (their maps are in memory). Clients retry UNAVAILABLE. */
    static final Status DATABASE_UNAVAILABLE = Status.UNAVAILABLE
            .withDescription("database temporarily unavailable, retry later");

    /** NetBird's answer when the server has no identity provider; its client then tells the user to use a setup key. */
    static final Status NO_DEVICE_FLOW = Status.NOT_FOUND
            .withDescription("no device authorization flow information available; use a setup key");
    static final Status NO_PKCE_FLOW = Status.NOT_FOUND
            .withDescription("no pkce authorization flow information available; use a setup key");
    /**
     * Without TERN_REST_URL the provider's endpoints name localhost: right for a client on this host, useless to
     * any other, which is told why instead of being sent to its own localhost.
     */
    static final String NEEDS_REST_URL = "device login needs TERN_REST_URL (the REST API's public URL) for clients "
            + "on other hosts; use a setup key";

    /** A body whose nonce this peer used before: a legitimate client draws a fresh random nonce every time. */
    static final Status REPLAYED = Status.INVALID_ARGUMENT
            .withDescription("replayed message: this body was already received from this peer");

    private final ServerKeyStore.ServerKey serverKey;
    private final byte[] serverPrivateKey;
    private final DeviceLogin logins;
    private final DeviceLoginSettings deviceLogin;
    private final NetworkMapProjector projector;
    private final PeerDataPathConfig dataPath;
    private final SyncSessions sessions;
    private final Executor executor;
    private final Clock clock;
    private final ReplayGuard replays = new ReplayGuard();
    private final int maxAnswerBytes;

    /**
     * @param executor   runs map pushes to Sync streams (hand-offs from the projector's thread)
     * @param mapsLoaded whether the projector has replayed the event store (see {@link NetworkMapReadiness})
     * @param maxAnswerBytes the largest answer a client can receive (see {@link GrpcLimits#maxAnswerBytes()})
     */
    ManagementService(ServerKeyStore.ServerKey serverKey, PeerRegistrationService registrations,
                      NetworkMapProjector projector, PeerDataPathConfig dataPath,
                      SyncSessions sessions, Executor executor, BooleanSupplier mapsLoaded, Clock clock,
                      int maxAnswerBytes) {
        this(serverKey, registrations, null, null, projector, dataPath, sessions, executor, mapsLoaded, clock,
                maxAnswerBytes);
    }

    /**
     * @param userDevices JWT logins; null: none (a JWT is refused as invalid)
     * @param deviceLogin how clients sign in at the embedded provider; null: no provider (NOT_FOUND, as NetBird)
     */
    ManagementService(ServerKeyStore.ServerKey serverKey, PeerRegistrationService registrations,
                      DeviceLogin.UserDevices userDevices, DeviceLoginSettings deviceLogin,
                      NetworkMapProjector projector, PeerDataPathConfig dataPath,
                      SyncSessions sessions, Executor executor, BooleanSupplier mapsLoaded, Clock clock,
                      int maxAnswerBytes) {
        this.serverKey = serverKey;
        this.serverPrivateKey = serverKey.keyPair().privateKey();
        this.logins = new DeviceLogin(registrations, userDevices == null ? DeviceLogin.NO_JWT_SIGN_IN : userDevices, projector,
                mapsLoaded, PROJECTOR_CATCH_UP);
        this.deviceLogin = deviceLogin;
        this.projector = projector;
        this.dataPath = dataPath;
        this.sessions = sessions;
        this.executor = executor;
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
            DeviceLogin.Attempt attempt = new DeviceLogin.Attempt(opened.peerKey(), login.getSetupKey(),
                    login.getJwtToken(), () -> LoginInput.meta(login), CallOrigin.remoteIp(),
                    login.getDnsLabelsList());
            // DeviceLogin asks the replay guard only when the login acts; only a body it took in is forgotten again
            AtomicBoolean admitted = new AtomicBoolean();
            // NetBird's client retries a Login that failed transiently or that it gave up waiting for (deadline)
            // with the very same body: such a Login must not count as seen, or the retry would look like a replay
            try {
                DeviceLogin.Result result = logins.logIn(attempt, () -> {
                    admitted.set(replays.firstSeen(opened.peerKey(), request.getBody()));
                    return admitted.get();
                });
                if (result instanceof DeviceLogin.Refusal refusal) {
                    throw refused(refusal);
                }
                EncryptedMessage answer = loginAnswer(((DeviceLogin.LoggedIn) result).config(), opened);
                if (Context.current().isCancelled()) {
                    replays.forget(opened.peerKey(), request.getBody());
                }
                return answer;
            } catch (StatusRuntimeException e) {
                if (admitted.get() && isTransient(e.getStatus())) {
                    replays.forget(opened.peerKey(), request.getBody());
                }
                throw e;
            }
        });
    }

    private EncryptedMessage loginAnswer(dev.tern.projector.PeerConfig config, Opened<LoginRequest> opened) {
        LoginResponse response = LoginResponse.newBuilder()
                .setNetbirdConfig(dataPath.netbirdConfig(CallOrigin.authorityHost(), opened.peerKey()))
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
     * The status a client gets for each refusal, as NetBird's server answers: PERMISSION_DENIED makes its client log
     * in (again) with a setup key, UNAVAILABLE, ABORTED and CANCELLED make it retry.
     */
    static StatusRuntimeException refused(DeviceLogin.Refusal refusal) {
        return statusOf(refusal).asRuntimeException();
    }

    private static Status statusOf(DeviceLogin.Refusal refusal) {
        if (refusal instanceof DeviceLogin.NotRegistered) {
            return NOT_REGISTERED;
        }
        if (refusal instanceof DeviceLogin.InvalidJwt invalid) {
            return Status.INVALID_ARGUMENT.withDescription("invalid jwt token, err: " + invalid.reason());
        }
        if (refusal instanceof DeviceLogin.JwtUserRefused refused) {
            return Status.PERMISSION_DENIED.withDescription(refused.reason());
        }
        if (refusal instanceof DeviceLogin.JwtReused) {
            return Status.UNAUTHENTICATED.withDescription("JWT already used");
        }
        if (refusal instanceof DeviceLogin.NoLongerRegistered) {
            return Status.PERMISSION_DENIED.withDescription("peer is not registered");
        }
        if (refusal instanceof DeviceLogin.LoginExpired) {
            return LOGIN_EXPIRED;
        }
        if (refusal instanceof DeviceLogin.Replayed) {
            return REPLAYED;
        }
        if (refusal instanceof DeviceLogin.RegistrationRefused rejected) {
            Status status = switch (rejected.reason()) {
                // unknown, revoked, expired or used-up key: the device is not allowed in
                case NOT_FOUND, FORBIDDEN -> Status.PERMISSION_DENIED;
                case INVALID -> Status.INVALID_ARGUMENT;
                case PRECONDITION_FAILED -> Status.FAILED_PRECONDITION;
                case CONFLICT -> Status.ABORTED;
            };
            return status.withDescription(rejected.message());
        }
        if (refusal instanceof DeviceLogin.Unavailable unavailable) {
            return switch (unavailable.cause()) {
                case MAPS_LOADING -> MAPS_LOADING;
                case MAP_NOT_READY -> Status.UNAVAILABLE
                        .withDescription("peer logged in but its network map is not ready yet; log in again");
                case DATABASE -> DATABASE_UNAVAILABLE;
            };
        }
        if (refusal instanceof DeviceLogin.Interrupted) {
            return Status.CANCELLED.withDescription("interrupted");
        }
        if (refusal instanceof DeviceLogin.RegistrationFailed failed) {
            log.error("peer registration failed", failed.failure());
            return Status.INTERNAL.withDescription("registration failed");
        }
        // Java 17 cannot switch over a sealed type; ManagementServiceRefusalsTest maps every permitted refusal
        throw new IllegalStateException("no status for refusal " + refusal);
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
            // registered moments ago: wait until the projector shows it
            Optional<DeviceLogin.Refusal> notReady = logins.awaitFirstMap(peer, opened.peerKey());
            if (notReady.isPresent()) {
                throw refused(notReady.get());
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
                    serverKey.publicKeyBase64(), () -> dataPath.netbirdConfig(managementHost, peerKey), sessions, executor,
                    maxAnswerBytes);
        } catch (StatusRuntimeException e) {
            responses.onError(e);
            return;
        }
        stream.start();
    }

    /**
     * The embedded provider's device flow as NetBird's client needs it: the CLI client, the device and token
     * endpoints, a scope without {@code openid} (refused for a device code), the audience of the access token the
     * client then sends as Login's JWT (UseIDToken false).
     */
    @Override
    public void getDeviceAuthorizationFlow(EncryptedMessage request, StreamObserver<EncryptedMessage> responses) {
        answer(responses, () -> {
            Opened<DeviceAuthorizationFlowRequest> opened = open(request, DeviceAuthorizationFlowRequest.parser());
            DeviceLoginSettings settings = reachableDeviceLogin(NO_DEVICE_FLOW);
            return seal(DeviceAuthorizationFlow.newBuilder()
                    .setProvider(DeviceAuthorizationFlow.provider.HOSTED)
                    .setProviderConfig(providerConfig(settings).setScope(DeviceLoginSettings.DEVICE_SCOPE)
                            .setDeviceAuthEndpoint(settings.deviceAuthorizationEndpoint()))
                    .build(), opened.sealKey());
        });
    }

    /** The same provider's browser flow (authorization code with PKCE) back to NetBird's loopback listener. */
    @Override
    public void getPKCEAuthorizationFlow(EncryptedMessage request, StreamObserver<EncryptedMessage> responses) {
        answer(responses, () -> {
            Opened<PKCEAuthorizationFlowRequest> opened = open(request, PKCEAuthorizationFlowRequest.parser());
            DeviceLoginSettings settings = reachableDeviceLogin(NO_PKCE_FLOW);
            return seal(PKCEAuthorizationFlow.newBuilder()
                    .setProviderConfig(providerConfig(settings).setScope(DeviceLoginSettings.PKCE_SCOPE)
                            .setAuthorizationEndpoint(settings.authorizationEndpoint())
                            .addAllRedirectURLs(DeviceLoginSettings.PKCE_REDIRECT_URIS))
                    .build(), opened.sealKey());
        });
    }

    private static ProviderConfig.Builder providerConfig(DeviceLoginSettings settings) {
        return ProviderConfig.newBuilder().setClientID(settings.clientId()).setAudience(settings.audience())
                .setTokenEndpoint(settings.tokenEndpoint()).setUseIDToken(false);
    }

    /** The provider's settings, if this caller can reach its endpoints; NOT_FOUND says why not. */
    private DeviceLoginSettings reachableDeviceLogin(Status noProvider) {
        if (deviceLogin == null) {
            throw noProvider.asRuntimeException();
        }
        if (!deviceLogin.publicUrlConfigured() && !isLoopback(CallOrigin.remoteIp())) {
            throw Status.NOT_FOUND.withDescription(NEEDS_REST_URL).asRuntimeException();
        }
        return deviceLogin;
    }

    private static boolean isLoopback(String ip) {
        if (ip == null) {
            return false;
        }
        try {
            // an IP literal: no name look-up
            return InetAddress.getByName(ip).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
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
        DeviceLogin.Lookup lookup = logins.lookUp(key);
        if (lookup instanceof DeviceLogin.Known known) {
            return known.peer();
        }
        if (lookup instanceof DeviceLogin.MapsLoading) {
            throw MAPS_LOADING.asRuntimeException();
        }
        throw NOT_REGISTERED.asRuntimeException();
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
