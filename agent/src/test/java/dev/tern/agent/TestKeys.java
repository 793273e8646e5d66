package dev.tern.agent;

import dev.tern.protocol.crypto.NaclBox;

/** Fresh WireGuard keys for tests. */
public final class TestKeys {
    private TestKeys() {
    }

    public static String publicKey() {
        return NaclBox.generateKeyPair().publicKeyBase64();
    }
}
