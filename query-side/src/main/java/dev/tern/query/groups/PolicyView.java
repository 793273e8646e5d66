package dev.tern.query.groups;

import dev.tern.events.values.PolicyDefinition;

public record PolicyView(String id, String accountId, PolicyDefinition definition) {
}
