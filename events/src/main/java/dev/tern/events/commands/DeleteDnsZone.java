package dev.tern.events.commands;

/** Delete a custom DNS zone with its records. */
public record DeleteDnsZone(String accountId, String zoneId) implements AccountCommand {
}
