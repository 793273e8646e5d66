package dev.tern.events.commands;

import dev.tern.events.values.DnsZoneDefinition;

/** Replace a custom DNS zone's definition (its records stay). */
public record UpdateDnsZone(String accountId, String zoneId, DnsZoneDefinition definition) implements AccountCommand {
}
