package dev.tern.agent.control;

import dev.tern.agent.common.Backoff;
import dev.tern.protocol.crypto.NaclBoxException;
import dev.tern.protocol.crypto.SignalMessages;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.signal.Body;
import dev.tern.protocol.signal.EncryptedMessage;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Our mailbox on the signal node: one ConnectStream, registered under our WireGuard key (the {@code x-wg-pub-key}
 * header NetBird clients send), carrying bodies sealed end to end with NaCl box. Reconnects with backoff;
 * {@link Listener#onConnected()} tells the engine to offer again once the node confirms the registration with its
 * {@code x-wg-registered} response header (or, for nodes that do not send it, after a short grace period).
 */
public final class SignalClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SignalClient.class);
    static final Metadata.Key<String> PEER_KEY_HEADER =
            Metadata.Key.of("x-wg-pub-key", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REGISTERED_HEADER =
            Metadata.Key.of("x-wg-registered", Metadata.ASCII_STRING_MARSHALLER);
    private static final long REGISTRATION_GRACE_MILLIS = 2000;

    public interface Listener {
        void onMessage(String senderKey, Body body);

        void onConnected();

        void onStateChange(String state, String error);
    }

    private final SignalExchangeGrpc.SignalExchangeStub stub;
    private final X25519KeyPair key;
    private final Listener listener;
    private final Backoff backoff;
    /** Released by {@link #retryNow()} to cut a backoff wait short. */
    private final java.util.concurrent.Semaphore retryNow = new java.util.concurrent.Semaphore(0);
    private final AtomicReference<StreamObserver<EncryptedMessage>> outbound = new AtomicReference<>();
    private volatile CountDownLatch registered = new CountDownLatch(1);
    private volatile boolean closed;
    private Thread loop;
    private final Channel channel;

    public SignalClient(Channel channel, X25519KeyPair key, Listener listener, Backoff backoff) {
        Metadata headers = new Metadata();
        headers.put(PEER_KEY_HEADER, key.publicKeyBase64());
        this.stub = SignalExchangeGrpc.newStub(ClientInterceptors.intercept(channel,
                MetadataUtils.newAttachHeadersInterceptor(headers), new RegistrationWatcher()));
        this.channel = channel;
        this.key = key;
        this.listener = listener;
        this.backoff = backoff;
    }

    public synchronized void start() {
        loop = new Thread(this::run, "tern-signal");
        loop.setDaemon(true);
        loop.start();
    }

    /** Seals and sends; returns false when the stream is down (the engine re-offers after reconnect). */
    public boolean send(String remoteKey, Body body) {
        StreamObserver<EncryptedMessage> stream = outbound.get();
        if (stream == null) {
            return false;
        }
        EncryptedMessage message = SignalMessages.seal(body, key, remoteKey);
        synchronized (stream) {
            try {
                stream.onNext(message);
                return true;
            } catch (RuntimeException e) {
                LOG.debug("signal send failed: {}", e.toString());
                return false;
            }
        }
    }

    boolean connected() {
        return outbound.get() != null;
    }

    private void run() {
        while (!closed) {
            CountDownLatch ended = new CountDownLatch(1);
            registered = new CountDownLatch(1);
            AtomicReference<String> error = new AtomicReference<>("stream closed by the signal server");
            listener.onStateChange("connecting", null);
            // our backoff decides when to retry, not gRPC's own reconnect backoff (see Channels.reconnectNow)
            Channels.reconnectNow(channel, Channels.RECONNECT_ATTEMPT_TIMEOUT);
            StreamObserver<EncryptedMessage> requests;
            try {
                requests = stub.connectStream(new StreamObserver<>() {
                    @Override
                    public void onNext(EncryptedMessage message) {
                        backoff.reset();
                        receive(message);
                    }

                    @Override
                    public void onError(Throwable t) {
                        error.set(io.grpc.Status.fromThrowable(t).getCode() + ": " + t.getMessage());
                        ended.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        ended.countDown();
                    }
                });
            } catch (RuntimeException e) {
                error.set(e.toString());
                requests = null;
                ended.countDown();
            }
            try {
                if (requests != null) {
                    outbound.set(requests);
                    registered.await(REGISTRATION_GRACE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (ended.getCount() > 0) {
                        listener.onStateChange("connected", null);
                        listener.onConnected();
                    }
                }
                ended.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            outbound.set(null);
            if (closed) {
                return;
            }
            Duration delay = backoff.nextDelay();
            LOG.warn("signal connection lost ({}); reconnecting in {} ms", error.get(), delay.toMillis());
            listener.onStateChange("disconnected", error.get());
            try {
                if (retryNow.tryAcquire(delay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    backoff.reset();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Ends a backoff wait at once: the caller has seen the control plane come back (the management server, which
     * runs the signal node next to it in the one-command setup, answered again), so waiting out a long backoff
     * would only leave peers without signal for longer. No effect while connected.
     */
    public void retryNow() {
        if (connected()) {
            return;
        }
        if (channel instanceof io.grpc.ManagedChannel managed) {
            // the channel keeps its own reconnect backoff; without this the retry could fail fast on it
            managed.resetConnectBackoff();
        }
        if (retryNow.availablePermits() == 0) {
            retryNow.release();
        }
    }

    private void receive(EncryptedMessage message) {
        if (!key.publicKeyBase64().equals(message.getRemoteKey())) {
            LOG.debug("dropping a signal message addressed to another key");
            return;
        }
        Body body;
        try {
            body = SignalMessages.open(message, key);
        } catch (NaclBoxException e) {
            LOG.warn("dropping a signal message that does not open: {}", e.getMessage());
            return;
        }
        try {
            listener.onMessage(message.getKey(), body);
        } catch (RuntimeException e) {
            LOG.warn("handling a signal message failed", e);
        }
    }

    /** Notices the node's registration header on our ConnectStream. */
    private final class RegistrationWatcher implements io.grpc.ClientInterceptor {
        @Override
        public <Q, R> io.grpc.ClientCall<Q, R> interceptCall(io.grpc.MethodDescriptor<Q, R> method,
                                                             io.grpc.CallOptions options, Channel next) {
            return new io.grpc.ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(io.grpc.ClientCall.Listener<R> responseListener, Metadata headers) {
                    super.start(new io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener<>(responseListener) {
                        @Override
                        public void onHeaders(Metadata responseHeaders) {
                            if (responseHeaders.containsKey(REGISTERED_HEADER)) {
                                registered.countDown();
                            }
                            super.onHeaders(responseHeaders);
                        }
                    }, headers);
                }
            };
        }
    }

    @Override
    public void close() {
        closed = true;
        StreamObserver<EncryptedMessage> stream = outbound.getAndSet(null);
        if (stream != null) {
            synchronized (stream) {
                try {
                    stream.onCompleted();
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        }
        Thread thread = loop;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
