package dev.tern.agent.ice;

import org.ice4j.StunException;
import org.ice4j.message.Message;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A binding request exactly as NetBird's pion fork sent it (captured from {@code pion-ice-peer}): USERNAME,
 * ICE-CONTROLLING, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT, then its CandidatePairID attribute 0x8100 after the
 * FINGERPRINT. ice4j refuses it as sent and accepts it normalized.
 */
class NetBirdStunTest {
    private static final String PION_REQUEST = "000100a02112a442e05ec66cb7369f1e962963940006001f656c696862316b38"
            + "753539366e323a7451424f4b4f766b597075494f5a575900802a000886cfdd6f4f030c32002400047effffff00080014"
            + "f726c64c36e54ba01724dc75cc73c9d44f7284048028000475a678958100004164633252374770642b34662f39726b31"
            + "504f30664c4a6e395932484c474f33323a704a45645a302b4d6f6871515055477532396574712f3349514433416c5942"
            + "7a000000";

    @Test
    void ice4jRefusesNetBirdsMessageAsSentAndAcceptsItNormalized() throws Exception {
        byte[] sent = HexFormat.of().parseHex(PION_REQUEST);
        assertThatThrownBy(() -> Message.decode(sent, 0, sent.length)).isInstanceOf(StunException.class)
                .hasMessageContaining("FINGERPRINT");

        byte[] buffer = Arrays.copyOf(sent, sent.length);
        int length = NetBirdStun.normalize(buffer, 0, buffer.length);
        assertThat(length).as("cut right after FINGERPRINT").isEqualTo(sent.length - 4 - 68);
        Message decoded = Message.decode(buffer, 0, length);
        assertThat(decoded.getMessageType()).isEqualTo(Message.BINDING_REQUEST);
        assertThat(decoded.getAttributeCount()).isEqualTo(5);
    }

    @Test
    void otherDatagramsPassUnchanged() {
        byte[] wireGuardInitiation = new byte[148];
        wireGuardInitiation[0] = 1;
        assertThat(NetBirdStun.normalize(wireGuardInitiation, 0, 148)).isEqualTo(148);

        byte[] sent = HexFormat.of().parseHex(PION_REQUEST);
        byte[] conform = Arrays.copyOf(sent, sent.length);
        int cut = NetBirdStun.normalize(conform, 0, conform.length);
        byte[] again = Arrays.copyOf(conform, cut);
        assertThat(NetBirdStun.normalize(again, 0, again.length)).as("an RFC-conform message").isEqualTo(cut);
        assertThat(again).isEqualTo(Arrays.copyOf(conform, cut));

        byte[] truncated = Arrays.copyOf(sent, sent.length - 8);
        assertThat(NetBirdStun.normalize(truncated, 0, truncated.length)).as("length field disagrees")
                .isEqualTo(truncated.length);
    }
}
