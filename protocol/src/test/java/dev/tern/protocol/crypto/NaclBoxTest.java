package dev.tern.protocol.crypto;

import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NaclBoxTest {
    // Test vectors from D. J. Bernstein, "Cryptography in NaCl" (sections 6-10): Alice's and Bob's keys,
    // the 24-byte nonce, the 131-byte message and the crypto_box output (16-byte authenticator first).
    static final byte[] ALICE_SK = Hex.decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    static final byte[] ALICE_PK = Hex.decode("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    static final byte[] BOB_SK = Hex.decode("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    static final byte[] BOB_PK = Hex.decode("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    static final byte[] NONCE = Hex.decode("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37");
    static final byte[] MESSAGE = Hex.decode(
            "be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5e"
            + "cbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb310e3be8"
            + "250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde048977eb4"
            + "8f59ffd4924ca1c60902e52f0a089bc76897040e082f937763848645e0705");
    static final byte[] BOX = Hex.decode(
            "f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce483"
            + "32ea7164d96a4476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c97271d2c2"
            + "0f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae902243685"
            + "17acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d"
            + "14a6599b1f654cb45a74e355a5");
    // The paper's "firstkey": crypto_box_beforenm(bobpk, alicesk) = HSalsa20 of the X25519 secret.
    static final byte[] BEFORE_NM = Hex.decode("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");

    @Test
    void publicKeysDeriveFromThePublishedSecretKeys() {
        assertThat(NaclBox.publicKeyOf(ALICE_SK)).isEqualTo(ALICE_PK);
        assertThat(NaclBox.publicKeyOf(BOB_SK)).isEqualTo(BOB_PK);
    }

    @Test
    void beforeNmMatchesThePublishedFirstKeyFromBothSides() {
        assertThat(NaclBox.beforeNm(BOB_PK, ALICE_SK)).isEqualTo(BEFORE_NM);
        assertThat(NaclBox.beforeNm(ALICE_PK, BOB_SK)).isEqualTo(BEFORE_NM);
    }

    @Test
    void boxOfThePublishedMessageEqualsThePublishedCiphertext() {
        byte[] box = NaclBox.precompute(BOB_PK, ALICE_SK).secretbox(MESSAGE, NONCE);
        assertThat(MESSAGE).hasSize(131);
        assertThat(box).isEqualTo(BOX);
    }

    @Test
    void bobOpensThePublishedCiphertextInNetBirdFraming() {
        byte[] sealed = concat(NONCE, BOX);
        assertThat(NaclBox.open(sealed, ALICE_PK, BOB_SK)).isEqualTo(MESSAGE);
    }

    @Test
    void roundTripWithFreshKeysAndRandomNonce() {
        X25519KeyPair peer = NaclBox.generateKeyPair();
        X25519KeyPair server = NaclBox.generateKeyPair();
        byte[] plain = "login request".getBytes(StandardCharsets.UTF_8);

        byte[] sealed = NaclBox.seal(plain, server.publicKey(), peer.privateKey());

        assertThat(sealed).hasSize(NaclBox.NONCE_BYTES + NaclBox.MAC_BYTES + plain.length);
        assertThat(NaclBox.open(sealed, peer.publicKey(), server.privateKey())).isEqualTo(plain);
    }

    @Test
    void emptyMessageRoundTrips() {
        X25519KeyPair a = NaclBox.generateKeyPair();
        X25519KeyPair b = NaclBox.generateKeyPair();
        byte[] sealed = NaclBox.seal(new byte[0], b.publicKey(), a.privateKey());
        assertThat(NaclBox.open(sealed, a.publicKey(), b.privateKey())).isEmpty();
    }

    @Test
    void everySealUsesADifferentNonce() {
        X25519KeyPair a = NaclBox.generateKeyPair();
        X25519KeyPair b = NaclBox.generateKeyPair();
        byte[] first = NaclBox.seal(MESSAGE, b.publicKey(), a.privateKey());
        byte[] second = NaclBox.seal(MESSAGE, b.publicKey(), a.privateKey());
        assertThat(java.util.Arrays.copyOf(first, 24)).isNotEqualTo(java.util.Arrays.copyOf(second, 24));
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void flippingAnyBitOfTheSealedMessageIsDetected() {
        byte[] sealed = concat(NONCE, BOX);
        for (int i = 0; i < sealed.length; i++) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assertThatThrownBy(() -> NaclBox.open(tampered, ALICE_PK, BOB_SK))
                    .as("tampered byte %d", i)
                    .isInstanceOf(NaclBoxException.class)
                    .hasMessageContaining("authentication failed");
        }
    }

    @Test
    void wrongRecipientKeyIsRejected() {
        X25519KeyPair stranger = NaclBox.generateKeyPair();
        assertThatThrownBy(() -> NaclBox.open(concat(NONCE, BOX), ALICE_PK, stranger.privateKey()))
                .isInstanceOf(NaclBoxException.class)
                .hasMessageContaining("authentication failed");
    }

    @Test
    void wrongClaimedSenderIsRejected() {
        X25519KeyPair impostor = NaclBox.generateKeyPair();
        assertThatThrownBy(() -> NaclBox.open(concat(NONCE, BOX), impostor.publicKey(), BOB_SK))
                .isInstanceOf(NaclBoxException.class);
    }

    @Test
    void truncatedMessageIsRejectedClearly() {
        assertThatThrownBy(() -> NaclBox.open(new byte[30], ALICE_PK, BOB_SK))
                .isInstanceOf(NaclBoxException.class)
                .hasMessageContaining("too short");
        byte[] truncated = java.util.Arrays.copyOf(concat(NONCE, BOX), 24 + 16 + 10);
        assertThatThrownBy(() -> NaclBox.open(truncated, ALICE_PK, BOB_SK))
                .isInstanceOf(NaclBoxException.class);
    }

    @Test
    void lowOrderPublicKeyIsRefused() {
        byte[] zeroPoint = new byte[32];
        assertThatThrownBy(() -> NaclBox.seal(MESSAGE, zeroPoint, ALICE_SK))
                .isInstanceOf(NaclBoxException.class)
                .hasMessageContaining("low order");
    }

    @Test
    void keysOfTheWrongLengthAreRefused() {
        assertThatThrownBy(() -> NaclBox.seal(MESSAGE, new byte[31], ALICE_SK))
                .isInstanceOf(NaclBoxException.class).hasMessageContaining("32 bytes");
    }

    @Test
    void keyPairRestoresFromBase64AndHidesPrivateKeyInToString() {
        X25519KeyPair original = NaclBox.generateKeyPair();
        X25519KeyPair restored = X25519KeyPair.fromPrivateKeyBase64(original.privateKeyBase64());
        assertThat(restored.publicKey()).isEqualTo(original.publicKey());
        assertThat(restored.publicKeyBase64()).hasSize(44);
        assertThat(restored.toString()).doesNotContain(original.privateKeyBase64());
    }

    @Test
    void malformedBase64KeyIsRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> Keys.decode("not*base64!", "wgPubKey"))
                .isInstanceOf(NaclBoxException.class)
                .hasMessage("wgPubKey is not valid base64");
        assertThatThrownBy(() -> Keys.decode("AAAA", "wgPubKey"))
                .isInstanceOf(NaclBoxException.class)
                .hasMessageContaining("32 bytes");
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
