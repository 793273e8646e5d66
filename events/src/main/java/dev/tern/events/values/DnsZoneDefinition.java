package dev.tern.events.values;

import java.util.List;

/** A custom DNS zone as NetBird's ZoneRequest: its domain, and the distribution groups whose peers resolve it. */
public record DnsZoneDefinition(
        String name,
        String domain,
        boolean enabled,
        boolean enableSearchDomain,
        List<String> distributionGroups) {

    public DnsZoneDefinition {
        name = Names.require(name, "zone name", Names.MAX_NAME);
        domain = DnsNames.domain(domain, "zone domain");
        distributionGroups = distributionGroups == null ? List.of() : List.copyOf(distributionGroups);
        if (distributionGroups.isEmpty()) {
            throw new InvalidValueException("a zone needs at least one distribution group");
        }
    }
}
