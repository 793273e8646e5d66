package dev.tern.testsupport.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * "Now" for tests: the system clock until a test pins it ({@link #set}, or the pinning constructor), then moved only by
 * the test ({@link #advance}). Always UTC, like the code under test.
 */
public final class SettableClock extends Clock {
    private volatile Instant pinned;

    /** Follows the system clock until {@link #set}. */
    public SettableClock() {
    }

    /** Pinned at {@code start}. */
    public SettableClock(Instant start) {
        pinned = start;
    }

    public void set(Instant now) {
        pinned = now;
    }

    /** Moves a pinned clock (or pins a following one at system time plus {@code by}). */
    public synchronized void advance(Duration by) {
        pinned = instant().plus(by);
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

    /** The code under test works in UTC; asking for another zone is a mistake in the test. */
    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new UnsupportedOperationException("tests run in UTC, not " + zone);
    }
}
