package dev.tern.agent.dns;

import java.util.List;

/**
 * A routing peer's DNS forwarder for the domain routes it serves (NetBird's {@code dnsfwd}): clients of those
 * routes ask it for the routes' domains over the mesh, it resolves them as this host does and reports the addresses
 * it gives out, so the firewall forwards towards them.
 */
public interface DnsForwarding {
    /** NetBird's forwarder port while the map's DNSConfig names none ({@code ForwarderPort} 0). */
    int DEFAULT_PORT = 5353;

    /**
     * Serves {@code domains} on our mesh IP ({@code meshAddress}, with prefix) and {@code port}, for peers in the
     * mesh prefix only; with no domains it stops. Called with every map.
     */
    void serve(String meshAddress, int port, List<String> domains, Listener listener);

    /** Stops serving. */
    void close();

    /** Where the addresses the forwarder gave out go, before the answer leaves. */
    interface Listener {
        /** {@code name} (lower case, no trailing dot), one of the served domains, resolved to {@code addresses}. */
        void forwarded(String name, List<String> addresses);
    }

    DnsForwarding NONE = new DnsForwarding() {
        @Override
        public void serve(String meshAddress, int port, List<String> domains, Listener listener) {
        }

        @Override
        public void close() {
        }
    };
}
