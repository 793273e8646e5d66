package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.events.commands.PeerRegistration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * {@code ?as_of=} on every GET of an account's resources, the peer's network map then, why A could reach B, and a
 * peer's timeline. A scripted history in a fresh account; the instants are the stored events' own timestamps.
 */
@TernIntegrationTest
class AsOfApiTest extends AsOfApiTestSupport {
    @Autowired
    EventStore eventStore;

    private OtherAccount account;

    @BeforeEach
    void freshAccount() {
        account = otherAccount();
        token = account.token();
    }

    /** The timestamp of the account's newest event: "just after the last write". */
    private Instant lastEventTime() {
        DomainEventStream stream = eventStore.readEvents(account.accountId(), 0);
        Instant last = null;
        while (stream.hasNext()) {
            DomainEventMessage<?> event = stream.next();
            last = event.getTimestamp();
        }
        return last;
    }

    /** The timestamp of the account's first event (AccountCreated): the first instant it existed. */
    private Instant firstEventTime() {
        return eventStore.readEvents(account.accountId(), 0).next().getTimestamp();
    }

    private JsonNode getAsOf(String path, Instant at) {
        return get(path + (path.contains("?") ? "&" : "?") + "as_of=" + at);
    }

    private String group(String name, List<String> peers) {
        return createGroup(token, name, peers);
    }

    private String policy(String name, boolean enabled, String source, String destination) {
        return post("/api/policies", policyBody(name, enabled, source, destination));
    }

    private static Map<String, Object> policyBody(String name, boolean enabled, String source, String destination) {
        return Map.of("name", name, "enabled", enabled, "rules",
                List.of(rule(name + "-rule", List.of(source), List.of(destination), true, "tcp", List.of("22"))));
    }

    /** Every GET with as_of, in one state. */
    private record Scene(String dev, String ops, String a, String b, String policy, String route, String network,
                         String resource, String router, String nameservers, String zone, String record,
                         String setupKey, Instant t1) {
        List<String> paths() {
            return List.of("/api/peers", "/api/peers/" + a, "/api/peers/" + a + "/accessible-peers",
                    "/api/groups", "/api/groups/" + dev, "/api/policies", "/api/policies/" + policy,
                    "/api/setup-keys", "/api/setup-keys/" + setupKey, "/api/users", "/api/routes",
                    "/api/routes/" + route, "/api/networks", "/api/networks/" + network,
                    "/api/networks/" + network + "/resources", "/api/networks/" + network + "/resources/" + resource,
                    "/api/networks/" + network + "/routers", "/api/networks/" + network + "/routers/" + router,
                    "/api/networks/routers", "/api/dns/settings", "/api/dns/nameservers",
                    "/api/dns/nameservers/" + nameservers, "/api/dns/zones", "/api/dns/zones/" + zone,
                    "/api/dns/zones/" + zone + "/records", "/api/dns/zones/" + zone + "/records/" + record,
                    "/api/accounts");
        }
    }

    /** dev (a, b) with an ssh policy, ops, a route and a network through a, DNS; then t1. */
    private Scene script() {
        String dev = group(unique("dev"), List.of());
        String ops = group(unique("ops"), List.of());
        CreatedKey key = createSetupKey(token, "reusable", 0, List.of(dev));
        String a = register(key.key(), unique("alpha")).peerId();
        String b = register(key.key(), unique("beta")).peerId();
        String policy = policy(unique("dev-ssh"), true, dev, dev);
        Map<String, Object> route = new HashMap<>(Map.of("description", "lab", "network_id", "lab", "enabled", true,
                "metric", 100, "masquerade", true, "groups", List.of(dev), "keep_route", false,
                "network", "10.20.0.0/24", "peer", a));
        String routeId = post("/api/routes", route);
        String network = post("/api/networks", Map.of("name", unique("site"), "description", "the site"));
        String resource = post("/api/networks/" + network + "/resources", Map.of("name", "lab",
                "address", "10.30.0.0/24", "enabled", true, "groups", List.of(dev)));
        String router = post("/api/networks/" + network + "/routers", Map.of("peer", a, "metric", 100,
                "masquerade", true, "enabled", true));
        Map<String, Object> ns = new HashMap<>(Map.of("name", unique("corp"), "description", "corp",
                "nameservers", List.of(Map.of("ip", "10.9.0.53", "ns_type", "udp", "port", 53)), "enabled", true,
                "groups", List.of(dev), "primary", false, "domains", List.of("corp.example"),
                "search_domains_enabled", true));
        String nameservers = post("/api/dns/nameservers", ns);
        String zoneDomain = unique("office") + ".example";
        String zone = post("/api/dns/zones", Map.of("name", "office", "domain", zoneDomain,
                "enable_search_domain", false, "distribution_groups", List.of(dev)));
        String record = post("/api/dns/zones/" + zone + "/records", Map.of("name", "printer." + zoneDomain, "type", "A",
                "content", "10.30.0.9", "ttl", 300));
        put("/api/dns/settings", Map.of("disabled_management_groups", List.of(ops)));
        return new Scene(dev, ops, a, b, policy, routeId, network, resource, router, nameservers, zone, record,
                key.id(), lastEventTime());
    }

    @Test
    void asOfNowAnswersExactlyWhatTheLiveGetsAnswerOnEveryEndpoint() {
        Scene scene = script();
        Instant now = Instant.now();
        for (String path : scene.paths()) {
            assertThat(getAsOf(path, now)).as(path).isEqualTo(get(path));
        }
        // The map is the live computation's; only its serial differs: live maps count global stream positions
        // (and batches), a map as of an instant counts the account's own events.
        JsonNode then = getAsOf("/api/peers/" + scene.a() + "/network-map", now);
        assertThat(then.get("as_of").asText()).isEqualTo(Times.iso(now));
        assertThat(then.get("serial").asLong()).isPositive();
        assertThat(withoutSerial(then)).isEqualTo(withoutSerial(get("/api/peers/" + scene.a() + "/network-map")));
    }

    private static JsonNode withoutSerial(JsonNode map) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = map.deepCopy();
        copy.remove(List.of("serial", "as_of"));
        return copy;
    }

    @Test
    void eachInstantAnswersWhatWasTrueThen() {
        Scene scene = script();
        Map<String, JsonNode> atT1 = new HashMap<>();
        scene.paths().forEach(path -> atT1.put(path, get(path)));

        // t2: dev renamed, b leaves dev, the policy disabled, the route, key and record deleted, a new group
        String renamed = unique("developers");
        put("/api/groups/" + scene.dev(), Map.of("name", renamed, "peers", List.of(scene.a())));
        TestHttp.Response policyJson = http.get("/api/policies/" + scene.policy(), token);
        String policyName = policyJson.json().get("name").asText();
        put("/api/policies/" + scene.policy(), policyBody(policyName, false, scene.dev(), scene.dev()));
        assertThat(http.delete("/api/routes/" + scene.route(), token).status()).isEqualTo(200);
        assertThat(http.delete("/api/setup-keys/" + scene.setupKey(), token).status()).isEqualTo(200);
        assertThat(http.delete("/api/dns/zones/" + scene.zone() + "/records/" + scene.record(), token).status())
                .isEqualTo(200);
        group(unique("later"), List.of());
        Instant t2 = lastEventTime();

        // as of t1, every endpoint answers what it answered at t1 (taken live then)
        for (String path : scene.paths()) {
            assertThat(getAsOf(path, scene.t1())).as(path).isEqualTo(atT1.get(path));
        }
        // and as of t2 the changes show
        assertThat(getAsOf("/api/groups/" + scene.dev(), t2).get("name").asText()).isEqualTo(renamed);
        assertThat(getAsOf("/api/groups", t2).size()).isEqualTo(atT1.get("/api/groups").size() + 1);
        assertThat(getAsOf("/api/policies/" + scene.policy(), t2).get("enabled").asBoolean()).isFalse();
        assertError(http.get("/api/routes/" + scene.route() + "?as_of=" + t2, token), 404);
        assertError(http.get("/api/setup-keys/" + scene.setupKey() + "?as_of=" + t2, token), 404);
        assertThat(values(getAsOf("/api/peers/" + scene.a() + "/accessible-peers", scene.t1()), "id"))
                .contains(scene.b());
        assertThat(values(getAsOf("/api/peers/" + scene.a() + "/accessible-peers", t2), "id"))
                .doesNotContain(scene.b());
        assertThat(values(getAsOf("/api/peers/" + scene.a() + "/network-map", scene.t1()).get("remote_peers"), "id"))
                .contains(scene.b());
        JsonNode mapThen = getAsOf("/api/peers/" + scene.a() + "/network-map", scene.t1());
        assertThat(mapThen.get("as_of").asText()).isEqualTo(Times.iso(scene.t1()));
        assertThat(values(mapThen.get("routes"), "id")).contains(scene.route());
        assertThat(values(getAsOf("/api/peers/" + scene.a() + "/network-map", t2).get("remote_peers"), "id"))
                .doesNotContain(scene.b());
    }

    @Test
    void whyAnswersNameTheRuleThenTheMissingGroupThenTheDisabledPolicy() {
        Scene scene = script();
        String devName = get("/api/groups/" + scene.dev()).get("name").asText();
        String policyName = get("/api/policies/" + scene.policy()).get("name").asText();

        JsonNode allowed = getAsOf("/api/peers/" + scene.a() + "/access/" + scene.b(), scene.t1());
        assertThat(allowed.get("allowed").asBoolean()).isTrue();
        assertThat(allowed.get("in_network_map").asBoolean()).isTrue();
        JsonNode grant = allowed.get("allowed_by").get(0);
        assertThat(grant.get("kind").asText()).isEqualTo("policy");
        assertThat(grant.get("policy_id").asText()).isEqualTo(scene.policy());
        assertThat(grant.get("policy_name").asText()).isEqualTo(policyName);
        assertThat(grant.get("direction").asText()).isEqualTo("both");
        assertThat(grant.get("protocol").asText()).isEqualTo("tcp");
        assertThat(values(grant.get("ports"), "")).hasSize(1);
        assertThat(grant.get("ports").get(0).asText()).isEqualTo("22");
        // b is the other way round: a's route is through a, so b's answer about a names the route as well
        JsonNode towardsRouter = getAsOf("/api/peers/" + scene.b() + "/access/" + scene.a(), scene.t1());
        assertThat(values(towardsRouter.get("allowed_by"), "kind")).contains("policy", "route");

        put("/api/groups/" + scene.dev(), Map.of("name", devName, "peers", List.of(scene.a())));
        Instant bLeft = lastEventTime();
        JsonNode missing = getAsOf("/api/peers/" + scene.a() + "/access/" + scene.b(), bLeft);
        assertThat(missing.get("allowed").asBoolean()).isFalse();
        assertThat(missing.get("allowed_by").size()).isZero();
        assertThat(values(missing.get("reasons"), "")).hasSize(1);
        assertThat(missing.get("reasons").get(0).asText()).isEqualTo("peer "
                + missing.get("other_peer").get("name").asText() + " is not in any destination group of rule '"
                + policyName + "-rule' of policy '" + policyName + "' (groups: " + devName + ")");

        put("/api/groups/" + scene.dev(), Map.of("name", devName, "peers", List.of(scene.a(), scene.b())));
        put("/api/policies/" + scene.policy(), policyBody(policyName, false, scene.dev(), scene.dev()));
        JsonNode disabled = getAsOf("/api/peers/" + scene.a() + "/access/" + scene.b(), lastEventTime());
        assertThat(disabled.get("allowed").asBoolean()).isFalse();
        assertThat(disabled.get("reasons").get(0).asText())
                .isEqualTo("policy '" + policyName + "' is disabled (its rule '" + policyName + "-rule' would match)");

        // without as_of: the live answer, the same as as_of now
        assertThat(get("/api/peers/" + scene.a() + "/access/" + scene.b()).get("allowed").asBoolean()).isFalse();
        assertThat(getAsOf("/api/peers/" + scene.a() + "/access/" + scene.b(), bLeft).get("as_of").asText())
                .isEqualTo(Times.iso(bLeft));
    }

    @Test
    void theTimelineListsWhatChangedThePeersReachNewestFirstWithActorsAndPages() {
        String dev = group(unique("dev"), List.of());
        CreatedKey key = createSetupKey(token, "reusable", 0, List.of(dev));
        PeerRegistration a = register(key.key(), unique("alpha"));
        PeerRegistration b = register(key.key(), unique("beta"));
        String policy = policy(unique("dev-ssh"), true, dev, dev);
        group(unique("unrelated"), List.of()); // changes nothing a can reach
        String devName = get("/api/groups/" + dev).get("name").asText();
        put("/api/groups/" + dev, Map.of("name", devName, "peers", List.of(a.peerId())));
        Instant bLeft = lastEventTime();
        put("/api/groups/" + dev, Map.of("name", devName, "peers", List.of(a.peerId(), b.peerId())));
        assertThat(http.delete("/api/policies/" + policy, token).status()).isEqualTo(200);

        TestHttp.Response r = http.get("/api/peers/" + a.peerId() + "/timeline", token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode timeline = r.json();
        // newest first: the policy deletion lost b again, b's return gained it, b leaving dev lost b, the policy
        // gained b, a's own registration gave it a map; b's registration (no policy yet) and the unrelated group
        // changed nothing a could reach
        assertThat(values(timeline, "event")).containsExactly("PolicyDeleted", "PeerAddedToGroup",
                "PeerRemovedFromGroup", "PolicyCreated", "PeerRegistered");
        assertThat(values(timeline.get(0).get("peers_lost"), "")).containsExactly(b.peerId());
        assertThat(values(timeline.get(1).get("peers_gained"), "")).containsExactly(b.peerId());
        assertThat(values(timeline.get(2).get("peers_lost"), "")).containsExactly(b.peerId());
        assertThat(values(timeline.get(3).get("peers_gained"), "")).containsExactly(b.peerId());
        assertThat(timeline.get(3).get("firewall_rules_changed").asBoolean()).isTrue();
        assertThat(timeline.get(4).get("has_network_map").asBoolean()).isTrue();
        assertThat(timeline.get(4).get("had_network_map").asBoolean()).isFalse();
        assertThat(timeline.get(3).get("initiator_id").asText()).isEqualTo(account.ownerId());
        assertThat(timeline.get(3).get("initiator_type").asText()).isEqualTo("user");
        assertThat(timeline.get(4).get("initiator_type").asText()).isEqualTo("peer");
        assertThat(Instant.parse(timeline.get(2).get("timestamp").asText())).isEqualTo(bLeft);
        assertThat(r.headers().get(AuditController.TOTAL_HEADER.toLowerCase()).get(0)).isEqualTo("5");

        JsonNode second = get("/api/peers/" + a.peerId() + "/timeline?page=2&page_size=3");
        assertThat(values(second, "event")).containsExactly("PolicyCreated", "PeerRegistered");
        assertThat(values(getAsOf("/api/peers/" + a.peerId() + "/timeline", bLeft), "event"))
                .containsExactly("PeerRemovedFromGroup", "PolicyCreated", "PeerRegistered");

        // a deleted peer keeps its timeline
        assertThat(http.delete("/api/peers/" + a.peerId(), token).status()).isEqualTo(200);
        assertThat(values(get("/api/peers/" + a.peerId() + "/timeline"), "event").get(0)).isEqualTo("PeerDeleted");
    }

    @Test
    void badInstantsAre400AndUnknownOrForeignIds404() {
        Scene scene = script();
        long events = auditTotal(token);
        String peer = "/api/peers/" + scene.a();
        for (String bad : List.of("yesterday", "2026-01-01", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z", "")) {
            assertError(http.get(peer + "?as_of=" + bad, token), 400);
        }
        assertError(http.get("/api/groups?as_of=" + Instant.now().plusSeconds(3600), token), 400);
        // what has no past says so rather than answer today's state
        for (String withoutPast : List.of("/api/users/invites", "/api/events/audit", "/api/identity-providers")) {
            TestHttp.Response r = http.get(withoutPast + "?as_of=" + Instant.now().minusSeconds(1), token);
            assertError(r, 400);
            assertThat(r.json().get("message").asText()).contains("'as_of' is not supported on " + withoutPast);
            assertThat(http.get(withoutPast, token).status()).as(withoutPast).isEqualTo(200);
        }
        assertError(http.get("/api/groups?as_of=2000-01-01T00:00:00Z", token), 400);
        // an offset is an instant too, written with +hh:mm (sent unencoded, the + arrives as a space)
        assertThat(http.get(peer + "?as_of=2999-01-01T00:00:00%2B01:00", token).status()).isEqualTo(400);
        assertThat(http.get(peer + "?as_of=" + scene.t1().atOffset(java.time.ZoneOffset.ofHours(2))
                .toString().replace("+", "%2B"), token).status()).isEqualTo(200);

        String foreignPeer = register(createSetupKey("reusable", 0, List.of()).key(), unique("foreign")).peerId();
        Instant now = Instant.now();
        assertError(http.get("/api/peers/" + foreignPeer + "?as_of=" + now, token), 404);
        assertError(http.get("/api/peers/no-such-peer/network-map?as_of=" + now, token), 404);
        assertError(http.get(peer + "/access/" + foreignPeer + "?as_of=" + now, token), 404);
        assertError(http.get("/api/peers/" + foreignPeer + "/access/" + scene.a(), token), 404);
        assertError(http.get("/api/peers/" + foreignPeer + "/timeline", token), 404);
        assertError(http.get("/api/peers/no-such-peer/timeline?as_of=" + now, token), 404);
        // b did not exist before the script's first peer registered
        assertError(http.get("/api/peers/" + scene.b() + "?as_of=" + firstEventTime(), token), 404);
        assertThat(http.get("/api/groups?as_of=" + firstEventTime(), token).status()).isEqualTo(200);
        // reads, good or bad, append nothing (the foreign peer's registration was in the other account)
        assertThat(auditTotal(token)).isEqualTo(events);
    }

    @Test
    void rolesAreThoseOfTheLiveEndpoints() {
        String admin = admin();
        String group = createGroup(unique("roles"));
        String peer = register(createSetupKey("reusable", 0, List.of(group)).key(), unique("roles-peer")).peerId();
        Instant now = Instant.now();
        String plain = serviceUser("user").token();
        assertError(http.get("/api/groups?as_of=" + now, plain), 403);
        assertError(http.get("/api/peers/" + peer + "/timeline", plain), 403);
        assertError(http.get("/api/peers/" + peer + "/network-map?as_of=" + now, plain), 403);
        assertThat(http.get("/api/groups?as_of=" + now, serviceUser("auditor").token()).status()).isEqualTo(200);
        assertThat(http.get("/api/peers/" + peer + "/timeline", admin).status()).isEqualTo(200);
        assertError(http.get("/api/groups?as_of=" + now, null), 401);
    }

    private static List<String> values(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(field.isEmpty() ? n.asText() : n.get(field).asText()));
        return out;
    }
}
