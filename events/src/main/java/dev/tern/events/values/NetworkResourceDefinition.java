package dev.tern.events.values;

import java.util.List;

/**
 * A resource of a network (NetBird's NetworkResource): a host ({@code x.x.x.x} or a /32), a subnet or a domain
 * ({@code example.com}, {@code *.example.com}), reachable through the network's routers by the peers policies
 * let reach it. {@code address} is kept as written (NetBird answers with it); {@code prefix} is the routed network
 * of a host or subnet, {@code domain} the name of a domain resource.
 */
public record NetworkResourceDefinition(String name, String description, String address, String type, Cidr prefix,
                                        String domain, boolean enabled, List<String> groups) {
    public static final String HOST = "host";
    public static final String SUBNET = "subnet";
    public static final String DOMAIN = "domain";

    public NetworkResourceDefinition {
        description = description == null ? "" : description;
        groups = groups == null ? List.of() : List.copyOf(groups);
    }
}
