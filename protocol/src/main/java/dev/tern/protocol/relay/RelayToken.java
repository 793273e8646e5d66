package dev.tern.protocol.relay;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A relay admission token as the management server hands it out in {@code RelayConfig}: {@code payload} is
 * the expiry in decimal Unix seconds and the relay peer id it was issued for ({@code <expiry>:sha-...}, see
 * {@link RelayTokens}), {@code signatureBase64} the base64 HMAC-SHA256 over the payload.
 * On the relay wire it travels marshalled: algorithm byte (1 = HMAC-SHA256) ‖ 32-byte signature ‖ payload.
 */
public record RelayToken(String payload, String signatureBase64) {
    static final byte ALGORITHM_HMAC_SHA256 = 1;
    static final int SIGNATURE_SIZE = 32;

    /** The bytes a client puts after the peer id in its Auth message. */
    public byte[] marshal() {
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(signatureBase64);
        } catch (IllegalArgumentException e) {
            throw new RelayTokenException("token signature is not valid base64");
        }
        if (signature.length != SIGNATURE_SIZE) {
            throw new RelayTokenException("token signature must be " + SIGNATURE_SIZE + " bytes");
        }
        byte[] payloadBytes = payload.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[1 + SIGNATURE_SIZE + payloadBytes.length];
        out[0] = ALGORITHM_HMAC_SHA256;
        System.arraycopy(signature, 0, out, 1, SIGNATURE_SIZE);
        System.arraycopy(payloadBytes, 0, out, 1 + SIGNATURE_SIZE, payloadBytes.length);
        return out;
    }

    public static RelayToken unmarshal(byte[] marshalled) {
        if (marshalled.length < 1 + SIGNATURE_SIZE + 1) {
            throw new RelayTokenException("token is too short");
        }
        if (marshalled[0] != ALGORITHM_HMAC_SHA256) {
            throw new RelayTokenException("unsupported token algorithm " + (marshalled[0] & 0xff));
        }
        String signature = Base64.getEncoder().encodeToString(Arrays.copyOfRange(marshalled, 1, 1 + SIGNATURE_SIZE));
        String payload = new String(marshalled, 1 + SIGNATURE_SIZE, marshalled.length - 1 - SIGNATURE_SIZE,
                StandardCharsets.US_ASCII);
        return new RelayToken(payload, signature);
    }

    /** Never prints the signature: with it, anyone could use the relay until expiry. */
    @Override
    public String toString() {
        return "RelayToken[" + payload + "]";
    }
}
