package dev.tern.protocol.relay;

import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayFrameCodecTest {
    private final PeerId alice = PeerId.ofPublicKey("x3Ym0bV1mV2d8rB0s5h6cQ1i7H6Hbb8wWq3Ak0q6f1E=");
    private final PeerId bob = PeerId.ofPublicKey("Zk1rZnhG3c0zPqbG8pD2wG5U1i8b9wQ0TzA7j5sX0nE=");

    @Test
    void peerIdIsShaPrefixFollowedBySha256OfTheKeyText() {
        PeerId id = PeerId.ofPublicKey("abc");
        byte[] bytes = id.toBytes();
        assertThat(bytes).hasSize(36);
        assertThat(new String(bytes, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("sha-");
        // SHA-256("abc") from FIPS 180-2.
        assertThat(java.util.Arrays.copyOfRange(bytes, 4, 36))
                .isEqualTo(Hex.decode("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        assertThat(id.toString()).isEqualTo("sha-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    }

    @Test
    void transportLayoutIsVersionTypePeerIdPayload() {
        byte[] packet = {9, 8, 7};
        byte[] msg = RelayFrameCodec.encode(new RelayFrame.Transport(bob, packet));

        assertThat(msg).hasSize(2 + 36 + 3);
        assertThat(msg[0]).isEqualTo((byte) 1);
        assertThat(msg[1]).isEqualTo((byte) 3);
        assertThat(java.util.Arrays.copyOfRange(msg, 2, 38)).isEqualTo(bob.toBytes());
        assertThat(java.util.Arrays.copyOfRange(msg, 38, 41)).containsExactly(9, 8, 7);
    }

    @Test
    void authLayoutCarriesMagicPeerIdAndToken() {
        byte[] token = {1, 2, 3, 4};
        byte[] msg = RelayFrameCodec.encode(new RelayFrame.Auth(alice, token));

        assertThat(java.util.Arrays.copyOfRange(msg, 0, 6)).containsExactly(1, 6, 0x21, 0x12, 0xA4, 0x42);
        assertThat(java.util.Arrays.copyOfRange(msg, 6, 42)).isEqualTo(alice.toBytes());
        assertThat(java.util.Arrays.copyOfRange(msg, 42, 46)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void controlMessagesAreJustTheHeader() {
        assertThat(RelayFrameCodec.encode(new RelayFrame.Close())).containsExactly(1, 4);
        assertThat(RelayFrameCodec.encode(new RelayFrame.HealthCheck())).containsExactly(1, 5);
    }

    @Test
    void everyFrameTypeRoundTrips() {
        List<RelayFrame> frames = List.of(
                new RelayFrame.Transport(alice, new byte[]{1, 2, 3}),
                new RelayFrame.Transport(alice, new byte[0]),
                new RelayFrame.Close(),
                new RelayFrame.HealthCheck(),
                new RelayFrame.Auth(bob, "token".getBytes(StandardCharsets.US_ASCII)),
                new RelayFrame.AuthResponse("rels://relay.example:443"),
                new RelayFrame.PeerList(RelayMessageType.SUBSCRIBE_PEER_STATE, List.of(alice, bob)),
                new RelayFrame.PeerList(RelayMessageType.UNSUBSCRIBE_PEER_STATE, List.of(bob)),
                new RelayFrame.PeerList(RelayMessageType.PEERS_ONLINE, List.of(alice)),
                new RelayFrame.PeerList(RelayMessageType.PEERS_WENT_OFFLINE, List.of(bob, alice)));
        for (RelayFrame frame : frames) {
            assertThat(RelayFrameCodec.decode(RelayFrameCodec.encode(frame))).as(frame.toString()).isEqualTo(frame);
        }
    }

    @Test
    void relayRewritesTheTransportPeerIdToTheSender() {
        byte[] msg = RelayFrameCodec.encode(new RelayFrame.Transport(bob, new byte[]{42}));
        assertThat(RelayFrameCodec.transportPeerId(msg)).isEqualTo(bob);

        RelayFrameCodec.rewriteTransportPeerId(msg, alice);

        assertThat(RelayFrameCodec.decode(msg)).isEqualTo(new RelayFrame.Transport(alice, new byte[]{42}));
    }

    @Test
    void longPeerListsSplitIntoMessagesWithinTheSizeLimit() {
        List<PeerId> ids = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            ids.add(PeerId.ofPublicKey("peer-" + i));
        }
        List<byte[]> messages = RelayFrameCodec.encodePeerList(RelayMessageType.PEERS_ONLINE, ids);

        assertThat(messages).hasSize(3); // 244 ids fit one 8820-byte message
        List<PeerId> decoded = new ArrayList<>();
        for (byte[] msg : messages) {
            assertThat(msg.length).isLessThanOrEqualTo(RelayFrameCodec.MAX_MESSAGE_SIZE);
            decoded.addAll(((RelayFrame.PeerList) RelayFrameCodec.decode(msg)).peerIds());
        }
        assertThat(decoded).isEqualTo(ids);
    }

    @Test
    void wrongVersionIsRejected() {
        assertThatThrownBy(() -> RelayFrameCodec.decode(new byte[]{2, 4}))
                .isInstanceOf(RelayFrameException.class).hasMessageContaining("version 2");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 12, 255})
    void unknownAndRetiredTypesAreRejected(int type) {
        assertThatThrownBy(() -> RelayFrameCodec.decode(new byte[]{1, (byte) type}))
                .isInstanceOf(RelayFrameException.class).hasMessageContaining("unknown relay message type");
    }

    @Test
    void truncatedMessagesAreRejected() {
        assertThatThrownBy(() -> RelayFrameCodec.decode(new byte[]{1}))
                .isInstanceOf(RelayFrameException.class);
        assertThatThrownBy(() -> RelayFrameCodec.decode(new byte[]{1, 3, 0x73, 0x68}))
                .isInstanceOf(RelayFrameException.class).hasMessageContaining("shorter than a peer id");
        assertThatThrownBy(() -> RelayFrameCodec.decode(new byte[]{1, 7}))
                .isInstanceOf(RelayFrameException.class).hasMessageContaining("no instance URL");
        byte[] ragged = new byte[2 + 36 + 5];
        ragged[0] = 1;
        ragged[1] = 10;
        assertThatThrownBy(() -> RelayFrameCodec.decode(ragged))
                .isInstanceOf(RelayFrameException.class).hasMessageContaining("whole number");
    }

    @Test
    void authWithWrongMagicIsRejected() {
        byte[] msg = RelayFrameCodec.encode(new RelayFrame.Auth(alice, new byte[]{1}));
        msg[2] = 0;
        assertThatThrownBy(() -> RelayFrameCodec.decode(msg))
                .isInstanceOf(RelayFrameException.class).hasMessageContaining("magic");
    }

    @Test
    void oversizedMessagesAreRejectedBothWays() {
        assertThatThrownBy(() -> RelayFrameCodec.encode(new RelayFrame.Auth(alice, new byte[212])))
                .isInstanceOf(RelayFrameException.class).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> RelayFrameCodec.encode(new RelayFrame.Transport(alice, new byte[8783])))
                .isInstanceOf(RelayFrameException.class);
        assertThat(RelayFrameCodec.encode(new RelayFrame.Transport(alice, new byte[8782]))).hasSize(8820);
        byte[] big = new byte[8821];
        big[0] = 1;
        big[1] = 3;
        assertThatThrownBy(() -> RelayFrameCodec.decode(big))
                .isInstanceOf(RelayFrameException.class).hasMessageContaining("exceeds");
    }

    @Test
    void authTokenIsNotPrinted() {
        assertThat(new RelayFrame.Auth(alice, "secret-token".getBytes(StandardCharsets.US_ASCII)).toString())
                .doesNotContain("secret-token");
    }
}
