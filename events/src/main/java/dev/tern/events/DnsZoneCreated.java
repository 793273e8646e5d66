package dev.tern.events;

import dev.tern.events.values.DnsZoneDefinition;

/** A custom DNS zone was created (without records). */
public record DnsZoneCreated(String accountId, String zoneId, DnsZoneDefinition definition) implements AccountEvent {
}
