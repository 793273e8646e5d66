package dev.tern.agent.relay;

import dev.tern.agent.common.Backoff;
import dev.tern.agent.common.TlsTrust;
import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayFrameCodec;
import dev.tern.protocol.relay.RelayFrameException;
import dev.tern.protocol.relay.RelayMessageType;
import dev.tern.protocol.relay.RelayToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One connection to a NetBird v1 relay (WebSocket, binary messages at {@code /relay}): authenticates with our peer
 * id and the token the management server issued, echoes health checks, and carries WireGuard packets to and from
 * other peers by their {@link PeerId}. Reconnects with backoff; a later {@link #configure} with another URL moves
 * the connection, a new token is used from the next connection on (the relay checks it only at Auth).
 */
public final class RelayClient implements RelayTransport, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayClient.class);
    /** The relay drops a client that has not authenticated within about 10 s; we give up on the answer as soon. */
    static final Duration AUTH_TIMEOUT = Duration.ofSeconds(10);
    /** Packets waiting for the socket; beyond this we drop, as a congested UDP path would. */
    private static final int SEND_QUEUE_CAPACITY = 1024;

    public interface Listener {
        /** A WireGuard packet {@code from} sent us through the relay. Called on the WebSocket's thread. */
        void onTransport(PeerId from, byte[] payload);

        default void onStateChange(String state, String error) {
        }

        /**
         * The relay says these {@link #watch watched} peers left it: their relay connection ended (the process
         * stopped or died, or lost the relay). Called on the WebSocket's thread.
         */
        default void onPeersWentOffline(List<PeerId> peers) {
        }

        /** The relay says these watched peers are connected to it (at subscription, or when they come back). */
        default void onPeersOnline(List<PeerId> peers) {
        }
    }

    private record Target(String url, RelayToken token) {
    }

    private final PeerId self;
    private final Listener listener;
    private final Backoff backoff;
    private final HttpClient http;
    private final BlockingQueue<byte[]> outbound = new ArrayBlockingQueue<>(SEND_QUEUE_CAPACITY);
    private final Object lock = new Object();
    private Target target;
    /** Peers whose relay state we follow (NetBird's SubscribePeerState); subscribed again on every connection. */
    private Set<PeerId> watched = Set.of();
    /** The relay's own name for itself (its auth response) while we are connected to it; null otherwise. */
    private volatile String instanceUrl;
    private boolean closed;
    private Session session;
    private Thread connector;
    private Thread sender;

    public RelayClient(String ourPublicKeyBase64, Listener listener, Backoff backoff) {
        this(ourPublicKeyBase64, listener, backoff, TlsTrust.system());
    }

    /** {@code trust} decides which certificates {@code rels://} relays may present. */
    public RelayClient(String ourPublicKeyBase64, Listener listener, Backoff backoff, TlsTrust trust) {
        this.http = HttpClient.newBuilder().sslContext(trust.sslContext()).build();
        this.self = PeerId.ofPublicKey(ourPublicKeyBase64);
        this.listener = listener;
        this.backoff = backoff;
    }

    /** {@code rel://h:p} → {@code ws://h:p/relay}, {@code rels://h:p} → {@code wss://h:p/relay}. */
    static URI webSocketUri(String relayUrl) {
        URI uri = URI.create(relayUrl.strip());
        String scheme = switch (String.valueOf(uri.getScheme())) {
            case "rel" -> "ws";
            case "rels" -> "wss";
            default -> throw new IllegalArgumentException("relay URL must start with rel:// or rels://, got '" + relayUrl + "'");
        };
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("relay URL needs a host and a port, got '" + relayUrl + "'");
        }
        return URI.create(scheme + "://" + uri.getRawAuthority() + "/relay");
    }

    /**
     * The relays and token from the latest Login or Sync response. We use the first URL (Tern hands out one per
     * node); a changed URL drops the current connection so the next one goes to the new relay.
     */
    public void configure(List<String> urls, RelayToken token) {
        if (urls.isEmpty() || token == null) {
            return;
        }
        String url = urls.get(0);
        webSocketUri(url); // reject a malformed URL here, not in the reconnect loop
        Session stale = null;
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (target != null && !target.url().equals(url)) {
                LOG.info("relay moved from {} to {}", target.url(), url);
                stale = session;
            }
            target = new Target(url, token);
            if (connector == null) {
                connector = start(this::connectLoop, "tern-relay");
                sender = start(this::sendLoop, "tern-relay-send");
            }
            lock.notifyAll();
        }
        if (stale != null) {
            stale.abort();
        }
    }

    @Override
    public boolean configured() {
        synchronized (lock) {
            return target != null && !closed;
        }
    }

    /**
     * The relay's instance URL from its auth response, as NetBird's client names its relay in an offer
     * ({@code RelayInstanceAddress}): a NetBird client compares it with its own home relay's instance URL to tell
     * whether it must open a connection to another ("foreign") relay. Null while we are not connected, so our
     * offers then name no relay, as NetBird's do.
     */
    @Override
    public String address() {
        return instanceUrl;
    }

    /** The relay URL we use (the first of the latest configuration), or null before the first. */
    public String url() {
        synchronized (lock) {
            return target == null ? null : target.url();
        }
    }

    /** Whether we are authenticated with a relay right now. */
    public boolean connected() {
        synchronized (lock) {
            return session != null && session.authenticated.isDone() && !session.ended.isDone();
        }
    }

    /** Queues a packet for {@code to}; false when we are not connected or the queue is full (the packet is dropped). */
    @Override
    public boolean send(PeerId to, byte[] payload) {
        if (!connected()) {
            return false;
        }
        return outbound.offer(RelayFrameCodec.encode(new RelayFrame.Transport(to, payload)));
    }

    /**
     * Follows the relay state of exactly {@code peers} from now on: the relay answers with those online and later
     * tells when one leaves or comes back. Sent at once while connected, and on every (re)connection.
     */
    @Override
    public void watch(Set<PeerId> peers) {
        List<PeerId> added;
        List<PeerId> removed;
        synchronized (lock) {
            if (peers.equals(watched)) {
                return;
            }
            added = peers.stream().filter(id -> !watched.contains(id)).toList();
            removed = watched.stream().filter(id -> !peers.contains(id)).toList();
            watched = Set.copyOf(peers);
        }
        if (connected()) {
            // behind queued packets, in order; a message the full queue drops is sent again at the next connection
            enqueuePeerList(RelayMessageType.UNSUBSCRIBE_PEER_STATE, removed);
            enqueuePeerList(RelayMessageType.SUBSCRIBE_PEER_STATE, added);
        }
    }

    private void enqueuePeerList(RelayMessageType type, List<PeerId> ids) {
        if (!ids.isEmpty()) {
            RelayFrameCodec.encodePeerList(type, ids).forEach(outbound::offer);
        }
    }

    @Override
    public void close() {
        Session current;
        synchronized (lock) {
            closed = true;
            current = session;
            lock.notifyAll();
        }
        if (connector != null) {
            connector.interrupt();
            sender.interrupt();
        }
        if (current != null) {
            current.sendNow(RelayFrameCodec.encode(new RelayFrame.Close()));
            current.abort();
        }
    }

    private static Thread start(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void connectLoop() {
        while (true) {
            Target current;
            synchronized (lock) {
                while (target == null && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                current = target;
            }
            try {
                runSession(current);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                listener.onStateChange("disconnected", e.getMessage());
                LOG.warn("relay {}: {}", current.url(), e.getMessage());
            }
            synchronized (lock) {
                session = null;
                if (closed) {
                    return;
                }
            }
            try {
                Thread.sleep(backoff.nextDelay().toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One connection: connect, authenticate, then wait until it ends. */
    private void runSession(Target current) throws InterruptedException {
        listener.onStateChange("connecting", null);
        Session connecting = new Session();
        WebSocket socket;
        try {
            socket = http.newWebSocketBuilder().connectTimeout(AUTH_TIMEOUT)
                    .buildAsync(webSocketUri(current.url()), connecting).get(AUTH_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot connect: " + rootMessage(e));
        }
        connecting.socket = socket;
        synchronized (lock) {
            if (closed) {
                socket.abort();
                return;
            }
            session = connecting;
        }
        connecting.sendNow(RelayFrameCodec.encode(new RelayFrame.Auth(self, current.token().marshal())));
        try {
            String instance = connecting.authenticated.get(AUTH_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            LOG.info("relay {} connected (instance {})", current.url(), instance);
            instanceUrl = instance;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            connecting.abort();
            throw new IllegalStateException("authentication failed: " + rootMessage(e));
        }
        backoff.reset();
        Set<PeerId> follow;
        synchronized (lock) {
            follow = watched;
        }
        if (!follow.isEmpty()) {
            RelayFrameCodec.encodePeerList(RelayMessageType.SUBSCRIBE_PEER_STATE, List.copyOf(follow))
                    .forEach(connecting::sendNow);
        }
        listener.onStateChange("connected", null);
        try {
            connecting.ended.get();
        } catch (java.util.concurrent.ExecutionException e) {
            // the reason was logged where it happened
        }
        instanceUrl = null;
        listener.onStateChange("disconnected", "relay connection closed");
        LOG.info("relay {} disconnected", current.url());
    }

    /** Writes queued packets one at a time: the JDK WebSocket allows one outstanding send. */
    private void sendLoop() {
        while (true) {
            byte[] message;
            try {
                message = outbound.take();
            } catch (InterruptedException e) {
                return;
            }
            Session current;
            synchronized (lock) {
                current = session;
            }
            if (current != null) {
                current.sendNow(message);
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** One WebSocket connection and the state it reports to the loops above. */
    private final class Session implements WebSocket.Listener {
        final CompletableFuture<String> authenticated = new CompletableFuture<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        volatile WebSocket socket;

        /** Serialised so health-check echoes (from the socket thread) and packets never overlap. */
        synchronized void sendNow(byte[] message) {
            WebSocket ws = socket;
            if (ws == null || ended.isDone()) {
                return;
            }
            try {
                ws.sendBinary(ByteBuffer.wrap(message), true).get(AUTH_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | IllegalStateException e) {
                LOG.debug("relay send failed: {}", rootMessage(e));
                abort();
            }
        }

        void abort() {
            WebSocket ws = socket;
            if (ws != null) {
                ws.abort();
            }
            ended.complete(null);
            authenticated.completeExceptionally(new IllegalStateException("connection closed"));
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.write(chunk, 0, chunk.length);
            if (last) {
                byte[] message = partial.toByteArray();
                partial.reset();
                handle(message);
            }
            webSocket.request(1);
            return null;
        }

        private void handle(byte[] message) {
            RelayFrame frame;
            try {
                frame = RelayFrameCodec.decode(message);
            } catch (RelayFrameException e) {
                LOG.debug("ignoring a malformed relay message: {}", e.getMessage());
                return;
            }
            if (frame instanceof RelayFrame.Transport t) {
                if (authenticated.isDone()) {
                    listener.onTransport(t.peerId(), t.payload());
                }
            } else if (frame instanceof RelayFrame.HealthCheck) {
                // Echoed from a separate thread: sendNow blocks and must not hold up the socket's reader.
                CompletableFuture.runAsync(() -> sendNow(message));
            } else if (frame instanceof RelayFrame.PeerList list && authenticated.isDone()) {
                if (list.type() == RelayMessageType.PEERS_WENT_OFFLINE) {
                    listener.onPeersWentOffline(list.peerIds());
                } else if (list.type() == RelayMessageType.PEERS_ONLINE) {
                    listener.onPeersOnline(list.peerIds());
                }
            } else if (frame instanceof RelayFrame.AuthResponse r) {
                authenticated.complete(r.instanceUrl());
            } else if (frame instanceof RelayFrame.Close) {
                abort();
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            abort();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            LOG.debug("relay connection error: {}", rootMessage(error));
            abort();
        }
    }
}
