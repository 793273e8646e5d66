package dev.tern.api.grpc;

import dev.tern.events.values.PortRange;
import dev.tern.projector.PeerNetworkMap;
import dev.tern.projector.PeerRoute;
import dev.tern.projector.RouteFirewallRule;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PortInfo;
import dev.tern.protocol.management.Route;
import dev.tern.protocol.management.RuleAction;
import java.nio.charset.StandardCharsets;

/** A map's routes and route firewall rules in NetBird's wire shape (management.proto Route, RouteFirewallRule). */
final class RouteMessages {
    private RouteMessages() {
    }

    /** Adds the map's routes, and its route firewall rules with the flag that tells "none" from "absent". */
    static void addTo(NetworkMap.Builder out, PeerNetworkMap map) {
        for (PeerRoute route : map.routes()) {
            out.addRoutes(route(route));
        }
        for (RouteFirewallRule rule : map.routeFirewallRules()) {
            out.addRoutesFirewallRules(routeFirewallRule(rule));
        }
        out.setRoutesFirewallRulesIsEmpty(map.routeFirewallRules().isEmpty());
    }

    static Route route(PeerRoute route) {
        return Route.newBuilder()
                .setID(route.id())
                .setNetID(route.netId())
                .setNetwork(route.network())
                .setNetworkType(route.networkType())
                .addAllDomains(route.domains())
                .setPeer(route.routingPeer().base64())
                .setMetric(route.metric())
                .setMasquerade(route.masquerade())
                .setKeepRoute(route.keepRoute())
                .setSkipAutoApply(route.skipAutoApply())
                .build();
    }

    static dev.tern.protocol.management.RouteFirewallRule routeFirewallRule(RouteFirewallRule rule) {
        dev.tern.protocol.management.RouteFirewallRule.Builder out =
                dev.tern.protocol.management.RouteFirewallRule.newBuilder()
                        .addAllSourceRanges(rule.sourceRanges())
                        .setAction(rule.action() == dev.tern.events.values.RuleAction.ACCEPT
                                ? RuleAction.ACCEPT : RuleAction.DROP)
                        .setDestination(rule.destination())
                        .setProtocol(NetworkMapMessages.protocol(rule.protocol()))
                        .setIsDynamic(rule.dynamic())
                        .addAllDomains(rule.domains())
                        .setPolicyID(com.google.protobuf.ByteString.copyFrom(rule.policyId(), StandardCharsets.UTF_8))
                        .setRouteID(rule.routeId());
        PortRange port = rule.port();
        if (port != null) {
            out.setPortInfo(port.isSingle() ? PortInfo.newBuilder().setPort(port.start())
                    : PortInfo.newBuilder().setRange(PortInfo.Range.newBuilder().setStart(port.start())
                    .setEnd(port.end())));
        }
        return out.build();
    }
}
