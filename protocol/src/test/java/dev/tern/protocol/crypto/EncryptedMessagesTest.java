package dev.tern.protocol.crypto;

import com.google.protobuf.ByteString;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.SyncResponse;
import dev.tern.protocol.signal.Body;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EncryptedMessagesTest {
    private final X25519KeyPair peer = NaclBox.generateKeyPair();
    private final X25519KeyPair server = NaclBox.generateKeyPair();

    @Test
    void peerSealsAndServerOpensUsingTheKeyInWgPubKey() {
        LoginRequest login = LoginRequest.newBuilder().setSetupKey("KEY").build();

        EncryptedMessage sealed = EncryptedMessages.seal(login, peer, server.publicKey());

        assertThat(sealed.getWgPubKey()).isEqualTo(peer.publicKeyBase64());
        assertThat(sealed.getBody().size()).isEqualTo(24 + 16 + login.getSerializedSize());
        assertThat(EncryptedMessages.openFromSender(sealed, server.privateKey(), LoginRequest.parser()))
                .isEqualTo(login);
    }

    @Test
    void precomputedKeyWorksInBothDirections() {
        NaclBox.SharedKey serverSide = NaclBox.precompute(peer.publicKey(), server.privateKey());
        NaclBox.SharedKey peerSide = NaclBox.precompute(server.publicKey(), peer.privateKey());
        SyncResponse sync = SyncResponse.newBuilder().setRemotePeersIsEmpty(true).build();

        EncryptedMessage sealed = EncryptedMessages.seal(sync, server.publicKeyBase64(), serverSide);

        assertThat(EncryptedMessages.open(sealed, peerSide, SyncResponse.parser())).isEqualTo(sync);
        assertThat(EncryptedMessages.open(sealed, server.publicKey(), peer.privateKey(), SyncResponse.parser()))
                .isEqualTo(sync);
    }

    @Test
    void claimingSomeoneElsesKeyFailsAuthentication() {
        X25519KeyPair victim = NaclBox.generateKeyPair();
        EncryptedMessage sealed = EncryptedMessages.seal(LoginRequest.getDefaultInstance(), peer, server.publicKey())
                .toBuilder().setWgPubKey(victim.publicKeyBase64()).build();

        assertThatThrownBy(() -> EncryptedMessages.openFromSender(sealed, server.privateKey(), LoginRequest.parser()))
                .isInstanceOf(NaclBoxException.class)
                .hasMessageContaining("authentication failed");
    }

    @Test
    void authenticBodyThatIsNotTheExpectedMessageIsReportedAsSuch() {
        byte[] junk = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
        EncryptedMessage sealed = EncryptedMessage.newBuilder()
                .setWgPubKey(peer.publicKeyBase64())
                .setBody(ByteString.copyFrom(NaclBox.seal(junk, server.publicKey(), peer.privateKey())))
                .build();

        assertThatThrownBy(() -> EncryptedMessages.openFromSender(sealed, server.privateKey(), LoginRequest.parser()))
                .isInstanceOf(NaclBoxException.class)
                .hasMessageContaining("not a valid message");
    }

    @Test
    void signalBodiesAreSealedEndToEndBetweenPeers() {
        X25519KeyPair remote = NaclBox.generateKeyPair();
        Body offer = Body.newBuilder().setType(Body.Type.OFFER).setPayload("ufrag:pwd").build();

        var sealed = SignalMessages.seal(offer, peer, remote.publicKeyBase64());

        assertThat(sealed.getKey()).isEqualTo(peer.publicKeyBase64());
        assertThat(sealed.getRemoteKey()).isEqualTo(remote.publicKeyBase64());
        assertThat(SignalMessages.open(sealed, remote)).isEqualTo(offer);
        assertThatThrownBy(() -> SignalMessages.open(sealed, server)).isInstanceOf(NaclBoxException.class);
    }
}
