package dev.tern.api.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.outage.ClockAheadException;
import dev.tern.api.outage.ClockGuard;
import dev.tern.events.CommandRejected;
import dev.tern.events.commands.DeleteGroup;
import dev.tern.events.meta.Actor;
import dev.tern.events.meta.EventMetadata;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.modelling.command.ConcurrencyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class CommandServiceTest {
    final List<CommandMessage<?>> sent = new ArrayList<>();
    final AtomicInteger caughtUp = new AtomicInteger();
    final List<RuntimeException> failures = new ArrayList<>();

    final CommandGateway gateway = (CommandGateway) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[]{CommandGateway.class}, (proxy, method, args) -> {
                if (!method.getName().equals("sendAndWait")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                sent.add((CommandMessage<?>) args[0]);
                if (!failures.isEmpty()) {
                    throw failures.remove(0);
                }
                return "result";
            });
    final CommandService service = new CommandService(gateway, timeout -> {
        caughtUp.incrementAndGet();
        return true;
    });

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    @Test
    void sendsActorSourceAndCorrelationAsMetadataThenWaitsForReads() {
        MDC.put(CommandService.MDC_CORRELATION_ID, "req-1");
        Actor actor = new Actor(Actor.Type.USER, "u1", "Ann", "ann@example.com");
        String result = service.send(new DeleteGroup("acc", "g1"), actor, "192.0.2.7");
        assertThat(result).isEqualTo("result");
        assertThat(caughtUp).hasValue(1);
        CommandMessage<?> message = sent.get(0);
        assertThat(message.getPayload()).isEqualTo(new DeleteGroup("acc", "g1"));
        assertThat(Actor.fromMetadata(message.getMetaData())).isEqualTo(actor);
        assertThat(message.getMetaData().get(EventMetadata.SOURCE_ADDRESS)).isEqualTo("192.0.2.7");
        assertThat(message.getMetaData().get(EventMetadata.CORRELATION_ID)).isEqualTo("req-1");
    }

    @Test
    void rejectionsSurfaceUnwrappedAndSkipTheReadWait() {
        failures.add(new CommandExecutionException("wrapped", CommandRejected.conflict("name taken")));
        assertThatThrownBy(() -> service.send(new DeleteGroup("acc", "g1"), Actor.SYSTEM, null))
                .isInstanceOfSatisfying(CommandRejected.class,
                        e -> assertThat(e.reason()).isEqualTo(CommandRejected.Reason.CONFLICT));
        assertThat(caughtUp).hasValue(0);
        assertThat(sent.get(0).getMetaData().get(EventMetadata.SOURCE_ADDRESS)).isEqualTo("");
    }

    @Test
    void concurrentAppendsAreRetriedABoundedNumberOfTimes() {
        failures.add(new ConcurrencyException("lost the race"));
        failures.add(new ConcurrencyException("lost again"));
        assertThat((String) service.send(new DeleteGroup("acc", "g1"), Actor.SYSTEM, null)).isEqualTo("result");
        assertThat(sent).hasSize(3);

        sent.clear();
        for (int i = 0; i < 10; i++) {
            failures.add(new ConcurrencyException("always"));
        }
        assertThatThrownBy(() -> service.send(new DeleteGroup("acc", "g1"), Actor.SYSTEM, null))
                .isInstanceOf(ConcurrencyException.class);
        assertThat(sent).hasSizeLessThan(10);
    }

    @Test
    void aNodeWhoseClockIsAheadOfTheDatabasesSendsNoCommand() {
        ClockGuard aheadByAMinute = new ClockGuard(java.time.Clock.offset(java.time.Clock.systemUTC(),
                java.time.Duration.ofMinutes(1)), java.time.Instant::now, java.time.Duration.ofSeconds(5));
        aheadByAMinute.check();
        CommandService guarded = new CommandService(gateway, timeout -> true, aheadByAMinute);
        assertThatThrownBy(() -> guarded.send(new DeleteGroup("acc", "g1"), Actor.SYSTEM, null))
                .isInstanceOf(ClockAheadException.class);
        assertThat(sent).isEmpty();
    }
}
