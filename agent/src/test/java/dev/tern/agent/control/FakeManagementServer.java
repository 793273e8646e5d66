package dev.tern.agent.control;

import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.DeviceAuthorizationFlow;
import dev.tern.protocol.management.DeviceAuthorizationFlowRequest;
import dev.tern.protocol.management.Empty;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.HostConfig;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.protocol.management.NetbirdConfig;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PeerConfig;
import dev.tern.protocol.management.ProviderConfig;
import dev.tern.protocol.management.ServerKeyResponse;
import dev.tern.protocol.management.SyncRequest;
import dev.tern.protocol.management.SyncResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A management server that behaves like NetBird's on the points the agent relies on: PermissionDenied for an
 * unknown key without a valid setup key, sealed bodies both ways, Sync streams the test pushes maps into.
 * Its registrations outlive a restart of the gRPC server (tests reuse the same instance).
 */
public final class FakeManagementServer extends ManagementServiceGrpc.ManagementServiceImplBase {
    public static final String SETUP_KEY = "A2C8E62B-38F5-4553-B31E-DD66C696CEBB";
    static final String EXPIRED = "peer login has expired, please log in once more";

    /** Tests replace it to play a server whose key changed, or one impersonating the real server. */
    public volatile X25519KeyPair serverKey = NaclBox.generateKeyPair();
    /** Every Login call, whether its body opens or not. */
    public final java.util.concurrent.atomic.AtomicInteger loginCalls = new java.util.concurrent.atomic.AtomicInteger();
    final Set<String> registered = ConcurrentHashMap.newKeySet();
    /** Registered peers whose login has expired: they need the setup key again, as Tern's server demands. */
    final Set<String> expired = ConcurrentHashMap.newKeySet();
    public final List<String> loginSetupKeys = new CopyOnWriteArrayList<>();
    public final List<String> hostnames = new CopyOnWriteArrayList<>();
    public final Map<String, StreamObserver<EncryptedMessage>> syncStreams = new ConcurrentHashMap<>();
    public volatile String signalUri = "signal.test:10000";
    final Map<String, String> addresses = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger nextHost = new java.util.concurrent.atomic.AtomicInteger(7);

    /** The mesh address handed to a peer: the first gets 100.64.0.7/16, then .8, ... */
    public String addressOf(String peerKey) {
        return addresses.computeIfAbsent(peerKey, k -> "100.64.0." + nextHost.getAndIncrement() + "/16");
    }

    /** What GetDeviceAuthorizationFlow answers; null: NOT_FOUND, as a server without an identity provider. */
    public volatile ProviderConfig deviceFlow;
    /** JWTs Login accepts, each for its user: a peer registered with one belongs to that user. */
    public final Map<String, String> tokenUsers = new ConcurrentHashMap<>();
    /** The jwtToken of every Login call (empty when none). */
    public final List<String> loginJwtTokens = new CopyOnWriteArrayList<>();
    /** Which user each peer registered with a JWT belongs to. */
    public final Map<String, String> peerUsers = new ConcurrentHashMap<>();

    @Override
    public void getDeviceAuthorizationFlow(EncryptedMessage request, StreamObserver<EncryptedMessage> response) {
        try {
            EncryptedMessages.openFromSender(request, serverKey.privateKey(), DeviceAuthorizationFlowRequest.parser());
        } catch (RuntimeException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("body does not decrypt").asRuntimeException());
            return;
        }
        ProviderConfig flow = deviceFlow;
        if (flow == null) {
            response.onError(Status.NOT_FOUND.withDescription("no SSO provider").asRuntimeException());
            return;
        }
        response.onNext(EncryptedMessages.seal(DeviceAuthorizationFlow.newBuilder().setProviderConfig(flow).build(),
                serverKey, EncryptedMessages.senderKey(request)));
        response.onCompleted();
    }

    @Override
    public void getServerKey(Empty request, StreamObserver<ServerKeyResponse> response) {
        response.onNext(ServerKeyResponse.newBuilder().setKey(serverKey.publicKeyBase64()).build());
        response.onCompleted();
    }

    @Override
    public void login(EncryptedMessage request, StreamObserver<EncryptedMessage> response) {
        loginCalls.incrementAndGet();
        LoginRequest login;
        try {
            login = EncryptedMessages.openFromSender(request, serverKey.privateKey(), LoginRequest.parser());
        } catch (RuntimeException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("body does not decrypt").asRuntimeException());
            return;
        }
        loginSetupKeys.add(login.getSetupKey());
        loginJwtTokens.add(login.getJwtToken());
        hostnames.add(login.getMeta().getHostname());
        String peer = request.getWgPubKey();
        if (!login.getPeerKeys().getWgPubKey().toStringUtf8().equals(peer)) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("peer keys disagree").asRuntimeException());
            return;
        }
        if (!login.getJwtToken().isEmpty()) {
            // NetBird's rules for a JWT login: the token's user owns a new peer, renews its own expired one.
            String user = tokenUsers.get(login.getJwtToken());
            if (user == null) {
                response.onError(Status.INVALID_ARGUMENT.withDescription("invalid jwt token").asRuntimeException());
                return;
            }
            if (registered.contains(peer) && !user.equals(peerUsers.get(peer))) {
                response.onError(Status.PERMISSION_DENIED.withDescription(
                        "peer is already registered by a different User or a Setup Key").asRuntimeException());
                return;
            }
            registered.add(peer);
            peerUsers.put(peer, user);
            expired.remove(peer);
        } else if (!registered.contains(peer)) {
            if (login.getSetupKey().isEmpty()) {
                response.onError(Status.PERMISSION_DENIED.withDescription("peer is not registered").asRuntimeException());
                return;
            }
            if (!SETUP_KEY.equals(login.getSetupKey())) {
                response.onError(Status.PERMISSION_DENIED.withDescription("invalid setup key").asRuntimeException());
                return;
            }
            registered.add(peer);
        } else if (expired.contains(peer)) {
            if (!SETUP_KEY.equals(login.getSetupKey())) {
                response.onError(Status.PERMISSION_DENIED.withDescription(EXPIRED).asRuntimeException());
                return;
            }
            expired.remove(peer);
        }
        LoginResponse reply = LoginResponse.newBuilder()
                .setPeerConfig(PeerConfig.newBuilder().setAddress(addressOf(peer)).setFqdn(login.getMeta().getHostname() + ".tern.internal"))
                .setNetbirdConfig(NetbirdConfig.newBuilder().setSignal(HostConfig.newBuilder().setUri(signalUri)
                        .setProtocol(HostConfig.Protocol.HTTP)))
                .build();
        response.onNext(EncryptedMessages.seal(reply, serverKey, EncryptedMessages.senderKey(request)));
        response.onCompleted();
    }

    @Override
    public void sync(EncryptedMessage request, StreamObserver<EncryptedMessage> response) {
        try {
            EncryptedMessages.openFromSender(request, serverKey.privateKey(), SyncRequest.parser());
        } catch (RuntimeException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("body does not decrypt").asRuntimeException());
            return;
        }
        if (!registered.contains(request.getWgPubKey())) {
            response.onError(Status.PERMISSION_DENIED.asRuntimeException());
            return;
        }
        if (expired.contains(request.getWgPubKey())) {
            response.onError(Status.PERMISSION_DENIED.withDescription(EXPIRED).asRuntimeException());
            return;
        }
        syncStreams.put(request.getWgPubKey(), response);
    }

    /** Expires a registered peer's login and ends its Sync stream the way the server does. */
    void expire(String peerKey) {
        expired.add(peerKey);
        StreamObserver<EncryptedMessage> stream = syncStreams.remove(peerKey);
        if (stream != null) {
            synchronized (stream) {
                stream.onError(Status.PERMISSION_DENIED.withDescription(EXPIRED).asRuntimeException());
            }
        }
    }

    /** Pushes a config-only message (a relay token refresh) to a connected peer; false when it has no stream. */
    boolean pushConfig(String peerKey, NetbirdConfig config) {
        return push(peerKey, SyncResponse.newBuilder().setNetbirdConfig(config).build());
    }

    /** Pushes a map to a connected peer; false when it has no open stream. */
    public boolean push(String peerKey, NetworkMap map) {
        return push(peerKey, SyncResponse.newBuilder().setNetworkMap(map).build());
    }

    private boolean push(String peerKey, SyncResponse response) {
        StreamObserver<EncryptedMessage> stream = syncStreams.get(peerKey);
        if (stream == null) {
            return false;
        }
        byte[] peerPublic = dev.tern.protocol.crypto.Keys.decode(peerKey, "peer");
        synchronized (stream) {
            stream.onNext(EncryptedMessages.seal(response, serverKey, peerPublic));
        }
        return true;
    }
}
