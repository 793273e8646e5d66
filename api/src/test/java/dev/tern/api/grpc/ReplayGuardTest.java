package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tern.events.values.WireGuardKey;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The replay cache: per peer, time-windowed, bounded per peer and in total. */
class ReplayGuardTest {
    private final AtomicLong now = new AtomicLong();
    private final ReplayGuard guard = new ReplayGuard(Duration.ofMinutes(10), 4, 10, now::get);
    private final WireGuardKey alice = key();
    private final WireGuardKey bob = key();

    @Test
    void aBodyIsAcceptedOnceFromTheSamePeerButItsNonceMeansNothingForAnotherPeer() {
        ByteString body = body();
        assertThat(guard.firstSeen(alice, body)).isTrue();
        assertThat(guard.firstSeen(alice, body)).isFalse();
        // only the nonce counts: the same nonce with another box is the same replay
        assertThat(guard.firstSeen(alice, body.substring(0, ReplayGuard.NONCE_BYTES).concat(body()))).isFalse();
        assertThat(guard.firstSeen(bob, body)).isTrue();
    }

    @Test
    void nonceOlderThanTheWindowIsForgotten() {
        ByteString body = body();
        guard.firstSeen(alice, body);
        now.addAndGet(Duration.ofMinutes(9).toNanos());
        assertThat(guard.firstSeen(alice, body)).isFalse();
        now.addAndGet(Duration.ofMinutes(2).toNanos());
        assertThat(guard.firstSeen(alice, body)).as("outside the window: the residual risk").isTrue();
    }

    @Test
    void aPeerKeepsOnlyItsNewestNoncesAndCannotPushOutAnotherPeersBelowTheTotal() {
        ByteString bobs = body();
        guard.firstSeen(bob, bobs);
        ByteString alicesFirst = body();
        guard.firstSeen(alice, alicesFirst);
        for (int i = 0; i < 4; i++) {
            guard.firstSeen(alice, body());
        }
        assertThat(guard.firstSeen(alice, alicesFirst)).as("pushed out by alice's own newer ones").isTrue();
        assertThat(guard.firstSeen(bob, bobs)).isFalse();
        assertThat(guard.size()).isLessThanOrEqualTo(10);
    }

    @Test
    void theTotalIsBoundedWhateverTheNumberOfPeers() {
        for (int i = 0; i < 1000; i++) {
            guard.firstSeen(key(), body());
        }
        assertThat(guard.size()).isEqualTo(10);
    }

    @Test
    void aForgottenNonceIsAcceptedAgain() {
        ByteString body = body();
        guard.firstSeen(alice, body);
        guard.forget(alice, body);
        assertThat(guard.firstSeen(alice, body)).isTrue();
        assertThat(guard.firstSeen(alice, body)).isFalse();
    }

    private static ByteString body() {
        byte[] bytes = new byte[ReplayGuard.NONCE_BYTES + 40];
        ThreadLocalRandom.current().nextBytes(bytes);
        return ByteString.copyFrom(bytes);
    }

    private static WireGuardKey key() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        return WireGuardKey.of(bytes);
    }
}
