package dev.tern.agent.dataplane;

import java.util.Collection;

/** The local side the engine drives: the WireGuard interface and its firewall. */
public interface DataPlane {
    String interfaceName();

    void setAddress(String cidr);

    /** Our IPv6 mesh address with prefix (the map's {@code address_v6}): IPv6 routes need a source on the mesh. */
    void setAddressV6(String cidr);

    PeerDiff applyPeers(Collection<WgPeer> peers);

    /** The firewall for a host that routes nothing for the mesh. */
    default void applyFirewall(Collection<FirewallRuleSpec> inboundRules) {
        applyFirewall(inboundRules, RoutedTraffic.NONE);
    }

    /** Inbound rules and what this host forwards as a routing peer, in one transaction. */
    void applyFirewall(Collection<FirewallRuleSpec> inboundRules, RoutedTraffic routed);

    DeviceState read();

    /** The real thing: a {@link WireGuardDevice} plus its nftables table. */
    final class Linux implements DataPlane {
        private final WireGuardDevice device;
        private final Nftables nftables;

        public Linux(WireGuardDevice device, Nftables nftables) {
            this.device = device;
            this.nftables = nftables;
        }

        @Override
        public String interfaceName() {
            return device.name();
        }

        @Override
        public void setAddress(String cidr) {
            device.setAddress(cidr);
        }

        @Override
        public void setAddressV6(String cidr) {
            device.setAddressV6(cidr);
        }

        @Override
        public PeerDiff applyPeers(Collection<WgPeer> peers) {
            return device.applyPeers(peers);
        }

        @Override
        public void applyFirewall(Collection<FirewallRuleSpec> inboundRules, RoutedTraffic routed) {
            nftables.apply(device.name(), inboundRules, routed);
        }

        @Override
        public DeviceState read() {
            return device.read();
        }
    }
}
