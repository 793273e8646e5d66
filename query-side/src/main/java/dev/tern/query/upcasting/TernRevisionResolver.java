package dev.tern.query.upcasting;

import dev.tern.events.EventRevision;
import org.axonframework.serialization.AnnotationRevisionResolver;
import org.axonframework.serialization.RevisionResolver;

/**
 * The revision Axon's serializers store next to a payload: an event's {@link EventRevision} (the events module
 * does not see Axon, so it cannot use Axon's {@code @Revision}), else Axon's own annotation (the account snapshot).
 */
public final class TernRevisionResolver implements RevisionResolver {
    private final AnnotationRevisionResolver axon = new AnnotationRevisionResolver();

    @Override
    public String revisionOf(Class<?> payloadType) {
        EventRevision revision = payloadType.getAnnotation(EventRevision.class);
        return revision != null ? revision.value() : axon.revisionOf(payloadType);
    }
}
