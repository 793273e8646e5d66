package dev.tern.agent.dns;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;

/**
 * A domain route as the resolver intercepts it (NetBird's DNS interceptor): A and AAAA questions for
 * {@code domains} (a name itself, or {@code *.example.com} for every name below) go to {@code forwarder}, the DNS
 * forwarder of the route's chosen routing peer, and the addresses of its answer are reported under {@code group}
 * before the answer goes back to the asking program, so its first packet already has a route.
 */
public record DomainRoute(String group, List<String> domains, InetSocketAddress forwarder) {

    public DomainRoute {
        domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT).replaceAll("\\.$", "")).toList();
    }

    /** Whether {@code name} (any case, with or without the trailing dot) is one of the domains. */
    public boolean covers(String name) {
        String n = name.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        return domains.stream().anyMatch(pattern -> pattern.startsWith("*.") ? n.endsWith(pattern.substring(1))
                : n.equals(pattern));
    }

    /** Where the addresses a domain route's answer carried are reported (the engine routes them). */
    public interface Listener {
        /** {@code name} (lower case, no trailing dot) of route group {@code group} resolved to {@code addresses}. */
        void resolved(String group, String name, List<String> addresses);

        Listener NONE = (group, name, addresses) -> {
        };
    }
}
