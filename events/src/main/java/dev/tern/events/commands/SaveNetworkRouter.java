package dev.tern.events.commands;

import dev.tern.events.values.NetworkRouterDefinition;

/** Create ({@code create}) or replace a router of a network. */
public record SaveNetworkRouter(String accountId, String networkId, String routerId, boolean create,
                                NetworkRouterDefinition definition) implements AccountCommand {
}
