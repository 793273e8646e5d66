package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code /actuator/prometheus} needs credentials (an owner/admin/auditor PAT here; the TERN_METRICS_TOKEN bearer is
 * covered by ActuatorAccessFilterTest), while the health probes stay open for load balancers and say nothing but
 * UP or DOWN to anonymous callers. Spring Boot tests switch metrics export off unless asked; the shared server
 * of {@link TernIntegrationTest} asks.
 */
@TernIntegrationTest
class ActuatorAccessApiTest extends ApiTestSupport {

    @Test
    void prometheusNeedsCredentials() {
        RawHttp.Response anonymous = RawHttp.get(http.port(), "/actuator/prometheus", null);
        assertThat(anonymous.status()).as(anonymous.toString()).isEqualTo(401);
        assertThat(anonymous.json().path("code").asInt()).isEqualTo(401);
        assertThat(anonymous.headers()).containsKey("www-authenticate");
        assertThat(anonymous.body()).doesNotContain("jvm_");

        RawHttp.Response wrongBearer = RawHttp.get(http.port(), "/actuator/prometheus", "Bearer not-the-token-at-all");
        assertThat(wrongBearer.status()).as(wrongBearer.toString()).isEqualTo(401);
        RawHttp.Response unknownPat = RawHttp.get(http.port(), "/actuator/prometheus",
                "Token nbp_000000000000000000000000000000000000");
        assertThat(unknownPat.status()).as(unknownPat.toString()).isEqualTo(401);

        RawHttp.Response owner = RawHttp.get(http.port(), "/actuator/prometheus", "Token " + admin());
        assertThat(owner.status()).as(owner.toString()).isEqualTo(200);
        assertThat(owner.body()).contains("jvm_");
        RawHttp.Response ownerBearer = RawHttp.get(http.port(), "/actuator/prometheus", "Bearer " + admin());
        assertThat(ownerBearer.status()).as(ownerBearer.toString()).isEqualTo(200);
        RawHttp.Response unknownBearerPat = RawHttp.get(http.port(), "/actuator/prometheus",
                "Bearer nbp_000000000000000000000000000000000000");
        assertThat(unknownBearerPat.status()).as(unknownBearerPat.toString()).isEqualTo(401);
        RawHttp.Response auditor = RawHttp.get(http.port(), "/actuator/prometheus",
                "Token " + serviceUser("auditor").token());
        assertThat(auditor.status()).as(auditor.toString()).isEqualTo(200);
        RawHttp.Response user = RawHttp.get(http.port(), "/actuator/prometheus",
                "Token " + serviceUser("user").token());
        assertThat(user.status()).as(user.toString()).isEqualTo(403);
        assertThat(user.body()).doesNotContain("jvm_");
        RawHttp.Response userBearer = RawHttp.get(http.port(), "/actuator/prometheus",
                "Bearer " + serviceUser("user").token());
        assertThat(userBearer.status()).as(userBearer.toString()).isEqualTo(403);
    }

    @Test
    void otherSpellingsOfTheActuatorAreRefusedAndTheIndexIsGuarded() {
        for (String path : List.of("/actuator;x/prometheus", "/actuator/prometheus;x", "/%61ctuator/prometheus",
                "/actuator/%70rometheus", "//actuator/prometheus", "/actuator/./prometheus",
                "/actuator/health/../prometheus", "/actuator/health/%2e%2e/prometheus")) {
            RawHttp.Response r = RawHttp.get(http.port(), path, null);
            assertThat(r.status()).as(path + ": " + r).isIn(400, 401);
            assertThat(r.body()).as(path).doesNotContain("jvm_");
        }
        assertThat(RawHttp.get(http.port(), "/actuator", null).status()).isEqualTo(401);
        assertThat(RawHttp.get(http.port(), "/actuator/health/db", null).status()).isEqualTo(401);
    }

    @Test
    void healthIsOpenAndSaysOnlyItsStatus() {
        for (String path : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")) {
            RawHttp.Response r = RawHttp.get(http.port(), path, null);
            assertThat(r.status()).as(path + ": " + r).isEqualTo(200);
            JsonNode json = r.json();
            assertThat(json.path("status").asText()).as(path).isEqualTo("UP");
            List<String> fields = new ArrayList<>();
            json.fieldNames().forEachRemaining(fields::add);
            // "groups" names the probe groups (liveness, readiness) and nothing about the server's internals.
            assertThat(fields).as(path + ": " + r).isSubsetOf("status", "groups");
            assertThat(r.body()).doesNotContain("components").doesNotContain("details").doesNotContain("postgres");
        }
    }

    @Test
    void operatorsSeeWhichHealthComponentIsDownButNoDetails() {
        RawHttp.Response owner = RawHttp.get(http.port(), "/actuator/health", "Token " + admin());
        assertThat(owner.status()).as(owner.toString()).isEqualTo(200);
        assertThat(owner.json().at("/components/db/status").asText()).as(owner.toString()).isEqualTo("UP");
        assertThat(owner.json().at("/components/projections/components/read-model/status").asText()).isEqualTo("UP");
        assertThat(owner.body()).doesNotContain("details");
        RawHttp.Response user = RawHttp.get(http.port(), "/actuator/health", "Token " + serviceUser("user").token());
        assertThat(user.status()).as(user.toString()).isEqualTo(200);
        assertThat(user.body()).as("a plain user is anonymous to health").doesNotContain("components");
        RawHttp.Response wrong = RawHttp.get(http.port(), "/actuator/health", "Bearer not-the-token-at-all");
        assertThat(wrong.status()).as("wrong credentials never refuse a probe").isEqualTo(200);
        assertThat(wrong.body()).doesNotContain("components");
    }
}
