package dev.tern.query.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountCreated;
import dev.tern.events.AccountEventDispatch;
import dev.tern.events.AccountSettingsUpdated;
import dev.tern.query.groups.GroupProjection;
import dev.tern.query.peers.PeerProjection;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Set;
import org.axonframework.eventhandling.EventHandler;
import org.junit.jupiter.api.Test;

/**
 * Point-in-time reads answer in the read model's shapes, so they must fold every event that changes what the
 * read model shows of the account, its groups, peers and policies (their table itself refuses, when the class
 * loads, to leave an event type unsaid).
 */
class PointInTimeFoldCompletenessTest {

    @Test
    void pointInTimeReadsFoldEveryEventTheNetworkReadTablesReactTo() {
        Set<Class<?>> readTables = new HashSet<>(Set.of(AccountCreated.class, AccountSettingsUpdated.class));
        for (Class<?> projection : new Class<?>[]{GroupProjection.class, PeerProjection.class}) {
            for (Method method : projection.getDeclaredMethods()) {
                if (method.isAnnotationPresent(EventHandler.class)) {
                    readTables.add(method.getParameterTypes()[0]);
                }
            }
        }
        assertThat(readTables).hasSizeGreaterThan(15).isSubsetOf(AccountEventDispatch.eventTypes());
        assertThat(PointInTimeReads.handledEventTypes()).containsExactlyInAnyOrderElementsOf(readTables);
    }
}
