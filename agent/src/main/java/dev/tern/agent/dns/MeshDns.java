package dev.tern.agent.dns;

import dev.tern.protocol.management.DNSConfig;

/** What the engine hands every applied map's DNS configuration to. */
public interface MeshDns {
    /** {@code meshAddress} is ours with its prefix ({@code 100.64.0.7/16}); {@code config} the map's DNSConfig. */
    void apply(String meshAddress, DNSConfig config);

    /**
     * The domain routes the resolver intercepts from now on (replacing the previous ones), and where the addresses
     * their answers carry go.
     */
    default void routeDomains(java.util.List<DomainRoute> routes, DomainRoute.Listener listener) {
    }

    MeshDns NONE = new MeshDns() {
        @Override
        public void apply(String meshAddress, DNSConfig config) {
        }
    };
}
