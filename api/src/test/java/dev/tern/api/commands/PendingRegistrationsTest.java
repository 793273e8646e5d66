package dev.tern.api.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.NetworkMapProjector.PeerRef;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PendingRegistrationsTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final PendingRegistrations pending = new PendingRegistrations(nanos::get);

    private static WireGuardKey key(int n) {
        byte[] raw = new byte[32];
        raw[0] = (byte) n;
        raw[1] = (byte) (n >>> 8);
        return WireGuardKey.of(raw);
    }

    @Test
    void aRegisteredKeyIsFoundUntilTheProjectorKnowsIt() {
        pending.remember(key(1), new PeerRef("acc", "p1"));

        assertThat(pending.find(key(1))).contains(new PeerRef("acc", "p1"));
        assertThat(pending.find(key(2))).isEmpty();
        pending.forget(key(1));
        assertThat(pending.contains(key(1))).isFalse();
    }

    @Test
    void anEntryLapsesAfterItsLifetime() {
        pending.remember(key(1), new PeerRef("acc", "p1"));

        nanos.addAndGet(PendingRegistrations.LIFETIME.toNanos());
        assertThat(pending.contains(key(1))).as("at exactly its lifetime").isTrue();
        nanos.incrementAndGet();
        assertThat(pending.find(key(1))).isEmpty();
        assertThat(pending.size()).isZero();
    }

    @Test
    void lapsedEntriesAreDroppedOnceThereAreMany() {
        for (int i = 0; i < 1_000; i++) {
            pending.remember(key(i), new PeerRef("acc", "p" + i));
        }
        nanos.addAndGet(PendingRegistrations.LIFETIME.toNanos() + 1);

        pending.remember(key(5_000), new PeerRef("acc", "fresh"));

        assertThat(pending.size()).isEqualTo(1);
        assertThat(pending.find(key(5_000))).contains(new PeerRef("acc", "fresh"));
    }
}
