package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.api.web.ApiTestSupport;
import dev.tern.protocol.management.FirewallRule;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.SimpleRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A changed {@code settings.network_range} reaches the devices: every peer's Sync stream gets a map with its own
 * new address and its peers' new addresses (allowed IPs, firewall rules, DNS records). In an account of its own, so
 * the shared account's peers keep their addresses.
 */
@TernIntegrationTest
class AccountNetworkRangeGrpcTest extends ApiTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    ManagementGrpcServer grpcServer;

    /** Every peer a test opens, closed after it. */
    @RegisterExtension
    final TestPeer.Fleet fleet = new TestPeer.Fleet();

    @Test
    void everySyncStreamGetsItsNewAddressAndItsPeersNewAddresses() throws InterruptedException {
        OtherAccount other = otherAccount();
        String group = createGroup(other.token(), unique("movers"), List.of());
        TestHttp.Response policy = http.post("/api/policies", other.token(), Map.of("name", unique("movers"),
                "enabled", true, "rules", List.of(rule("r", List.of(group), List.of(group), true, "all", List.of()))));
        assertThat(policy.status()).as(policy.toString()).isEqualTo(200);
        String key = createSetupKey(other.token(), "reusable", 0, List.of(group)).key();
        TestPeer first = fleet.newPeer(grpcServer.port());
        TestPeer second = fleet.newPeer(grpcServer.port());
        assertThat(first.login(key, unique("first")).getPeerConfig().getAddress()).isEqualTo("100.100.0.1/16");
        assertThat(second.login(key, unique("second")).getPeerConfig().getAddress()).isEqualTo("100.100.0.2/16");
        TestPeer.SyncHandle firstSync = first.sync();
        TestPeer.SyncHandle secondSync = second.sync();
        long firstSerial = firstSync.nextMatching(0, map -> allowedIps(map).equals(List.of("100.100.0.2/32")), WAIT)
                .getSerial();
        long secondSerial = secondSync.nextMatching(0, map -> allowedIps(map).equals(List.of("100.100.0.1/32")),
                WAIT).getSerial();

        TestHttp.Response moved = http.put("/api/accounts/" + other.accountId(), other.token(),
                Map.of("settings", Map.of("peer_login_expiration_enabled", true, "peer_login_expiration", 86_400,
                        "peer_inactivity_expiration_enabled", false, "peer_inactivity_expiration", 600,
                        "network_range", "10.77.3.0/24")));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);

        NetworkMap firstMap = firstSync.nextMatching(firstSerial,
                map -> map.getPeerConfig().getAddress().equals("10.77.3.1/24"), WAIT);
        assertThat(allowedIps(firstMap)).containsExactly("10.77.3.2/32");
        assertThat(firstMap.getFirewallRulesList()).extracting(FirewallRule::getPeerIP).containsOnly("10.77.3.2")
                .isNotEmpty();
        assertThat(firstMap.getDNSConfig().getCustomZones(0).getRecordsList()).extracting(SimpleRecord::getRData)
                .containsExactlyInAnyOrder("10.77.3.1", "10.77.3.2");
        NetworkMap secondMap = secondSync.nextMatching(secondSerial,
                map -> map.getPeerConfig().getAddress().equals("10.77.3.2/24"), WAIT);
        assertThat(allowedIps(secondMap)).containsExactly("10.77.3.1/32");
        assertThat(secondMap.getFirewallRulesList()).extracting(FirewallRule::getPeerIP).containsOnly("10.77.3.1")
                .isNotEmpty();

        // a login after the move answers the new address too
        assertThat(first.login(key, unique("first")).getPeerConfig().getAddress()).isEqualTo("10.77.3.1/24");
    }

    private static List<String> allowedIps(NetworkMap map) {
        return map.getRemotePeersList().stream().flatMap(p -> p.getAllowedIpsList().stream()).toList();
    }
}
