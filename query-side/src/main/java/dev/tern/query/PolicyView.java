package dev.tern.query;

import dev.tern.events.values.PolicyDefinition;

public record PolicyView(String id, String accountId, PolicyDefinition definition) {
}
