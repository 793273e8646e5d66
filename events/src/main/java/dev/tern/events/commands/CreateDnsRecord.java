package dev.tern.events.commands;

import dev.tern.events.values.DnsRecordDefinition;

/** Add a record to a custom DNS zone. */
public record CreateDnsRecord(String accountId, String zoneId,
                              String recordId, DnsRecordDefinition definition) implements AccountCommand {
}
