package dev.tern.protocol.wire;

import com.google.protobuf.ByteString;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.SignalMessages;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.signal.Body;
import dev.tern.protocol.signal.EncryptedMessage;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import signalexchange.Signalexchange;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A signal client generated from NetBird's reference proto calls a service built on Tern's generated base
 * class, and a body sealed by Tern's SignalMessages opens as the reference Body: method paths and end-to-end
 * framing agree.
 */
class ReferenceSignalClientInteropTest {
    private final BlockingQueue<EncryptedMessage> received = new LinkedBlockingQueue<>();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new SignalExchangeGrpc.SignalExchangeImplBase() {
                    @Override
                    public void send(EncryptedMessage request, StreamObserver<EncryptedMessage> response) {
                        received.add(request);
                        response.onNext(EncryptedMessage.getDefaultInstance());
                        response.onCompleted();
                    }
                }).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void referenceClientSendsAnOfferThatTernSealingProduced() throws Exception {
        X25519KeyPair alice = NaclBox.generateKeyPair();
        X25519KeyPair bob = NaclBox.generateKeyPair();
        Body offer = Body.newBuilder().setType(Body.Type.OFFER).setPayload("ufrag:pwd").setWgListenPort(51820)
                .setNetBirdVersion("tern").build();
        EncryptedMessage sealed = SignalMessages.seal(offer, alice, bob.publicKeyBase64());

        signalexchange.SignalExchangeGrpc.newBlockingStub(channel).send(Signalexchange.EncryptedMessage.newBuilder()
                .setKey(sealed.getKey()).setRemoteKey(sealed.getRemoteKey()).setBody(sealed.getBody()).build());

        EncryptedMessage atServer = received.poll(5, TimeUnit.SECONDS);
        assertThat(atServer).isEqualTo(sealed);
        byte[] plain = NaclBox.open(atServer.getBody().toByteArray(), alice.publicKey(), bob.privateKey());
        Signalexchange.Body theirs = Signalexchange.Body.parseFrom(plain);
        assertThat(theirs.getType()).isEqualTo(Signalexchange.Body.Type.OFFER);
        assertThat(theirs.getPayload()).isEqualTo("ufrag:pwd");
        assertThat(theirs.getWgListenPort()).isEqualTo(51820);
        assertThat(theirs.getNetBirdVersion()).isEqualTo("tern");
    }

    @Test
    void bodySealedByAReferenceEncoderOpensWithTernHelpers() {
        X25519KeyPair alice = NaclBox.generateKeyPair();
        X25519KeyPair bob = NaclBox.generateKeyPair();
        byte[] theirBody = Signalexchange.Body.newBuilder().setType(Signalexchange.Body.Type.CANDIDATE)
                .setPayload("candidate:1 1 udp 1 192.0.2.1 51820 typ host").build().toByteArray();
        EncryptedMessage message = EncryptedMessage.newBuilder().setKey(alice.publicKeyBase64())
                .setRemoteKey(bob.publicKeyBase64())
                .setBody(ByteString.copyFrom(NaclBox.seal(theirBody, bob.publicKey(), alice.privateKey()))).build();

        Body ours = SignalMessages.open(message, bob);

        assertThat(ours.getType()).isEqualTo(Body.Type.CANDIDATE);
        assertThat(ours.getPayload()).startsWith("candidate:1");
    }
}
