package dev.tern.agent;

import dev.tern.protocol.crypto.NaclBox;

/** Fresh WireGuard keys for tests. */
final class TestKeys {
    private TestKeys() {
    }

    static String publicKey() {
        return NaclBox.generateKeyPair().publicKeyBase64();
    }
}
