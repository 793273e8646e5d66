package dev.tern.protocol.crypto;

import java.util.Arrays;
import java.util.Base64;

/**
 * An X25519 key pair, which is exactly a WireGuard key pair. {@link #toString()} never shows the private key.
 */
public final class X25519KeyPair {
    private final byte[] privateKey;
    private final byte[] publicKey;

    X25519KeyPair(byte[] privateKey, byte[] publicKey) {
        this.privateKey = privateKey.clone();
        this.publicKey = publicKey.clone();
    }

    /** Rebuilds the pair from a stored private key (raw 32 bytes). */
    public static X25519KeyPair fromPrivateKey(byte[] privateKey) {
        return new X25519KeyPair(privateKey, NaclBox.publicKeyOf(privateKey));
    }

    /** Rebuilds the pair from a WireGuard-style base64 private key. */
    public static X25519KeyPair fromPrivateKeyBase64(String privateKeyBase64) {
        return fromPrivateKey(Keys.decode(privateKeyBase64, "private key"));
    }

    public byte[] privateKey() {
        return privateKey.clone();
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** Public key as WireGuard prints it (standard base64, 44 characters). */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey);
    }

    /** Private key as WireGuard stores it; for the key file only, never for logs. */
    public String privateKeyBase64() {
        return Base64.getEncoder().encodeToString(privateKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof X25519KeyPair other && Arrays.equals(privateKey, other.privateKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "X25519KeyPair[public=" + publicKeyBase64() + "]";
    }
}
