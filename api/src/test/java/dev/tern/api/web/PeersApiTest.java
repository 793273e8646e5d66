package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.events.CommandRejected;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.InvalidValueException;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.WireGuardKey;
import dev.tern.query.peers.PeerStatusStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

@TernIntegrationTest
class PeersApiTest extends ApiTestSupport {
    @Autowired
    PeerStatusStore peerStatus;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aConnectedRowNobodyRefreshesReadsDisconnectedAfter90Seconds() {
        PeerRegistration fresh = register(createSetupKey("one-off", 0, List.of()).key(), unique("fresh"));
        PeerRegistration orphaned = register(createSetupKey("one-off", 0, List.of()).key(), unique("orphaned"));
        // A live session refreshes last_seen every 30 s; a server killed with SIGKILL leaves connected=true behind.
        String accountId = jdbc.queryForObject("SELECT account_id FROM rm_peers WHERE id = ?", String.class,
                fresh.peerId());
        Instant now = Instant.now();
        peerStatus.markConnected(accountId, fresh.peerId(), now.minusSeconds(30), "192.0.2.1");
        peerStatus.markConnected(accountId, orphaned.peerId(), now.minusSeconds(91 + 30), "192.0.2.2");

        JsonNode live = http.get("/api/peers/" + fresh.peerId(), admin()).json();
        assertThat(live.get("connected").asBoolean()).isTrue();
        JsonNode stale = http.get("/api/peers/" + orphaned.peerId(), admin()).json();
        assertThat(stale.get("connected").asBoolean()).isFalse();
        assertThat(Instant.parse(stale.get("last_seen").asText())).as("last_seen as stored")
                .isBetween(now.minusSeconds(122), now.minusSeconds(120));
        assertThat(stale.get("connection_ip").asText()).isEqualTo("192.0.2.2");
        Map<String, Boolean> listed = new HashMap<>();
        for (JsonNode p : http.get("/api/peers", admin()).json()) {
            listed.put(p.get("id").asText(), p.get("connected").asBoolean());
        }
        assertThat(listed).containsEntry(fresh.peerId(), true).containsEntry(orphaned.peerId(), false);
    }

    @Test
    void registeredPeersAppearInNetBirdsPeerShape() {
        String auto = createGroup(unique("auto"));
        CreatedKey key = createSetupKey("reusable", 0, List.of(auto));
        String host = unique("web");
        PeerRegistration reg = register(key.key(), host);
        assertThat(reg.created()).isTrue();

        TestHttp.Response got = http.get("/api/peers/" + reg.peerId(), admin());
        assertThat(got.status()).as(got.toString()).isEqualTo(200);
        JsonNode p = got.json();
        assertThat(p.get("ip").asText()).isEqualTo(reg.ip().address());
        assertThat(p.get("name").asText()).isEqualTo(host);
        assertThat(p.get("hostname").asText()).isEqualTo(host);
        assertThat(p.get("connected").asBoolean()).isFalse();
        assertThat(p.get("dns_label").asText()).startsWith(reg.dnsLabel() + ".");
        assertThat(texts(p.get("groups"), "id")).contains(auto);
        for (String field : List.of("city_name", "connected", "connection_ip", "country_code", "created_at",
                "dns_label", "geoname_id", "groups", "hostname", "ip", "kernel_version", "last_login", "last_seen",
                "login_expiration_enabled", "login_expired", "inactivity_expiration_enabled", "os", "ssh_enabled",
                "user_id", "version", "ui_version", "approval_required", "serial_number", "extra_dns_labels",
                "ephemeral")) {
            assertThat(p.has(field)).as(field).isTrue();
        }
        String accountNetwork = networkOf(reg.ip());
        assertThat(new Cidr(accountNetwork, 16).contains(reg.ip())).isTrue();
        assertThat(new Cidr("100.64.0.0", 10).contains(reg.ip())).isTrue();
        assertThat(texts(http.get("/api/peers", admin()).json(), "id")).contains(reg.peerId());
        assertThat(http.get("/api/setup-keys/" + key.id(), admin()).json().get("used_times").asInt()).isEqualTo(1);
    }

    static String networkOf(MeshIp ip) {
        int bits = ip.bits() & 0xFFFF0000;
        return MeshIp.of(bits).address();
    }

    @Test
    void registrationIsAuditedWithThePeerAsInitiator() {
        CreatedKey key = createSetupKey("reusable", 0, List.of());
        String host = unique("audited");
        PeerRegistration reg = register(key.key(), host);
        JsonNode entries = http.get("/api/events/audit?activity_code=peer.setupkey.add&initiator_id=" + reg.peerId(),
                admin()).json();
        assertThat(entries.size()).as(entries.toString()).isEqualTo(1);
        assertThat(entries.get(0).get("initiator_name").asText()).isEqualTo(host);
    }

    @Test
    void fastRegistrationShowsUpInTheReadModelEventually() {
        CreatedKey key = createSetupKey("reusable", 0, List.of());
        PeerRegistration reg = registrations.registerWithoutReadYourWrites(key.key(), randomWireGuardKey(),
                PeerSystemMeta.ofHostname(unique("fast")), "192.0.2.1");
        assertThat(reg.created()).isTrue();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(http.get("/api/peers/" + reg.peerId(), admin()).status()).isEqualTo(200));
    }

    @Test
    void registeringTheSameKeyAgainIsIdempotent() {
        CreatedKey key = createSetupKey("reusable", 0, List.of());
        WireGuardKey wg = randomWireGuardKey();
        PeerRegistration first = registrations.register(key.key(), wg, PeerSystemMeta.ofHostname(unique("h")));
        PeerRegistration again = registrations.register(key.key(), wg, PeerSystemMeta.ofHostname(unique("h")));
        assertThat(again.peerId()).isEqualTo(first.peerId());
        assertThat(again.ip()).isEqualTo(first.ip());
        assertThat(again.created()).isFalse();
    }

    @Test
    void badRegistrationsAreRejectedAndAppendNothing() {
        CreatedKey key = createSetupKey("reusable", 0, List.of());
        long before = auditTotal(admin());
        assertThatThrownBy(() -> registrations.register(key.key(), "not-a-wireguard-key",
                PeerSystemMeta.ofHostname("h"), null)).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> registrations.register(key.key(), "AAAA", PeerSystemMeta.ofHostname("h"), null))
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> register("00000000-0000-0000-0000-000000000000", "h"))
                .isInstanceOfSatisfying(CommandRejected.class,
                        e -> assertThat(e.reason()).isEqualTo(CommandRejected.Reason.NOT_FOUND));
        assertThatThrownBy(() -> register(" ", "h")).isInstanceOf(CommandRejected.class);
        assertThat(http.put("/api/setup-keys/" + key.id(), admin(), Map.of("revoked", true, "auto_groups", List.of()))
                .status()).isEqualTo(200);
        before = auditTotal(admin());
        assertThatThrownBy(() -> register(key.key(), unique("h"))).isInstanceOf(CommandRejected.class);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    @Test
    void fiftyRacingRegistrationsAgainstAUsageLimitOfTenRegisterExactlyTen() throws Exception {
        CreatedKey key = createSetupKey("reusable", 10, List.of());
        int racers = 50;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<PeerRegistration>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < racers; i++) {
                String host = unique("racer");
                Callable<PeerRegistration> task = () -> {
                    start.await();
                    return register(key.key(), host);
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<PeerRegistration> succeeded = new ArrayList<>();
            int rejected = 0;
            for (Future<PeerRegistration> f : futures) {
                try {
                    succeeded.add(f.get());
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).as("only rejections, never crashes").isInstanceOf(CommandRejected.class);
                    rejected++;
                }
            }
            assertThat(succeeded).hasSize(10);
            assertThat(rejected).isEqualTo(40);
            Set<String> ips = new HashSet<>();
            succeeded.forEach(r -> ips.add(r.ip().address()));
            assertThat(ips).hasSize(10);
            assertThat(succeeded).allMatch(PeerRegistration::created);
        } finally {
            pool.shutdownNow();
        }
        JsonNode k = http.get("/api/setup-keys/" + key.id(), admin()).json();
        assertThat(k.get("used_times").asInt()).isEqualTo(10);
        assertThat(k.get("state").asText()).isEqualTo("overused");
        assertThat(k.get("valid").asBoolean()).isFalse();
    }

    @Test
    void updateAccessiblePeersAndDelete() {
        String dev = createGroup(unique("dev"));
        String prod = createGroup(unique("prod"));
        String lonely = createGroup(unique("lonely"));
        PeerRegistration a = register(createSetupKey("one-off", 0, List.of(dev)).key(), unique("a"));
        PeerRegistration b = register(createSetupKey("one-off", 0, List.of(dev)).key(), unique("b"));
        PeerRegistration c = register(createSetupKey("one-off", 0, List.of(prod)).key(), unique("c"));
        PeerRegistration d = register(createSetupKey("one-off", 0, List.of(lonely)).key(), unique("d"));
        createPolicy(unique("dev-dev"), List.of(dev), List.of(dev));
        assertThat(http.post("/api/policies", admin(), Map.of("name", unique("dev-prod"), "enabled", true,
                "rules", List.of(rule("ssh", List.of(dev), List.of(prod), false, "tcp", List.of("22")))))
                .status()).isEqualTo(200);

        assertThat(texts(http.get("/api/peers/" + a.peerId() + "/accessible-peers", admin()).json(), "id"))
                .contains(b.peerId(), c.peerId()).doesNotContain(a.peerId(), d.peerId());
        assertThat(texts(http.get("/api/peers/" + c.peerId() + "/accessible-peers", admin()).json(), "id"))
                .contains(a.peerId(), b.peerId()).doesNotContain(d.peerId());
        JsonNode listed = http.get("/api/peers?name=" + http.get("/api/peers/" + a.peerId(), admin()).json()
                .get("name").asText(), admin()).json();
        assertThat(texts(listed, "id")).containsExactly(a.peerId());
        assertThat(listed.get(0).get("accessible_peers_count").asInt()).isEqualTo(
                http.get("/api/peers/" + a.peerId() + "/accessible-peers", admin()).json().size());
        assertThat(texts(http.get("/api/peers?ip=" + c.ip().address(), admin()).json(), "id"))
                .containsExactly(c.peerId());
        assertThat(http.get("/api/peers?name=no-such-peer", admin()).json().size()).isZero();
        assertThat(http.get("/api/peers/" + a.peerId(), admin()).json().has("accessible_peers_count")).isFalse();
        JsonNode accessible = http.get("/api/peers/" + d.peerId() + "/accessible-peers", admin()).json();
        for (JsonNode peer : accessible) {
            assertThat(peer.get("id").asText()).isNotIn(a.peerId(), b.peerId(), c.peerId());
        }

        String newName = unique("renamed");
        TestHttp.Response updated = http.put("/api/peers/" + a.peerId(), admin(), Map.of("name", newName,
                "ssh_enabled", true, "login_expiration_enabled", true, "inactivity_expiration_enabled", false));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        JsonNode got = http.get("/api/peers/" + a.peerId(), admin()).json();
        assertThat(got.get("name").asText()).isEqualTo(newName);
        assertThat(got.get("ssh_enabled").asBoolean()).isTrue();
        assertThat(got.get("login_expiration_enabled").asBoolean()).isTrue();

        long before = auditTotal(admin());
        assertError(http.put("/api/peers/" + a.peerId(), admin(), Map.of("name", "", "ssh_enabled", true,
                "login_expiration_enabled", true, "inactivity_expiration_enabled", false)), 400);
        assertError(http.put("/api/peers/" + a.peerId(), admin(), Map.of("name", "x", "ssh_enabled", true)), 400);
        assertError(http.put("/api/peers/" + a.peerId(), admin(), Map.of("name", "x", "ssh_enabled", "on",
                "login_expiration_enabled", true, "inactivity_expiration_enabled", false)), 400);
        assertError(http.put("/api/peers/nope", admin(), Map.of("name", "x", "ssh_enabled", true,
                "login_expiration_enabled", true, "inactivity_expiration_enabled", false)), 404);
        assertError(http.get("/api/peers/nope/accessible-peers", admin()), 404);
        assertThat(auditTotal(admin())).isEqualTo(before);

        assertThat(http.delete("/api/peers/" + b.peerId(), admin()).status()).isEqualTo(200);
        assertError(http.get("/api/peers/" + b.peerId(), admin()), 404);
        assertThat(texts(http.get("/api/peers/" + a.peerId() + "/accessible-peers", admin()).json(), "id"))
                .doesNotContain(b.peerId());
        assertThat(texts(http.get("/api/groups/" + dev, admin()).json().get("peers"), "id"))
                .containsExactly(a.peerId());
    }
}
