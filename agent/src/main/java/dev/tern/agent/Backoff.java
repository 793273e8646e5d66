package dev.tern.agent;

import java.time.Duration;

/** Exponential reconnect delays: initial, doubled per failure up to max; reset after a success. */
final class Backoff {
    private final Duration initial;
    private final Duration max;
    private Duration next;

    Backoff(Duration initial, Duration max) {
        if (initial.isZero() || initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max");
        }
        this.initial = initial;
        this.max = max;
        this.next = initial;
    }

    synchronized Duration nextDelay() {
        Duration delay = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return delay;
    }

    /** The longest delay: how often to ask again when retrying soon would not help. */
    Duration maxDelay() {
        return max;
    }

    synchronized void reset() {
        next = initial;
    }
}
