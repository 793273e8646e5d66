package dev.tern.agent.dataplane;

import java.util.List;

/**
 * What this host, as a routing peer, forwards from the mesh: traffic the {@code rules} let through, and, for the
 * networks in {@code masqueraded}, with the source rewritten to this host's address on the way out.
 */
public record RoutedTraffic(List<ForwardRuleSpec> rules, List<String> masqueraded) {
    /** A host that routes nothing: everything arriving on the mesh interface stays here. */
    public static final RoutedTraffic NONE = new RoutedTraffic(List.of(), List.of());

    public RoutedTraffic {
        rules = List.copyOf(rules);
        masqueraded = List.copyOf(masqueraded);
    }
}
