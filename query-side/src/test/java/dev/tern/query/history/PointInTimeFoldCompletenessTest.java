package dev.tern.query.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountEventDispatch;
import dev.tern.events.IdentityProviderCreated;
import dev.tern.events.IdentityProviderDeleted;
import dev.tern.events.IdentityProviderUpdated;
import dev.tern.query.dns.DnsProjection;
import dev.tern.query.groups.GroupProjection;
import dev.tern.query.identity.IdentityProviderProjection;
import dev.tern.query.networks.NetworkProjection;
import dev.tern.query.peers.PeerProjection;
import dev.tern.query.routes.RouteProjection;
import dev.tern.query.setupkeys.SetupKeyProjection;
import dev.tern.query.users.UserProjection;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Set;
import org.axonframework.eventhandling.EventHandler;
import org.junit.jupiter.api.Test;

/**
 * As-of reads answer in the read model's shapes from the account's events folded in memory
 * ({@link AccountSnapshot}), so the fold must react to every event any read table as of an instant reacts to
 * ({@link ReadModelAt}'s projections), and to nothing else (the dispatch itself refuses, when the class loads, to
 * leave an event type unsaid). Identity providers are the one exception: they have no as-of reads.
 */
class PointInTimeFoldCompletenessTest {

    @Test
    void theSnapshotFoldsEveryEventTheReadTablesAsOfAnInstantReactTo() {
        Set<Class<?>> readTables = new HashSet<>();
        for (Class<?> projection : new Class<?>[]{UserProjection.class, SetupKeyProjection.class,
                GroupProjection.class, PeerProjection.class, RouteProjection.class, NetworkProjection.class,
                DnsProjection.class, IdentityProviderProjection.class}) {
            for (Method method : projection.getDeclaredMethods()) {
                if (method.isAnnotationPresent(EventHandler.class)) {
                    readTables.add(method.getParameterTypes()[0]);
                }
            }
        }
        readTables.removeAll(Set.of(IdentityProviderCreated.class, IdentityProviderUpdated.class,
                IdentityProviderDeleted.class));
        assertThat(readTables).hasSizeGreaterThan(50).isSubsetOf(AccountEventDispatch.eventTypes());
        assertThat(AccountSnapshot.handledEventTypes()).containsExactlyInAnyOrderElementsOf(readTables);
    }
}
