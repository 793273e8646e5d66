package dev.tern.events.commands;

import dev.tern.events.values.Cidr;

/**
 * Move the account's mesh network to {@code network} (NetBird's {@code settings.network_range} in
 * PUT /api/accounts/{id}), readdressing every peer; owners and admins only.
 */
public record ChangeAccountNetworkRange(String accountId, Cidr network, String actingUserId)
        implements AccountCommand {
}
