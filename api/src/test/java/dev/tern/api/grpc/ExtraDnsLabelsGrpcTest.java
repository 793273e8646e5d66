package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.SimpleRecord;
import dev.tern.testsupport.peer.NetBirdLogin;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Issue 10 item 1: the extra DNS labels NetBird's client sends in Login ({@code netbird up --extra-dns-labels},
 * LoginRequest.dnsLabels) name the peer in the peer zone of the maps, when its setup key allows them.
 */
@TernIntegrationTest
class ExtraDnsLabelsGrpcTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    TestHttp http;
    @Autowired
    ManagementGrpcServer grpcServer;

    /** Every peer a test opens, closed after it. */
    @RegisterExtension
    final TestPeer.Fleet fleet = new TestPeer.Fleet();

    @Test
    void aKeyThatAllowsThemPutsLabelDotDomainRecordsForThePeerIntoItsOwnAndOtherPeersZones()
            throws InterruptedException {
        String group = createGroup();
        String key = createSetupKey(true, group);
        http.post("/api/policies", http.adminToken(), Map.of("name", unique("all"), "enabled", true,
                "rules", List.of(Map.of("name", "r", "enabled", true, "action", "accept", "bidirectional", true,
                        "protocol", "all", "sources", List.of(group), "destinations", List.of(group)))));
        String registry = unique("registry");
        TestPeer builder = fleet.newPeer(grpcServer.port());
        String hostname = unique("build");
        LoginResponse built = login(builder, key, hostname, List.of(registry.toUpperCase(), "ci-" + registry));
        String domain = built.getPeerConfig().getFqdn().substring(built.getPeerConfig().getFqdn().indexOf('.'));
        TestPeer other = fleet.newPeer(grpcServer.port());
        login(other, key, unique("other"), List.of());

        String ip = built.getPeerConfig().getAddress().split("/")[0];
        // The network projector follows the policy and both logins asynchronously: the first map either peer gets
        // may predate the other's arrival, so wait for the map that has caught up.
        Map.Entry<String, String> label = Map.entry(registry + domain + ".", ip);
        Map.Entry<String, String> ciLabel = Map.entry("ci-" + registry + domain + ".", ip);
        assertThat(records(other.sync().nextMatching(0, map -> records(map).keySet().contains(label.getKey()), WAIT)))
                .contains(label, ciLabel);
        assertThat(records(builder.sync().nextMatching(0, map -> records(map).keySet().contains(label.getKey()),
                WAIT))).contains(label);
        // REST shows them as NetBird does: full names
        assertThat(http.awaitPeerByName(hostname, WAIT).get("extra_dns_labels")).extracting(n -> n.asText())
                .containsExactly(registry + domain, "ci-" + registry + domain);
    }

    @Test
    void aKeyThatDoesNotAllowThemRefusesTheLoginAsNetBirdDoesAndRegistersNothing() {
        String key = createSetupKey(false, createGroup());
        String hostname = unique("refused");
        int before = http.peerCount();
        assertThatThrownBy(() -> login(fleet.newPeer(grpcServer.port()), key, hostname, List.of("registry")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).contains("doesn't allow extra DNS labels");
                });
        assertThat(http.peerCount()).isEqualTo(before);
    }

    @Test
    void anInvalidLabelIsInvalidArgument() {
        String key = createSetupKey(true, createGroup());
        assertThatThrownBy(() -> login(fleet.newPeer(grpcServer.port()), key, unique("bad"), List.of("bad_label")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    private static LoginResponse login(TestPeer peer, String setupKey, String hostname, List<String> labels) {
        LoginRequest request = NetBirdLogin.request(setupKey, hostname, peer.publicKey()).toBuilder()
                .addAllDnsLabels(labels).build();
        return peer.open(peer.blocking.login(peer.seal(request)), LoginResponse.parser());
    }

    private static Map<String, String> records(NetworkMap map) {
        if (map.getDNSConfig().getCustomZonesCount() == 0) {
            return Map.of();
        }
        return map.getDNSConfig().getCustomZones(0).getRecordsList().stream()
                .collect(java.util.stream.Collectors.toMap(SimpleRecord::getName, SimpleRecord::getRData,
                        (a, b) -> a));
    }

    private String createGroup() {
        TestHttp.Response r = http.post("/api/groups", http.adminToken(), Map.of("name", unique("labels")));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("id").asText();
    }

    private String createSetupKey(boolean allowExtraDnsLabels, String group) {
        TestHttp.Response r = http.post("/api/setup-keys", http.adminToken(), Map.of("name", unique("key"),
                "type", "reusable", "expires_in", 86400, "auto_groups", List.of(group), "usage_limit", 0,
                "allow_extra_dns_labels", allowExtraDnsLabels));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("key").asText();
    }

    private static String unique(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    }
}
