package dev.tern.events.values;

import java.util.List;

/**
 * Everything a nameserver group says, as NetBird's NameserverGroupRequest: 1 to 3 nameservers, the distribution
 * groups whose peers use it, and either primary (resolves every name) or match domains (only those), the latter
 * optionally as search domains. {@link #validated} checks new input; the constructor takes stored values as they
 * are.
 */
public record NameServerGroupDefinition(
        String name,
        String description,
        List<NameServer> nameservers,
        boolean enabled,
        List<String> groups,
        boolean primary,
        List<String> domains,
        boolean searchDomainsEnabled) {

    /** NetBird's limit on a nameserver group's name. */
    public static final int MAX_NAME = 40;
    public static final int MAX_NAMESERVERS = 3;
    public static final int MAX_DOMAINS = 100;

    public NameServerGroupDefinition {
        description = description == null ? "" : description;
        nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
        groups = groups == null ? List.of() : List.copyOf(groups);
        domains = domains == null ? List.of() : List.copyOf(domains);
    }

    /** This definition with canonical addresses and domains; refuses one NetBird would refuse. */
    public NameServerGroupDefinition validated() {
        String checkedName = Names.require(name, "nameserver group name", MAX_NAME);
        if (nameservers.isEmpty() || nameservers.size() > MAX_NAMESERVERS) {
            throw new InvalidValueException("a nameserver group has 1 to 3 nameservers, not " + nameservers.size());
        }
        if (groups.isEmpty()) {
            throw new InvalidValueException("a nameserver group needs at least one distribution group");
        }
        if (domains.size() > MAX_DOMAINS) {
            throw new InvalidValueException("a nameserver group has at most " + MAX_DOMAINS + " match domains");
        }
        if (!primary && domains.isEmpty()) {
            throw new InvalidValueException("a nameserver group that is not primary needs at least one match domain");
        }
        if (primary && !domains.isEmpty()) {
            throw new InvalidValueException("a primary nameserver group resolves every domain: give no match domains");
        }
        if (primary && searchDomainsEnabled) {
            throw new InvalidValueException("search domains need match domains; a primary nameserver group has none");
        }
        return new NameServerGroupDefinition(checkedName, description,
                nameservers.stream().map(NameServer::validated).toList(), enabled, groups, primary,
                domains.stream().map(d -> DnsNames.domain(d, "match domain")).distinct().toList(),
                searchDomainsEnabled);
    }
}
