package dev.tern.events.commands;

import java.util.List;

/** Replace the groups whose peers' DNS Tern does not manage. */
public record UpdateDnsSettings(String accountId, List<String> disabledManagementGroups) implements AccountCommand {
}
