package dev.tern.agent.dataplane;

import java.util.Collection;

/** The local side the engine drives: the WireGuard interface and its firewall. */
public interface DataPlane {
    String interfaceName();

    void setAddress(String cidr);

    PeerDiff applyPeers(Collection<WgPeer> peers);

    void applyFirewall(Collection<FirewallRuleSpec> inboundRules);

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
        public PeerDiff applyPeers(Collection<WgPeer> peers) {
            return device.applyPeers(peers);
        }

        @Override
        public void applyFirewall(Collection<FirewallRuleSpec> inboundRules) {
            nftables.apply(device.name(), inboundRules);
        }

        @Override
        public DeviceState read() {
            return device.read();
        }
    }
}
