package dev.tern.api.process;

import dev.tern.api.support.TempDataDirInitializer;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.process.TernServerProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two tern-server nodes on one PostgreSQL, {@code POST /api/setup} sent to both at once: one account with one owner,
 * every other request gets NetBird's 412, whichever node it reached.
 */
class SetupAcrossNodesTest {

    private static final int REQUESTS_PER_NODE = 3;

    private final List<TernServerProcess> started = new ArrayList<>();
    private final List<Path> dataDirs = new ArrayList<>();

    @AfterEach
    void leaveNoProcessBehind() {
        started.forEach(TernServerProcess::close);
        dataDirs.forEach(TempDataDirInitializer::delete);
    }

    @Test
    void concurrentSetupOnTwoNodesCreatesExactlyOneAccount() throws Exception {
        try (EmbeddedPostgres shared = EmbeddedPostgres.builder().start()) {
            try (Connection c = shared.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE tern LOGIN PASSWORD 'nodes-secret'");
                s.execute("CREATE DATABASE tern_nodes OWNER tern");
            }
            Map<String, String> database = Map.of(
                    "TERN_DATABASE_URL", "postgresql://localhost:" + shared.getPort() + "/tern_nodes",
                    "TERN_DATABASE_USER", "tern", "TERN_DATABASE_PASSWORD", "nodes-secret");
            // One after the other, so the second finds the schema in place; the race is the setup, not Flyway.
            TernServerProcess first = node(database);
            TernServerProcess second = node(database);
            List<TernServerProcess> nodes = List.of(first, second);

            ExecutorService pool = Executors.newFixedThreadPool(nodes.size() * REQUESTS_PER_NODE);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<TestHttp.Response>> answers = new ArrayList<>();
            try {
                for (int i = 0; i < REQUESTS_PER_NODE; i++) {
                    for (TernServerProcess node : nodes) {
                        String email = "owner-" + node.httpPort() + "-" + i + "@tern.test";
                        answers.add(pool.submit(() -> {
                            go.await();
                            return http(node).post("/api/setup", null, TestHttp.setupRequest(email));
                        }));
                    }
                }
                go.countDown();
                List<TestHttp.Response> won = new ArrayList<>();
                List<TestHttp.Response> refused = new ArrayList<>();
                for (Future<TestHttp.Response> answer : answers) {
                    TestHttp.Response response = answer.get();
                    (response.status() == 200 ? won : refused).add(response);
                }
                assertThat(won).as("answers %s", answers.size()).hasSize(1);
                assertThat(refused).hasSize(nodes.size() * REQUESTS_PER_NODE - 1).allSatisfy(response -> {
                    assertThat(response.status()).as("%s", response).isEqualTo(412);
                    assertThat(response.json().get("code").asInt()).isEqualTo(412);
                    assertThat(response.errorMessage()).contains("setup already completed");
                });
                assertThat(countRows(shared, "SELECT count(*) FROM domain_event_entry"
                        + " WHERE payload_type = 'dev.tern.events.AccountCreated'")).isEqualTo(1);

                // The one owner's token works on both nodes (each node's read model follows the shared store).
                String token = TestHttp.patFrom(won.get(0));
                for (TernServerProcess node : nodes) {
                    await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                            .until(() -> http(node).get("/api/users", token).status() == 200);
                    assertThat(http(node).get("/api/users", token).json()).hasSize(1);
                    assertThat(http(node).get("/api/instance", null).json().get("setup_required").asBoolean())
                            .isFalse();
                }
            } finally {
                pool.shutdownNow();
                started.forEach(TernServerProcess::close);
            }
        }
    }

    private static TestHttp http(TernServerProcess server) {
        return TestHttp.forPort(server.httpPort());
    }

    private TernServerProcess node(Map<String, String> database) {
        Path dataDir = TempDataDirInitializer.newDataDir();
        dataDirs.add(dataDir);
        TernServerProcess node = TernServerProcess.launch(dataDir, database);
        started.add(node);
        return node.awaitReady();
    }

    private static long countRows(EmbeddedPostgres postgres, String sql) throws Exception {
        try (Connection c = postgres.getDatabase("postgres", "tern_nodes").getConnection();
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
