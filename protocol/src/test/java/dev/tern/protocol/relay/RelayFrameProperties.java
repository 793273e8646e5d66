package dev.tern.protocol.relay;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The decoder faces the internet: whatever arrives, it yields a frame or a RelayFrameException, nothing else. */
class RelayFrameProperties {

    @Property
    void everyEncodableFrameDecodesToItself(@ForAll("frames") RelayFrame frame) {
        assertThat(RelayFrameCodec.decode(RelayFrameCodec.encode(frame))).isEqualTo(frame);
    }

    @Property(tries = 2000)
    void arbitraryBytesNeverCrashTheDecoder(@ForAll @Size(max = 300) byte[] junk) {
        try {
            RelayFrame frame = RelayFrameCodec.decode(junk);
            // Lenient where NetBird is (trailing bytes after Close/HealthCheck), so compare decoded forms.
            assertThat(RelayFrameCodec.decode(RelayFrameCodec.encode(frame))).isEqualTo(frame);
        } catch (RelayFrameException expected) {
            // rejected with a reason: fine
        }
    }

    @Property(tries = 2000)
    void validHeaderWithArbitraryBodyNeverCrashesTheDecoder(@ForAll("types") int type,
                                                            @ForAll @Size(max = 300) byte[] body) {
        byte[] msg = new byte[2 + body.length];
        msg[0] = 1;
        msg[1] = (byte) type;
        System.arraycopy(body, 0, msg, 2, body.length);
        try {
            RelayFrame frame = RelayFrameCodec.decode(msg);
            assertThat(RelayFrameCodec.decode(RelayFrameCodec.encode(frame))).isEqualTo(frame);
        } catch (RelayFrameException expected) {
            // rejected with a reason: fine
        }
    }

    @Provide
    Arbitrary<Integer> types() {
        return Arbitraries.integers().between(0, 12);
    }

    @Provide
    Arbitrary<RelayFrame> frames() {
        Arbitrary<PeerId> ids = Arbitraries.strings().ofMinLength(1).ofMaxLength(44).map(PeerId::ofPublicKey);
        Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(1500);
        Arbitrary<byte[]> tokens = Arbitraries.bytes().array(byte[].class).ofMaxSize(100);
        Arbitrary<List<PeerId>> idLists = ids.list().ofMinSize(1).ofMaxSize(20);
        return Arbitraries.oneOf(
                Combinators.combine(ids, payloads).as(RelayFrame.Transport::new),
                Combinators.combine(ids, tokens).as(RelayFrame.Auth::new),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(100).map(RelayFrame.AuthResponse::new),
                Arbitraries.just(new RelayFrame.Close()),
                Arbitraries.just(new RelayFrame.HealthCheck()),
                Combinators.combine(Arbitraries.of(RelayMessageType.SUBSCRIBE_PEER_STATE,
                        RelayMessageType.UNSUBSCRIBE_PEER_STATE, RelayMessageType.PEERS_ONLINE,
                        RelayMessageType.PEERS_WENT_OFFLINE), idLists).as(RelayFrame.PeerList::new));
    }
}
