package dev.tern.agent.control;

import com.google.protobuf.ByteString;
import dev.tern.agent.common.AgentException;
import dev.tern.agent.common.Backoff;
import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.Keys;
import dev.tern.protocol.crypto.NaclBoxException;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.DeviceAuthorizationFlow;
import dev.tern.protocol.management.DeviceAuthorizationFlowRequest;
import dev.tern.protocol.management.Empty;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.protocol.management.NetbirdConfig;
import dev.tern.protocol.management.PeerKeys;
import dev.tern.protocol.management.PeerSystemMeta;
import dev.tern.protocol.management.ProviderConfig;
import dev.tern.protocol.management.ServerKeyResponse;
import dev.tern.protocol.management.SyncRequest;
import dev.tern.protocol.management.SyncResponse;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The peer side of NetBird's management protocol: GetServerKey, Login (first without the setup key, as NetBird
 * clients do; with it after PermissionDenied, or, without a setup key, with the JWT of a device sign-in), then a Sync stream whose maps are handed to the listener only when
 * their serial is newer than the last one. {@link #runSyncLoop} reconnects with exponential backoff and logs in
 * again, so a restarted server gets a resync.
 */
public final class ManagementClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementClient.class);
    private static final long CALL_DEADLINE_SECONDS = 15;
    /** Management state while the server presents a key other than the pinned one. */
    static final String SERVER_KEY_CHANGED = "server-key-changed";

    public interface Listener {
        void onLogin(LoginResponse response);

        /** A Sync message carrying a network map newer than any before it. */
        void onNetworkMap(SyncResponse response);

        void onStateChange(String state, String error);

        /**
         * The NetbirdConfig of a Sync message, map or not: the server sends config-only messages to refresh the
         * relay token before it expires.
         */
        default void onConfig(NetbirdConfig config) {
        }
    }

    private final Channel channel;
    private final ManagementServiceGrpc.ManagementServiceBlockingStub stub;
    private final X25519KeyPair key;
    private final String setupKey;
    private final PeerSystemMeta meta;
    private final Listener listener;
    private final ServerKeyPin serverKeyPin;
    private final DeviceSignIn deviceSignIn;
    private volatile byte[] serverKey;
    private volatile boolean closed;
    private volatile Context.CancellableContext syncContext;
    private long lastSerial = -1;

    /**
     * @param setupKey     may be null: then only an already registered key can log in
     * @param serverKeyPin the server key we trust (pinned at the first login); nothing is sealed to another key
     */
    public ManagementClient(Channel channel, X25519KeyPair key, String setupKey, PeerSystemMeta meta, ServerKeyPin serverKeyPin,
                     Listener listener) {
        this(channel, key, setupKey, meta, serverKeyPin, listener, null);
    }

    /**
     * @param deviceSignIn may be null; otherwise, without a setup key, a peer the server does not let in signs in
     *                     through the device flow the server names (GetDeviceAuthorizationFlow) and logs in with
     *                     the token (NetBird's {@code netbird up} without {@code --setup-key})
     */
    public ManagementClient(Channel channel, X25519KeyPair key, String setupKey, PeerSystemMeta meta, ServerKeyPin serverKeyPin,
                     Listener listener, DeviceSignIn deviceSignIn) {
        this.deviceSignIn = deviceSignIn;
        this.channel = channel;
        this.stub = ManagementServiceGrpc.newBlockingStub(channel);
        this.serverKeyPin = serverKeyPin;
        this.key = key;
        this.setupKey = setupKey == null || setupKey.isBlank() ? null : setupKey.strip();
        this.meta = meta;
        this.listener = listener;
    }

    /**
     * Fetches the server key, checks it against the pinned one and logs in; pins the key when this is the first
     * login whose answer opens with it.
     *
     * @throws AgentException (MANAGEMENT) when the server refuses us or presents a key other than the pinned one
     *                        ({@link ServerKeyPin.MismatchException}); StatusRuntimeException (UNAVAILABLE, ...)
     *                        when it cannot be reached, so callers can tell "retry" from "give up"
     */
    public LoginResponse login() {
        // every login is a (re)connect attempt of ours: gRPC's own reconnect backoff must not overrule it
        Channels.reconnectNow(channel, Channels.RECONNECT_ATTEMPT_TIMEOUT);
        ServerKeyResponse serverKeyResponse = stub.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                .getServerKey(Empty.getDefaultInstance());
        byte[] server;
        try {
            server = Keys.decode(serverKeyResponse.getKey(), "server key");
        } catch (NaclBoxException e) {
            throw new AgentException(AgentException.MANAGEMENT, "management server sent an unusable key: " + e.getMessage());
        }
        String offeredKey = java.util.Base64.getEncoder().encodeToString(server);
        // Before anything is sealed to it: our login (with the setup key, maybe) is for the pinned server only.
        serverKeyPin.check(offeredKey);
        serverKey = server;
        LoginRequest.Builder request = LoginRequest.newBuilder()
                .setMeta(meta)
                // NetBird puts the base64 text of the key here, as bytes.
                .setPeerKeys(PeerKeys.newBuilder().setWgPubKey(ByteString.copyFromUtf8(key.publicKeyBase64())));
        EncryptedMessage reply;
        try {
            reply = callLogin(request.build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.PERMISSION_DENIED) {
                throw e;
            }
            boolean expired = loginExpired(e.getStatus());
            if (setupKey == null) {
                String why = expired
                        ? "this peer's login has expired; run tern up with --setup-key to log in again (server said: "
                        + e.getStatus().getDescription() + ")"
                        : "this peer is not registered with the management server; run tern up with --setup-key "
                        + "(server said: " + e.getStatus().getDescription() + ")";
                if (deviceSignIn == null) {
                    throw new LoginRequiredException(why);
                }
                reply = loginWithDeviceSignIn(request, expired, why);
            } else {
                reply = loginWithSetupKey(request, expired);
            }
        }
        LoginResponse response;
        try {
            response = EncryptedMessages.open(reply, server, key.privateKey(), LoginResponse.parser());
        } catch (NaclBoxException e) {
            throw new AgentException(AgentException.MANAGEMENT, "cannot open the login response: " + e.getMessage());
        }
        // The answer opened, so the server holds the private half of the key it presented: trust it from now on.
        serverKeyPin.confirm(offeredKey);
        listener.onLogin(response);
        return response;
    }

    private EncryptedMessage loginWithSetupKey(LoginRequest.Builder request, boolean expired) {
        LOG.info(expired ? "login expired, logging in again with the setup key"
                : "peer not registered yet, logging in with the setup key");
        return callLoginOrRefuse(request.setSetupKey(setupKey).build(), "the setup key");
    }

    /** A refusal of what we logged in with is not a connection problem: LoginRequiredException, unless UNAVAILABLE. */
    private EncryptedMessage callLoginOrRefuse(LoginRequest request, String what) {
        try {
            return callLogin(request);
        } catch (StatusRuntimeException denied) {
            if (denied.getStatus().getCode() == Status.Code.UNAVAILABLE) {
                throw denied;
            }
            throw new LoginRequiredException("management server refused " + what + ": "
                    + denied.getStatus().getCode() + " " + denied.getStatus().getDescription());
        }
    }

    /**
     * Signs the user in at the identity provider the server names and logs in with the token, without a setup key
     * (the token decides whose peer this is). A server that offers no device login leaves us where a missing setup
     * key does: {@code needsSetupKey}.
     */
    private EncryptedMessage loginWithDeviceSignIn(LoginRequest.Builder request, boolean expired, String needsSetupKey) {
        ProviderConfig provider = deviceAuthorizationFlow(needsSetupKey);
        LOG.info(expired ? "login expired, signing in again through the identity provider"
                : "peer not registered yet, signing in through the identity provider");
        String token = deviceSignIn.signIn(provider);
        return callLoginOrRefuse(request.setJwtToken(token).build(), "the sign-in");
    }

    private ProviderConfig deviceAuthorizationFlow(String needsSetupKey) {
        EncryptedMessage reply;
        try {
            reply = stub.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS).getDeviceAuthorizationFlow(
                    EncryptedMessages.seal(DeviceAuthorizationFlowRequest.getDefaultInstance(), key, serverKey));
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.NOT_FOUND || code == Status.Code.UNIMPLEMENTED) {
                throw new LoginRequiredException(needsSetupKey + "; the server offers no device login ("
                        + code + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()) + ")");
            }
            throw e;
        }
        try {
            return EncryptedMessages.open(reply, serverKey, key.privateKey(), DeviceAuthorizationFlow.parser())
                    .getProviderConfig();
        } catch (NaclBoxException e) {
            throw new AgentException(AgentException.MANAGEMENT, "cannot open the device login settings: " + e.getMessage());
        }
    }

    /** NetBird's server says "peer login has expired, please log in once more"; so does Tern's. */
    static boolean loginExpired(Status status) {
        return status.getCode() == Status.Code.PERMISSION_DENIED && status.getDescription() != null
                && status.getDescription().toLowerCase(java.util.Locale.ROOT).contains("expired");
    }

    /**
     * The server will not let this peer in until it logs in with a (valid) setup key: not a connection problem.
     * The sync loop keeps asking at its slowest pace (an admin may lift the expiry) and reports "needs-login".
     */
    static final class LoginRequiredException extends AgentException {
        LoginRequiredException(String message) {
            super(AgentException.MANAGEMENT, message);
        }
    }

    private EncryptedMessage callLogin(LoginRequest request) {
        return stub.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                .login(EncryptedMessages.seal(request, key, serverKey));
    }

    /**
     * Opens one Sync stream and delivers its maps until it ends. Returns normally when the server completes the
     * stream; throws StatusRuntimeException when it fails.
     */
    void syncOnce(Runnable onFirstMessage) {
        Context.CancellableContext context = Context.current().withCancellation();
        syncContext = context;
        try {
            context.run(() -> {
                EncryptedMessage request = EncryptedMessages.seal(SyncRequest.newBuilder().setMeta(meta).build(), key, serverKey);
                Iterator<EncryptedMessage> stream = stub.sync(request);
                boolean first = true;
                while (stream.hasNext()) {
                    EncryptedMessage message = stream.next();
                    SyncResponse response;
                    try {
                        response = EncryptedMessages.open(message, serverKey, key.privateKey(), SyncResponse.parser());
                    } catch (NaclBoxException e) {
                        LOG.warn("dropping a sync message that does not open: {}", e.getMessage());
                        continue;
                    }
                    if (first) {
                        first = false;
                        onFirstMessage.run();
                    }
                    deliver(response);
                }
            });
        } finally {
            context.cancel(null);
            syncContext = null;
        }
    }

    private void deliver(SyncResponse response) {
        if (response.hasNetbirdConfig()) {
            listener.onConfig(response.getNetbirdConfig());
        }
        if (!response.hasNetworkMap()) {
            return;
        }
        long serial = response.getNetworkMap().getSerial();
        if (serial <= lastSerial) {
            LOG.info("ignoring network map with serial {}: already applied serial {}", serial, lastSerial);
            return;
        }
        lastSerial = serial;
        listener.onNetworkMap(response);
    }

    long lastSerial() {
        return lastSerial;
    }

    /**
     * Keeps a Sync stream open until {@link #close()}: on any failure reports "disconnected", waits the next
     * backoff delay, logs in again and resyncs. The backoff is reset once a stream delivers its first message.
     */
    public void runSyncLoop(Backoff backoff, boolean alreadyLoggedIn) {
        boolean loggedIn = alreadyLoggedIn;
        while (!closed) {
            String error;
            try {
                if (!loggedIn) {
                    listener.onStateChange("connecting", null);
                    login();
                }
                loggedIn = false;
                syncOnce(() -> {
                    backoff.reset();
                    listener.onStateChange("connected", null);
                });
                error = "sync stream ended by the server";
            } catch (StatusRuntimeException e) {
                error = e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription());
                loggedIn = false;
            } catch (ServerKeyPin.MismatchException e) {
                if (closed) {
                    break;
                }
                // Not a connection problem: report it loudly and ask again slowly (an operator may reset the pin).
                LOG.error("{}; asking again in {} s", e.getMessage(), backoff.maxDelay().toSeconds());
                listener.onStateChange(SERVER_KEY_CHANGED, e.getMessage());
                sleep(backoff.maxDelay());
                continue;
            } catch (LoginRequiredException e) {
                if (closed) {
                    break;
                }
                LOG.warn("{}; asking again in {} s", e.getMessage(), backoff.maxDelay().toSeconds());
                listener.onStateChange("needs-login", e.getMessage());
                sleep(backoff.maxDelay());
                continue;
            } catch (AgentException e) {
                error = e.getMessage();
                loggedIn = false;
            } catch (RuntimeException e) {
                LOG.warn("unexpected failure in the management connection", e);
                error = e.toString();
                loggedIn = false;
            }
            if (closed) {
                break;
            }
            Duration delay = backoff.nextDelay();
            LOG.warn("management connection lost ({}); reconnecting in {} ms", error, delay.toMillis());
            listener.onStateChange("disconnected", error);
            sleep(delay);
        }
    }

    private void sleep(Duration delay) {
        long deadline = System.nanoTime() + delay.toNanos();
        try {
            while (!closed && System.nanoTime() < deadline) {
                Thread.sleep(Math.min(50, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (deviceSignIn != null) {
            deviceSignIn.cancel();
        }
        Context.CancellableContext context = syncContext;
        if (context != null) {
            context.cancel(null);
        }
    }
}
