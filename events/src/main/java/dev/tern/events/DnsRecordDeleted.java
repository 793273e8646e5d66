package dev.tern.events;

/** A record was removed from a custom DNS zone. */
public record DnsRecordDeleted(String accountId, String zoneId, String recordId, String name) implements AccountEvent {
}
