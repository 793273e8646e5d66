package dev.tern.api.grpc;

import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PortRange;
import dev.tern.projector.FirewallRule;
import dev.tern.projector.PeerNetworkMap;
import dev.tern.projector.RemotePeer;
import dev.tern.protocol.management.CustomZone;
import dev.tern.protocol.management.DNSConfig;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PeerConfig;
import dev.tern.protocol.management.PortInfo;
import dev.tern.protocol.management.RemotePeerConfig;
import dev.tern.protocol.management.RuleAction;
import dev.tern.protocol.management.RuleDirection;
import dev.tern.protocol.management.RuleProtocol;
import dev.tern.protocol.management.SSHConfig;
import dev.tern.protocol.management.SimpleRecord;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The projector's maps in NetBird's wire shape (management.proto), field by field. */
final class NetworkMapMessages {
    /** DNS RR type A, class IN and the TTL NetBird uses for peer records. */
    static final int RECORD_TYPE_A = 1;
    static final String RECORD_CLASS_IN = "IN";
    static final int RECORD_TTL_SECONDS = 300;

    private NetworkMapMessages() {
    }

    static PeerConfig peerConfig(dev.tern.projector.PeerConfig own) {
        return PeerConfig.newBuilder()
                .setAddress(own.address())
                .setFqdn(own.fqdn())
                .setSshConfig(SSHConfig.newBuilder().setSshEnabled(own.sshEnabled()))
                // NetBird's account default (routing_peer_dns_resolution_enabled): clients resolve a domain route
                // through its routing peer's DNS forwarder, whose answers open the routing peer's firewall; a
                // client resolving by itself would send traffic the routing peer's forwarder never allowed
                .setRoutingPeerDnsResolutionEnabled(true)
                .build();
    }

    static NetworkMap networkMap(PeerNetworkMap map) {
        NetworkMap.Builder out = NetworkMap.newBuilder()
                .setSerial(map.serial())
                .setPeerConfig(peerConfig(map.peerConfig()))
                .setRemotePeersIsEmpty(map.remotePeers().isEmpty())
                .setFirewallRulesIsEmpty(map.firewallRules().isEmpty())
                .setDNSConfig(dnsConfig(map));
        for (RemotePeer remote : map.remotePeers()) {
            out.addRemotePeers(remotePeer(remote));
        }
        // Peers whose login expired: NetBird's clients list them but configure no WireGuard peer for them.
        for (RemotePeer offline : map.offlinePeers()) {
            out.addOfflinePeers(remotePeer(offline));
        }
        for (FirewallRule rule : map.firewallRules()) {
            out.addFirewallRules(firewallRule(rule));
        }
        RouteMessages.addTo(out, map);
        return out.build();
    }

    static RemotePeerConfig remotePeer(RemotePeer remote) {
        return RemotePeerConfig.newBuilder()
                .setWgPubKey(remote.wgPubKey().base64())
                .addAllowedIps(remote.allowedIp())
                .setFqdn(remote.fqdn())
                .setSshConfig(SSHConfig.newBuilder().setSshEnabled(remote.sshEnabled()))
                .build();
    }

    static dev.tern.protocol.management.FirewallRule firewallRule(FirewallRule rule) {
        dev.tern.protocol.management.FirewallRule.Builder out = dev.tern.protocol.management.FirewallRule.newBuilder()
                .setPeerIP(rule.peerIp())
                // Clients advertising PeerCapabilitySourcePrefixes read the address from here instead of PeerIP.
                .addSourcePrefixes(hostPrefix(rule.peerIp()))
                .setDirection(rule.direction() == FirewallRule.Direction.IN ? RuleDirection.IN : RuleDirection.OUT)
                .setAction(rule.action() == dev.tern.events.values.RuleAction.ACCEPT ? RuleAction.ACCEPT : RuleAction.DROP)
                .setProtocol(protocol(rule.protocol()))
                .setPolicyID(com.google.protobuf.ByteString.copyFrom(rule.policyId(), StandardCharsets.UTF_8));
        PortRange port = rule.port();
        if (port != null) {
            if (port.isSingle()) {
                // Old clients read only Port; newer ones prefer PortInfo.
                out.setPort(Integer.toString(port.start()));
                out.setPortInfo(PortInfo.newBuilder().setPort(port.start()));
            } else {
                out.setPortInfo(PortInfo.newBuilder()
                        .setRange(PortInfo.Range.newBuilder().setStart(port.start()).setEnd(port.end())));
            }
        }
        return out.build();
    }

    /** An IPv4 address as NetBird's prefix bytes: the 4 address bytes, then the prefix length 32. */
    static com.google.protobuf.ByteString hostPrefix(String ipv4) {
        int bits = new MeshIp(ipv4).bits();
        // The projector collapses rules towards the All group into one rule for 0.0.0.0, meaning "any peer", as
        // NetBird does: that is the prefix 0.0.0.0/0, not the host 0.0.0.0/32.
        byte prefixLength = (byte) (bits == 0 ? 0 : 32);
        return com.google.protobuf.ByteString.copyFrom(new byte[]{
                (byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits, prefixLength});
    }

    static RuleProtocol protocol(dev.tern.events.values.Protocol protocol) {
        return switch (protocol) {
            case ALL -> RuleProtocol.ALL;
            case TCP -> RuleProtocol.TCP;
            case UDP -> RuleProtocol.UDP;
            case ICMP -> RuleProtocol.ICMP;
        };
    }

    /**
     * The peer zone, the account's DNS domain, with an A record per peer name it can see (itself and offline peers
     * included, see {@link PeerNetworkMap#dnsRecords()}), and what the account adds ({@link PeerDnsMessages}).
     */
    static DNSConfig dnsConfig(PeerNetworkMap map) {
        CustomZone.Builder zone = CustomZone.newBuilder().setDomain(fullyQualified(zoneOf(map.peerConfig().fqdn())));
        for (Map.Entry<String, String> record : map.dnsRecords().entrySet()) {
            zone.addRecords(SimpleRecord.newBuilder()
                    .setName(fullyQualified(record.getKey()))
                    .setType(RECORD_TYPE_A)
                    .setClass_(RECORD_CLASS_IN)
                    .setTTL(RECORD_TTL_SECONDS)
                    .setRData(record.getValue()));
        }
        return PeerDnsMessages.dnsConfig(zone.build(), map.dns());
    }

    /**
     * NetBird's resolver matches questions, which always end in a dot, against zone and record names as given,
     * so the server sends them fully qualified (as NetBird's own server does with dns.Fqdn).
     */
    static String fullyQualified(String name) {
        return name.endsWith(".") ? name : name + ".";
    }

    /** The account domain: a peer FQDN is exactly one label followed by it. */
    static String zoneOf(String fqdn) {
        int dot = fqdn.indexOf('.');
        return dot < 0 ? fqdn : fqdn.substring(dot + 1);
    }
}
