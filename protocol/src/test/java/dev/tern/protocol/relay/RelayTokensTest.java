package dev.tern.protocol.relay;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayTokensTest {
    private static final String SECRET = "correct horse battery staple";
    private final Instant now = Instant.ofEpochSecond(1_789_999_000L);
    private final RelayTokens tokens = RelayTokens.fromSharedSecret(SECRET, Clock.fixed(now, ZoneOffset.UTC));

    @Test
    void payloadIsTheExpiryInUnixSecondsAndSignatureIsHmacOfItKeyedWithSha256OfTheSecret() {
        RelayToken token = tokens.issue(Duration.ofSeconds(1000));

        assertThat(token.payload()).isEqualTo("1790000000");
        // Computed independently: base64(HMAC-SHA256(SHA-256(secret), "1790000000")) with Python's hmac module.
        assertThat(token.signatureBase64()).isEqualTo("H/BB+OsN+gH8dVT5uewH7icaWpBtjE0zGqIJWalO6t8=");
    }

    @Test
    void freshTokenVerifiesAlsoInMarshalledForm() {
        RelayToken token = tokens.issue(Duration.ofHours(1));
        assertThatCode(() -> tokens.verify(token)).doesNotThrowAnyException();

        byte[] marshalled = token.marshal();
        assertThat(marshalled[0]).isEqualTo((byte) 1);
        assertThat(marshalled).hasSize(1 + 32 + token.payload().length());
        assertThat(RelayToken.unmarshal(marshalled)).isEqualTo(token);
        assertThatCode(() -> tokens.verifyMarshalled(marshalled)).doesNotThrowAnyException();
    }

    @Test
    void expiredTokenIsRejected() {
        RelayToken token = tokens.issue(Duration.ofSeconds(10));
        RelayTokens later = RelayTokens.fromSharedSecret(SECRET, Clock.fixed(now.plusSeconds(11), ZoneOffset.UTC));

        assertThatThrownBy(() -> later.verify(token))
                .isInstanceOf(RelayTokenException.class).hasMessage("token expired");
    }

    @Test
    void extendingTheExpiryBreaksTheSignature() {
        RelayToken token = tokens.issue(Duration.ofSeconds(10));
        RelayToken forged = new RelayToken(Long.toString(Long.parseLong(token.payload()) + 86400), token.signatureBase64());

        assertThatThrownBy(() -> tokens.verify(forged))
                .isInstanceOf(RelayTokenException.class).hasMessage("token signature does not match");
    }

    @Test
    void tokenFromAnotherSecretIsRejected() {
        RelayToken foreign = RelayTokens.fromSharedSecret("another secret", Clock.fixed(now, ZoneOffset.UTC))
                .issue(Duration.ofHours(1));

        assertThatThrownBy(() -> tokens.verify(foreign)).isInstanceOf(RelayTokenException.class);
    }

    @Test
    void malformedTokensAreRejectedClearly() {
        assertThatThrownBy(() -> tokens.verify(new RelayToken("123", "AAAA")))
                .isInstanceOf(RelayTokenException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> tokens.verify(new RelayToken("1790000000", "***")))
                .isInstanceOf(RelayTokenException.class).hasMessageContaining("base64");
        assertThatThrownBy(() -> RelayToken.unmarshal(new byte[5]))
                .isInstanceOf(RelayTokenException.class).hasMessageContaining("too short");
        byte[] wrongAlgorithm = tokens.issue(Duration.ofHours(1)).marshal();
        wrongAlgorithm[0] = 2;
        assertThatThrownBy(() -> RelayToken.unmarshal(wrongAlgorithm))
                .isInstanceOf(RelayTokenException.class).hasMessageContaining("algorithm");
    }

    @Test
    void toStringHidesTheSignature() {
        RelayToken token = tokens.issue(Duration.ofHours(1));
        assertThat(token.toString()).doesNotContain(token.signatureBase64());
    }
}
