package dev.tern.protocol.relay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * A relay peer id: ASCII {@code "sha-"} followed by the SHA-256 of the peer's WireGuard public key
 * <em>text</em> (its base64 form), 36 bytes in all. The relay only ever sees this hash, never the key.
 */
public final class PeerId {
    public static final int SIZE = 36;
    private static final byte[] PREFIX = "sha-".getBytes(StandardCharsets.US_ASCII);

    private final byte[] bytes;

    private PeerId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The id of the peer whose WireGuard public key prints as {@code publicKeyBase64}. */
    public static PeerId ofPublicKey(String publicKeyBase64) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(publicKeyBase64.getBytes(StandardCharsets.UTF_8));
            byte[] id = new byte[SIZE];
            System.arraycopy(PREFIX, 0, id, 0, PREFIX.length);
            System.arraycopy(hash, 0, id, PREFIX.length, hash.length);
            return new PeerId(id);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    /** Wraps 36 raw bytes read off the wire. */
    public static PeerId fromBytes(byte[] raw, int offset) {
        if (raw.length - offset < SIZE) {
            throw new RelayFrameException("peer id needs " + SIZE + " bytes");
        }
        return new PeerId(Arrays.copyOfRange(raw, offset, offset + SIZE));
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    void writeTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, SIZE);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** {@code sha-} followed by base64 of the hash, as NetBird prints it. */
    @Override
    public String toString() {
        return "sha-" + Base64.getEncoder().encodeToString(Arrays.copyOfRange(bytes, PREFIX.length, SIZE));
    }
}
