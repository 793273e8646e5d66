package dev.tern.agent.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tern.agent.common.AgentException;
import dev.tern.agent.common.Json;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What {@code tern status} shows, and the JSON the daemon serves: its own address, the state of the management,
 * signal and relay connections, per peer what WireGuard reports, and the DNS the agent serves. {@code relay} and
 * {@code dns} are null in status written by older agents.
 */
public record StatusReport(String interfaceName, String publicKey, String meshAddress, String fqdn, long serial,
                    Connection management, Connection signal, Connection relay, List<Peer> peers, String updatedAt,
                    Dns dns, List<Route> routes) {

    /** A report without routes (what agents before routes wrote). */
    public StatusReport(String interfaceName, String publicKey, String meshAddress, String fqdn, long serial,
                        Connection management, Connection signal, Connection relay, List<Peer> peers, String updatedAt,
                        Dns dns) {
        this(interfaceName, publicKey, meshAddress, fqdn, serial, management, signal, relay, peers, updatedAt, dns,
                null);
    }

    /**
     * A routed network this host uses, serves or leaves out: {@code network} is the CIDR, or a domain route's
     * domains (space-separated); {@code routingPeer} is the chosen routing peer's name (null for a route we serve),
     * {@code state} {@code active} (the routing peer has a fresh handshake), {@code connecting} (chosen, no fresh
     * handshake yet), {@code serving} (we are its routing peer), {@code not-selected} (skipAutoApply, or
     * deselected: {@code tern route select NET_ID} turns it on) or {@code no-ipv6} (an IPv6 network, and the mesh
     * gives this peer no IPv6 address). {@code resolved}: for a domain route, the addresses its domains resolved
     * to and that are routed (null for a network route).
     */
    public record Route(String network, String netId, String routingPeer, String routingPeerKey, String state,
                        List<String> resolved) {
        /** A network route's line. */
        public Route(String network, String netId, String routingPeer, String routingPeerKey, String state) {
            this(network, netId, routingPeer, routingPeerKey, state, null);
        }
    }

    /** A report without DNS state (what older agents wrote). */
    public StatusReport(String interfaceName, String publicKey, String meshAddress, String fqdn, long serial,
                        Connection management, Connection signal, Connection relay, List<Peer> peers, String updatedAt) {
        this(interfaceName, publicKey, meshAddress, fqdn, serial, management, signal, relay, peers, updatedAt, null);
    }

    /**
     * The agent's resolver: its address ({@code null} while it serves nothing: no map yet, or the map does not
     * enable DNS), the zones it answers, the match domains it forwards to nameserver groups, the host's previous
     * upstream (where other names go), how the host was pointed at it ({@code systemd-resolved},
     * {@code resolv.conf} or {@code none}), and why it is not serving when it failed.
     */
    public record Dns(String resolver, List<String> zones, List<String> matchDomains, List<String> upstream,
                      String hostConfig, String error) {
    }

    /**
     * A control-plane connection: {@code state} is connected, connecting, disconnected, or (management only)
     * needs-login: the peer's login expired or it is not registered, and it has no usable setup key; or
     * server-key-changed: the server presents a key other than the one pinned at the first login.
     */
    public record Connection(String url, String state, String error) {
    }

    /**
     * A remote peer. {@code state} is connected (handshake within the last 3 minutes), connecting (we know an
     * endpoint but have no fresh handshake), idle (no endpoint known yet) or login-expired (the server lists it
     * among the offline peers: its login lapsed, so it is not configured until it logs in again).
     * {@code connectionType} is relayed (WireGuard's endpoint is our loopback proxy to the relay), direct (any
     * other endpoint) or null (no endpoint); older daemons do not write it.
     */
    public record Peer(String name, String fqdn, String publicKey, String meshIp, String endpoint, String state,
                String lastHandshake, long rxBytes, long txBytes, String connectionType) {
    }

    public static final String LOGIN_EXPIRED = "login-expired";

    /** WireGuard rejects a session after 180 s without a new handshake; past that the peer is not connected. */
    static final Duration HANDSHAKE_FRESH = Duration.ofSeconds(180);

    public static String peerState(long lastHandshakeEpochSeconds, String endpoint, Instant now) {
        if (lastHandshakeEpochSeconds > 0
                && Duration.between(Instant.ofEpochSecond(lastHandshakeEpochSeconds), now).compareTo(HANDSHAKE_FRESH) <= 0) {
            return "connected";
        }
        return endpoint == null ? "idle" : "connecting";
    }

    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static StatusReport fromJson(String json) {
        try {
            return Json.MAPPER.readValue(json, StatusReport.class);
        } catch (JsonProcessingException e) {
            throw new AgentException(AgentException.FAILURE, "daemon status is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The human-readable form; {@code detail} adds one block per peer. */
    public String toText(boolean detail) {
        StringBuilder out = new StringBuilder();
        out.append("Interface:  ").append(interfaceName).append('\n');
        out.append("Mesh IP:    ").append(orDash(meshAddress)).append('\n');
        out.append("FQDN:       ").append(orDash(fqdn)).append('\n');
        out.append("Public key: ").append(orDash(publicKey)).append('\n');
        out.append("Management: ").append(describe(management)).append('\n');
        out.append("Signal:     ").append(describe(signal)).append('\n');
        out.append("Relay:      ").append(describe(relay)).append('\n');
        out.append("DNS:        ").append(describe(dns)).append('\n');
        long connected = peers.stream().filter(p -> "connected".equals(p.state())).count();
        long expired = peers.stream().filter(p -> LOGIN_EXPIRED.equals(p.state())).count();
        if (routes != null && !routes.isEmpty()) {
            out.append("Routes:     ");
            for (int i = 0; i < routes.size(); i++) {
                Route route = routes.get(i);
                out.append(i == 0 ? "" : "            ").append(route.network()).append(' ')
                        .append(route.state())
                        .append(route.routingPeer() == null ? "" : " via " + route.routingPeer())
                        .append(route.resolved() == null ? "" : " (resolved " + orDash(String.join(" ",
                                route.resolved())) + ")")
                        .append('\n');
            }
        }
        out.append("Peers:      ").append(connected).append('/').append(peers.size() - expired).append(" connected")
                .append(expired == 0 ? "" : ", " + expired + " with expired login").append('\n');
        if (detail) {
            for (Peer peer : peers) {
                out.append('\n');
                out.append("  ").append(orDash(peer.name())).append(" (").append(orDash(peer.fqdn())).append(")\n");
                out.append("    Mesh IP:        ").append(orDash(peer.meshIp())).append('\n');
                out.append("    Public key:     ").append(peer.publicKey()).append('\n');
                out.append("    State:          ").append(peer.state()).append('\n');
                out.append("    Endpoint:       ").append(orDash(peer.endpoint())).append('\n');
                out.append("    Connection:     ").append(orDash(peer.connectionType())).append('\n');
                out.append("    Last handshake: ").append(orDash(peer.lastHandshake())).append('\n');
                out.append("    Bytes rx/tx:    ").append(peer.rxBytes()).append('/').append(peer.txBytes()).append('\n');
            }
        }
        return out.toString();
    }

    private static String describe(Connection c) {
        if (c == null) {
            return "-";
        }
        String text = c.state() + (c.url() == null ? "" : " (" + c.url() + ")");
        return c.error() == null ? text : text + ": " + c.error();
    }

    private static String describe(Dns d) {
        if (d == null || d.resolver() == null) {
            return d == null || d.error() == null ? "-" : "not served: " + d.error();
        }
        return d.resolver() + " via " + d.hostConfig() + " (zones " + orDash(String.join(" ", d.zones()))
                + (d.matchDomains().isEmpty() ? "" : "; match domains " + String.join(" ", d.matchDomains()))
                + "; upstream " + orDash(String.join(" ", d.upstream())) + ")";
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
