package dev.tern.signal;

import com.google.protobuf.ByteString;
import dev.tern.protocol.crypto.SignalMessages;
import dev.tern.protocol.signal.Body;
import dev.tern.protocol.signal.EncryptedMessage;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SignalExchangeServiceTest {
    /**
     * The in-process transport buffers nothing (a stream is "ready" only while its client has asked for messages), so
     * bursts queue here much sooner than over a socket; the queue is long enough for the bursts these tests send.
     */
    private final SignalExchangeService service = new SignalExchangeService(new SignalLimits(100, 100, 100,
            64 * 1024, 512, 64L * 1024 * 1024));
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(service).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void twoPeersExchangeOfferAndAnswerWithBodiesUntouched() throws Exception {
        TestPeer alice = connected(new TestPeer().connect(channel));
        TestPeer bob = connected(new TestPeer().connect(channel));

        Body offer = Body.newBuilder().setType(Body.Type.OFFER).setPayload("aliceUfrag:alicePwd")
                .setWgListenPort(51820).build();
        EncryptedMessage sealedOffer = SignalMessages.seal(offer, alice.keys, bob.key());
        SignalExchangeGrpc.newBlockingStub(channel).send(sealedOffer);

        EncryptedMessage atBob = bob.next();
        assertThat(atBob).isEqualTo(sealedOffer);
        assertThat(SignalMessages.open(atBob, bob.keys)).isEqualTo(offer);

        Body answer = Body.newBuilder().setType(Body.Type.ANSWER).setPayload("bobUfrag:bobPwd").build();
        EncryptedMessage sealedAnswer = SignalMessages.seal(answer, bob.keys, alice.key());
        bob.sendOnStream(sealedAnswer);

        EncryptedMessage atAlice = alice.next();
        assertThat(atAlice.getBody()).isEqualTo(sealedAnswer.getBody());
        assertThat(SignalMessages.open(atAlice, alice.keys)).isEqualTo(answer);
        assertThat(alice.received).isEmpty();
    }

    @Test
    void registrationIsConfirmedInResponseHeadersBeforeAnyMessage() {
        TestPeer alice = new TestPeer().connect(channel);

        await().atMost(Duration.ofSeconds(5)).until(() -> alice.responseHeaders.get() != null);
        assertThat(alice.responseHeaders.get().get(RegistrationHeaders.REGISTERED_HEADER)).isEqualTo("1");
        assertThat(alice.received).isEmpty();
    }

    @Test
    void sendToAnUnknownRecipientIsNotFound() {
        TestPeer alice = connected(new TestPeer().connect(channel));
        TestPeer nobody = new TestPeer();

        assertThatThrownBy(() -> SignalExchangeGrpc.newBlockingStub(channel).send(
                EncryptedMessage.newBuilder().setKey(alice.key()).setRemoteKey(nobody.key())
                        .setBody(ByteString.copyFromUtf8("x")).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.NOT_FOUND))
                .hasMessageContaining(nobody.key())
                .hasMessageContaining("not connected");
    }

    @Test
    void sendWithoutRecipientIsInvalid() {
        assertThatThrownBy(() -> SignalExchangeGrpc.newBlockingStub(channel).send(EncryptedMessage.getDefaultInstance()))
                .isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode())
                        .isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void netbirdHealthProbeRecipientIsAcknowledged() {
        EncryptedMessage reply = SignalExchangeGrpc.newBlockingStub(channel).send(
                EncryptedMessage.newBuilder().setKey(new TestPeer().key()).setRemoteKey("dummy").build());
        assertThat(reply).isEqualTo(EncryptedMessage.getDefaultInstance());
    }

    @Test
    void reconnectReplacesTheOldStream() throws Exception {
        TestPeer alice = connected(new TestPeer().connect(channel));
        // Same key, second stream (e.g. the client restarted before the old TCP connection died).
        TestPeer second = new TestPeer(alice.keys).connect(channel);

        Status oldStream = alice.closed.get(5, TimeUnit.SECONDS);
        assertThat(oldStream.getCode()).isEqualTo(Status.Code.ABORTED);
        await().atMost(Duration.ofSeconds(5)).until(() -> second.responseHeaders.get() != null);

        TestPeer bob = connected(new TestPeer().connect(channel));
        EncryptedMessage message = EncryptedMessage.newBuilder().setKey(bob.key()).setRemoteKey(alice.key())
                .setBody(ByteString.copyFromUtf8("after reconnect")).build();
        SignalExchangeGrpc.newBlockingStub(channel).send(message);

        assertThat(second.next()).isEqualTo(message);
        assertThat(alice.received).isEmpty();
        assertThat(service.connectedPeers()).isEqualTo(2);
    }

    @Test
    void closingTheOldStreamAfterAReconnectKeepsTheNewRegistration() throws Exception {
        TestPeer alice = connected(new TestPeer().connect(channel));
        TestPeer second = connected(new TestPeer(alice.keys).connect(channel));
        alice.closed.get(5, TimeUnit.SECONDS);

        alice.hangUp();

        assertThat(service.isConnected(alice.key())).isTrue();
        EncryptedMessage message = EncryptedMessage.newBuilder().setRemoteKey(alice.key())
                .setBody(ByteString.copyFromUtf8("still here")).build();
        SignalExchangeGrpc.newBlockingStub(channel).send(message);
        assertThat(second.next()).isEqualTo(message);
    }

    @Test
    void peerThatHangsUpIsNoLongerReachable() {
        TestPeer alice = connected(new TestPeer().connect(channel));

        alice.hangUp();

        await().atMost(Duration.ofSeconds(5)).until(() -> !service.isConnected(alice.key()));
        assertThatThrownBy(() -> SignalExchangeGrpc.newBlockingStub(channel).send(
                EncryptedMessage.newBuilder().setRemoteKey(alice.key()).build()))
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void peerWithoutHeaderRegistersWithItsFirstMessage() throws Exception {
        TestPeer alice = new TestPeer().connectWithoutHeader(channel);
        alice.sendOnStream(EncryptedMessage.newBuilder().setKey(alice.key()).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> service.isConnected(alice.key()));
        assertThat(alice.responseHeaders.get().get(RegistrationHeaders.REGISTERED_HEADER)).isEqualTo("1");

        EncryptedMessage message = EncryptedMessage.newBuilder().setRemoteKey(alice.key())
                .setBody(ByteString.copyFromUtf8("hello")).build();
        SignalExchangeGrpc.newBlockingStub(channel).send(message);
        assertThat(alice.next()).isEqualTo(message);
    }

    @Test
    void streamThatNamesNoValidKeyIsRefused() throws Exception {
        TestPeer anonymous = new TestPeer().connectWithoutHeader(channel);
        anonymous.sendOnStream(EncryptedMessage.newBuilder().setKey("not-a-key").setRemoteKey("x").build());

        Status status = anonymous.closed.get(5, TimeUnit.SECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).contains("x-wg-pub-key");
        assertThat(service.connectedPeers()).isZero();
    }

    @Test
    void streamMessageClaimingAnotherSenderIsDropped() throws Exception {
        TestPeer mallory = connected(new TestPeer().connect(channel));
        TestPeer alice = connected(new TestPeer().connect(channel));
        TestPeer bob = connected(new TestPeer().connect(channel));

        mallory.sendOnStream(EncryptedMessage.newBuilder().setKey(alice.key()).setRemoteKey(bob.key())
                .setBody(ByteString.copyFromUtf8("forged")).build());
        EncryptedMessage honest = EncryptedMessage.newBuilder().setKey(mallory.key()).setRemoteKey(bob.key())
                .setBody(ByteString.copyFromUtf8("honest")).build();
        mallory.sendOnStream(honest);

        // Stream messages are processed in order, so the honest one arriving first proves the forged one was dropped.
        assertThat(bob.next()).isEqualTo(honest);
        assertThat(bob.received).isEmpty();
    }

    @Test
    void manyConcurrentSendersAllReachTheRecipient() throws Exception {
        TestPeer bob = connected(new TestPeer().connect(channel));
        int senders = 8;
        int perSender = 50;
        Thread[] threads = new Thread[senders];
        for (int s = 0; s < senders; s++) {
            int sender = s;
            threads[s] = new Thread(() -> {
                var stub = SignalExchangeGrpc.newBlockingStub(channel);
                for (int i = 0; i < perSender; i++) {
                    stub.send(EncryptedMessage.newBuilder().setRemoteKey(bob.key())
                            .setBody(ByteString.copyFromUtf8(sender + ":" + i)).build());
                }
            });
            threads[s].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> bob.received.size() == senders * perSender);
        assertThat(bob.received).extracting(m -> m.getBody().toStringUtf8()).doesNotHaveDuplicates();
    }

    private TestPeer connected(TestPeer peer) {
        await().atMost(Duration.ofSeconds(5)).until(() -> service.isConnected(peer.key()));
        return peer;
    }

    @Test
    void floodToAPeerThatIsNotReadingKeepsOnlyTheNewestMessagesQueued() {
        TestPeer slow = connected(new TestPeer().connectWithoutReading(channel));
        var stub = SignalExchangeGrpc.newBlockingStub(channel);
        int max = service.limits().maxQueuedMessagesPerStream();
        int flood = max * 3;
        for (int i = 0; i < flood; i++) {
            // every Send succeeds: the recipient is there, only slow
            stub.send(EncryptedMessage.newBuilder().setRemoteKey(slow.key())
                    .setBody(ByteString.copyFromUtf8("message " + i)).build());
        }
        assertThat(slow.received).isEmpty();
        assertThat(service.isConnected(slow.key())).isTrue();
        assertThat(service.queuedBytes()).isPositive();

        slow.startReading();

        await().atMost(Duration.ofSeconds(5)).until(() -> slow.received.size() >= max);
        List<String> expected = IntStream.range(flood - max, flood).mapToObj(i -> "message " + i).toList();
        assertThat(slow.received).extracting(m -> m.getBody().toStringUtf8()).containsExactlyElementsOf(expected);
        assertThat(service.queuedBytes()).isZero();
    }

    @Test
    void queuedBytesAreGivenBackWhenTheSlowPeerHangsUp() {
        TestPeer slow = connected(new TestPeer().connectWithoutReading(channel));
        var stub = SignalExchangeGrpc.newBlockingStub(channel);
        for (int i = 0; i < 5; i++) {
            stub.send(EncryptedMessage.newBuilder().setRemoteKey(slow.key())
                    .setBody(ByteString.copyFromUtf8("message " + i)).build());
        }
        assertThat(service.queuedBytes()).isPositive();

        slow.hangUp();

        await().atMost(Duration.ofSeconds(5)).until(() -> service.queuedBytes() == 0);
        assertThat(service.isConnected(slow.key())).isFalse();
    }
}
