package dev.tern.agent.common;

import java.time.Duration;

/** Exponential reconnect delays: initial, doubled per failure up to max; reset after a success. */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private Duration next;

    public Backoff(Duration initial, Duration max) {
        if (initial.isZero() || initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max");
        }
        this.initial = initial;
        this.max = max;
        this.next = initial;
    }

    public synchronized Duration nextDelay() {
        Duration delay = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return delay;
    }

    /** The longest delay: how often to ask again when retrying soon would not help. */
    public Duration maxDelay() {
        return max;
    }

    public synchronized void reset() {
        next = initial;
    }
}
