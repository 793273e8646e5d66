package dev.tern.api.grpc;

import com.google.protobuf.MessageLite;
import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.Keys;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.Empty;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.SyncRequest;
import dev.tern.protocol.management.SyncResponse;
import dev.tern.testsupport.peer.NetBirdLogin;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A device talking to the management service the way NetBird's client does: its own WireGuard key pair, the
 * server key from GetServerKey, every body sealed with NaCl box and every answer opened with the server key.
 */
public final class TestPeer implements AutoCloseable {
    final X25519KeyPair key = NaclBox.generateKeyPair();
    final ManagedChannel channel;
    final ManagementServiceGrpc.ManagementServiceBlockingStub blocking;
    final byte[] serverKey;

    public TestPeer(int port) {
        this("localhost", port);
    }

    /** A peer reaching the server at {@code host} (e.g. a non-loopback address of this host). */
    public TestPeer(String host, int port) {
        channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
        blocking = ManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        serverKey = Keys.decode(blocking.getServerKey(Empty.getDefaultInstance()).getKey(), "server key");
    }

    public String publicKey() {
        return key.publicKeyBase64();
    }

    EncryptedMessage seal(MessageLite message) {
        return EncryptedMessages.seal(message, key, serverKey);
    }

    /** Login as NetBird does; throws StatusRuntimeException on a refusal. */
    public LoginResponse login(String setupKey, String hostname) {
        EncryptedMessage answer = blocking.login(seal(NetBirdLogin.request(setupKey, hostname, publicKey())));
        return open(answer, LoginResponse.parser());
    }

    /** Login as NetBird's client after an SSO sign-in: the user's JWT beside the all-zero setup key. */
    public LoginResponse loginWithJwt(String jwt, String hostname) {
        EncryptedMessage answer = blocking.login(seal(NetBirdLogin.request(NETBIRD_NO_SETUP_KEY, hostname, publicKey())
                .toBuilder().setJwtToken(jwt).build()));
        return open(answer, LoginResponse.parser());
    }

    /** What NetBird's client sends as its setup key when it has none (uuid.Parse("") fails to the zero UUID). */
    static final String NETBIRD_NO_SETUP_KEY = "00000000-0000-0000-0000-000000000000";

    <T extends MessageLite> T open(EncryptedMessage answer, com.google.protobuf.Parser<T> parser) {
        if (!answer.getWgPubKey().equals(Keys.encode(serverKey))) {
            throw new AssertionError("answer not from the server key: " + answer.getWgPubKey());
        }
        return EncryptedMessages.open(answer, serverKey, key.privateKey(), parser);
    }

    /** Opens a Sync stream; its maps and its end are collected in the returned handle. */
    public SyncHandle sync() {
        SyncHandle handle = new SyncHandle();
        ManagementServiceGrpc.newStub(channel).sync(seal(SyncRequest.getDefaultInstance()), handle);
        return handle;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** One open Sync stream from the client's side. */
    public final class SyncHandle implements ClientResponseObserver<EncryptedMessage, EncryptedMessage> {
        public final BlockingQueue<SyncResponse> responses = new LinkedBlockingQueue<>();
        public final CompletableFuture<Status> ended = new CompletableFuture<>();
        private volatile ClientCallStreamObserver<EncryptedMessage> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<EncryptedMessage> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(EncryptedMessage value) {
            responses.add(open(value, SyncResponse.parser()));
        }

        @Override
        public void onError(Throwable t) {
            ended.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            ended.complete(Status.OK);
        }

        /** The next map within the timeout, or null. */
        public SyncResponse next(Duration timeout) throws InterruptedException {
            return responses.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Reads maps until one matches; every map's serial must exceed the one before. */
        public NetworkMap nextMatching(long previousSerial, Predicate<NetworkMap> wanted, Duration timeout)
                throws InterruptedException {
            long serial = previousSerial;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                SyncResponse response = next(Duration.ofMillis(200));
                if (response == null) {
                    continue;
                }
                NetworkMap map = response.getNetworkMap();
                if (map.getSerial() <= serial) {
                    throw new AssertionError("serial " + map.getSerial() + " after " + serial
                            + ": serials must strictly increase");
                }
                serial = map.getSerial();
                if (wanted.test(map)) {
                    return map;
                }
            }
            throw new AssertionError("no matching map within " + timeout);
        }

        void cancel() {
            call.cancel("test cancels the stream", null);
        }
    }

    /** The peers one test opens against the shared server, all closed after it. */
    /** The peers a test opens, each closed after the test (a JUnit extension: {@code @RegisterExtension}). */
    static final class Fleet implements AfterEachCallback {
        private final java.util.List<TestPeer> peers = new java.util.ArrayList<>();

        @Override
        public void afterEach(ExtensionContext context) throws InterruptedException {
            closeAll();
        }

        TestPeer newPeer(int grpcPort) {
            TestPeer peer = new TestPeer(grpcPort);
            peers.add(peer);
            return peer;
        }

        void closeAll() throws InterruptedException {
            for (TestPeer peer : peers) {
                peer.close();
            }
            peers.clear();
        }
    }
}
