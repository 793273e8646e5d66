package dev.tern.events.values;

import java.util.List;

/**
 * A custom DNS zone as NetBird's ZoneRequest: its domain, and the distribution groups whose peers resolve it.
 * {@link #validated} checks new input; the constructor takes stored values as they are.
 */
public record DnsZoneDefinition(
        String name,
        String domain,
        boolean enabled,
        boolean enableSearchDomain,
        List<String> distributionGroups) {

    public DnsZoneDefinition {
        distributionGroups = distributionGroups == null ? List.of() : List.copyOf(distributionGroups);
    }

    /** This definition with its domain in canonical form; refuses one NetBird would refuse. */
    public DnsZoneDefinition validated() {
        if (distributionGroups.isEmpty()) {
            throw new InvalidValueException("a zone needs at least one distribution group");
        }
        return new DnsZoneDefinition(Names.require(name, "zone name", Names.MAX_NAME),
                DnsNames.domain(domain, "zone domain"), enabled, enableSearchDomain, distributionGroups);
    }
}
