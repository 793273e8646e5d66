package dev.tern.events.commands;

/** Delete a nameserver group. */
public record DeleteNameServerGroup(String accountId, String nameServerGroupId) implements AccountCommand {
}
