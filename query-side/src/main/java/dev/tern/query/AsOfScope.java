package dev.tern.query;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The state an as-of read runs against, for the read classes of every table: while {@link #run} runs on a thread,
 * an account-scoped read of that account asks {@link #reads} first and answers from the state it returns instead
 * of the live tables. Each table's package declares what it needs of such a state as its own small interface
 * (say {@code GroupReads.AsOf}), so the packages stay apart; one object, folded from the account's events, answers
 * all of them.
 *
 * <p>A read the state cannot answer fails loudly rather than falling back to the live tables: an as-of answer is
 * never silently today's.
 */
public final class AsOfScope {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private AsOfScope() {
    }

    /** The account, and its state then, built when a read first asks for it. */
    private static final class Scope {
        final String accountId;
        final Supplier<?> state;
        Object built;

        Scope(String accountId, Supplier<?> state) {
            this.accountId = accountId;
            this.state = state;
        }

        Object state() {
            if (built == null) {
                built = state.get();
            }
            return built;
        }
    }

    /** Runs {@code reads} with the account's reads answered by {@code state} (built on first use) on this thread. */
    public static <T> T run(String accountId, Supplier<?> state, Supplier<T> reads) {
        Scope previous = CURRENT.get();
        CURRENT.set(new Scope(accountId, state));
        try {
            return reads.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /**
     * The state the current thread reads {@code accountId} as of, as the reads of one table need it; empty when no
     * as-of read runs here.
     *
     * @throws IllegalStateException when an as-of read asks another account, or for reads its state cannot answer
     */
    public static <S> Optional<S> reads(Class<S> shape, String accountId) {
        Scope scope = CURRENT.get();
        if (scope == null) {
            return Optional.empty();
        }
        if (!scope.accountId.equals(accountId)) {
            throw new IllegalStateException("an as-of read of account " + scope.accountId
                    + " asked for account " + accountId);
        }
        Object state = scope.state();
        if (!shape.isInstance(state)) {
            throw new IllegalStateException("an as-of state cannot answer " + shape.getName());
        }
        return Optional.of(shape.cast(state));
    }
}
