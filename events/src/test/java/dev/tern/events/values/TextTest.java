package dev.tern.events.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TextTest {

    @Test
    void ordinaryTextInAnyScriptPasses() {
        for (String ok : new String[]{"dev", "Büro München", "开发组", "שלום", "laptop 😀", "a-b_c.d@e", "x".repeat(255)}) {
            assertThat(Text.problem(ok, 255)).as(ok).isNull();
        }
        assertThat(Text.problem(null, 10)).isNull();
        assertThat(Text.require("dev", "group name", 255)).isEqualTo("dev");
    }

    @Test
    void controlCharactersAndLineBreaksAreRefusedInSingleLineText() {
        for (String bad : new String[]{"a\u0000b", "a\nb", "a\rb", "a\tb", "a\u001b[31mb", "a\u007fb", "a\u0085b",
                "a\u009bb", "a\u2028b", "a\u2029b"}) {
            assertThat(Text.problem(bad, 255)).as(bad).isNotNull();
        }
        assertThat(Text.problem("a\u0000b", 255)).contains("NUL");
    }

    @Test
    void multiLineTextMayHoldTabsAndLineBreaksButNoOtherControls() {
        assertThat(Text.problem("line one\r\nline two\tend", 255, true)).isNull();
        assertThat(Text.problem("a\u0000b", 255, true)).isNotNull();
        assertThat(Text.problem("a\u001b[2Jb", 255, true)).isNotNull();
    }

    @Test
    void unpairedSurrogatesAreRefused() {
        assertThat(Text.problem("a\uD800", 255)).contains("surrogate");
        assertThat(Text.problem("\uDC00a", 255)).contains("surrogate");
        assertThat(Text.problem("a\uD800b\uDC00", 255)).contains("surrogate");
        assertThat(Text.problem("\uD83D\uDE00", 255)).isNull();
    }

    @Test
    void bidirectionalOverridesAreRefused() {
        for (char c : new char[]{'\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068',
                '\u2069'}) {
            assertThat(Text.problem("admin" + c + "txt", 255, true)).as(Integer.toHexString(c)).contains("bidirectional");
        }
    }

    @Test
    void lengthIsBoundedAndTheReasonNeverQuotesTheValue() {
        assertThat(Text.problem("x".repeat(11), 10)).contains("longer than 10");
        assertThatThrownBy(() -> Text.require("secret\u0000value", "token name", 255))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("token name ")
                .hasMessageNotContaining("secret");
    }
}
