package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@TernIntegrationTest
class AuditApiTest extends ApiTestSupport {

    @Test
    void mutationsAreAuditedWithTheirInitiator() {
        JsonNode me = http.get("/api/users/current", admin()).json();
        Instant before = Instant.now().minusSeconds(1);
        String group = createGroup(unique("audited"));
        TestHttp.Response r = http.get("/api/events/audit?target_id=" + group + "&activity_code=group.add", admin());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().size()).as(r.toString()).isEqualTo(1);
        JsonNode e = r.json().get(0);
        assertThat(e.get("activity_code").asText()).isEqualTo("group.add");
        assertThat(e.get("activity").asText()).isNotBlank();
        assertThat(e.get("initiator_id").asText()).isEqualTo(me.get("id").asText());
        assertThat(e.get("initiator_email").asText()).isEqualTo(me.get("email").asText());
        assertThat(e.get("initiator_name").asText()).isEqualTo(me.get("name").asText());
        assertThat(e.get("target_id").asText()).isEqualTo(group);
        assertThat(e.get("meta").isObject()).isTrue();
        assertThat(Instant.parse(e.get("timestamp").asText())).isAfter(before);
        assertThat(e.get("id").asText()).isNotBlank();

        // The same entry through each filter; a window that ended before the change shows nothing.
        assertThat(ids("initiator_id=" + me.get("id").asText())).contains(e.get("id").asText());
        assertThat(ids("from=" + enc(before.toString()))).contains(e.get("id").asText());
        assertThat(ids("to=" + enc(before.toString()) + "&target_id=" + group)).isEmpty();
        assertThat(ids("activity_code=policy.delete&target_id=" + group)).isEmpty();
    }

    @Test
    void pagingHasTotalAndLinks() {
        for (int i = 0; i < 3; i++) {
            createGroup(unique("paged"));
        }
        long total = auditTotal(admin());
        assertThat(total).isGreaterThanOrEqualTo(3);
        TestHttp.Response first = http.get("/api/events/audit?page=1&page_size=2", admin());
        assertThat(first.json().size()).isEqualTo(2);
        assertThat(first.headers().get("x-total-count")).containsExactly(Long.toString(total));
        String link = first.headers().get("link").get(0);
        assertThat(link).contains("rel=\"next\"").contains("page=2&page_size=2").contains("rel=\"last\"");
        TestHttp.Response second = http.get("/api/events/audit?page=2&page_size=2", admin());
        assertThat(second.json().size()).isGreaterThanOrEqualTo(1);
        assertThat(second.headers().get("link").get(0)).contains("rel=\"prev\"");
        // Newest first, and pages do not overlap.
        List<String> page1 = texts(first.json(), "id");
        List<String> page2 = texts(second.json(), "id");
        assertThat(page1).doesNotContainAnyElementsOf(page2);
        TestHttp.Response all = http.get("/api/events/audit", admin());
        assertThat(all.json().size()).isEqualTo((int) Math.min(total, 100));
    }

    @Test
    void badParametersAre400() {
        assertError(http.get("/api/events/audit?from=yesterday", admin()), 400);
        assertError(http.get("/api/events/audit?to=2024-13-01T00:00:00Z", admin()), 400);
        assertError(http.get("/api/events/audit?page=0", admin()), 400);
        assertError(http.get("/api/events/audit?page=x", admin()), 400);
        assertError(http.get("/api/events/audit?page_size=1001", admin()), 400);
        assertError(http.get("/api/events/audit?from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z", admin()), 400);
    }

    @Test
    void rejectedRequestsAppendNothing() {
        String group = createGroup(unique("existing"));
        long before = auditTotal(admin());
        assertError(http.post("/api/groups", admin(), Map.of("name", http.get("/api/groups/" + group, admin()).json()
                .get("name").asText())), 409);
        assertError(http.post("/api/groups", admin(), "{oops"), 400);
        assertError(http.delete("/api/groups/nope", admin()), 404);
        assertError(http.post("/api/groups", null, Map.of("name", unique("anon"))), 401);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    List<String> ids(String query) {
        TestHttp.Response r = http.get("/api/events/audit?" + query, admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return texts(r.json(), "id");
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
