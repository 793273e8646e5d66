package dev.tern.protocol.relay;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Issues and checks relay tokens with a secret shared by the management server and the relay nodes.
 * Thread-safe.
 *
 * <p>A token is bound to the relay peer id it was issued for: its payload is {@code <expiry>:<peer id>}, the expiry
 * in decimal Unix seconds and the peer id as NetBird prints it ({@code sha-} + base64 of the key hash). Clients carry
 * payload and signature opaquely (NetBird's client puts them into its relay Auth message unchanged, next to its own
 * peer id), so the relay can check that the peer authenticating is the one management issued the token to. NetBird's
 * own relay expects a bare expiry and does not accept these tokens; Tern's relay does not accept unbound ones.
 */
public final class RelayTokens {
    /** Shortest payload a Unix timestamp in seconds can have for any date after 2001. */
    private static final int MIN_PAYLOAD_LENGTH = 10;
    /** Between the expiry and the peer id in a payload. */
    static final char BINDING_SEPARATOR = ':';

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

    /** A token for the relay peer {@code peer} only, valid until now + {@code timeToLive}. */
    public RelayToken issue(Duration timeToLive, PeerId peer) {
        long expiry = clock.instant().plus(timeToLive).getEpochSecond();
        String payload = Long.toString(expiry) + BINDING_SEPARATOR + peer;
        return new RelayToken(payload, Base64.getEncoder().encodeToString(hmac(payload)));
    }

    /**
     * Checks that the token is ours, unexpired and issued for {@code peer}.
     *
     * @return the token's expiry
     * @throws RelayTokenException when the signature does not match, the token has expired or was issued for another
     *                             peer (or for none)
     */
    public Instant verify(RelayToken token, PeerId peer) {
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
        int separator = payload.indexOf(BINDING_SEPARATOR);
        if (separator < 0) {
            throw new RelayTokenException("token is not bound to a peer (issued by an older management server)");
        }
        long expiry;
        try {
            expiry = Long.parseLong(payload.substring(0, separator));
        } catch (NumberFormatException e) {
            throw new RelayTokenException("token payload does not start with a Unix timestamp");
        }
        if (!payload.substring(separator + 1).equals(peer.toString())) {
            throw new RelayTokenException("token was issued for another peer");
        }
        if (clock.instant().getEpochSecond() > expiry) {
            throw new RelayTokenException("token expired");
        }
        return Instant.ofEpochSecond(expiry);
    }

    /** Verifies the marshalled form carried in a relay Auth message from {@code peer}; returns the expiry. */
    public Instant verifyMarshalled(byte[] marshalled, PeerId peer) {
        return verify(RelayToken.unmarshal(marshalled), peer);
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
