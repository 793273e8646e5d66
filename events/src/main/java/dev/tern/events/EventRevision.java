package dev.tern.events;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The revision of an event's stored shape, written next to its JSON; bumped whenever the shape changes, together
 * with an upcaster that turns the older shape into this one. An event without it is at its first shape (revision
 * null in the store). Tern's own annotation, so this module stays free of Axon (whose serializer is told to read it).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventRevision {
    String value();
}
