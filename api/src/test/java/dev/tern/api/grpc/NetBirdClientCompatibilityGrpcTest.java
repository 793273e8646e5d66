package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.protocol.management.LoginResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What NetBird's real client (e2e NetBirdClientEndToEndTest) does differently from our own agent, pinned on the
 * shared test server: each case here was an incompatibility found by running the real client against tern-server.
 */
@TernIntegrationTest
class NetBirdClientCompatibilityGrpcTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    TestHttp http;
    @Autowired
    ManagementGrpcServer grpcServer;

    /** Every peer a test opens, closed after it. */
    @RegisterExtension
    final TestPeer.Fleet fleet = new TestPeer.Fleet();

    /** NetBird's client parses the setup key as a UUID and sends Go's uuid.String(): lower case. */
    @Test
    void aSetupKeySentInLowerCaseRegistersThePeer() {
        TestHttp.Response created = http.post("/api/setup-keys", http.adminToken(), Map.of("name", unique("key"),
                "type", "reusable", "expires_in", 86400, "auto_groups", List.of(), "usage_limit", 0));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        String plain = created.json().get("key").asText();
        assertThat(plain).as("keys are handed out upper case").isEqualTo(plain.toUpperCase(Locale.ROOT))
                .isNotEqualTo(plain.toLowerCase(Locale.ROOT));
        String hostname = unique("netbird-client");

        LoginResponse login = fleet.newPeer(grpcServer.port()).login(plain.toLowerCase(Locale.ROOT), hostname);

        JsonNode peer = http.awaitPeerByName(hostname, WAIT);
        assertThat(peer).as("peer visible in /api/peers").isNotNull();
        assertThat(login.getPeerConfig().getAddress()).isEqualTo(peer.get("ip").asText() + "/16");
        await().atMost(WAIT).until(() -> http.setupKeyUsedTimes(created.json().get("id").asText()) == 1);
    }

    private static String unique(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    }
}
