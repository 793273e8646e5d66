package dev.tern.query;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.UnitOfWork;

/**
 * Handler interceptor of a projection's processor: reports each event's failure (and the success that ends a
 * stop) to {@link ProjectionFailures} and lets the failure through, so that the processor rolls the batch back and
 * retries it instead of moving past the event. Register it together with Axon's {@code PropagatingErrorHandler}
 * as the processing group's listener invocation error handler: the default one logs and skips.
 */
public final class ProjectionFailureReporter implements MessageHandlerInterceptor<EventMessage<?>> {
    private final String processor;
    private final ProjectionFailures failures;

    public ProjectionFailureReporter(String processor, ProjectionFailures failures) {
        this.processor = processor;
        this.failures = failures;
    }

    @Override
    public Object handle(UnitOfWork<? extends EventMessage<?>> unitOfWork, InterceptorChain interceptorChain)
            throws Exception {
        EventMessage<?> event = unitOfWork.getMessage();
        Object result;
        try {
            result = interceptorChain.proceed();
        } catch (Exception | Error e) {
            failures.failed(processor, event, e);
            throw e;
        }
        failures.handled(processor, event);
        return result;
    }
}
