package dev.tern.agent;

import dev.tern.protocol.management.FirewallRule;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PortInfo;
import dev.tern.protocol.management.RemotePeerConfig;
import dev.tern.protocol.management.RuleDirection;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A network map in the agent's terms: our address, the peers we may talk to, and the inbound rules for the mesh
 * interface. Built from the protobuf {@link NetworkMap}; outbound rules are not enforced (traffic we start is
 * ours), so only {@code IN} rules survive the translation.
 */
record MeshMap(long serial, String address, String fqdn, List<RemotePeer> peers, List<FirewallRuleSpec> inboundRules) {

    record RemotePeer(String publicKey, List<String> allowedIps, String fqdn) {
        /** First DNS label of the FQDN, which is the peer's name; the first allowed IP without prefix otherwise. */
        String name() {
            if (fqdn != null && !fqdn.isEmpty()) {
                int dot = fqdn.indexOf('.');
                return dot > 0 ? fqdn.substring(0, dot) : fqdn;
            }
            return meshIp();
        }

        String meshIp() {
            if (allowedIps.isEmpty()) {
                return null;
            }
            String first = allowedIps.get(0);
            int slash = first.indexOf('/');
            return slash > 0 ? first.substring(0, slash) : first;
        }
    }

    static MeshMap from(NetworkMap map) {
        List<RemotePeer> peers = new ArrayList<>();
        for (RemotePeerConfig peer : map.getRemotePeersList()) {
            peers.add(new RemotePeer(peer.getWgPubKey(), List.copyOf(peer.getAllowedIpsList()), peer.getFqdn()));
        }
        List<FirewallRuleSpec> rules = new ArrayList<>();
        for (FirewallRule rule : map.getFirewallRulesList()) {
            rules.addAll(inbound(rule));
        }
        return new MeshMap(map.getSerial(), map.getPeerConfig().getAddress(), map.getPeerConfig().getFqdn(),
                List.copyOf(peers), List.copyOf(rules));
    }

    /**
     * The inbound rules one FirewallRule stands for: one per source prefix (or the legacy PeerIP). Rules of a kind
     * we cannot enforce exactly (custom protocols) produce nothing, which under default-drop means "not allowed".
     */
    static List<FirewallRuleSpec> inbound(FirewallRule rule) {
        if (rule.getDirection() != RuleDirection.IN) {
            return List.of();
        }
        FirewallRuleSpec.Protocol protocol;
        switch (rule.getProtocol()) {
            case ALL -> protocol = FirewallRuleSpec.Protocol.ALL;
            case TCP -> protocol = FirewallRuleSpec.Protocol.TCP;
            case UDP -> protocol = FirewallRuleSpec.Protocol.UDP;
            case ICMP -> protocol = FirewallRuleSpec.Protocol.ICMP;
            default -> {
                return List.of();
            }
        }
        int[] ports = ports(rule, protocol);
        boolean accept = rule.getAction() == dev.tern.protocol.management.RuleAction.ACCEPT;
        List<String> sources = new ArrayList<>();
        for (com.google.protobuf.ByteString prefix : rule.getSourcePrefixesList()) {
            sources.add(prefix(prefix.toByteArray()));
        }
        if (sources.isEmpty()) {
            @SuppressWarnings("deprecation")
            String peerIp = rule.getPeerIP();
            if (peerIp.isEmpty()) {
                return List.of();
            }
            sources.add(peerIp.equals("0.0.0.0") ? "0.0.0.0/0" : peerIp.equals("::") ? "::/0" : peerIp);
        }
        List<FirewallRuleSpec> out = new ArrayList<>();
        for (String source : sources) {
            out.add(new FirewallRuleSpec(source, protocol, ports[0], ports[1], accept));
        }
        return out;
    }

    private static int[] ports(FirewallRule rule, FirewallRuleSpec.Protocol protocol) {
        if (protocol != FirewallRuleSpec.Protocol.TCP && protocol != FirewallRuleSpec.Protocol.UDP) {
            return new int[]{0, 0};
        }
        if (rule.hasPortInfo()) {
            PortInfo info = rule.getPortInfo();
            if (info.hasRange()) {
                return new int[]{info.getRange().getStart(), info.getRange().getEnd()};
            }
            if (info.hasPort()) {
                return new int[]{info.getPort(), info.getPort()};
            }
        }
        String port = rule.getPort().strip();
        if (port.isEmpty()) {
            return new int[]{0, 0};
        }
        int dash = port.indexOf('-');
        if (dash > 0) {
            return new int[]{Integer.parseInt(port.substring(0, dash)), Integer.parseInt(port.substring(dash + 1))};
        }
        int single = Integer.parseInt(port);
        return new int[]{single, single};
    }

    /** A compact source prefix: 4 or 16 address bytes followed by one prefix-length byte. */
    static String prefix(byte[] compact) {
        if (compact.length != 5 && compact.length != 17) {
            throw new IllegalArgumentException("source prefix must be 5 or 17 bytes, got " + compact.length);
        }
        byte[] ip = java.util.Arrays.copyOf(compact, compact.length - 1);
        int bits = compact[compact.length - 1] & 0xff;
        try {
            return InetAddress.getByAddress(ip).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
