package dev.tern.bench.sync;

import com.google.protobuf.Timestamp;
import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.NaclBoxException;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.Empty;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.protocol.management.ServerKeyResponse;
import dev.tern.protocol.management.SyncRequest;
import dev.tern.protocol.management.SyncResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The floor Tern is compared against: a management service that decides nothing. Login opens the sealed request
 * and seals back a fixed LoginResponse (Tern's own answer, so the bytes match); Sync opens the request, keeps the
 * stream with its precomputed box key and sends a fixed first map. {@link #push} seals one fixed SyncResponse per
 * stream on as many threads as Tern's push pool (2) — the same protobuf encoding, NaCl box and gRPC/HTTP/2 work
 * per client that any server must do to deliver a map, without the REST call, event store, projector and
 * per-peer map building.
 */
final class BaselineServer implements AutoCloseable {
    private static final int PUSH_THREADS = 2;

    private final X25519KeyPair key = NaclBox.generateKeyPair();
    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private final ExecutorService callExecutor = Executors.newFixedThreadPool(8);
    private final ExecutorService pushExecutor = Executors.newFixedThreadPool(PUSH_THREADS);
    private final LoginResponse loginAnswer;
    private final SyncResponse firstMap;
    private final Server server;

    BaselineServer(LoginResponse loginAnswer, SyncResponse firstMap) throws IOException {
        this.loginAnswer = loginAnswer;
        this.firstMap = firstMap;
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .executor(callExecutor)
                .addService(new Service())
                .build()
                .start();
    }

    int port() {
        return server.getPort();
    }

    byte[] publicKey() {
        return key.publicKey();
    }

    int streams() {
        return streams.size();
    }

    /** Sends {@code map} to every open stream, each sealed with that stream's key; returns once all are queued. */
    void push(SyncResponse map) throws Exception {
        int slice = (streams.size() + PUSH_THREADS - 1) / PUSH_THREADS;
        List<Future<?>> parts = new java.util.ArrayList<>();
        for (int t = 0; t < PUSH_THREADS; t++) {
            List<Stream> part = streams.subList(Math.min(streams.size(), t * slice),
                    Math.min(streams.size(), (t + 1) * slice));
            parts.add(pushExecutor.submit(() -> part.forEach(s -> s.send(map))));
        }
        for (Future<?> part : parts) {
            part.get();
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
        callExecutor.shutdownNow();
        pushExecutor.shutdownNow();
    }

    private final class Stream {
        private final ServerCallStreamObserver<EncryptedMessage> observer;
        private final NaclBox.SharedKey sealKey;

        Stream(ServerCallStreamObserver<EncryptedMessage> observer, NaclBox.SharedKey sealKey) {
            this.observer = observer;
            this.sealKey = sealKey;
        }

        synchronized void send(SyncResponse map) {
            if (!observer.isCancelled()) {
                observer.onNext(EncryptedMessages.seal(map, key.publicKeyBase64(), sealKey));
            }
        }
    }

    private final class Service extends ManagementServiceGrpc.ManagementServiceImplBase {
        @Override
        public void getServerKey(Empty request, StreamObserver<ServerKeyResponse> responses) {
            responses.onNext(ServerKeyResponse.newBuilder().setKey(key.publicKeyBase64())
                    .setExpiresAt(Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000 + 86400))
                    .build());
            responses.onCompleted();
        }

        @Override
        public void login(EncryptedMessage request, StreamObserver<EncryptedMessage> responses) {
            try {
                NaclBox.SharedKey sealKey = NaclBox.precompute(EncryptedMessages.senderKey(request), key.privateKey());
                EncryptedMessages.open(request, sealKey, LoginRequest.parser());
                responses.onNext(EncryptedMessages.seal(loginAnswer, key.publicKeyBase64(), sealKey));
                responses.onCompleted();
            } catch (NaclBoxException e) {
                responses.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            }
        }

        @Override
        public void sync(EncryptedMessage request, StreamObserver<EncryptedMessage> responses) {
            try {
                NaclBox.SharedKey sealKey = NaclBox.precompute(EncryptedMessages.senderKey(request), key.privateKey());
                EncryptedMessages.open(request, sealKey, SyncRequest.parser());
                Stream stream = new Stream((ServerCallStreamObserver<EncryptedMessage>) responses, sealKey);
                streams.add(stream);
                stream.send(firstMap);
            } catch (NaclBoxException e) {
                responses.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            }
        }
    }
}
