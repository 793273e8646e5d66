package dev.tern.protocol.wire;

import com.google.protobuf.ByteString;
import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.NaclBoxException;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.protocol.management.PeerConfig;
import dev.tern.protocol.management.ServerKeyResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import management.Management;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A client generated from NetBird's reference proto calls a service implemented on Tern's generated base class:
 * proves the method paths match and that the EncryptedMessages framing is what a NetBird peer produces by hand
 * (outer wgPubKey base64 text, body = nonce ‖ box of the serialized LoginRequest).
 */
class ReferenceClientInteropTest {
    private final X25519KeyPair serverKeys = NaclBox.generateKeyPair();
    private Server server;
    private ManagedChannel channel;

    /** A toy server: echoes the login's hostname into the fqdn, sealed back to the caller. */
    private final class LoginEcho extends ManagementServiceGrpc.ManagementServiceImplBase {
        @Override
        public void getServerKey(dev.tern.protocol.management.Empty request,
                                 StreamObserver<ServerKeyResponse> response) {
            response.onNext(ServerKeyResponse.newBuilder().setKey(serverKeys.publicKeyBase64()).build());
            response.onCompleted();
        }

        @Override
        public void login(EncryptedMessage request, StreamObserver<EncryptedMessage> response) {
            LoginRequest login;
            try {
                login = EncryptedMessages.openFromSender(request, serverKeys.privateKey(), LoginRequest.parser());
            } catch (NaclBoxException e) {
                response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
                return;
            }
            LoginResponse reply = LoginResponse.newBuilder()
                    .setPeerConfig(PeerConfig.newBuilder().setFqdn(login.getMeta().getHostname() + ".tern.internal"))
                    .build();
            byte[] peerKey = EncryptedMessages.senderKey(request);
            response.onNext(EncryptedMessages.seal(reply, serverKeys, peerKey));
            response.onCompleted();
        }
    }

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(new LoginEcho()).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void referenceClientLogsInThroughTernGeneratedService() throws Exception {
        var client = management.ManagementServiceGrpc.newBlockingStub(channel);
        X25519KeyPair peer = NaclBox.generateKeyPair();

        Management.ServerKeyResponse key = client.getServerKey(Management.Empty.getDefaultInstance());
        byte[] serverPublic = Base64.getDecoder().decode(key.getKey());
        byte[] loginBytes = Management.LoginRequest.newBuilder()
                .setMeta(Management.PeerSystemMeta.newBuilder().setHostname("edge-1"))
                .build().toByteArray();
        Management.EncryptedMessage reply = client.login(Management.EncryptedMessage.newBuilder()
                .setWgPubKey(peer.publicKeyBase64())
                .setBody(ByteString.copyFrom(NaclBox.seal(loginBytes, serverPublic, peer.privateKey())))
                .build());

        byte[] plain = NaclBox.open(reply.getBody().toByteArray(), serverPublic, peer.privateKey());
        assertThat(reply.getWgPubKey()).isEqualTo(serverKeys.publicKeyBase64());
        assertThat(Management.LoginResponse.parseFrom(plain).getPeerConfig().getFqdn())
                .isEqualTo("edge-1.tern.internal");
    }

    @Test
    void bodySealedToAnotherServerKeyIsRejected() {
        var client = management.ManagementServiceGrpc.newBlockingStub(channel);
        X25519KeyPair peer = NaclBox.generateKeyPair();
        X25519KeyPair otherServer = NaclBox.generateKeyPair();
        byte[] body = NaclBox.seal(new byte[]{0x0a, 0x00}, otherServer.publicKey(), peer.privateKey());

        assertThatThrownBy(() -> client.login(Management.EncryptedMessage.newBuilder()
                .setWgPubKey(peer.publicKeyBase64()).setBody(ByteString.copyFrom(body)).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
                        .isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining("authentication failed");
    }

    @Test
    void garbageWgPubKeyIsRejected() {
        var client = management.ManagementServiceGrpc.newBlockingStub(channel);
        assertThatThrownBy(() -> client.login(Management.EncryptedMessage.newBuilder()
                .setWgPubKey("%%%").setBody(ByteString.copyFrom(new byte[64])).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("wgPubKey is not valid base64");
    }
}
