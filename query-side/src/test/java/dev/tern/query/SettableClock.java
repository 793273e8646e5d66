package dev.tern.query;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The read model's "now" for tests: the system clock until a test pins it with {@link #set}. */
public final class SettableClock extends Clock {
    private volatile Instant pinned;

    public void set(Instant now) {
        pinned = now;
    }

    public void followSystem() {
        pinned = null;
    }

    @Override
    public Instant instant() {
        Instant now = pinned;
        return now == null ? Instant.now() : now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the read model works in UTC");
    }
}
