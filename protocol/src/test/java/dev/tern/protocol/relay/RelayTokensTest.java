package dev.tern.protocol.relay;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayTokensTest {
    private static final String SECRET = "correct horse battery staple";
    private static final PeerId ALICE = PeerId.ofPublicKey("zZoQm4cHy9JjPMfX4vv6YQb0Vh3Jm8o3Ljc6yqkqQ3U=");
    private static final PeerId BOB = PeerId.ofPublicKey("Yb8Qm4cHy9JjPMfX4vv6YQb0Vh3Jm8o3Ljc6yqkqQ3U=");
    private final Instant now = Instant.ofEpochSecond(1_789_999_000L);
    private final RelayTokens tokens = RelayTokens.fromSharedSecret(SECRET, Clock.fixed(now, ZoneOffset.UTC));

    @Test
    void payloadIsTheExpiryAndThePeerIdAndSignatureIsHmacOfItKeyedWithSha256OfTheSecret() {
        RelayToken token = tokens.issue(Duration.ofSeconds(1000), ALICE);

        assertThat(token.payload()).isEqualTo("1790000000:sha-ootU7W11QXLk/N7NqQww/Mh3Yv/1U9kS0mBIJtIf43M=");
        // Computed independently: base64(HMAC-SHA256(SHA-256(secret), payload)) with Python's hmac module.
        assertThat(token.signatureBase64()).isEqualTo("Ygjtn4VZyb0mFSJELQ14kQFB0fHPRcrmbDON71IDDEw=");
    }

    @Test
    void freshTokenVerifiesForItsPeerAlsoInMarshalledForm() {
        RelayToken token = tokens.issue(Duration.ofHours(1), ALICE);
        assertThat(tokens.verify(token, ALICE)).isEqualTo(now.plus(Duration.ofHours(1)));

        byte[] marshalled = token.marshal();
        assertThat(marshalled[0]).isEqualTo((byte) 1);
        assertThat(marshalled).hasSize(1 + 32 + token.payload().length());
        assertThat(RelayToken.unmarshal(marshalled)).isEqualTo(token);
        assertThatCode(() -> tokens.verifyMarshalled(marshalled, ALICE)).doesNotThrowAnyException();
    }

    @Test
    void boundTokenStillFitsNetBirdsHandshakeLimit() {
        byte[] auth = RelayFrameCodec.encode(new RelayFrame.Auth(ALICE,
                tokens.issue(Duration.ofDays(365 * 100), ALICE).marshal()));
        assertThat(auth.length).isLessThanOrEqualTo(RelayFrameCodec.MAX_HANDSHAKE_SIZE);
    }

    @Test
    void tokenOfAnotherPeerIsRejected() {
        RelayToken bobs = tokens.issue(Duration.ofHours(1), BOB);

        assertThatThrownBy(() -> tokens.verify(bobs, ALICE))
                .isInstanceOf(RelayTokenException.class).hasMessage("token was issued for another peer");
    }

    @Test
    void rebindingATokenToAnotherPeerBreaksTheSignature() {
        RelayToken bobs = tokens.issue(Duration.ofHours(1), BOB);
        RelayToken rebound = new RelayToken(bobs.payload().replace(BOB.toString(), ALICE.toString()),
                bobs.signatureBase64());

        assertThatThrownBy(() -> tokens.verify(rebound, ALICE))
                .isInstanceOf(RelayTokenException.class).hasMessage("token signature does not match");
    }

    @Test
    void unboundTokenOfTheOldFormatIsRejectedEvenWithAValidSignature() {
        // The pre-binding format: the bare expiry, signed with the same secret; it would admit any peer id.
        RelayToken unbound = new RelayToken("1790000000", "H/BB+OsN+gH8dVT5uewH7icaWpBtjE0zGqIJWalO6t8=");

        assertThatThrownBy(() -> tokens.verify(unbound, ALICE))
                .isInstanceOf(RelayTokenException.class).hasMessageContaining("not bound to a peer");
    }

    @Test
    void expiredTokenIsRejected() {
        RelayToken token = tokens.issue(Duration.ofSeconds(10), ALICE);
        RelayTokens later = RelayTokens.fromSharedSecret(SECRET, Clock.fixed(now.plusSeconds(11), ZoneOffset.UTC));

        assertThatThrownBy(() -> later.verify(token, ALICE))
                .isInstanceOf(RelayTokenException.class).hasMessage("token expired");
    }

    @Test
    void extendingTheExpiryBreaksTheSignature() {
        RelayToken token = tokens.issue(Duration.ofSeconds(10), ALICE);
        RelayToken forged = new RelayToken(token.payload().replace("1789999010", "1790086400"),
                token.signatureBase64());

        assertThat(forged.payload()).isNotEqualTo(token.payload());
        assertThatThrownBy(() -> tokens.verify(forged, ALICE))
                .isInstanceOf(RelayTokenException.class).hasMessage("token signature does not match");
    }

    @Test
    void tokenFromAnotherSecretIsRejected() {
        RelayToken foreign = RelayTokens.fromSharedSecret("another secret", Clock.fixed(now, ZoneOffset.UTC))
                .issue(Duration.ofHours(1), ALICE);

        assertThatThrownBy(() -> tokens.verify(foreign, ALICE)).isInstanceOf(RelayTokenException.class);
    }

    @Test
    void malformedTokensAreRejectedClearly() {
        assertThatThrownBy(() -> tokens.verify(new RelayToken("123", "AAAA"), ALICE))
                .isInstanceOf(RelayTokenException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> tokens.verify(new RelayToken("1790000000", "***"), ALICE))
                .isInstanceOf(RelayTokenException.class).hasMessageContaining("base64");
        assertThatThrownBy(() -> RelayToken.unmarshal(new byte[5]))
                .isInstanceOf(RelayTokenException.class).hasMessageContaining("too short");
        byte[] wrongAlgorithm = tokens.issue(Duration.ofHours(1), ALICE).marshal();
        wrongAlgorithm[0] = 2;
        assertThatThrownBy(() -> RelayToken.unmarshal(wrongAlgorithm))
                .isInstanceOf(RelayTokenException.class).hasMessageContaining("algorithm");
        // Signed, bound-looking, but no number before the separator.
        String payload = "soon:" + ALICE;
        RelayToken notANumber = new RelayToken(payload, Base64.getEncoder().encodeToString(hmacOf(payload)));
        assertThatThrownBy(() -> tokens.verify(notANumber, ALICE))
                .isInstanceOf(RelayTokenException.class).hasMessageContaining("Unix timestamp");
    }

    @Test
    void toStringHidesTheSignature() {
        RelayToken token = tokens.issue(Duration.ofHours(1), ALICE);
        assertThat(token.toString()).doesNotContain(token.signatureBase64());
    }

    private static byte[] hmacOf(String payload) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "HmacSHA256"));
            return mac.doFinal(payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
