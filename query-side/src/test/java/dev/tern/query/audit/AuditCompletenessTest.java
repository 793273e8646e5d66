package dev.tern.query.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountEventDispatch;
import dev.tern.events.PeerExtraDnsLabelsSet;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.query.QuerySideConfiguration;
import dev.tern.query.groups.GroupProjection;
import dev.tern.query.peers.PeerProjection;
import dev.tern.query.setupkeys.SetupKeyProjection;
import dev.tern.query.users.UserProjection;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Set;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.junit.jupiter.api.Test;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The audit projection is the one place where events become NetBird activities: it hears every account event
 * (but the few that are deliberately not audited), and it hears each event before the table projections change
 * the names its meta reads.
 */
class AuditCompletenessTest {
    /**
     * Lifted together with the settings or flag change that lifted it, which is audited in the same command; extra
     * DNS labels are set in the registration that PeerRegistered audits (NetBird has no activity for them either).
     */
    private static final Set<Class<?>> NOT_AUDITED = Set.of(PeerLoginExpiryLifted.class,
            PeerExtraDnsLabelsSet.class);

    @Test
    void everyAccountEventIsAuditedOrDeliberatelyNot() {
        Set<Class<?>> audited = handledEventTypes(AuditProjection.class);
        assertThat(audited).doesNotContainAnyElementsOf(NOT_AUDITED);
        Set<Class<?>> covered = new HashSet<>(audited);
        covered.addAll(NOT_AUDITED);
        assertThat(covered).containsExactlyInAnyOrderElementsOf(AccountEventDispatch.eventTypes());
    }

    @Test
    void theAuditRunsFirstInTheReadModelGroup() {
        assertThat(AuditProjection.class.getAnnotation(ProcessingGroup.class).value())
                .isEqualTo(QuerySideConfiguration.READ_MODEL);
        int auditOrder = AuditProjection.class.getAnnotation(Order.class).value();
        assertThat(auditOrder).isEqualTo(Ordered.HIGHEST_PRECEDENCE);
        for (Class<?> table : new Class<?>[]{UserProjection.class, SetupKeyProjection.class, GroupProjection.class,
                PeerProjection.class, dev.tern.query.dns.DnsProjection.class}) {
            assertThat(table.getAnnotation(ProcessingGroup.class).value()).isEqualTo(QuerySideConfiguration.READ_MODEL);
            Order order = table.getAnnotation(Order.class);
            assertThat(order == null ? Ordered.LOWEST_PRECEDENCE : order.value()).as(table.getSimpleName())
                    .isGreaterThan(auditOrder);
        }
    }

    private static Set<Class<?>> handledEventTypes(Class<?> projection) {
        Set<Class<?>> types = new HashSet<>();
        for (Method method : projection.getDeclaredMethods()) {
            if (method.isAnnotationPresent(EventHandler.class)) {
                types.add(method.getParameterTypes()[0]);
            }
        }
        return types;
    }
}
