package dev.tern.events.values;

import java.util.List;

/** Everything a policy says, as created or replaced by an update. */
public record PolicyDefinition(
        String name,
        String description,
        boolean enabled,
        List<PolicyRule> rules,
        List<String> sourcePostureChecks) {

    public PolicyDefinition {
        name = Names.require(name, "policy name", Names.MAX_NAME);
        description = description == null ? "" : description;
        rules = rules == null ? List.of() : List.copyOf(rules);
        sourcePostureChecks = sourcePostureChecks == null ? List.of() : List.copyOf(sourcePostureChecks);
        if (rules.isEmpty()) {
            throw new InvalidValueException("policy '" + name + "' has no rules");
        }
        if (rules.stream().map(PolicyRule::id).distinct().count() != rules.size()) {
            throw new InvalidValueException("policy '" + name + "' has two rules with the same id");
        }
    }

    /** Every group any rule of the policy references. */
    public List<String> groups() {
        return rules.stream().flatMap(r -> r.groups().stream()).distinct().toList();
    }
}
