package dev.tern.agent.engine;

import dev.tern.agent.dataplane.FirewallRuleSpec;
import dev.tern.agent.routing.MapRoutes;
import dev.tern.protocol.management.DNSConfig;
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
 * interface, its DNS configuration (handed as it is to the agent's resolver) and its routes. Built from the protobuf
 * {@link NetworkMap}; outbound rules are not enforced (traffic we start is ours), so only {@code IN} rules survive
 * the translation.
 */
public record MeshMap(long serial, String address, String fqdn, List<RemotePeer> peers, List<RemotePeer> offlinePeers,
               List<FirewallRuleSpec> inboundRules, DNSConfig dns, MapRoutes routes, String addressV6) {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MeshMap.class);

    /** A map without an IPv6 mesh address ({@code addressV6}: ours with prefix, e.g. {@code fd00::7/64}, or null). */
    public MeshMap(long serial, String address, String fqdn, List<RemotePeer> peers, List<RemotePeer> offlinePeers,
                   List<FirewallRuleSpec> inboundRules, DNSConfig dns, MapRoutes routes) {
        this(serial, address, fqdn, peers, offlinePeers, inboundRules, dns, routes, null);
    }

    /** A map without routes. */
    public MeshMap(long serial, String address, String fqdn, List<RemotePeer> peers, List<RemotePeer> offlinePeers,
                   List<FirewallRuleSpec> inboundRules, DNSConfig dns) {
        this(serial, address, fqdn, peers, offlinePeers, inboundRules, dns, MapRoutes.NONE);
    }

    /** A map without DNS configuration (which leaves the host's DNS alone). */
    public MeshMap(long serial, String address, String fqdn, List<RemotePeer> peers, List<RemotePeer> offlinePeers,
                   List<FirewallRuleSpec> inboundRules) {
        this(serial, address, fqdn, peers, offlinePeers, inboundRules, DNSConfig.getDefaultInstance());
    }

    /** A map without offline peers. */
    MeshMap(long serial, String address, String fqdn, List<RemotePeer> peers, List<FirewallRuleSpec> inboundRules) {
        this(serial, address, fqdn, peers, List.of(), inboundRules);
    }

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

    /**
     * The map's peers; its offline peers (whose login expired) are only shown in the status, never configured:
     * the server has stopped letting them in.
     */
    public static MeshMap from(NetworkMap map) {
        List<FirewallRuleSpec> rules = new ArrayList<>();
        for (FirewallRule rule : map.getFirewallRulesList()) {
            try {
                rules.addAll(inbound(rule));
            } catch (IllegalArgumentException e) {
                // Dropping a rule we cannot read only ever denies more (the chain ends in drop).
                LOG.warn("skipping a firewall rule that cannot be enforced: {}", e.getMessage());
            }
        }
        return new MeshMap(map.getSerial(), map.getPeerConfig().getAddress(), map.getPeerConfig().getFqdn(),
                remotePeers(map.getRemotePeersList()), remotePeers(map.getOfflinePeersList()), List.copyOf(rules),
                map.getDNSConfig(), MapRoutes.from(map), addressV6(map));
    }

    /** Our IPv6 mesh address with its prefix, from PeerConfig's 17 bytes; null when the map gives none. */
    static String addressV6(NetworkMap map) {
        byte[] compact = map.getPeerConfig().getAddressV6().toByteArray();
        return compact.length == 17 ? prefix(compact) : null;
    }

    private static List<RemotePeer> remotePeers(List<RemotePeerConfig> configs) {
        List<RemotePeer> peers = new ArrayList<>();
        for (RemotePeerConfig peer : configs) {
            // One malformed entry must not keep every other peer from being configured.
            if (!isWireGuardKey(peer.getWgPubKey())) {
                LOG.warn("skipping a remote peer whose key is not a WireGuard public key");
                continue;
            }
            List<String> allowed = peer.getAllowedIpsList().stream().filter(MeshMap::isCidr).toList();
            if (allowed.size() != peer.getAllowedIpsCount()) {
                LOG.warn("peer {}: ignoring allowed IPs that are not IP prefixes", peer.getFqdn());
            }
            peers.add(new RemotePeer(peer.getWgPubKey(), allowed, peer.getFqdn()));
        }
        return List.copyOf(peers);
    }

    /**
     * The inbound rules one FirewallRule stands for: one per source prefix (or the legacy PeerIP). Rules of a kind
     * we cannot enforce exactly (custom protocols) produce nothing, which under default-drop means "not allowed".
     */
    static List<FirewallRuleSpec> inbound(FirewallRule rule) {
        if (rule.getDirection() != RuleDirection.IN) {
            return List.of();
        }
        FirewallRuleSpec.Protocol protocol = MapRoutes.protocol(rule.getProtocol()).orElse(null);
        if (protocol == null) {
            return List.of();
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
            if (!isCidr(source)) {
                throw new IllegalArgumentException("source is not an IP prefix");
            }
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

    static boolean isWireGuardKey(String base64) {
        try {
            return base64 != null && java.util.Base64.getDecoder().decode(base64).length == 32;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** An IPv4/IPv6 literal with an optional prefix length in range, e.g. {@code 100.64.0.2/32}. */
    static boolean isCidr(String text) {
        if (text == null) {
            return false;
        }
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (!Candidates.isIpLiteral(address)) {
            return false;
        }
        if (slash < 0) {
            return true;
        }
        try {
            int bits = Integer.parseInt(text.substring(slash + 1));
            return bits >= 0 && bits <= (address.indexOf(':') >= 0 ? 128 : 32);
        } catch (NumberFormatException e) {
            return false;
        }
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
