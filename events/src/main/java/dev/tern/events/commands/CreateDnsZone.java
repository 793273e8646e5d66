package dev.tern.events.commands;

import dev.tern.events.values.DnsZoneDefinition;

/** Create a custom DNS zone. */
public record CreateDnsZone(String accountId, String zoneId, DnsZoneDefinition definition) implements AccountCommand {
}
