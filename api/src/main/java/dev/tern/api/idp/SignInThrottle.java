package dev.tern.api.idp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows password guessing: after {@link #FREE_FAILURES} wrong sign-ins for one login from one address, that pair is
 * locked out for a period that doubles with every further failure (up to {@link #MAX_LOCK}); a success clears it.
 * Per login and address, so an attacker elsewhere cannot lock the real user out from their own address. Holds at
 * most {@link #MAX_ENTRIES} pairs (the oldest are forgotten), so a flood of made-up logins cannot grow it.
 */
final class SignInThrottle {
    static final int FREE_FAILURES = 5;
    static final Duration FIRST_LOCK = Duration.ofSeconds(30);
    static final Duration MAX_LOCK = Duration.ofMinutes(15);
    static final int MAX_ENTRIES = 10_000;

    private final Clock clock;
    private final Map<String, Failures> failures = new LinkedHashMap<>(16, 0.75f, true);

    SignInThrottle(Clock clock) {
        this.clock = clock;
    }

    private record Failures(int count, Instant lockedUntil) {
    }

    /** How long this pair must still wait, or {@link Duration#ZERO} when it may try. */
    synchronized Duration waitFor(String login, String address) {
        Failures f = failures.get(key(login, address));
        if (f == null || f.lockedUntil() == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), f.lockedUntil());
        return left.isNegative() ? Duration.ZERO : left;
    }

    synchronized void failed(String login, String address) {
        String key = key(login, address);
        Failures before = failures.get(key);
        int count = before == null ? 1 : before.count() + 1;
        Instant lockedUntil = null;
        if (count >= FREE_FAILURES) {
            int doublings = Math.min(count - FREE_FAILURES, 20);
            Duration lock = FIRST_LOCK.multipliedBy(1L << doublings);
            lockedUntil = clock.instant().plus(lock.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : lock);
        }
        failures.put(key, new Failures(count, lockedUntil));
        Iterator<String> oldest = failures.keySet().iterator();
        while (failures.size() > MAX_ENTRIES && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }

    synchronized void succeeded(String login, String address) {
        failures.remove(key(login, address));
    }

    private static String key(String login, String address) {
        return login + "\n" + address;
    }
}
