package dev.tern.protocol.relay;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * Issues and checks relay tokens with a secret shared by the management server and the relay nodes.
 * Thread-safe.
 */
public final class RelayTokens {
    /** Shortest payload a Unix timestamp in seconds can have for any date after 2001. */
    private static final int MIN_PAYLOAD_LENGTH = 10;

    private final SecretKeySpec key;
    private final Clock clock;

    /** Keys the HMAC with {@code hmacKey} as given. */
    public RelayTokens(byte[] hmacKey, Clock clock) {
        if (hmacKey == null || hmacKey.length < 16) {
            throw new IllegalArgumentException("relay secret must be at least 16 bytes");
        }
        this.key = new SecretKeySpec(hmacKey.clone(), "HmacSHA256");
        this.clock = clock;
    }

    /**
     * Keys the HMAC with SHA-256 of a configured secret string, as NetBird's management server and relay do,
     * so a configured secret of any length yields a full-size key.
     */
    public static RelayTokens fromSharedSecret(String secret, Clock clock) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("relay secret is empty");
        }
        try {
            byte[] hashed = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return new RelayTokens(hashed, clock);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    /** A token valid until now + {@code timeToLive}. */
    public RelayToken issue(Duration timeToLive) {
        long expiry = clock.instant().plus(timeToLive).getEpochSecond();
        String payload = Long.toString(expiry);
        return new RelayToken(payload, Base64.getEncoder().encodeToString(hmac(payload)));
    }

    /**
     * @throws RelayTokenException when the signature does not match or the token has expired
     */
    public void verify(RelayToken token) {
        String payload = token.payload();
        if (payload == null || payload.length() < MIN_PAYLOAD_LENGTH) {
            throw new RelayTokenException("token payload is too short to be an expiry");
        }
        byte[] presented;
        try {
            presented = Base64.getDecoder().decode(token.signatureBase64());
        } catch (IllegalArgumentException e) {
            throw new RelayTokenException("token signature is not valid base64");
        }
        if (!MessageDigest.isEqual(hmac(payload), presented)) {
            throw new RelayTokenException("token signature does not match");
        }
        long expiry;
        try {
            expiry = Long.parseLong(payload);
        } catch (NumberFormatException e) {
            throw new RelayTokenException("token payload is not a Unix timestamp");
        }
        if (clock.instant().getEpochSecond() > expiry) {
            throw new RelayTokenException("token expired");
        }
    }

    /** Verifies the marshalled form carried in a relay Auth message. */
    public void verifyMarshalled(byte[] marshalled) {
        verify(RelayToken.unmarshal(marshalled));
    }

    private byte[] hmac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java runtime", e);
        }
    }
}
