package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.oidc.OidcTestProvider;
import dev.tern.testsupport.oidc.OidcTestProvider.Spec;
import dev.tern.testsupport.oidc.OidcTestProvider.User;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code /api/identity-providers} against a real OpenID Provider: NetBird's shapes, discovery fetched before
 * anything is saved, the client secret sealed at rest and never answered, and every bad input a clear 4xx that
 * appends no event.
 */
@TernIntegrationTest
class IdentityProvidersApiTest {
    /** Each test configures its own provider process: an issuer can be configured once per account. */
    private static final List<User> NOBODY = List.of(new User("x", "x", "X", "x@example.com", List.of()));

    @Autowired
    TestHttp http;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void theCurlOfNetBirdsDocsCreatesAProviderWhoseSecretIsSealedAndNeverAnsweredBack() {
        OidcTestProvider provider = OidcTestProvider.start(Spec.of("idp-crud-" + unique(), NOBODY));
        try {
            String name = "Corporate SSO " + unique();
            String secret = "plain-client-secret-" + unique();
            TestHttp.Response created = http.post("/api/identity-providers", http.adminToken(),
                    request("oidc", name, provider.issuer(), provider.clientId(), secret));

            assertThat(created.status()).as(created.toString()).isEqualTo(200);
            String id = created.json().get("id").asText();
            assertThat(created.json().get("type").asText()).isEqualTo("oidc");
            assertThat(created.json().get("name").asText()).isEqualTo(name);
            assertThat(created.json().get("issuer").asText()).isEqualTo(provider.issuer());
            assertThat(created.json().get("client_id").asText()).isEqualTo(provider.clientId());
            assertThat(created.body()).doesNotContain(secret).doesNotContain("client_secret");
            assertThat(http.get("/api/identity-providers/" + id, http.adminToken()).body()).doesNotContain(secret);
            assertThat(names(http.get("/api/identity-providers", http.adminToken()).json())).contains(name);
            // At rest: neither the event store nor the read model holds the secret in the clear.
            assertThat(jdbc.queryForObject("SELECT count(*) FROM domain_event_entry"
                    + " WHERE convert_from(payload, 'UTF8') LIKE ?", Long.class, "%" + secret + "%")).isZero();
            String sealed = jdbc.queryForObject("SELECT sealed_client_secret FROM rm_identity_providers WHERE id = ?",
                    String.class, id);
            assertThat(sealed).startsWith("v1:").doesNotContain(secret);
            JsonNode audit = http.get("/api/events/audit?page_size=200", http.adminToken()).json();
            assertThat(audit.toString()).contains("identityprovider.create").doesNotContain(secret);

            String renamed = name + " (renamed)";
            TestHttp.Response updated = http.put("/api/identity-providers/" + id, http.adminToken(),
                    request("oidc", renamed, provider.issuer(), provider.clientId(), null));
            assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
            assertThat(updated.json().get("name").asText()).isEqualTo(renamed);
            assertThat(jdbc.queryForObject("SELECT sealed_client_secret FROM rm_identity_providers WHERE id = ?",
                    String.class, id)).as("an update without client_secret keeps the stored one").isEqualTo(sealed);

            TestHttp.Response deleted = http.delete("/api/identity-providers/" + id, http.adminToken());
            assertThat(deleted.status()).isEqualTo(200);
            assertThat(deleted.json().size()).isZero();
            assertThat(http.get("/api/identity-providers/" + id, http.adminToken()).status()).isEqualTo(404);
            assertThat(http.get("/api/events/audit?page_size=200", http.adminToken()).body())
                    .contains("identityprovider.update").contains("identityprovider.delete");
        } finally {
            provider.stop();
        }
    }

    @Test
    void aProviderWhoseDiscoveryCannotBeFetchedIsRefusedByNameAndNothingIsSaved() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        long events = events();

        TestHttp.Response unreachable = http.post("/api/identity-providers", http.adminToken(),
                request("oidc", "Unreachable " + unique(), "http://127.0.0.1:" + closedPort, "tern", null));

        assertThat(unreachable.status()).isEqualTo(400);
        assertThat(unreachable.json().get("code").asInt()).isEqualTo(400);
        assertThat(unreachable.errorMessage()).contains("identity provider not saved")
                .contains("http://127.0.0.1:" + closedPort + "/.well-known/openid-configuration")
                .contains("cannot be fetched");
        assertThat(events()).isEqualTo(events);
    }

    @Test
    void aDiscoveryDocumentOfAnotherIssuerOrNoDocumentAtAllIsRefused() {
        OidcTestProvider provider = OidcTestProvider.shared(Spec.of("idp-discovery", NOBODY));
        long events = events();

        TestHttp.Response notThere = http.post("/api/identity-providers", http.adminToken(),
                request("oidc", "Wrong path " + unique(), provider.issuer() + "/nothing-here", "tern", null));

        assertThat(notThere.status()).isEqualTo(400);
        assertThat(notThere.errorMessage()).contains("cannot be fetched: HTTP 404");
        assertThat(events()).isEqualTo(events);
    }

    @Test
    void duplicateNamesAreAConflictAndAppendNothing() {
        OidcTestProvider first = OidcTestProvider.start(Spec.of("idp-dup-a-" + unique(), NOBODY));
        OidcTestProvider second = OidcTestProvider.start(Spec.of("idp-dup-b-" + unique(), NOBODY));
        try {
            String name = "Twice " + unique();
            TestHttp.Response created = http.post("/api/identity-providers", http.adminToken(),
                    request("oidc", name, first.issuer(), first.clientId(), null));
            assertThat(created.status()).as(created.toString()).isEqualTo(200);
            long events = events();

            TestHttp.Response again = http.post("/api/identity-providers", http.adminToken(),
                    request("oidc", name.toUpperCase(), second.issuer(), second.clientId(), null));

            assertThat(again.status()).isEqualTo(409);
            assertThat(again.errorMessage()).contains("already exists");
            assertThat(events()).isEqualTo(events);
            http.delete("/api/identity-providers/" + created.json().get("id").asText(), http.adminToken());
        } finally {
            first.stop();
            second.stop();
        }
    }

    @Test
    void malformedRequestsAreRefusedBeforeAnyFetch() {
        long events = events();
        List<Map<String, Object>> bad = List.of(
                request("saml", "Bad type " + unique(), "https://idp.example.com", "tern", null),
                request("oidc", "Plain http " + unique(), "http://idp.example.com", "tern", null),
                request("oidc", "Not a URL " + unique(), "idp example", "tern", null),
                request("oidc", "No client " + unique(), "https://idp.example.com", null, null),
                request("oidc", "", "https://idp.example.com", "tern", null));
        for (Map<String, Object> body : bad) {
            TestHttp.Response answer = http.post("/api/identity-providers", http.adminToken(), body);
            assertThat(answer.status()).as(body + " -> " + answer).isEqualTo(400);
            assertThat(answer.json().get("message").asText()).isNotBlank();
        }
        assertThat(http.get("/api/identity-providers/nope", http.adminToken()).status()).isEqualTo(404);
        assertThat(events()).isEqualTo(events);
    }

    /** Events in the store (after the owner's setup, which the first request of a fresh server would append). */
    private long events() {
        http.adminToken();
        return jdbc.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class);
    }

    static Map<String, Object> request(String type, String name, String issuer, String clientId, String secret) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("name", name);
        body.put("issuer", issuer);
        if (clientId != null) {
            body.put("client_id", clientId);
        }
        if (secret != null) {
            body.put("client_secret", secret);
        }
        return body;
    }

    private static List<String> names(JsonNode list) {
        return java.util.stream.StreamSupport.stream(list.spliterator(), false).map(p -> p.get("name").asText())
                .toList();
    }

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
