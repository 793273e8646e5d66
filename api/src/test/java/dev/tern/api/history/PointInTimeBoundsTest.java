package dev.tern.api.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.tern.events.AccountCreated;
import dev.tern.events.AllGroup;
import dev.tern.events.GroupCreated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import dev.tern.query.history.AccountEventsAt;
import dev.tern.query.history.AccountEventsAt.AccountEvents;
import dev.tern.query.history.ReadModelAt;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.junit.jupiter.api.Test;

/** What one as-of read may hold: a turn among a few, and network maps computed once per state. */
class PointInTimeBoundsTest {
    private static final String ACCOUNT = "acc";
    private static final Instant AT = Instant.parse("2026-06-01T03:00:00Z");

    private static List<DomainEventMessage<?>> history(int events) {
        List<DomainEventMessage<?>> out = new java.util.ArrayList<>();
        out.add(new GenericDomainEventMessage<>("Account", ACCOUNT, 0,
                new AccountCreated(ACCOUNT, new Cidr("100.64.0.0", 16), "tern.internal", AT)));
        for (int i = 1; i < events; i++) {
            out.add(new GenericDomainEventMessage<>("Account", ACCOUNT, i,
                    new GroupCreated(ACCOUNT, "g" + i, i == 1 ? AllGroup.NAME : "group-" + i, GroupIssuer.API)));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static PointInTime pointInTime(List<DomainEventMessage<?>> events, Duration turnTimeout) {
        AccountEventsAt reader = mock(AccountEventsAt.class);
        when(reader.upTo(eq(ACCOUNT), any())).thenAnswer(inv -> Optional.of(
                new AccountEvents(ACCOUNT, inv.getArgument(1), events)));
        ReadModelAt readModel = mock(ReadModelAt.class);
        when(readModel.read(anyList(), any())).thenAnswer(inv -> ((Supplier<Object>) inv.getArgument(1)).get());
        // the folded reads' snapshots are not asked for here
        return new PointInTime(reader, readModel, null, turnTimeout);
    }

    @Test
    void aReadSeesItsInstantAndStateAndLeavesNothingBehindOnTheThread() {
        PointInTime pointInTime = pointInTime(history(3), Duration.ofSeconds(5));
        assertThat(pointInTime.readFolded(ACCOUNT, AT, () -> PointInTime.current().orElseThrow().at())).isEqualTo(AT);
        assertThat(pointInTime.readFolded(ACCOUNT, AT, PointInTime::now)).isEqualTo(AT);
        assertThat(PointInTime.current()).isEmpty();
        assertThatThrownBy(() -> pointInTime.readFolded(ACCOUNT, AT, () -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(PointInTime.current()).isEmpty();
    }

    @Test
    void onlyTwoReadsRunAtOnceAndAThirdIsToldToComeBack() throws Exception {
        PointInTime pointInTime = pointInTime(history(2), Duration.ofMillis(200));
        CountDownLatch started = new CountDownLatch(PointInTime.CONCURRENT_READS);
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<Object>> running = new java.util.ArrayList<>();
        for (int i = 0; i < PointInTime.CONCURRENT_READS; i++) {
            running.add(CompletableFuture.supplyAsync(() -> pointInTime.readFolded(ACCOUNT, AT, () -> {
                started.countDown();
                try {
                    return release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            })));
        }
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> pointInTime.readFolded(ACCOUNT, AT, () -> "third"))
                .isInstanceOf(PointInTime.Busy.class);

        release.countDown();
        for (CompletableFuture<Object> read : running) {
            assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(true);
        }
        assertThat(pointInTime.readFolded(ACCOUNT, AT, () -> "after")).isEqualTo("after");
    }

    @Test
    void theMapsOfAStateAreComputedOnceAndOnlyAFewStatesAreKept() {
        List<DomainEventMessage<?>> events = history(3);
        PointInTime pointInTime = pointInTime(events, Duration.ofSeconds(5));
        AccountEvents state = new AccountEvents(ACCOUNT, AT, events);
        var first = pointInTime.projectorOf(state);
        // another instant with the same last event is the same state
        assertThat(pointInTime.projectorOf(new AccountEvents(ACCOUNT, AT.plusSeconds(60), events))).isSameAs(first);
        // states of other accounts: a later state of the same account would advance the first one instead
        for (int n = 4; n < 4 + PointInTime.CACHED_STATES; n++) {
            pointInTime.projectorOf(new AccountEvents("other-" + n, AT, history(n)));
        }
        assertThat(pointInTime.projectorOf(state)).as("evicted, computed again").isNotSameAs(first);
    }

    @Test
    void aLaterStateAdvancesTheMapsOfAnEarlierOneUnlessAReadHoldsThem() {
        PointInTime pointInTime = pointInTime(history(5), Duration.ofSeconds(5));
        var earlier = pointInTime.projectorOf(new AccountEvents(ACCOUNT, AT, history(3)));
        var later = pointInTime.projectorOf(new AccountEvents(ACCOUNT, AT, history(4)));
        assertThat(later).as("advanced by the one event since, not replayed").isSameAs(earlier);

        // a read of the state after event 4 holds its maps: a later state gets maps of its own meanwhile
        pointInTime.readFolded(ACCOUNT, AT, () -> {
            var held = PointInTime.current().orElseThrow().projector();
            assertThat(pointInTime.projectorOf(new AccountEvents(ACCOUNT, AT, history(7)))).isNotSameAs(held);
            assertThat(PointInTime.current().orElseThrow().projector()).isSameAs(held);
            return null;
        });
    }
}
