package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.api.web.ApiTestSupport;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.projector.FirewallRule;
import dev.tern.projector.FirewallRule.Direction;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.projector.PeerNetworkMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Policy inputs are bounded at the REST edge (400 in NetBird's error shape, nothing appended) and what is accepted
 * makes compact maps: ports written one by one reach the agents as ranges, one firewall rule per range and peer.
 */
@TernIntegrationTest
class PolicyBoundsIntegrationTest extends ApiTestSupport {
    @Autowired
    NetworkMapProjector projector;

    @Test
    void everyPortWrittenSinglyIsRefusedAndLeavesNoEvent() {
        OtherAccount account = otherAccount();
        String group = createGroup(account.token(), unique("web"), List.of());
        List<String> everyPort = IntStream.rangeClosed(1, 65_535).mapToObj(Integer::toString).toList();
        long before = auditTotal(account.token());

        TestHttp.Response refused = http.post("/api/policies", account.token(), policy(
                rule("every-port", List.of(group), List.of(group), true, "tcp", everyPort)));

        assertError(refused, 400);
        assertThat(refused.errorMessage()).contains("65535 ports and port ranges, more than the "
                + InputLimits.MAX_PORTS_PER_RULE + " allowed");
        assertThat(auditTotal(account.token())).isEqualTo(before);
        assertThat(http.get("/api/policies", account.token()).json().size()).isZero();
    }

    @Test
    void adjacentPortsReachTheMapAsOneRangePerPeerAndTheMapStaysSmall() {
        OtherAccount account = otherAccount();
        String group = createGroup(account.token(), unique("web"), List.of());
        String key = createSetupKey(account.token(), "reusable", 0, List.of(group)).key();
        String a = register(key, unique("a")).peerId();
        String b = register(key, unique("b")).peerId();
        List<String> ports = new ArrayList<>(List.of("443", "444"));
        IntStream.rangeClosed(8000, 8000 + InputLimits.MAX_PORTS_PER_RULE - 3).forEach(p -> ports.add(Integer.toString(p)));
        TestHttp.Response created = http.post("/api/policies", account.token(), policy(
                rule("web", List.of(group), List.of(group), false, "tcp", ports)));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        // the policy keeps what the admin wrote (a Terraform plan would see drift otherwise) ...
        assertThat(created.json().get("rules").get(0).get("ports").size()).isEqualTo(ports.size());

        // ... and the maps carry ranges: to and from the other peer, 443-444 and 8000-8097
        String bIp = http.get("/api/peers/" + b, account.token()).json().get("ip").asText();
        int last = 8000 + InputLimits.MAX_PORTS_PER_RULE - 3;
        List<FirewallRule> expected = List.of(
                new FirewallRule(bIp, Direction.IN, RuleAction.ACCEPT, Protocol.TCP, new PortRange(443, 444), "P"),
                new FirewallRule(bIp, Direction.IN, RuleAction.ACCEPT, Protocol.TCP, new PortRange(8000, last), "P"),
                new FirewallRule(bIp, Direction.OUT, RuleAction.ACCEPT, Protocol.TCP, new PortRange(443, 444), "P"),
                new FirewallRule(bIp, Direction.OUT, RuleAction.ACCEPT, Protocol.TCP, new PortRange(8000, last), "P"));
        String policyId = created.json().get("id").asText();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(projector.currentMap(
                account.accountId(), a).orElseThrow().firewallRules())
                .containsExactlyElementsOf(expected.stream().map(r -> new FirewallRule(r.peerIp(), r.direction(),
                        r.action(), r.protocol(), r.port(), policyId)).toList()));
        PeerNetworkMap map = projector.currentMap(account.accountId(), a).orElseThrow();
        // one remote peer, four rules: a few hundred bytes (one rule per port made 2 x 100 rules, over 10 KB)
        assertThat(NetworkMapMessages.networkMap(map).getSerializedSize()).isLessThan(1024);
    }

    @Test
    void repeatedIdsAndOverlongListsAndTextsAre400AndLeaveNoEvent() {
        OtherAccount account = otherAccount();
        String token = account.token();
        String group = createGroup(token, unique("g"), List.of());
        String key = createSetupKey(token, "reusable", 0, List.of()).key();
        String peer = register(key, unique("p")).peerId();
        long before = auditTotal(token);
        List<String> manyGroups = IntStream.rangeClosed(0, InputLimits.MAX_GROUPS_PER_RULE_SIDE)
                .mapToObj(i -> group).toList();
        List<Map<String, Object>> manyRanges = IntStream.rangeClosed(0, InputLimits.MAX_PORTS_PER_RULE)
                .mapToObj(i -> Map.<String, Object>of("start", 1000 + 2 * i, "end", 1000 + 2 * i)).toList();
        Map<String, Object> withRanges = new HashMap<>(rule("r", List.of(group), List.of(group), true, "udp",
                List.of()));
        withRanges.remove("ports");
        withRanges.put("port_ranges", manyRanges);
        Map<String, Object> describedRule = new HashMap<>(rule("r", List.of(group), List.of(group), true, "all",
                List.of()));
        describedRule.put("description", "d".repeat(InputLimits.MAX_DESCRIPTION + 1));
        Map<String, Object> describedPolicy = new HashMap<>(policy(rule("r", List.of(group), List.of(group), true,
                "all", List.of())));
        describedPolicy.put("description", "d".repeat(InputLimits.MAX_DESCRIPTION + 1));
        List<Map<String, Object>> manyRules = IntStream.rangeClosed(0, InputLimits.MAX_RULES_PER_POLICY)
                .mapToObj(i -> rule("r" + i, List.of(group), List.of(group), true, "all", List.of())).toList();

        Map<String, TestHttp.Response> answers = new java.util.LinkedHashMap<>();
        answers.put("repeated source", http.post("/api/policies", token, policy(
                rule("r", List.of(group, group), List.of(group), true, "all", List.of()))));
        answers.put("repeated destination", http.post("/api/policies", token, policy(
                rule("r", List.of(group), List.of(group, group), true, "all", List.of()))));
        answers.put("too many sources", http.post("/api/policies", token, policy(
                rule("r", manyGroups, List.of(group), true, "all", List.of()))));
        answers.put("too many port ranges", http.post("/api/policies", token, policy(withRanges)));
        answers.put("rule description", http.post("/api/policies", token, policy(describedRule)));
        answers.put("policy description", http.post("/api/policies", token, describedPolicy));
        answers.put("too many rules", http.post("/api/policies", token, Map.of("name", unique("p"),
                "enabled", true, "rules", manyRules)));
        answers.put("repeated group peer", http.post("/api/groups", token, Map.of("name", unique("g"),
                "peers", List.of(peer, peer))));
        answers.put("repeated peer on update", http.put("/api/groups/" + group, token, Map.of("name", unique("g"),
                "peers", List.of(peer, peer))));
        answers.put("repeated auto-group", http.post("/api/setup-keys", token, Map.of("name", unique("key"),
                "type", "reusable", "expires_in", 86400, "auto_groups", List.of(group, group), "usage_limit", 0)));
        answers.put("too many auto-groups", http.post("/api/setup-keys", token, Map.of("name", unique("key"),
                "type", "reusable", "expires_in", 86400, "usage_limit", 0, "auto_groups",
                IntStream.rangeClosed(0, InputLimits.MAX_AUTO_GROUPS).mapToObj(i -> "g" + i).toList())));
        answers.put("repeated user auto-group", http.post("/api/users", token, Map.of("name", unique("svc"),
                "role", "user", "is_service_user", true, "auto_groups", List.of(group, group))));

        answers.forEach((what, answer) -> {
            assertError(answer, 400);
            assertThat(answer.errorMessage()).as(what).containsAnyOf("more than once", "more than the",
                    "longer than");
        });
        assertThat(auditTotal(token)).isEqualTo(before);
        assertThat(http.get("/api/policies", token).json().size()).isZero();
    }

    private Map<String, Object> policy(Map<String, Object> rule) {
        return Map.of("name", unique("p"), "enabled", true, "rules", List.of(rule));
    }
}
