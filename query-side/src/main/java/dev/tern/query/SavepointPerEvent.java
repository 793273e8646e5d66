package dev.tern.query;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs each event's handling in a savepoint of the batch transaction, and skips (with an error in the log) an
 * event whose handling fails. On PostgreSQL one failed statement poisons the whole transaction: without the
 * savepoint a single bad event would roll back its batch again and again, and the read model (and every REST
 * write waiting for it) would stop for good.
 */
final class SavepointPerEvent implements MessageHandlerInterceptor<EventMessage<?>> {
    private static final Logger log = LoggerFactory.getLogger(SavepointPerEvent.class);

    private final TransactionTemplate savepoint;

    SavepointPerEvent(PlatformTransactionManager transactions) {
        savepoint = new TransactionTemplate(transactions);
        savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    @Override
    public Object handle(UnitOfWork<? extends EventMessage<?>> unitOfWork, InterceptorChain interceptorChain) {
        try {
            return savepoint.execute(status -> {
                try {
                    return interceptorChain.proceed();
                } catch (Exception e) {
                    throw new HandlingFailed(e);
                }
            });
        } catch (RuntimeException e) {
            Throwable cause = e instanceof HandlingFailed ? e.getCause() : e;
            EventMessage<?> event = unitOfWork.getMessage();
            log.error("read model skipped event {} ({}): {}", event.getIdentifier(), event.getPayloadType().getName(),
                    cause.toString(), cause);
            return null;
        }
    }

    /** Carries a checked exception out of the transaction callback (which rolls back to the savepoint). */
    private static final class HandlingFailed extends RuntimeException {
        HandlingFailed(Exception cause) {
            super(cause);
        }
    }
}
