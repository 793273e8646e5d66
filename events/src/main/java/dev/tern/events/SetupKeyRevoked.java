package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A setup key was revoked: it registers no more peers. */
public record SetupKeyRevoked(String accountId, String setupKeyId) implements AccountEvent {
}
