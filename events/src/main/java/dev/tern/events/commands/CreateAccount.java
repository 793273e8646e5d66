package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Create an account with its owner user and the built-in All group. */
public record CreateAccount(String accountId, Cidr network, String dnsDomain, String ownerUserId, String ownerEmail, String ownerName, String allGroupId) implements AccountCommand {
}
