package dev.tern.events.commands;

import dev.tern.events.values.NetworkResourceDefinition;

/** Create ({@code create}) or replace a resource of a network. */
public record SaveNetworkResource(String accountId, String networkId, String resourceId, boolean create,
                                  NetworkResourceDefinition definition) implements AccountCommand {
}
