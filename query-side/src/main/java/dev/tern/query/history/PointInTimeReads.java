package dev.tern.query.history;

import dev.tern.query.groups.GroupView;
import dev.tern.query.groups.PolicyView;
import dev.tern.query.peers.PeerView;
import dev.tern.query.users.AccountView;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The network of one account as it stood at a past instant: groups, peers and policies folded from the
 * account's own event stream up to that instant ({@link AccountEventsAt}, {@link AccountSnapshot}), in the read
 * tables' shapes and orders. For auditors' questions like "who was in group dev, and which policies applied, at
 * 03:00?". Connection status is not history and is left out (every peer reads as not connected).
 */
@Component
public class PointInTimeReads {
    private final AccountEventsAt events;
    private final TableOrder order;

    public PointInTimeReads(AccountEventsAt events, TableOrder order) {
        this.events = events;
        this.order = order;
    }

    /** The account's read model after exactly these events, folded in memory. */
    public AccountSnapshot snapshot(AccountEventsAt.AccountEvents prefix) {
        return AccountSnapshot.of(prefix.events(), order);
    }

    /** An instant as a {@code timestamptz} column gives it back: rounded to the microsecond, half up. */
    public static Instant asStored(Instant instant) {
        if (instant == null) {
            return null;
        }
        Instant down = instant.truncatedTo(ChronoUnit.MICROS);
        return instant.getNano() % 1_000 >= 500 ? down.plus(1, ChronoUnit.MICROS) : down;
    }

    /** The account's network at {@code at} (events stamped at or before it), or empty if it did not exist yet. */
    public Optional<AccountState> at(String accountId, Instant at) {
        return events.upTo(accountId, at).map(prefix -> {
            AccountSnapshot snapshot = snapshot(prefix);
            return new AccountState(at, snapshot.account().orElseThrow(), snapshot.groups(), snapshot.peers(),
                    snapshot.policies());
        });
    }

    /** The account's network at one instant, in the read model's shapes and orders. */
    public record AccountState(Instant at, AccountView account, List<GroupView> groups, List<PeerView> peers,
                               List<PolicyView> policies) {
    }
}
