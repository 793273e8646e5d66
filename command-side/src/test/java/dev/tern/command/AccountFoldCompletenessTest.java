package dev.tern.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountEvent;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.junit.jupiter.api.Test;

/**
 * Axon silently skips an event the aggregate has no event sourcing handler for, so a new event would leave the
 * account's state behind what its stream says. Every permitted {@link AccountEvent} type has its own handler here.
 */
class AccountFoldCompletenessTest {

    @Test
    void theAggregateHasAnEventSourcingHandlerForEveryAccountEventType() {
        List<Class<?>> handled = new ArrayList<>();
        for (Method method : Account.class.getDeclaredMethods()) {
            if (method.isAnnotationPresent(EventSourcingHandler.class)) {
                assertThat(method.getParameterCount()).as(method.toString()).isEqualTo(1);
                handled.add(method.getParameterTypes()[0]);
            }
        }
        assertThat(handled).doesNotHaveDuplicates()
                .containsExactlyInAnyOrder(AccountEvent.class.getPermittedSubclasses());
        assertThat(Arrays.asList(AccountEvent.class.getPermittedSubclasses())).hasSizeGreaterThan(30);
    }
}
