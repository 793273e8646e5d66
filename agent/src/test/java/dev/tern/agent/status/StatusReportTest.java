package dev.tern.agent.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.agent.common.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StatusReportTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private static StatusReport sample() {
        return new StatusReport("tern0", "PUB", "100.64.0.1/16", "a.tern.internal", 12,
                new StatusReport.Connection("http://mgmt:33073", "connected", null),
                new StatusReport.Connection("http://signal:10000", "disconnected", "UNAVAILABLE"),
                new StatusReport.Connection("rels://relay.example:443", "connected", null),
                List.of(new StatusReport.Peer("b", "b.tern.internal", "KEYB", "100.64.0.2", "10.0.0.2:51820",
                        "connected", "2026-01-01T11:59:30Z", 100, 200, "direct")),
                NOW.toString());
    }

    @Test
    void jsonHasTheFieldsScriptsReadAndRoundTrips() throws Exception {
        StatusReport report = sample();

        JsonNode json = Json.MAPPER.readTree(report.toJson());

        assertThat(json.get("meshAddress").asText()).isEqualTo("100.64.0.1/16");
        assertThat(json.get("management").get("state").asText()).isEqualTo("connected");
        assertThat(json.get("signal").get("error").asText()).isEqualTo("UNAVAILABLE");
        assertThat(json.get("relay").get("url").asText()).isEqualTo("rels://relay.example:443");
        assertThat(json.get("relay").get("state").asText()).isEqualTo("connected");
        JsonNode peer = json.get("peers").get(0);
        assertThat(peer.get("name").asText()).isEqualTo("b");
        assertThat(peer.get("meshIp").asText()).isEqualTo("100.64.0.2");
        assertThat(peer.get("state").asText()).isEqualTo("connected");
        assertThat(peer.get("lastHandshake").asText()).isEqualTo("2026-01-01T11:59:30Z");
        assertThat(peer.get("rxBytes").asLong()).isEqualTo(100);
        assertThat(peer.get("txBytes").asLong()).isEqualTo(200);
        assertThat(peer.get("connectionType").asText()).isEqualTo("direct");
        assertThat(StatusReport.fromJson(report.toJson())).isEqualTo(report);
    }

    @Test
    void statusWrittenBeforeConnectionTypesExistedStillReads() {
        String older = """
                {"interfaceName":"tern0","publicKey":"PUB","meshAddress":"100.64.0.1/16","fqdn":"a.tern.internal",
                 "serial":3,"management":null,"signal":null,"updatedAt":"2026-01-01T00:00:00Z",
                 "peers":[{"name":"b","fqdn":"b.tern.internal","publicKey":"KEYB","meshIp":"100.64.0.2",
                           "endpoint":"10.0.0.2:51820","state":"connected","lastHandshake":null,"rxBytes":1,"txBytes":2}]}
                """;

        StatusReport.Peer peer = StatusReport.fromJson(older).peers().get(0);

        assertThat(peer.endpoint()).isEqualTo("10.0.0.2:51820");
        assertThat(peer.connectionType()).isNull();
        assertThat(StatusReport.fromJson(older).relay()).isNull();
        assertThat(StatusReport.fromJson(older).toText(false)).contains("Relay:      -");
    }

    @Test
    void peerStateFollowsHandshakeAgeAndEndpoint() {
        long recent = NOW.minusSeconds(30).getEpochSecond();
        long stale = NOW.minusSeconds(181).getEpochSecond();

        assertThat(StatusReport.peerState(recent, "10.0.0.2:1", NOW)).isEqualTo("connected");
        assertThat(StatusReport.peerState(stale, "10.0.0.2:1", NOW)).isEqualTo("connecting");
        assertThat(StatusReport.peerState(0, "10.0.0.2:1", NOW)).isEqualTo("connecting");
        assertThat(StatusReport.peerState(0, null, NOW)).isEqualTo("idle");
    }

    @Test
    void textShowsPeersOnlyWithDetail() {
        StatusReport report = sample();

        assertThat(report.toText(false)).contains("Mesh IP:    100.64.0.1/16").contains("1/1 connected")
                .contains("Signal:     disconnected (http://signal:10000): UNAVAILABLE")
                .contains("Relay:      connected (rels://relay.example:443)").doesNotContain("KEYB");
        assertThat(report.toText(true)).contains("b (b.tern.internal)").contains("Bytes rx/tx:    100/200")
                .contains("Last handshake: 2026-01-01T11:59:30Z").contains("Connection:     direct");
    }

    @Test
    void peersWithAnExpiredLoginAreCountedApart() {
        StatusReport report = sample();
        java.util.List<StatusReport.Peer> peers = new java.util.ArrayList<>(report.peers());
        peers.add(new StatusReport.Peer("c", "c.tern.internal", "KEYC", "100.64.0.3", null, StatusReport.LOGIN_EXPIRED,
                null, 0, 0, null));
        StatusReport withExpired = new StatusReport(report.interfaceName(), report.publicKey(), report.meshAddress(),
                report.fqdn(), report.serial(), report.management(), report.signal(), report.relay(), peers, report.updatedAt());

        assertThat(withExpired.toText(false)).contains("1/1 connected, 1 with expired login");
        assertThat(withExpired.toText(true)).contains("State:          login-expired");
    }

    @Test
    void dnsStateIsInTheJsonAndTheText() throws Exception {
        StatusReport report = sample();
        StatusReport withDns = new StatusReport(report.interfaceName(), report.publicKey(), report.meshAddress(),
                report.fqdn(), report.serial(), report.management(), report.signal(), report.relay(), report.peers(),
                report.updatedAt(), new StatusReport.Dns("100.64.0.1:53", List.of("tern.internal."),
                List.of("corp.example."), List.of("10.0.0.1:53"), "resolv.conf", null));

        JsonNode dns = Json.MAPPER.readTree(withDns.toJson()).get("dns");
        assertThat(dns.get("resolver").asText()).isEqualTo("100.64.0.1:53");
        assertThat(dns.get("zones").get(0).asText()).isEqualTo("tern.internal.");
        assertThat(dns.get("upstream").get(0).asText()).isEqualTo("10.0.0.1:53");
        assertThat(dns.get("hostConfig").asText()).isEqualTo("resolv.conf");
        assertThat(StatusReport.fromJson(withDns.toJson())).isEqualTo(withDns);
        assertThat(withDns.toText(false)).contains("DNS:        100.64.0.1:53 via resolv.conf (zones tern.internal.; "
                + "match domains corp.example.; upstream 10.0.0.1:53)");
        assertThat(report.toText(false)).as("status of an older agent").contains("DNS:        -\n");
    }

    @Test
    void routesAreInTheJsonAndTheText() throws Exception {
        StatusReport report = sample();
        StatusReport withRoutes = new StatusReport(report.interfaceName(), report.publicKey(), report.meshAddress(),
                report.fqdn(), report.serial(), report.management(), report.signal(), report.relay(), report.peers(),
                report.updatedAt(), null, List.of(
                        new StatusReport.Route("10.10.10.0/24", "site", "r1", "KEYR1", "active"),
                        new StatusReport.Route("10.20.0.0/16", "lab", null, "PUB", "serving")));

        JsonNode route = Json.MAPPER.readTree(withRoutes.toJson()).get("routes").get(0);
        assertThat(route.get("network").asText()).isEqualTo("10.10.10.0/24");
        assertThat(route.get("routingPeer").asText()).isEqualTo("r1");
        assertThat(route.get("state").asText()).isEqualTo("active");
        assertThat(StatusReport.fromJson(withRoutes.toJson())).isEqualTo(withRoutes);
        assertThat(withRoutes.toText(false)).contains("Routes:     10.10.10.0/24 active via r1\n"
                + "            10.20.0.0/16 serving\n");
        assertThat(report.toText(false)).doesNotContain("Routes:");
    }
}
