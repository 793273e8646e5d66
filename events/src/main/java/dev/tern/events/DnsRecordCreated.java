package dev.tern.events;

import dev.tern.events.values.DnsRecordDefinition;

/** A record was added to a custom DNS zone. */
public record DnsRecordCreated(String accountId, String zoneId,
                               String recordId, DnsRecordDefinition definition) implements AccountEvent {
}
