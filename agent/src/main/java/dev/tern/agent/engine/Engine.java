package dev.tern.agent.engine;

import dev.tern.agent.dataplane.DataPlane;
import dev.tern.agent.dataplane.DeviceState;
import dev.tern.agent.dataplane.PeerDiff;
import dev.tern.agent.dataplane.WgPeer;
import dev.tern.agent.dataplane.FirewallRuleSpec;
import dev.tern.agent.dns.DnsForwarding;
import dev.tern.agent.dns.DomainRoute;
import dev.tern.agent.dns.MeshDns;
import dev.tern.agent.relay.RelayProxy;
import dev.tern.agent.relay.RelayTransport;
import dev.tern.agent.routing.RouteSpec;
import dev.tern.agent.routing.Routing;
import dev.tern.agent.status.StatusReport;
import dev.tern.agent.ice.IceCredentials;
import dev.tern.agent.ice.IceOfferAnswer;
import dev.tern.agent.ice.IcePeer;
import dev.tern.agent.ice.NetBirdIceSignals;
import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.signal.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Turns network maps and signal messages into WireGuard and firewall state. All state changes go through this
 * object's lock, so a map and a signal message never interleave halfway.
 *
 * <p>Endpoint exchange, in the shape of NetBird's signal protocol: when a peer appears (or has no fresh handshake)
 * we send OFFER (ufrag:pwd payload, our WireGuard port, our relay's address, without which a NetBird client never
 * opens a relayed link to us) followed by one CANDIDATE per local IPv4 address; the
 * other side answers with ANSWER and its own CANDIDATEs. A received candidate set becomes the peer's endpoint.
 *
 * <p>Relay fallback, as NetBird does it: a peer without a fresh handshake {@link #RELAY_AFTER} after it appeared in
 * the map (or after its endpoint last changed) is moved to a relayed link, a {@link RelayProxy} on loopback that
 * WireGuard uses as the peer's endpoint. Only that timeout moves a peer: packets arriving through the relay before
 * we relay the peer ourselves are dropped (the relay cannot vouch for who sent them). A relayed peer stays relayed
 * (no upgrade back to direct) until it leaves the map, unless ICE finds it a path.
 *
 * <p>NetBird clients: tern agents sign their OFFER/ANSWER with a version starting {@code tern-}; a peer whose
 * OFFER/ANSWER says otherwise is a NetBird client, and from then on its endpoint comes from an {@link IcePeer} (ice4j
 * against the client's pion) instead: our OFFER/ANSWER carry the link's credentials and session id, CANDIDATEs go
 * both ways, and a selected pair makes the link's loopback proxy WireGuard's endpoint for the peer (also for a
 * relayed one: NetBird, too, moves a relayed peer to the direct path once ICE connects). When ICE fails the peer is
 * relayed at once; the relay timeout applies as for any peer. Our first OFFER to a new peer is always the tern one
 * (random credentials, our WireGuard endpoints): a NetBird client answers it, and that ANSWER starts our ICE OFFER,
 * whose new session id makes the client restart its ICE on our real credentials.
 */
public final class Engine {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    static final int KEEPALIVE_SECONDS = 25;
    static final Duration REOFFER_INTERVAL = Duration.ofSeconds(10);
    /** How long a peer may go without a handshake on direct endpoints before we relay it. */
    static final Duration RELAY_AFTER = Duration.ofSeconds(10);
    /**
     * How often a relayed NetBird client is offered ICE again. NetBird's client itself gives up after three tries
     * while its relay works (then tries hourly), so without ours a path that opens later would never be used.
     */
    static final Duration ICE_RETRY_INTERVAL = Duration.ofSeconds(30);
    static final String RELAYED = "relayed";
    static final String DIRECT = "direct";
    /** What our OFFER/ANSWER carry as {@code netBirdVersion}; a peer whose version lacks the prefix is NetBird's. */
    public static final String SIGNAL_VERSION = "tern-0.1.0";
    private static final String TERN_VERSION_PREFIX = "tern-";

    public interface SignalSender {
        boolean send(String remoteKey, Body body);
    }

    private static final class Link {
        final PeerId relayId;
        final List<Candidates.Candidate> candidates = new ArrayList<>();
        String endpoint;
        Instant lastOffer = Instant.EPOCH;
        /** When the peer appeared in the map or its endpoint last changed: the relay timeout counts from here. */
        Instant waitingSince;
        RelayProxy proxy;
        /** The peer is a NetBird client: it connects with ICE, not with our endpoint exchange. */
        boolean speaksIce;
        /** The peer's current ICE link, or null (none opened yet, or the last one failed). */
        IcePeer ice;

        Link(String publicKey, Instant now) {
            this.relayId = PeerId.ofPublicKey(publicKey);
            this.waitingSince = now;
        }
    }

    private final DataPlane plane;
    private final int wgPort;
    private final Supplier<List<Candidates.LocalAddress>> localAddresses;
    private final SignalSender signal;
    private final Clock clock;
    private final RelayTransport relay;
    private final IcePeer.Factory iceLinks;
    private final Map<String, Link> links = new HashMap<>();
    /** Open relayed links by the remote's relay id, read without the lock on every relayed packet. */
    private final Map<PeerId, RelayProxy> proxies = new ConcurrentHashMap<>();
    private MeshMap map;
    private volatile MeshDns dns = MeshDns.NONE;
    private Routing routing = Routing.none();
    private DnsForwarding forwarding = DnsForwarding.NONE;
    /** The domain routes last handed to the resolver: handed again only when they change. */
    private List<DomainRoute> domainRoutes = List.of();
    private Supplier<Collection<String>> serverAddresses = List::of;
    /** Per peer key, the routed networks its allowed IPs gain as the chosen routing peer. */
    private Map<String, List<String>> routedIps = Map.of();
    /**
     * Routing peers the relay reported gone (their relay connection ended), with when it said so: such a peer
     * counts as disconnected until the relay reports it online again or it handshakes after that instant.
     */
    private final Map<String, Instant> goneFromRelay = new HashMap<>();

    public Engine(DataPlane plane, int wgPort, Supplier<List<Candidates.LocalAddress>> localAddresses, SignalSender signal,
           Clock clock) {
        this(plane, wgPort, localAddresses, signal, RelayTransport.NONE, clock);
    }

    public Engine(DataPlane plane, int wgPort, Supplier<List<Candidates.LocalAddress>> localAddresses, SignalSender signal,
           RelayTransport relay, Clock clock) {
        this(plane, wgPort, localAddresses, signal, relay, IcePeer.Factory.NONE, clock);
    }

    public Engine(DataPlane plane, int wgPort, Supplier<List<Candidates.LocalAddress>> localAddresses, SignalSender signal,
           RelayTransport relay, IcePeer.Factory iceLinks, Clock clock) {
        this.plane = plane;
        this.iceLinks = iceLinks;
        this.wgPort = wgPort;
        this.localAddresses = localAddresses;
        this.signal = signal;
        this.relay = relay;
        this.clock = clock;
    }

    /** Every applied map's DNS configuration goes to {@code dns} (the daemon's resolver), after its peers. */
    public void useDns(MeshDns dns) {
        this.dns = dns;
    }

    /**
     * Every applied map's routes go to {@code routing}; {@code serverAddresses} (management, signal, relay, STUN)
     * must stay reachable outside the mesh when an exit node takes the default route.
     */
    public synchronized void useRouting(Routing routing, Supplier<Collection<String>> serverAddresses) {
        this.routing = routing;
        this.serverAddresses = serverAddresses;
    }

    /** The DNS forwarder that answers for the domain routes this host serves as their routing peer. */
    public synchronized void useForwarding(DnsForwarding forwarding) {
        this.forwarding = forwarding;
    }

    /** Applies a new map: address, peers as a diff, firewall in one transaction; then offers to new peers. */
    public synchronized void applyMap(MeshMap newMap) {
        if (newMap.address() != null && !newMap.address().isEmpty()) {
            plane.setAddress(newMap.address());
        }
        if (newMap.addressV6() != null) {
            plane.setAddressV6(newMap.addressV6());
        }
        this.map = newMap;
        Set<String> mapped = newMap.peers().stream().map(MeshMap.RemotePeer::publicKey).collect(Collectors.toSet());
        links.entrySet().removeIf(entry -> {
            if (mapped.contains(entry.getKey())) {
                return false;
            }
            closeProxy(entry.getValue());
            closeIce(entry.getValue());
            return true;
        });
        Instant now = clock.instant();
        for (MeshMap.RemotePeer peer : newMap.peers()) {
            links.computeIfAbsent(peer.publicKey(), k -> new Link(k, now));
        }
        watchRoutingPeers(mapped);
        // Rules first: a newly added peer is never reachable under the previous map's rules.
        plane.applyFirewall(inboundRules(newMap), routing.routedTraffic(newMap.routes()));
        routedIps = routing.select(newMap.routes().routes(), mapped, connectedPeers(), newMap.routes().meshIpv6());
        PeerDiff diff = plane.applyPeers(desiredPeers());
        applyRoutes();
        forwarding.serve(newMap.address(), forwarderPort(newMap), routing.servedDomains(), this::onForwarded);
        handDomainRoutes();
        LOG.info("applied network map serial {}: {} peers (+{} ~{} -{}), {} inbound rules", newMap.serial(),
                newMap.peers().size(), diff.added().size(), diff.changed().size(), diff.removed().size(),
                newMap.inboundRules().size());
        offerStale();
        dns.apply(newMap.address(), newMap.dns());
    }

    /**
     * The map's inbound rules; while we serve domain routes, also the DNS forwarder's port for every mesh peer (as
     * NetBird's routing peer opens it): which names it answers is the forwarder's own business.
     */
    private List<FirewallRuleSpec> inboundRules(MeshMap map) {
        if (!routing.servesDomainRoutes(map.routes())) {
            return map.inboundRules();
        }
        int port = forwarderPort(map);
        List<FirewallRuleSpec> rules = new ArrayList<>(map.inboundRules());
        rules.add(new FirewallRuleSpec("0.0.0.0/0", FirewallRuleSpec.Protocol.UDP, port, port, true));
        return rules;
    }

    /** The DNS forwarder's port: the map's DNSConfig ForwarderPort, NetBird's 5353 while it names none. */
    @SuppressWarnings("deprecation")
    static int forwarderPort(MeshMap map) {
        long port = map.dns() == null ? 0 : map.dns().getForwarderPort();
        return port > 0 && port <= 65535 ? (int) port : DnsForwarding.DEFAULT_PORT;
    }

    /** Hands the resolver the domain routes in use, each with its chosen routing peer's forwarder. */
    private void handDomainRoutes() {
        Map<String, String> meshIps = new HashMap<>();
        map.peers().forEach(peer -> meshIps.put(peer.publicKey(), peer.meshIp()));
        int port = forwarderPort(map);
        List<DomainRoute> next = new ArrayList<>();
        for (Routing.Choice choice : routing.choices()) {
            String meshIp = meshIps.get(choice.route().peerKey());
            if (choice.route().isDomainRoute() && meshIp != null && Candidates.isIpLiteral(meshIp)) {
                try {
                    next.add(new DomainRoute(choice.route().group(), choice.route().domains(),
                            new java.net.InetSocketAddress(java.net.InetAddress.getByName(meshIp), port)));
                } catch (java.net.UnknownHostException e) {
                    // a literal always parses
                }
            }
        }
        if (!next.equals(domainRoutes)) {
            domainRoutes = List.copyOf(next);
            dns.routeDomains(domainRoutes, this::onDomainResolved);
        }
    }

    /** The resolver's answer for a domain route: its addresses go to the chosen routing peer, as routes. */
    private synchronized void onDomainResolved(String group, String name, List<String> addresses) {
        if (map == null || !routing.resolved(group, name, addresses)) {
            return;
        }
        LOG.info("domain route {}: {} resolved to {}", group, name, addresses);
        Set<String> mapped = map.peers().stream().map(MeshMap.RemotePeer::publicKey).collect(Collectors.toSet());
        routedIps = routing.select(map.routes().routes(), mapped, connectedPeers(), map.routes().meshIpv6());
        plane.applyPeers(desiredPeers());
        applyRoutes();
    }

    /** Our forwarder gave out addresses for a served domain route: the firewall forwards towards them. */
    private synchronized void onForwarded(String name, List<String> addresses) {
        if (map == null || !routing.forwarded(name, addresses)) {
            return;
        }
        LOG.info("forwarding towards {} ({})", addresses, name);
        plane.applyFirewall(inboundRules(map), routing.routedTraffic(map.routes()));
    }

    /**
     * {@code tern route select}/{@code deselect}: turns the routes of network id {@code netId} on or off (a route
     * with skipAutoApply waits for this); false when the map has no route with that network id.
     */
    public synchronized boolean selectRoute(String netId, boolean on) {
        boolean known = routing.setSelected(netId, on);
        if (map != null) {
            Set<String> mapped = map.peers().stream().map(MeshMap.RemotePeer::publicKey).collect(Collectors.toSet());
            routedIps = routing.select(map.routes().routes(), mapped, connectedPeers(), map.routes().meshIpv6());
            plane.applyPeers(desiredPeers());
            applyRoutes();
            handDomainRoutes();
        }
        return known;
    }

    /** The current route selection, for the daemon to keep. */
    public synchronized Routing.Selection routeSelection() {
        return routing.selection();
    }

    synchronized MeshMap currentMap() {
        return map;
    }

    private List<WgPeer> desiredPeers() {
        List<WgPeer> peers = new ArrayList<>();
        for (MeshMap.RemotePeer peer : map.peers()) {
            Link link = links.get(peer.publicKey());
            List<String> routed = routedIps.getOrDefault(peer.publicKey(), List.of());
            List<String> allowed = routed.isEmpty() ? peer.allowedIps()
                    : java.util.stream.Stream.concat(peer.allowedIps().stream(), routed.stream()).distinct().toList();
            peers.add(new WgPeer(peer.publicKey(), allowed, link == null ? null : link.endpoint, KEEPALIVE_SECONDS));
        }
        return peers;
    }

    /**
     * Peers with a fresh handshake that the relay has not reported gone since: the routing peers a route may use
     * without waiting.
     */
    private Set<String> connectedPeers() {
        Instant now = clock.instant();
        Set<String> connected = new java.util.HashSet<>();
        wireGuardStats().forEach((key, stats) -> {
            Instant gone = goneFromRelay.get(key);
            if ("connected".equals(StatusReport.peerState(stats.lastHandshakeEpochSeconds(), stats.endpoint(), now))
                    && (gone == null || stats.lastHandshakeEpochSeconds() > gone.getEpochSecond())) {
                connected.add(key);
            }
        });
        return connected;
    }

    /**
     * Follows the relay state of the map's routing peers (not ours), as NetBird's client follows the peers it
     * relays to: a routing peer whose agent stops or dies leaves the relay at once, long before its handshake
     * goes stale (180 s), so failover need not wait for WireGuard.
     */
    private void watchRoutingPeers(Set<String> mapped) {
        Set<String> routingPeers = map.routes().routes().stream().map(RouteSpec::peerKey)
                .filter(mapped::contains).collect(Collectors.toSet());
        goneFromRelay.keySet().retainAll(routingPeers);
        relay.watch(routingPeers.stream().map(key -> links.get(key).relayId).collect(Collectors.toSet()));
    }

    /** The relay reports these peers gone: a routing peer among them is given up now (see {@link #goneFromRelay}). */
    public synchronized void onRelayPeersWentOffline(List<PeerId> peers) {
        markRelayState(peers, true);
    }

    /** The relay reports these peers (back) online: they count by their handshakes again. */
    public synchronized void onRelayPeersOnline(List<PeerId> peers) {
        markRelayState(peers, false);
    }

    private void markRelayState(List<PeerId> peers, boolean gone) {
        if (map == null) {
            return;
        }
        Set<String> routingPeers = map.routes().routes().stream().map(RouteSpec::peerKey).collect(Collectors.toSet());
        boolean changed = false;
        for (Map.Entry<String, Link> entry : links.entrySet()) {
            if (!peers.contains(entry.getValue().relayId) || !routingPeers.contains(entry.getKey())) {
                continue;
            }
            if (gone) {
                LOG.info("routing peer {} left the relay", shortKey(entry.getKey()));
                goneFromRelay.put(entry.getKey(), clock.instant());
                changed = true;
            } else {
                changed |= goneFromRelay.remove(entry.getKey()) != null;
            }
        }
        if (changed) {
            refreshRoutes();
        }
    }

    /** Chooses routing peers again (one may have stopped handshaking); a changed choice moves allowed IPs. */
    private void refreshRoutes() {
        Set<String> mapped = map.peers().stream().map(MeshMap.RemotePeer::publicKey).collect(Collectors.toSet());
        Map<String, List<String>> next = routing.select(map.routes().routes(), mapped, connectedPeers(),
                map.routes().meshIpv6());
        if (!next.equals(routedIps)) {
            routedIps = next;
            LOG.info("routing peers changed: {}", routing.choices().stream()
                    .map(c -> c.route().shownNetwork() + " via " + shortKey(c.route().peerKey())).toList());
            plane.applyPeers(desiredPeers());
        }
        applyRoutes();
        handDomainRoutes();
    }

    /** Kernel routes and forwarding for the current choice; a failure is retried on the next tick. */
    private void applyRoutes() {
        try {
            List<String> keepOutside = new ArrayList<>(serverAddresses.get());
            for (Link link : links.values()) {
                if (link.endpoint != null && link.endpoint.lastIndexOf(':') > 0) {
                    keepOutside.add(link.endpoint.substring(0, link.endpoint.lastIndexOf(':')));
                }
            }
            routing.apply(keepOutside);
        } catch (RuntimeException e) {
            LOG.warn("cannot apply routes: {}", e.getMessage());
        }
    }

    /** The routes this host uses or serves, for {@code tern status}. */
    public synchronized List<StatusReport.Route> routeStatus() {
        if (map == null) {
            return List.of();
        }
        Map<String, String> names = new HashMap<>();
        map.peers().forEach(peer -> names.put(peer.publicKey(), peer.name()));
        return routing.status(key -> names.getOrDefault(key, shortKey(key)));
    }

    /** A signal message from {@code senderKey}; peers outside our map are ignored (no endpoint for strangers). */
    public synchronized void onSignal(String senderKey, Body body) {
        Link link = links.get(senderKey);
        if (map == null || link == null) {
            LOG.debug("ignoring signal {} from a peer that is not in our map", body.getType());
            return;
        }
        if (!link.speaksIce && iceLinks.enabled() && fromNetBird(body)) {
            link.speaksIce = true;
            LOG.info("peer {} is a NetBird client ({}): connecting with ICE", shortKey(senderKey),
                    body.getNetBirdVersion());
            forgetTernEndpoint(link);
        }
        if (link.speaksIce) {
            onIceSignal(senderKey, link, body);
            return;
        }
        switch (body.getType()) {
            case OFFER -> {
                link.candidates.clear();
                sendSessionAndCandidates(senderKey, Body.Type.ANSWER);
            }
            case ANSWER -> link.candidates.clear();
            case CANDIDATE -> Candidates.parse(body.getPayload()).ifPresent(candidate -> {
                if (!link.candidates.contains(candidate)) {
                    link.candidates.add(candidate);
                }
                chooseEndpoint(senderKey, link);
            });
            default -> {
                // MODE, GO_IDLE, HEARTBEAT: nothing to do without lazy connections (relaying is decided locally)
            }
        }
    }

    private static boolean fromNetBird(Body body) {
        return (body.getType() == Body.Type.OFFER || body.getType() == Body.Type.ANSWER)
                && !body.getNetBirdVersion().startsWith(TERN_VERSION_PREFIX);
    }

    /** A NetBird client's ICE candidates may have become a tern endpoint before we knew: that is no path. */
    private void forgetTernEndpoint(Link link) {
        link.candidates.clear();
        if (link.proxy == null && link.endpoint != null) {
            link.endpoint = null;
            plane.applyPeers(desiredPeers());
        }
    }

    private void onIceSignal(String peerKey, Link link, Body body) {
        try {
            switch (body.getType()) {
                case OFFER -> {
                    IcePeer ice = link.ice != null ? link.ice : openIce(peerKey, link);
                    if (ice != null) {
                        ice.onSignal(body); // answers, and starts the checks on the peer's credentials
                    }
                    if (ice != null && link.ice == null) {
                        // the offer ended that link (the peer restarted its ICE): a fresh one takes it
                        IcePeer fresh = openIce(peerKey, link);
                        if (fresh != null) {
                            fresh.onSignal(body);
                        }
                    }
                }
                case ANSWER -> {
                    if (link.ice != null) {
                        link.ice.onSignal(body);
                    } else {
                        // the answer to our tern OFFER (or to a link that failed since): its credentials face no
                        // session of ours, so offer ICE; the client restarts its ICE on our new session id
                        offerIce(peerKey, link, clock.instant());
                    }
                }
                case CANDIDATE -> {
                    if (link.ice != null) {
                        link.ice.onSignal(body);
                    }
                }
                default -> {
                    // MODE, GO_IDLE, HEARTBEAT: nothing to do without lazy connections
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("ignoring a malformed {} from {}: {}", body.getType(), shortKey(peerKey), e.getMessage());
        }
    }

    /** Offers through the peer's link, opening one when it has none. */
    private void offerIce(String peerKey, Link link, Instant now) {
        IcePeer ice = link.ice != null ? link.ice : openIce(peerKey, link);
        if (ice != null) {
            ice.offer();
            link.lastOffer = now;
        }
    }

    private IcePeer openIce(String peerKey, Link link) {
        IceListener listener = new IceListener(peerKey);
        try {
            link.ice = iceLinks.open(peerKey, listener);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot start ICE with {}: {}", shortKey(peerKey), e.getMessage());
            return null;
        }
        listener.ice = link.ice;
        return link.ice;
    }

    private void closeIce(Link link) {
        if (link.ice != null) {
            IcePeer ice = link.ice;
            link.ice = null; // first: the failure its closing reports is then a stale link's
            ice.close();
        }
    }

    /** What one ICE link reports; reports of a link that is no longer the peer's current one are dropped. */
    private final class IceListener implements IcePeer.Listener {
        private final String peerKey;
        private volatile IcePeer ice;

        IceListener(String peerKey) {
            this.peerKey = peerKey;
        }

        @Override
        public void send(Body body) {
            signal.send(peerKey, body);
        }

        @Override
        public void onDirect(String endpoint) {
            synchronized (Engine.this) {
                Link link = links.get(peerKey);
                if (link == null || ice == null || link.ice != ice) {
                    return;
                }
                if (link.proxy != null) {
                    LOG.info("peer {} moves from the relay to the direct ICE path", shortKey(peerKey));
                    closeProxy(link);
                }
                link.endpoint = endpoint;
                link.waitingSince = clock.instant();
                LOG.info("peer {} direct over ICE (WireGuard endpoint {})", shortKey(peerKey), endpoint);
                plane.applyPeers(desiredPeers());
            }
        }

        @Override
        public void onFailed(String why) {
            synchronized (Engine.this) {
                Link link = links.get(peerKey);
                if (link == null || ice == null || link.ice != ice) {
                    return;
                }
                closeIce(link);
                LOG.info("ICE with peer {} failed: {}", shortKey(peerKey), why);
                if (link.proxy == null && relay.configured()) {
                    switchToRelay(peerKey, link, "ICE failed");
                }
            }
        }
    }

    private void chooseEndpoint(String peerKey, Link link) {
        if (link.proxy != null) {
            return; // relayed links stay relayed
        }
        Candidates.choose(outsideRoutedNetworks(link.candidates), localAddresses.get()).ifPresent(chosen -> {
            String endpoint = chosen.endpoint();
            if (endpoint.equals(link.endpoint)) {
                return;
            }
            if (link.endpoint != null && handshakeFresh(peerKey) && link.candidates.stream()
                    .anyMatch(c -> c.endpoint().equals(link.endpoint))) {
                return; // the tunnel works on the endpoint we have; don't move it
            }
            link.endpoint = endpoint;
            link.waitingSince = clock.instant();
            LOG.info("peer {} reachable at {}", shortKey(peerKey), endpoint);
            plane.applyPeers(desiredPeers());
        });
    }

    /**
     * Candidates outside the networks we route into the mesh: WireGuard's packets to an address there would go
     * into the tunnel they are meant to carry (a routing peer lists its site address among its candidates). An
     * exit node's default route is left to the host routes that keep peers' endpoints outside it.
     */
    private List<Candidates.Candidate> outsideRoutedNetworks(List<Candidates.Candidate> candidates) {
        List<Candidates.LocalAddress> routed = new ArrayList<>();
        for (Routing.Choice choice : routing.choices()) {
            if (choice.route().isDomainRoute() || choice.route().isIpv6()) {
                continue;
            }
            String network = choice.route().network();
            int slash = network.indexOf('/');
            int bits = Integer.parseInt(network.substring(slash + 1));
            if (bits > 0) {
                routed.add(new Candidates.LocalAddress(network.substring(0, slash), bits));
            }
        }
        if (routed.isEmpty()) {
            return candidates;
        }
        return candidates.stream()
                .filter(c -> routed.stream().noneMatch(network -> Candidates.sameSubnet(c.address(), network)))
                .toList();
    }

    private boolean handshakeFresh(String peerKey) {
        try {
            DeviceState.PeerStats stats = plane.read().peers().get(peerKey);
            return stats != null && "connected".equals(StatusReport.peerState(stats.lastHandshakeEpochSeconds(),
                    stats.endpoint(), clock.instant()));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** After a signal (re)connect everyone without a working tunnel gets a fresh offer right away. */
    public synchronized void onSignalConnected() {
        links.values().forEach(link -> link.lastOffer = Instant.EPOCH);
        offerStale();
    }

    /**
     * A packet a peer sent us through the relay: handed to WireGuard only when we relay that peer ourselves. Served
     * without the lock. Anyone the relay admits can claim any peer id, so a relayed packet is no evidence that the
     * peer's direct path is gone: it never opens a link or moves an endpoint (that is {@link #offerStale}'s
     * decision alone, on our own handshake timeout), and before the link is ours it is dropped instead of reaching
     * WireGuard, where an authentic packet from a proxy address would make WireGuard roam the peer there.
     */
    public void onRelayed(PeerId from, byte[] payload) {
        RelayProxy proxy = proxies.get(from);
        if (proxy == null) {
            LOG.debug("dropping a relayed packet from {}: we do not relay that peer", from);
            return;
        }
        proxy.deliver(payload);
    }

    private void switchToRelay(String peerKey, Link link, String why) {
        link.proxy = new RelayProxy(link.relayId, relay, wgPort);
        proxies.put(link.relayId, link.proxy);
        link.endpoint = link.proxy.endpoint();
        LOG.info("peer {} relayed via {} ({})", shortKey(peerKey), link.endpoint, why);
        plane.applyPeers(desiredPeers());
    }

    private void closeProxy(Link link) {
        if (link.proxy != null) {
            proxies.remove(link.relayId, link.proxy);
            link.proxy.close();
            link.proxy = null;
        }
    }

    /** Closes every relayed link (the daemon is going down). */
    public synchronized void close() {
        links.values().forEach(this::closeProxy);
        links.values().forEach(this::closeIce);
        routing.close();
        forwarding.close();
    }

    /**
     * Offers to every peer without a fresh handshake whose last offer is older than the re-offer interval, and
     * moves peers that have waited longer than {@link #RELAY_AFTER} without a handshake to the relay.
     */
    public synchronized void offerStale() {
        if (map == null) {
            return;
        }
        Map<String, DeviceState.PeerStats> stats = wireGuardStats();
        Instant now = clock.instant();
        for (Map.Entry<String, Link> entry : links.entrySet()) {
            DeviceState.PeerStats peerStats = stats.get(entry.getKey());
            boolean fresh = peerStats != null && "connected".equals(
                    StatusReport.peerState(peerStats.lastHandshakeEpochSeconds(), peerStats.endpoint(), now));
            Link link = entry.getValue();
            if (link.speaksIce && link.proxy != null
                    && Duration.between(link.lastOffer, now).compareTo(ICE_RETRY_INTERVAL) >= 0) {
                // relayed: a link that found no pair by now will not; a new session id makes the client retry too
                closeIce(link);
                offerIce(entry.getKey(), link, now);
                continue;
            }
            if (fresh || link.proxy != null) {
                continue;
            }
            if (relay.configured() && Duration.between(link.waitingSince, now).compareTo(RELAY_AFTER) >= 0) {
                switchToRelay(entry.getKey(), link, "no handshake for " + RELAY_AFTER.toSeconds() + " s");
                continue;
            }
            if (Duration.between(link.lastOffer, now).compareTo(REOFFER_INTERVAL) < 0) {
                continue;
            }
            if (link.speaksIce) {
                offerIce(entry.getKey(), link, now);
                continue;
            }
            if (sendSessionAndCandidates(entry.getKey(), Body.Type.OFFER)) {
                entry.getValue().lastOffer = now;
            }
        }
        refreshRoutes();
    }

    /** What WireGuard reports per peer, or nothing while the device cannot be read (it is then treated as silent). */
    private Map<String, DeviceState.PeerStats> wireGuardStats() {
        try {
            return plane.read().peers();
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    private boolean sendSessionAndCandidates(String peerKey, Body.Type type) {
        IceOfferAnswer offerAnswer = new IceOfferAnswer(IceCredentials.random(), wgPort,
                relay.configured() ? relay.address() : null, null);
        Body session = type == Body.Type.OFFER ? NetBirdIceSignals.offer(offerAnswer, SIGNAL_VERSION)
                : NetBirdIceSignals.answer(offerAnswer, SIGNAL_VERSION);
        if (!signal.send(peerKey, session)) {
            return false;
        }
        List<Candidates.LocalAddress> local = localAddresses.get();
        for (int i = 0; i < local.size(); i++) {
            signal.send(peerKey, Body.newBuilder().setType(Body.Type.CANDIDATE)
                    .setPayload(Candidates.format(i, local.get(i).address(), wgPort)).build());
        }
        return true;
    }

    private static String shortKey(String key) {
        return key.length() > 8 ? key.substring(0, 8) + "…" : key;
    }

    /** The per-peer part of the status, from the map and what WireGuard reports. */
    public synchronized List<StatusReport.Peer> peerStatus() {
        if (map == null) {
            return List.of();
        }
        Map<String, DeviceState.PeerStats> stats = wireGuardStats();
        Instant now = clock.instant();
        List<StatusReport.Peer> out = new ArrayList<>();
        for (MeshMap.RemotePeer peer : map.peers()) {
            DeviceState.PeerStats s = stats.get(peer.publicKey());
            Link link = links.get(peer.publicKey());
            String endpoint = s != null && s.endpoint() != null ? s.endpoint() : link == null ? null : link.endpoint;
            long handshake = s == null ? 0 : s.lastHandshakeEpochSeconds();
            // What WireGuard uses decides: a relayed peer that roamed to a direct address is direct again.
            String connectionType = endpoint == null ? null
                    : link != null && link.proxy != null && endpoint.equals(link.proxy.endpoint()) ? RELAYED : DIRECT;
            out.add(new StatusReport.Peer(peer.name(), peer.fqdn(), peer.publicKey(), peer.meshIp(), endpoint,
                    StatusReport.peerState(handshake, endpoint, now),
                    handshake > 0 ? Instant.ofEpochSecond(handshake).toString() : null,
                    s == null ? 0 : s.rxBytes(), s == null ? 0 : s.txBytes(), connectionType));
        }
        for (MeshMap.RemotePeer peer : map.offlinePeers()) {
            out.add(new StatusReport.Peer(peer.name(), peer.fqdn(), peer.publicKey(), peer.meshIp(), null,
                    StatusReport.LOGIN_EXPIRED, null, 0, 0, null));
        }
        return out;
    }
}
