package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** An account came into being with its mesh network (a /16 in 100.64.0.0/10, or a smaller one down
 * to a /30 when tern-server is told so) and DNS domain. */
public record AccountCreated(String accountId, Cidr network, String dnsDomain, Instant createdAt) implements AccountEvent {
}
