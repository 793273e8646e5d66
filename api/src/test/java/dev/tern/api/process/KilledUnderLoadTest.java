package dev.tern.api.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.process.TernServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * tern-server is SIGKILLed while several REST clients write, and started again on the same PostgreSQL: every write
 * that was acknowledged is in the event store, the groups read model and the audit trail, and no write is there
 * twice (nor one that was never sent).
 */
class KilledUnderLoadTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int CLIENTS = 4;
    private static final String PREFIX = "load";

    private final ServerNodes nodes = new ServerNodes();

    @AfterEach
    void leaveNoProcessBehind() {
        nodes.close();
    }

    @Test
    void everyAcknowledgedWriteSurvivesASigkillOnceAndOnlyOnce() throws Exception {
        try (ExternalPostgres postgres = ExternalPostgres.start()) {
            Path dataDir = nodes.newDataDir();
            TernServerProcess first = nodes.start(dataDir, postgres.env());
            TestHttp http = TestHttp.forPort(first.httpPort());
            String token = TestHttp.patFrom(http.post("/api/setup", null, TestHttp.setupRequest("kill@tern.test")));

            int restartedPort;
            try (GroupWriteLoad load = new GroupWriteLoad(CLIENTS, PREFIX, http, token)) {
                await("writes under way").atMost(Duration.ofSeconds(60))
                        .until(() -> load.acknowledged.size() >= 20);
                first.kill();
                assertThat(first.process().awaitExit(Duration.ofSeconds(10))).isNotZero();
                int acknowledgedBeforeTheKill = load.acknowledged.size();

                // Same data directory, same REST port: the clients keep writing to it as they would in production.
                Map<String, String> samePort = new java.util.HashMap<>(postgres.env());
                samePort.put("TERN_HTTP_PORT", Integer.toString(first.httpPort()));
                TernServerProcess second = nodes.start(dataDir, samePort);
                restartedPort = second.httpPort();
                await("writes after the restart").atMost(Duration.ofSeconds(60))
                        .until(() -> load.acknowledged.size() >= acknowledgedBeforeTheKill + 20);
                load.stop();
                assertThat(load.refused).as("no request was refused (only unanswered while the server was down)")
                        .allSatisfy(answer -> {
                            assertThat(answer.status()).as("%s", answer).isEqualTo(503);
                            assertThat(answer.retryAfter()).as("%s", answer).isNotEmpty();
                        });
                assertThat(load.unanswered).as("requests sent while the server was down").isNotEmpty();

                // Event store: each acknowledged group once, nothing twice, nothing that was never sent.
                List<String> stored = postgres.groupsCreatedInTheEventStore().stream()
                        .filter(name -> name.startsWith(PREFIX + "-")).toList();
                assertThat(stored).doesNotHaveDuplicates();
                assertThat(stored).containsAll(load.acknowledged.keySet());
                assertThat(load.possiblyWritten()).containsAll(stored);

                // Read models: the groups list and each group, exactly what the store holds.
                TestHttp restarted = TestHttp.forPort(restartedPort);
                await("the read model caught up").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(loadGroups(restarted, token).keySet()).containsExactlyInAnyOrderElementsOf(stored));
                Map<String, String> groups = loadGroups(restarted, token);
                load.acknowledged.forEach((name, id) -> {
                    assertThat(groups.get(name)).as(name).isEqualTo(id);
                    TestHttp.Response one = restarted.get("/api/groups/" + id, token);
                    assertThat(one.status()).as("%s", one).isEqualTo(200);
                    assertThat(one.json().get("name").asText()).isEqualTo(name);
                });

                // Audit trail (through the export): one group.add entry per stored group.
                TestHttp.Response export = restarted.get(
                        "/api/events/audit/export?activity_code=group.add&limit=100000", token);
                assertThat(export.status()).as("%s", export).isEqualTo(200);
                List<String> audited = new ArrayList<>();
                for (String line : export.body().split("\n")) {
                    if (!line.isEmpty()) {
                        audited.add(MAPPER.readTree(line).get("target_id").asText());
                    }
                }
                Set<String> storedIds = new HashSet<>(groups.values());
                assertThat(audited.stream().filter(storedIds::contains).toList()).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(storedIds);
            }
        }
    }

    /** name → id of the load's groups in GET /api/groups. */
    private static Map<String, String> loadGroups(TestHttp http, String token) {
        TestHttp.Response list = http.get("/api/groups", token);
        assertThat(list.status()).as("%s", list).isEqualTo(200);
        Map<String, String> out = new java.util.HashMap<>();
        List<String> names = new ArrayList<>();
        for (JsonNode group : list.json()) {
            String name = group.get("name").asText();
            if (name.startsWith(PREFIX + "-")) {
                names.add(name);
                out.put(name, group.get("id").asText());
            }
        }
        assertThat(names).as("no group twice in the read model").doesNotHaveDuplicates();
        return out;
    }
}
