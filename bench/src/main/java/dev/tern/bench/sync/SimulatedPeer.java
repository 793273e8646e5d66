package dev.tern.bench.sync;

import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.protocol.management.SyncRequest;
import dev.tern.protocol.management.SyncResponse;
import dev.tern.testsupport.peer.NetBirdLogin;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.TimeUnit;

/**
 * One simulated device: its own WireGuard (X25519) key pair, talking to a management server the way NetBird's
 * client does — every body sealed with NaCl box to the server key, every answer opened with it.
 */
final class SimulatedPeer {
    final int index;
    final X25519KeyPair key = NaclBox.generateKeyPair();

    SimulatedPeer(int index) {
        this.index = index;
    }

    String hostname() {
        return "bench-peer-" + index;
    }

    /** Login with a setup key; the answer is opened (decrypted and parsed) before this returns. */
    LoginResponse login(Channel channel, byte[] serverKey, String setupKey) {
        LoginRequest request = NetBirdLogin.request(setupKey, hostname(), key.publicKeyBase64());
        EncryptedMessage answer = ManagementServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(2, TimeUnit.MINUTES)
                .login(EncryptedMessages.seal(request, key, serverKey));
        return EncryptedMessages.open(answer, serverKey, key.privateKey(), LoginResponse.parser());
    }

    /** Opens a Sync stream whose maps are opened and handed to {@code recorder}. */
    SyncClient sync(Channel channel, byte[] serverKey, SyncRecorder recorder) {
        SyncClient client = new SyncClient(NaclBox.precompute(serverKey, key.privateKey()), recorder);
        ManagementServiceGrpc.newStub(channel)
                .sync(EncryptedMessages.seal(SyncRequest.getDefaultInstance(), key, serverKey), client);
        return client;
    }

    /** The client end of one Sync stream. gRPC calls onNext of one call serially, so no locking is needed. */
    final class SyncClient implements ClientResponseObserver<EncryptedMessage, EncryptedMessage> {
        // Precomputed like a long-lived client would; each message still costs XSalsa20-Poly1305 and parsing.
        private final NaclBox.SharedKey sharedKey;
        private final SyncRecorder recorder;
        private volatile ClientCallStreamObserver<EncryptedMessage> call;

        private SyncClient(NaclBox.SharedKey sharedKey, SyncRecorder recorder) {
            this.sharedKey = sharedKey;
            this.recorder = recorder;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<EncryptedMessage> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(EncryptedMessage message) {
            SyncResponse map = EncryptedMessages.open(message, sharedKey, SyncResponse.parser());
            recorder.received(index, System.nanoTime(), map, message.getSerializedSize());
        }

        @Override
        public void onError(Throwable t) {
            recorder.failed(index, t);
        }

        @Override
        public void onCompleted() {
            recorder.failed(index, new IllegalStateException("server completed the Sync stream"));
        }

        void cancel() {
            ClientCallStreamObserver<EncryptedMessage> c = call;
            if (c != null) {
                c.cancel("bench is done with this stream", null);
            }
        }
    }
}
