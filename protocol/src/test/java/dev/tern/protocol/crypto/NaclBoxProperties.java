package dev.tern.protocol.crypto;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NaclBoxProperties {
    private static final X25519KeyPair ALICE = NaclBox.generateKeyPair();
    private static final X25519KeyPair BOB = NaclBox.generateKeyPair();

    @Property(tries = 300)
    void anyMessageRoundTrips(@ForAll @Size(max = 4096) byte[] plain) {
        byte[] sealed = NaclBox.seal(plain, BOB.publicKey(), ALICE.privateKey());
        assertThat(NaclBox.open(sealed, ALICE.publicKey(), BOB.privateKey())).isEqualTo(plain);
    }

    @Property(tries = 300)
    void anySingleBitFlipIsDetected(@ForAll @Size(min = 1, max = 512) byte[] plain,
                                    @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int position,
                                    @ForAll @IntRange(min = 0, max = 7) int bit) {
        byte[] sealed = NaclBox.seal(plain, BOB.publicKey(), ALICE.privateKey());
        sealed[position % sealed.length] ^= (byte) (1 << bit);
        assertThatThrownBy(() -> NaclBox.open(sealed, ALICE.publicKey(), BOB.privateKey()))
                .isInstanceOf(NaclBoxException.class);
    }

    @Property(tries = 300)
    void arbitraryBytesNeverOpenAndNeverCrash(@ForAll @Size(max = 200) byte[] junk) {
        assertThatThrownBy(() -> NaclBox.open(junk, ALICE.publicKey(), BOB.privateKey()))
                .isInstanceOf(NaclBoxException.class);
    }
}
