package dev.tern.api.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.commands.CommandService;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.api.web.ApiTestSupport;
import dev.tern.events.meta.Actor;
import dev.tern.query.peers.ExpiryReads;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.GenericEventMessage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The sweeper against the real server, a day and an hour ahead: the due-peer query, the account's own re-check
 * (its "now" is {@link GenericEventMessage#clock}, moved ahead by the same offset) and the projections.
 */
@TernIntegrationTest
class ExpirySweeperIntegrationTest extends ApiTestSupport {
    static final Duration AHEAD = Duration.ofHours(25);

    @Autowired
    ExpiryReads reads;
    @Autowired
    CommandService commands;
    @Autowired
    MeterRegistry meters;

    @Test
    void aPeerWithLoginExpirationExpiresADayLaterAndComesBackWhenTheAccountTurnsItOff() {
        OtherAccount other = otherAccount(); // NetBird's defaults: login expiration on, after 24 h
        String group = createGroup(other.token(), unique("mesh"), List.of());
        TestHttp.Response policy = http.post("/api/policies", other.token(), Map.of("name", unique("mesh"),
                "enabled", true, "rules", List.of(rule("mesh", List.of(group), List.of(group), true, "all",
                        List.of()))));
        assertThat(policy.status()).as(policy.toString()).isEqualTo(200);
        String key = createSetupKey(other.token(), "reusable", 0, List.of(group)).key();
        String expiring = register(key, unique("expiring")).peerId();
        String staying = register(key, unique("staying")).peerId();
        TestHttp.Response flagged = http.put("/api/peers/" + expiring, other.token(), Map.of("name",
                unique("expiring"), "ssh_enabled", false, "login_expiration_enabled", true,
                "inactivity_expiration_enabled", false));
        assertThat(flagged.status()).as(flagged.toString()).isEqualTo(200);
        assertThat(flagged.json().get("login_expired").asBoolean()).isFalse();
        double before = expiries("login");

        assertThat(sweepAhead(other)).as("peers expired").isEqualTo(1);
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();

        JsonNode expired = http.get("/api/peers/" + expiring, other.token()).json();
        assertThat(expired.get("login_expired").asBoolean()).isTrue();
        assertThat(http.get("/api/peers/" + staying, other.token()).json().get("login_expired").asBoolean())
                .isFalse();
        // The expired peer stays in its neighbour's map, as an offline peer, and so in what the API counts.
        assertThat(texts(http.get("/api/peers/" + staying + "/accessible-peers", other.token()).json(), "id"))
                .containsExactly(expiring);
        for (JsonNode peer : http.get("/api/peers", other.token()).json()) {
            assertThat(peer.get("accessible_peers_count").asInt()).as(peer.get("name").asText()).isEqualTo(1);
        }
        JsonNode audit = http.get("/api/events/audit?activity_code=peer.login.expire&target_id=" + expiring,
                other.token()).json();
        assertThat(audit.size()).as(audit.toString()).isEqualTo(1);
        assertThat(audit.get(0).get("meta").get("cause").asText()).isEqualTo("login");
        assertThat(audit.get(0).get("initiator_id").asText()).isEqualTo(Actor.SYSTEM.id());
        assertThat(expiries("login")).isEqualTo(before + 1);

        assertThat(sweepAhead(other)).as("an expired peer is not expired twice").isZero();

        long auditBefore = auditTotal(other.token());
        TestHttp.Response off = http.put("/api/accounts/" + other.accountId(), other.token(), Map.of("settings",
                Map.of("peer_login_expiration_enabled", false, "peer_login_expiration", 86_400,
                        "peer_inactivity_expiration_enabled", false, "peer_inactivity_expiration", 600)));
        assertThat(off.status()).as(off.toString()).isEqualTo(200);
        assertThat(texts(http.get("/api/events/audit?page_size=5", other.token()).json(), "activity_code"))
                .as("the settings change is audited, the expiry it lifts is not").first()
                .isEqualTo("account.setting.peer.login.expiration.disable");
        assertThat(auditTotal(other.token())).isEqualTo(auditBefore + 1);
        JsonNode lifted = http.get("/api/peers/" + expiring, other.token()).json();
        assertThat(lifted.get("login_expired").asBoolean()).isFalse();
        assertThat(lifted.get("last_login").asText()).as("lifting is no login")
                .isEqualTo(expired.get("last_login").asText());
        assertThat(sweepAhead(other)).as("nothing is due while the account has login expiration off").isZero();
        assertThat(http.get("/api/peers/" + expiring, other.token()).json().get("login_expired").asBoolean())
                .isFalse();
    }

    /**
     * One sweep 25 h ahead, on the account's own peers only: the shared database holds other test classes' peers,
     * which a day ahead would be due too.
     */
    private int sweepAhead(OtherAccount account) {
        Clock ahead = Clock.offset(Clock.systemUTC(), AHEAD);
        ExpirySweeper sweeper = new ExpirySweeper(OneAccountReads.of(reads, account.accountId()), commands, meters, ahead,
                Duration.ofSeconds(10));
        Clock original = GenericEventMessage.clock;
        GenericEventMessage.clock = ahead;
        try {
            return sweeper.sweep();
        } finally {
            GenericEventMessage.clock = original;
        }
    }

    private double expiries(String cause) {
        return meters.get(ExpirySweeper.EXPIRIES_METRIC).tag("cause", cause).counter().count();
    }
}
