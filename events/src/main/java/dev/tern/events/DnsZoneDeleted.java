package dev.tern.events;

/** A custom DNS zone was deleted, and its records with it. */
public record DnsZoneDeleted(String accountId, String zoneId, String name, String domain) implements AccountEvent {
}
