package dev.tern.events.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Device-reported text: what is unsafe, and that no PeerSystemMeta (so no event) can carry it. */
class DeviceTextTest {

    @Test
    void controlCharactersSeparatorsLoneSurrogatesAndBidiOverridesAreUnsafe() {
        for (int unsafe : new int[]{0x00, 0x07, '\n', '\r', '\t', 0x1B, 0x7F, 0x85, 0x9F, 0x2028, 0x2029, 0x202E,
                0x2066, 0xD800, 0xDFFF}) {
            assertThat(DeviceText.isUnsafe(unsafe)).as("U+%04X", unsafe).isTrue();
        }
        for (int safe : new int[]{'a', ' ', '-', '.', '_', 0xE9, 0x4E2D, 0x1F600}) {
            assertThat(DeviceText.isUnsafe(safe)).as("U+%04X", safe).isFalse();
        }
    }

    @Test
    void requireSafeNamesTheFieldAndTheCharacterButNotTheValue() {
        assertThat(DeviceText.requireSafe("laptop-ä", "hostname")).isEqualTo("laptop-ä");
        assertThatThrownBy(() -> DeviceText.requireSafe("evil\u0000secret", "meta.hostname"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("meta.hostname").hasMessageContaining("U+0000").hasMessageContaining("position 4")
                .hasMessageNotContaining("secret");
    }

    @Test
    void cleanRemovesUnsafeCharactersAndCutsWithoutSplittingASurrogatePair() {
        assertThat(DeviceText.clean(" Linux\u0000\n 6.1\u202E ", 256)).isEqualTo("Linux 6.1");
        assertThat(DeviceText.clean(null, 10)).isEmpty();
        assertThat(DeviceText.clean("x".repeat(1000), 256)).hasSize(256);
        String emojis = "\uD83D\uDE00".repeat(10); // 20 chars
        assertThat(DeviceText.clean(emojis, 5)).isEqualTo("\uD83D\uDE00\uD83D\uDE00");
        assertThat(DeviceText.clean("ab\uD800cd", 10)).isEqualTo("abcd");
    }

    @Test
    void peerSystemMetaNeverHoldsUnsafeOrUnboundedText() {
        String longKernel = "#1-SMP-PREEMPT_DYNAMIC-".repeat(100);
        PeerSystemMeta meta = new PeerSystemMeta("web\u0000-01\n", "linux", longKernel, "6.1\u0000", "Debian\r\n",
                "12", "x86_64", "0.60.0", "", "SN\u0000\u0000\u0000");

        // Stored events are read through this same canonical constructor, so old ones holding a NUL load cleaned.
        assertThat(meta.hostname()).isEqualTo("web-01");
        assertThat(meta.kernel()).hasSize(DeviceText.MAX_META_FIELD).startsWith("#1-SMP");
        assertThat(meta.kernelVersion()).isEqualTo("6.1");
        assertThat(meta.os()).isEqualTo("Debian");
        assertThat(meta.systemSerialNumber()).isEqualTo("SN");
        assertThatThrownBy(() -> new PeerSystemMeta("\u0000\u0007", "", "", "", "", "", "", "", "", ""))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("hostname must not be empty");
    }
}
