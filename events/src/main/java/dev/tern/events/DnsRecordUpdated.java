package dev.tern.events;

import dev.tern.events.values.DnsRecordDefinition;

/** A record of a custom DNS zone was replaced. */
public record DnsRecordUpdated(String accountId, String zoneId,
                               String recordId, DnsRecordDefinition definition) implements AccountEvent {
}
