package dev.tern.events.values;

import java.util.List;

/**
 * One rule of a policy: traffic from peers in {@code sources} to peers in {@code destinations} (and back when
 * {@code bidirectional}) on {@code protocol} and ports. Group ids are checked against the account by the
 * aggregate; what is checked here can never be valid. A rule towards a network resource names it in
 * {@code destinationResource} (null otherwise; rules stored before it existed read back with null) and then needs
 * no destination groups.
 */
public record PolicyRule(
        String id,
        String name,
        String description,
        boolean enabled,
        RuleAction action,
        boolean bidirectional,
        Protocol protocol,
        List<PortRange> ports,
        List<PortRange> portRanges,
        List<String> sources,
        List<String> destinations,
        ResourceRef destinationResource) {

    /** A rule between groups only. */
    public PolicyRule(String id, String name, String description, boolean enabled, RuleAction action,
                      boolean bidirectional, Protocol protocol, List<PortRange> ports, List<PortRange> portRanges,
                      List<String> sources, List<String> destinations) {
        this(id, name, description, enabled, action, bidirectional, protocol, ports, portRanges, sources,
                destinations, null);
    }

    public PolicyRule {
        Names.require(id, "rule id", 64);
        name = Names.require(name, "rule name", Names.MAX_NAME);
        description = description == null ? "" : description;
        if (action == null) {
            throw new InvalidValueException("rule action is missing");
        }
        if (protocol == null) {
            throw new InvalidValueException("rule protocol is missing");
        }
        ports = ports == null ? List.of() : List.copyOf(ports);
        portRanges = portRanges == null ? List.of() : List.copyOf(portRanges);
        sources = sources == null ? List.of() : List.copyOf(sources);
        destinations = destinations == null ? List.of() : List.copyOf(destinations);
        if ((protocol == Protocol.ALL || protocol == Protocol.ICMP) && (!ports.isEmpty() || !portRanges.isEmpty())) {
            throw new InvalidValueException("ports are only allowed with protocol tcp or udp");
        }
        if (sources.isEmpty()) {
            throw new InvalidValueException("rule '" + name + "' has no source groups");
        }
        if (destinations.isEmpty() && destinationResource == null) {
            throw new InvalidValueException("rule '" + name + "' has no destination groups");
        }
    }

    /** All groups the rule references, sources first. */
    public List<String> groups() {
        return java.util.stream.Stream.concat(sources.stream(), destinations.stream()).distinct().toList();
    }

    /** Whether the rule restricts ports at all (no ports means every port of the protocol). */
    public boolean hasPorts() {
        return !ports.isEmpty() || !portRanges.isEmpty();
    }
}
