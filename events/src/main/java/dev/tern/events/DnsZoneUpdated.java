package dev.tern.events;

import dev.tern.events.values.DnsZoneDefinition;

/** A custom DNS zone was replaced by a new definition; its records stay. */
public record DnsZoneUpdated(String accountId, String zoneId, DnsZoneDefinition definition) implements AccountEvent {
}
