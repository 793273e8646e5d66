package dev.tern.api.commands;

import dev.tern.api.outage.ClockGuard;
import dev.tern.events.CommandRejected;
import dev.tern.events.commands.AccountCommand;
import dev.tern.events.meta.Actor;
import dev.tern.events.meta.EventMetadata;
import dev.tern.query.ReadYourWrites;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.axonframework.modelling.command.ConcurrencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * The API's one way into the command side: sends a command with the caller's actor metadata, waits for the
 * aggregate's answer, then waits (bounded) for the read model to catch up so that a GET right after a write
 * sees it. Rejections surface as {@link CommandRejected} (unwrapped from whatever Axon put around them).
 */
@Service
public class CommandService {
    /** The MDC key the request-id filter fills; travels as the events' correlation id. */
    public static final String MDC_CORRELATION_ID = "correlationId";

    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(10);
    /** Writers on other nodes can win the (aggregate, sequence) race; the command is simply decided again. */
    static final int MAX_ATTEMPTS = 5;

    private static final Logger log = LoggerFactory.getLogger(CommandService.class);

    private final CommandGateway gateway;
    private final ReadYourWrites readYourWrites;
    private final ClockGuard clockGuard;

    /** For tests that run without a database clock to compare with. */
    public CommandService(CommandGateway gateway, ReadYourWrites readYourWrites) {
        this(gateway, readYourWrites, ClockGuard.unguarded());
    }

    @Autowired
    public CommandService(CommandGateway gateway, ReadYourWrites readYourWrites, ClockGuard clockGuard) {
        this.gateway = gateway;
        this.readYourWrites = readYourWrites;
        this.clockGuard = clockGuard;
    }

    /**
     * Sends {@code command} as {@code actor} from {@code sourceAddress} (may be null) and returns the handler's
     * result once the read model reflects it.
     */
    public <R> R send(AccountCommand command, Actor actor, String sourceAddress) {
        R result = sendWithoutWaitingForReads(command, actor, sourceAddress);
        if (!readYourWrites.awaitCaughtUp(CATCH_UP_TIMEOUT)) {
            log.warn("read model did not catch up within {} after {}", CATCH_UP_TIMEOUT,
                    command.getClass().getSimpleName());
        }
        return result;
    }

    /** For callers that do not read right after (e.g. peer registration over gRPC). */
    public <R> R sendWithoutWaitingForReads(AccountCommand command, Actor actor, String sourceAddress) {
        // every event the command causes is stamped with this process's clock
        clockGuard.requireWritable();
        MetaData metaData = metaData(actor, sourceAddress);
        for (int attempt = 1; ; attempt++) {
            try {
                return gateway.sendAndWait(GenericCommandMessage.asCommandMessage(command).andMetaData(metaData),
                        COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                RuntimeException cause = CommandFailures.unwrap(e);
                if (cause instanceof ConcurrencyException && attempt < MAX_ATTEMPTS) {
                    log.debug("concurrent write on account {}, retrying {}", command.accountId(),
                            command.getClass().getSimpleName());
                    continue;
                }
                throw cause;
            }
        }
    }

    static MetaData metaData(Actor actor, String sourceAddress) {
        Map<String, Object> m = new HashMap<>(actor.toMetadata());
        m.put(EventMetadata.SOURCE_ADDRESS, sourceAddress == null ? "" : sourceAddress);
        String correlationId = MDC.get(MDC_CORRELATION_ID);
        if (correlationId != null) {
            m.put(EventMetadata.CORRELATION_ID, correlationId);
        }
        return MetaData.from(m);
    }
}
