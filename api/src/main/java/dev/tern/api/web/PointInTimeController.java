package dev.tern.api.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tern.api.auth.Caller;
import dev.tern.api.history.PeerTimeline;
import dev.tern.api.history.PointInTime;
import dev.tern.events.values.PortRange;
import dev.tern.projector.FirewallRule;
import dev.tern.projector.PeerNetworkMap;
import dev.tern.projector.PeerRoute;
import dev.tern.projector.ReachExplainer;
import dev.tern.projector.RemotePeer;
import dev.tern.projector.RouteFirewallRule;
import dev.tern.query.groups.GroupReads;
import dev.tern.query.groups.GroupView;
import dev.tern.query.history.AccountEventsAt;
import dev.tern.query.peers.PeerReads;
import dev.tern.query.peers.PeerView;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tern extensions about one peer's reach, each also answering {@code ?as_of=} ({@link AsOfFilter}):
 * <ul>
 *   <li>{@code GET /api/peers/{id}/network-map}: the map the peer was sent (the live projector's computation);</li>
 *   <li>{@code GET /api/peers/{a}/access/{b}}: whether A could reach B, which policy rules and routes allowed it
 *       (direction, protocol, ports), or what was missing;</li>
 *   <li>{@code GET /api/peers/{id}/timeline}: the events that changed what the peer could reach, newest first,
 *       paged like the audit trail, with actors. A deleted peer keeps its timeline.</li>
 * </ul>
 * The first two follow the accessible-peers rules (a plain user sees only its own peers); the timeline, which
 * names other users' actions, is for readers of everything (owner, admin, auditor).
 */
@RestController
class PointInTimeController {
    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 1000;

    private final PeerReads peers;
    private final GroupReads groups;
    private final ProjectedAccess access;
    private final AccountEventsAt events;
    private final PeerTimeline timelines;

    PointInTimeController(PeerReads peers, GroupReads groups, ProjectedAccess access, AccountEventsAt events,
                          PeerTimeline timelines) {
        this.peers = peers;
        this.groups = groups;
        this.access = access;
        this.events = events;
        this.timelines = timelines;
    }

    @GetMapping("/api/peers/{peerId}/network-map")
    NetworkMapJson networkMap(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String peerId) {
        caller.requireReadOf(find(caller, peerId).userId());
        PeerNetworkMap map = access.projector().currentMap(caller.accountId(), peerId)
                .orElseThrow(() -> ApiException.notFound("peer " + peerId + " has no network map"));
        return NetworkMapJson.of(map, PointInTime.current().map(s -> Times.iso(s.at())).orElse(null));
    }

    @GetMapping("/api/peers/{peerId}/access/{otherPeerId}")
    AccessJson access(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String peerId,
                      @PathVariable String otherPeerId) {
        PeerView from = find(caller, peerId);
        caller.requireReadOf(from.userId());
        PeerView to = find(caller, otherPeerId);
        Map<String, String> groupNames = groups.groups(caller.accountId()).stream()
                .collect(Collectors.toMap(GroupView::id, GroupView::name, (x, y) -> x));
        ReachExplainer.Reach reach = ReachExplainer.explain(access.projector(), caller.accountId(), from.id(),
                        to.id(), groupNames::get)
                .orElseThrow(() -> ApiException.notFound("peer " + peerId + " has no network map"));
        return AccessJson.of(from, to, reach, PointInTime.current().map(s -> Times.iso(s.at())).orElse(null));
    }

    @GetMapping("/api/peers/{peerId}/timeline")
    ResponseEntity<List<TimelineEntryJson>> timeline(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                                     @PathVariable String peerId,
                                                     @RequestParam(required = false) String page,
                                                     @RequestParam(name = "page_size", required = false)
                                                     String pageSize, HttpServletRequest request) {
        caller.requireReadAll();
        int pageNumber = AuditController.integer(page, "page", 1, 1, Integer.MAX_VALUE);
        int size = AuditController.integer(pageSize, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
        List<PeerTimeline.Entry> entries = timelines.of(caller.accountId(), peerId,
                        PointInTime.current().map(s -> s.events().events())
                                .orElseGet(() -> events.all(caller.accountId())))
                .orElseThrow(() -> ApiException.notFound("peer " + peerId + " not found"));
        long offset = (long) (pageNumber - 1) * size;
        List<TimelineEntryJson> pageOf = entries.stream().skip(offset).limit(size)
                .map(TimelineEntryJson::of).toList();
        Map<String, String> params = new LinkedHashMap<>();
        PointInTime.current().ifPresent(s -> params.put(AsOfFilter.PARAMETER, Times.iso(s.at())));
        var response = ResponseEntity.ok().header(AuditController.TOTAL_HEADER, Long.toString(entries.size()));
        String link = AuditController.links(request.getRequestURI(), params, pageNumber, size, entries.size());
        if (!link.isEmpty()) {
            response.header("Link", link);
        }
        return response.body(pageOf);
    }

    private PeerView find(Caller caller, String peerId) {
        return peers.peer(caller.accountId(), peerId)
                .orElseThrow(() -> ApiException.notFound("peer " + peerId + " not found"));
    }

    private static String ports(PortRange range) {
        return range == null ? null : range.start() == range.end() ? Integer.toString(range.start())
                : range.start() + "-" + range.end();
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record NetworkMapJson(String asOf, String peerId, long serial, PeerConfigJson peerConfig,
                          List<RemotePeerJson> remotePeers, List<RemotePeerJson> offlinePeers,
                          List<FirewallRuleJson> firewallRules, boolean loginExpired, List<RouteJson> routes,
                          List<RouteFirewallRuleJson> routeFirewallRules, Map<String, String> dnsRecords) {
        static NetworkMapJson of(PeerNetworkMap map, String asOf) {
            return new NetworkMapJson(asOf, map.peerId(), map.serial(), PeerConfigJson.of(map),
                    map.remotePeers().stream().map(RemotePeerJson::of).toList(),
                    map.offlinePeers().stream().map(RemotePeerJson::of).toList(),
                    map.firewallRules().stream().map(FirewallRuleJson::of).toList(), map.loginExpired(),
                    map.routes().stream().map(RouteJson::of).toList(),
                    map.routeFirewallRules().stream().map(RouteFirewallRuleJson::of).toList(), map.dnsRecords());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record PeerConfigJson(String id, String name, String wgPubKey, String ip, String address, String fqdn,
                          boolean sshEnabled, List<String> extraFqdns) {
        static PeerConfigJson of(PeerNetworkMap map) {
            var c = map.peerConfig();
            return new PeerConfigJson(c.peerId(), c.name(), c.wgPubKey().base64(), c.meshIp().address(),
                    c.address(), c.fqdn(), c.sshEnabled(), c.extraFqdns());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RemotePeerJson(String id, String name, String wgPubKey, String ip, String allowedIp, String fqdn,
                          boolean sshEnabled) {
        static RemotePeerJson of(RemotePeer p) {
            return new RemotePeerJson(p.peerId(), p.name(), p.wgPubKey().base64(), p.meshIp().address(),
                    p.allowedIp(), p.fqdn(), p.sshEnabled());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FirewallRuleJson(String peerIp, String direction, String action, String protocol, String port,
                            String policyId) {
        static FirewallRuleJson of(FirewallRule r) {
            return new FirewallRuleJson(r.peerIp(), r.direction().name().toLowerCase(Locale.ROOT),
                    r.action().wireName(), r.protocol().wireName(), ports(r.port()), r.policyId());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RouteJson(String id, String netId, String network, List<String> domains, String routingPeerWgPubKey,
                     int metric, boolean masquerade, boolean keepRoute, boolean skipAutoApply) {
        static RouteJson of(PeerRoute r) {
            return new RouteJson(r.id(), r.netId(), r.network(), r.domains(), r.routingPeer().base64(), r.metric(),
                    r.masquerade(), r.keepRoute(), r.skipAutoApply());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RouteFirewallRuleJson(String routeId, String policyId, List<String> sourceRanges, String action,
                                 String destination, String protocol, String port, List<String> domains) {
        static RouteFirewallRuleJson of(RouteFirewallRule r) {
            return new RouteFirewallRuleJson(r.routeId(), r.policyId(), r.sourceRanges(), r.action().wireName(),
                    r.destination(), r.protocol().wireName(), ports(r.port()), r.domains());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AccessJson(String asOf, PeerRef peer, PeerRef otherPeer, boolean allowed, boolean inNetworkMap,
                      List<GrantJson> allowedBy, List<String> reasons) {
        static AccessJson of(PeerView from, PeerView to, ReachExplainer.Reach reach, String asOf) {
            return new AccessJson(asOf, PeerRef.of(from, reach.fromLoginExpired()),
                    PeerRef.of(to, reach.toLoginExpired()), reach.allowed(), reach.inMap(),
                    reach.grants().stream().map(GrantJson::of).toList(), reach.reasons());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record PeerRef(String id, String name, String ip, boolean loginExpired) {
        static PeerRef of(PeerView p, boolean loginExpired) {
            return new PeerRef(p.id(), p.name(), p.ip(), loginExpired);
        }
    }

    /** {@code kind} policy: a rule between groups; route: a route (or network resource) routed through B. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record GrantJson(String kind, String policyId, String policyName, String ruleId, String ruleName, String action,
                     String direction, String protocol, List<String> ports, String routeId, String network) {
        static GrantJson of(ReachExplainer.Grant g) {
            return new GrantJson(g.kind().name().toLowerCase(Locale.ROOT), g.policyId(), g.policyName(), g.ruleId(),
                    g.ruleName(), g.action().wireName(), g.direction().name().toLowerCase(Locale.ROOT),
                    g.protocol().wireName(), g.ports().stream().map(PointInTimeController::ports).toList(),
                    g.routeId(), g.network());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record TimelineEntryJson(String id, String timestamp, String event, String initiatorType, String initiatorId,
                             String initiatorName, String initiatorEmail, boolean hadNetworkMap,
                             boolean hasNetworkMap, List<String> peersGained, List<String> peersLost,
                             List<String> peersWentOffline, List<String> peersCameOnline,
                             boolean firewallRulesChanged, boolean routesChanged, boolean loginExpired) {
        static TimelineEntryJson of(PeerTimeline.Entry e) {
            var c = e.change();
            return new TimelineEntryJson(e.eventId(), Times.iso(e.timestamp()), e.eventType(),
                    e.actor().type().name().toLowerCase(Locale.ROOT), e.actor().id(), e.actor().name(),
                    e.actor().email(), c.hadMap(), c.hasMap(), c.gained(), c.lost(), c.wentOffline(),
                    c.cameOnline(), c.rulesChanged(), c.routesChanged(), c.loginExpired());
        }
    }
}
