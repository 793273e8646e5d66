package dev.tern.api.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.commands.CommandService;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.api.web.ApiTestSupport;
import dev.tern.events.meta.Actor;
import dev.tern.query.peers.ExpiryReads;
import dev.tern.query.peers.PeerStatusStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The ephemeral-peer sweeper against the real server with its clock run ahead: an ephemeral peer away for longer
 * than the TTL is deleted by the system (audited, gone from its neighbours' maps); a connected ephemeral peer and
 * an ordinary peer away just as long stay.
 */
@TernIntegrationTest
class EphemeralPeerSweeperIntegrationTest extends ApiTestSupport {
    static final Duration TTL = Duration.ofMinutes(10);

    @Autowired
    ExpiryReads reads;
    @Autowired
    CommandService commands;
    @Autowired
    MeterRegistry meters;
    @Autowired
    PeerStatusStore statuses;

    @Test
    void anEphemeralPeerAwayLongerThanTheTtlIsDeletedAndTheOthersStay() {
        OtherAccount account = otherAccount();
        String token = account.token();
        String group = createGroup(token, unique("mesh"), List.of());
        TestHttp.Response policy = http.post("/api/policies", token, Map.of("name", unique("mesh"), "enabled", true,
                "rules", List.of(rule("mesh", List.of(group), List.of(group), true, "all", List.of()))));
        assertThat(policy.status()).as(policy.toString()).isEqualTo(200);
        TestHttp.Response ephemeralKey = http.post("/api/setup-keys", token, Map.of("name", unique("ci"),
                "type", "reusable", "expires_in", 86400, "auto_groups", List.of(group), "usage_limit", 0,
                "ephemeral", true));
        assertThat(ephemeralKey.status()).as(ephemeralKey.toString()).isEqualTo(200);
        String ordinaryKey = createSetupKey(token, "reusable", 0, List.of(group)).key();
        String gone = register(ephemeralKey.json().get("key").asText(), unique("gone")).peerId();
        String online = register(ephemeralKey.json().get("key").asText(), unique("online")).peerId();
        String ordinary = register(ordinaryKey, unique("ordinary")).peerId();
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        assertThat(http.get("/api/peers/" + gone, token).json().get("ephemeral").asBoolean()).isTrue();
        assertThat(http.get("/api/peers/" + ordinary, token).json().get("ephemeral").asBoolean()).isFalse();

        Instant now = Instant.now();
        Instant ahead = now.plus(TTL).plus(Duration.ofMinutes(1));
        statuses.markDisconnected(account.accountId(), gone, now);
        statuses.markDisconnected(account.accountId(), ordinary, now);
        // connected at the time the sweeper looks, Sync refreshing it
        statuses.markConnected(account.accountId(), online, ahead, "198.51.100.7");
        double before = removals();

        assertThat(sweepAt(account, now.plus(TTL).minus(Duration.ofMinutes(1))))
                .as("nobody is away for the TTL yet").isZero();
        assertThat(sweepAt(account, ahead)).as("peers deleted").isEqualTo(1);
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();

        assertThat(http.get("/api/peers/" + gone, token).status()).isEqualTo(404);
        assertThat(http.get("/api/peers/" + online, token).status()).isEqualTo(200);
        assertThat(http.get("/api/peers/" + ordinary, token).status()).isEqualTo(200);
        assertThat(texts(http.get("/api/peers/" + ordinary + "/accessible-peers", token).json(), "id"))
                .containsExactly(online);
        JsonNode audit = http.get("/api/events/audit?activity_code=user.peer.delete&target_id=" + gone, token).json();
        assertThat(audit.size()).as(audit.toString()).isEqualTo(1);
        assertThat(audit.get(0).get("initiator_id").asText()).isEqualTo(Actor.SYSTEM.id());
        assertThat(removals()).isEqualTo(before + 1);

        assertThat(sweepAt(account, ahead)).as("a deleted peer is not deleted twice").isZero();
    }

    /** One sweep at {@code at}, on the account's own peers only (the shared database holds other tests' peers). */
    private int sweepAt(OtherAccount account, Instant at) {
        return new EphemeralPeerSweeper(OneAccountReads.of(reads, account.accountId()), commands, meters,
                Clock.fixed(at, java.time.ZoneOffset.UTC), TTL, Duration.ofSeconds(10)).sweep();
    }

    private double removals() {
        return meters.get(EphemeralPeerSweeper.REMOVALS_METRIC).counter().count();
    }
}
