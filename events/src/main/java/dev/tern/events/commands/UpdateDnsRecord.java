package dev.tern.events.commands;

import dev.tern.events.values.DnsRecordDefinition;

/** Replace a record of a custom DNS zone. */
public record UpdateDnsRecord(String accountId, String zoneId,
                              String recordId, DnsRecordDefinition definition) implements AccountCommand {
}
