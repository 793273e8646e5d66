package dev.tern.protocol.crypto;

import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.util.Arrays;
import org.bouncycastle.util.Pack;

import java.security.SecureRandom;

/**
 * NaCl {@code crypto_box} (curve25519-xsalsa20-poly1305) on Bouncy Castle, in the framing NetBird uses for
 * every sealed gRPC body: {@code nonce(24) ‖ mac(16) ‖ ciphertext}.
 *
 * <p>crypto_box = X25519 shared secret → HSalsa20 with an all-zero nonce (the "beforenm" key) →
 * XSalsa20-Poly1305 secretbox, where the first 32 keystream bytes key Poly1305 and the rest encrypt.
 */
public final class NaclBox {
    public static final int NONCE_BYTES = 24;
    public static final int MAC_BYTES = 16;
    public static final int KEY_BYTES = Keys.KEY_BYTES;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] HSALSA_ZERO_NONCE = new byte[16];
    // "expand 32-byte k" as four little-endian words.
    private static final int[] SIGMA = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

    private NaclBox() {
    }

    public static X25519KeyPair generateKeyPair() {
        byte[] privateKey = new byte[KEY_BYTES];
        X25519.generatePrivateKey(RANDOM, privateKey);
        return new X25519KeyPair(privateKey, publicKeyOf(privateKey));
    }

    public static byte[] publicKeyOf(byte[] privateKey) {
        Keys.requireKeyLength(privateKey, "private key");
        byte[] publicKey = new byte[KEY_BYTES];
        X25519.scalarMultBase(privateKey, 0, publicKey, 0);
        return publicKey;
    }

    /** Seals {@code plain} from sender to recipient under a fresh random nonce: nonce ‖ box. */
    public static byte[] seal(byte[] plain, byte[] recipientPublic, byte[] senderPrivate) {
        return precompute(recipientPublic, senderPrivate).seal(plain);
    }

    /**
     * Opens {@code nonce ‖ box} sealed by {@code senderPublic} for {@code recipientPrivate}.
     *
     * @throws NaclBoxException on a wrong key, tampering or truncation
     */
    public static byte[] open(byte[] sealed, byte[] senderPublic, byte[] recipientPrivate) {
        return precompute(senderPublic, recipientPrivate).open(sealed);
    }

    /**
     * Does the expensive part (X25519 and HSalsa20) once for a pair of keys; the result seals and opens any
     * number of messages between them, in both directions. Long-lived streams should hold one of these.
     */
    public static SharedKey precompute(byte[] theirPublic, byte[] ourPrivate) {
        return new SharedKey(beforeNm(theirPublic, ourPrivate));
    }

    /** The crypto_box_beforenm key: HSalsa20(X25519(ourPrivate, theirPublic), zero nonce). */
    static byte[] beforeNm(byte[] theirPublic, byte[] ourPrivate) {
        Keys.requireKeyLength(theirPublic, "public key");
        Keys.requireKeyLength(ourPrivate, "private key");
        byte[] shared = new byte[KEY_BYTES];
        // A low-order public key yields an all-zero secret that anyone can compute; refuse it as libsodium does.
        if (!X25519.calculateAgreement(ourPrivate, 0, theirPublic, 0, shared, 0)) {
            throw new NaclBoxException("public key is of low order and cannot be used");
        }
        byte[] key = hsalsa20(shared, HSALSA_ZERO_NONCE);
        Arrays.fill(shared, (byte) 0);
        return key;
    }

    /** HSalsa20: the Salsa20/20 core without the final feed-forward, emitting words 0,5,10,15,6,7,8,9. */
    static byte[] hsalsa20(byte[] key, byte[] nonce16) {
        int[] state = new int[16];
        state[0] = SIGMA[0];
        state[5] = SIGMA[1];
        state[10] = SIGMA[2];
        state[15] = SIGMA[3];
        Pack.littleEndianToInt(key, 0, state, 1, 4);
        Pack.littleEndianToInt(key, 16, state, 11, 4);
        Pack.littleEndianToInt(nonce16, 0, state, 6, 4);
        int[] mixed = new int[16];
        Salsa20Engine.salsaCore(20, state, mixed);
        // salsaCore adds the input back in; HSalsa20 wants the raw rounds, so subtract it again.
        int[] outWords = {0, 5, 10, 15, 6, 7, 8, 9};
        byte[] out = new byte[32];
        for (int i = 0; i < outWords.length; i++) {
            int w = outWords[i];
            Pack.intToLittleEndian(mixed[w] - state[w], out, i * 4);
        }
        return out;
    }

    /** A precomputed crypto_box key between two parties. */
    public static final class SharedKey {
        private final byte[] key;

        private SharedKey(byte[] key) {
            this.key = key;
        }

        /** nonce ‖ secretbox(plain) with a fresh random nonce. */
        public byte[] seal(byte[] plain) {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            byte[] box = secretbox(plain, nonce);
            byte[] out = new byte[NONCE_BYTES + box.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(box, 0, out, NONCE_BYTES, box.length);
            return out;
        }

        public byte[] open(byte[] sealed) {
            if (sealed == null || sealed.length < NONCE_BYTES + MAC_BYTES) {
                throw new NaclBoxException("sealed message is too short to hold a nonce and an authenticator");
            }
            byte[] nonce = Arrays.copyOfRange(sealed, 0, NONCE_BYTES);
            return secretboxOpen(Arrays.copyOfRange(sealed, NONCE_BYTES, sealed.length), nonce);
        }

        /** mac ‖ ciphertext under an explicit nonce (the NaCl crypto_box_afternm output without zero padding). */
        byte[] secretbox(byte[] plain, byte[] nonce) {
            XSalsa20Engine cipher = streamCipher(nonce);
            byte[] macKey = new byte[32];
            cipher.processBytes(new byte[32], 0, 32, macKey, 0);
            byte[] out = new byte[MAC_BYTES + plain.length];
            cipher.processBytes(plain, 0, plain.length, out, MAC_BYTES);
            byte[] mac = poly1305(macKey, out, MAC_BYTES, plain.length);
            System.arraycopy(mac, 0, out, 0, MAC_BYTES);
            return out;
        }

        byte[] secretboxOpen(byte[] box, byte[] nonce) {
            if (box.length < MAC_BYTES) {
                throw new NaclBoxException("sealed message is too short to hold an authenticator");
            }
            XSalsa20Engine cipher = streamCipher(nonce);
            byte[] macKey = new byte[32];
            cipher.processBytes(new byte[32], 0, 32, macKey, 0);
            int length = box.length - MAC_BYTES;
            byte[] expectedMac = poly1305(macKey, box, MAC_BYTES, length);
            if (!Arrays.constantTimeAreEqual(MAC_BYTES, expectedMac, 0, box, 0)) {
                throw new NaclBoxException("message authentication failed: wrong key or tampered message");
            }
            byte[] plain = new byte[length];
            cipher.processBytes(box, MAC_BYTES, length, plain, 0);
            return plain;
        }

        private XSalsa20Engine streamCipher(byte[] nonce) {
            if (nonce.length != NONCE_BYTES) {
                throw new NaclBoxException("nonce must be " + NONCE_BYTES + " bytes");
            }
            XSalsa20Engine cipher = new XSalsa20Engine();
            cipher.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
            return cipher;
        }

        private static byte[] poly1305(byte[] macKey, byte[] data, int offset, int length) {
            Poly1305 mac = new Poly1305();
            mac.init(new KeyParameter(macKey));
            mac.update(data, offset, length);
            byte[] tag = new byte[MAC_BYTES];
            mac.doFinal(tag, 0);
            return tag;
        }
    }
}
