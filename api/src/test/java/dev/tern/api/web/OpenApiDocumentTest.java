package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.yaml.snakeyaml.Yaml;

/**
 * The served OpenAPI document and the server's request mappings name the same operations, both ways. A new
 * endpoint (or a removed one) fails here until the document says so.
 */
@TernIntegrationTest
class OpenApiDocumentTest extends ApiTestSupport {
    private static final String HOW_TO_FIX = "describe NetBird's operations in api/src/main/openapi/netbird-operations.txt, "
            + "Tern's own in api/src/main/openapi/tern-extensions.yml (x-tern-extension: true), then run "
            + "scripts/openapi.py";
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void servedWithoutAuthenticationAsYaml() {
        TestHttp.Response r = http.get(OpenApiController.PATH, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.headers().get("content-type")).first().asString().startsWith("application/yaml");
        assertThat(document(r)).containsKeys("openapi", "info", "paths", "components");
    }

    @Test
    void everyEndpointIsDocumentedAndEveryDocumentedEndpointExists() {
        Set<String> served = new TreeSet<>();
        for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api/")) {
                    continue;
                }
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                assertThat(methods).as("%s answers every HTTP method", pattern).isNotEmpty();
                methods.forEach(method -> served.add(operation(method.name(), pattern)));
            }
        }
        Set<String> documented = new TreeSet<>();
        Map<String, Object> paths = paths(document(http.get(OpenApiController.PATH, null)));
        paths.forEach((path, item) -> ((Map<String, Object>) item).keySet().stream().filter(METHODS::contains)
                .forEach(method -> documented.add(operation(method, path))));

        Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(served);
        assertThat(undocumented).as("endpoints tern-server serves that /api/openapi.yml does not describe; "
                + HOW_TO_FIX).isEmpty();
        assertThat(missing).as("operations /api/openapi.yml describes that tern-server does not serve; remove them "
                + "(" + HOW_TO_FIX + ")").isEmpty();
    }

    @Test
    void ternsOwnOperationsAreMarked() {
        Map<String, Object> paths = paths(document(http.get(OpenApiController.PATH, null)));
        for (String path : Set.of("/api/history/network", "/api/admin/read-models/rebuild",
                "/api/admin/read-models/rebuild/{jobId}", "/api/openapi.yml")) {
            Map<String, Object> item = (Map<String, Object>) paths.get(path);
            assertThat(item).as(path).isNotNull();
            item.forEach((method, operation) -> assertThat(((Map<String, Object>) operation)
                    .get("x-tern-extension")).as("%s %s", method, path).isEqualTo(true));
        }
        Map<String, Object> audit = (Map<String, Object>) ((Map<String, Object>) paths.get("/api/events/audit"))
                .get("get");
        assertThat(audit.get("x-tern-extension")).as("NetBird's own operation").isNull();
        assertThat(audit.get("parameters").toString()).contains("page_size").contains("x-tern-extension=true");
    }

    /** "GET /api/peers/{}": the method and the path with its variables unnamed (names differ, shapes matter). */
    private static String operation(String method, String path) {
        return method.toUpperCase() + " " + path.replaceAll("\\{[^}]+}", "{}");
    }

    private static Map<String, Object> document(TestHttp.Response r) {
        return new Yaml().load(r.body());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> paths(Map<String, Object> document) {
        return (Map<String, Object>) document.get("paths");
    }
}
