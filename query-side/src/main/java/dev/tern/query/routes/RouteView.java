package dev.tern.query.routes;

import dev.tern.events.values.RouteDefinition;

public record RouteView(String id, String accountId, RouteDefinition definition) {
}
