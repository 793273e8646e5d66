package dev.tern.agent.routing;

import dev.tern.agent.dataplane.ForwardRuleSpec;

import java.util.List;

/**
 * A domain route's firewall rule on its routing peer (NetBird's dynamic route firewall rule): {@code template}'s
 * sources, protocol, ports and action, towards every address {@code domains} resolve to here.
 */
public record DomainForwardRule(List<String> domains, ForwardRuleSpec template) {

    public DomainForwardRule {
        domains = List.copyOf(domains);
    }

    /** Whether {@code name} is one of the rule's domains (or below a wildcard). */
    public boolean covers(String name) {
        return domains.stream().anyMatch(pattern -> RouteSpec.matches(
                pattern.toLowerCase(java.util.Locale.ROOT).replaceAll("\\.$", ""), name));
    }

    /** The rule for one resolved address. */
    public ForwardRuleSpec forAddress(String address) {
        String host = address.indexOf(':') >= 0 ? address + "/128" : address + "/32";
        return new ForwardRuleSpec(template.sourceCidrs(), host, template.protocol(), template.portFrom(),
                template.portTo(), template.accept());
    }
}
