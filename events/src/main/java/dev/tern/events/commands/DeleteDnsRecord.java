package dev.tern.events.commands;

/** Remove a record from a custom DNS zone. */
public record DeleteDnsRecord(String accountId, String zoneId, String recordId) implements AccountCommand {
}
