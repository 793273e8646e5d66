package dev.tern.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.values.Secrets;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class PersonalAccessTokensTest {

    @Test
    void base62MatchesNetBirdsVectors() {
        // From netbird/base62/base62_test.go.
        long[][] numbers = {{0}, {1}, {10}, {42}, {61}, {62}, {'A'}, {'z'}, {99999}, {12345}, {123456789}, {0xFFFFFFFFL}};
        String[] expected = {"0", "1", "A", "g", "z", "10", "13", "1y", "Q0t", "3D7", "8M0kX", "4gfFC3"};
        for (int i = 0; i < numbers.length; i++) {
            assertThat(Base62.encode(numbers[i][0])).isEqualTo(expected[i]);
            assertThat(Base62.decode(expected[i])).isEqualTo(numbers[i][0]);
        }
        assertThat(Base62.decode("4gfFC4")).as("overflow").isEqualTo(-1);
        assertThat(Base62.decode("/")).isEqualTo(-1);
        assertThat(Base62.decode("")).isEqualTo(-1);
    }

    @Test
    void mintedTokensHaveNetBirdsShapeAndVerify() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            PersonalAccessTokens.Minted minted = PersonalAccessTokens.mint();
            String token = minted.plainToken();
            assertThat(token).hasSize(40).startsWith("nbp_").matches("nbp_[0-9A-Za-z]{36}");
            assertThat(PersonalAccessTokens.isWellFormed(token)).isTrue();
            assertThat(minted.hash()).isEqualTo(Secrets.sha256Hex(token));
            assertThat(minted.toString()).doesNotContain(token);
            CRC32 crc = new CRC32();
            crc.update(token.substring(4, 34).getBytes(StandardCharsets.UTF_8));
            assertThat(Base62.decode(token.substring(34))).isEqualTo(crc.getValue());
            seen.add(token);
        }
        assertThat(seen).hasSize(200);
    }

    @Test
    void shortChecksumsArePaddedWithZeros() {
        // About a fifth of all CRC32 values need fewer than six base62 digits; find one deterministically.
        for (int i = 0; ; i++) {
            String secret = String.format("%030d", i);
            CRC32 crc = new CRC32();
            crc.update(secret.getBytes(StandardCharsets.UTF_8));
            if (crc.getValue() < 916_132_832L) { // 62^5
                String checksum = PersonalAccessTokens.checksum(secret);
                assertThat(checksum).hasSize(6).startsWith("0");
                assertThat(Base62.decode(checksum)).isEqualTo(crc.getValue());
                assertThat(PersonalAccessTokens.isWellFormed("nbp_" + secret + checksum)).isTrue();
                return;
            }
        }
    }

    @Test
    void rejectsMalformedTokens() {
        String good = PersonalAccessTokens.mint().plainToken();
        assertThat(PersonalAccessTokens.isWellFormed(null)).isFalse();
        assertThat(PersonalAccessTokens.isWellFormed("")).isFalse();
        assertThat(PersonalAccessTokens.isWellFormed("nbx_" + good.substring(4))).as("prefix").isFalse();
        assertThat(PersonalAccessTokens.isWellFormed(good + "a")).as("too long").isFalse();
        assertThat(PersonalAccessTokens.isWellFormed(good.substring(0, 39))).as("too short").isFalse();
        char first = good.charAt(4);
        String typo = good.substring(0, 4) + (first == 'a' ? 'b' : 'a') + good.substring(5);
        assertThat(PersonalAccessTokens.isWellFormed(typo)).as("secret typo breaks the checksum").isFalse();
        String badChar = good.substring(0, 10) + "-" + good.substring(11);
        assertThat(PersonalAccessTokens.isWellFormed(badChar)).isFalse();
        char last = good.charAt(39);
        String badChecksum = good.substring(0, 39) + (last == '0' ? '1' : '0');
        assertThat(PersonalAccessTokens.isWellFormed(badChecksum)).isFalse();
    }
}
