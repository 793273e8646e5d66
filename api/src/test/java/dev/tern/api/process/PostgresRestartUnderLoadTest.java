package dev.tern.api.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.api.grpc.TestPeer;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.process.TernServerProcess;
import dev.tern.testsupport.sse.SseStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's PostgreSQL restarts while REST clients write, an audit stream and a device's Sync stream are open:
 * clients get 503 with Retry-After (never a 500), every acknowledged write is in the store and the read model
 * afterwards, and both streams go on where they were.
 */
class PostgresRestartUnderLoadTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PREFIX = "outage";

    private final ServerNodes nodes = new ServerNodes();

    @AfterEach
    void leaveNoProcessBehind() {
        nodes.close();
    }

    @Test
    void clientsGet503DuringTheRestartNothingAcknowledgedIsLostAndStreamsGoOn() throws Exception {
        try (ExternalPostgres postgres = ExternalPostgres.start()) {
            TernServerProcess server = nodes.start(postgres.env());
            TestHttp http = TestHttp.forPort(server.httpPort());
            String token = AccountFixture.owner(http, "outage@tern.test");
            AccountFixture.everyoneReachesEveryone(http, token);
            String setupKey = AccountFixture.setupKey(http, token, "reusable", 0).get("key").asText();

            try (TestPeer device = new TestPeer(server.grpcPort());
                 TestPeer latecomer = new TestPeer(server.grpcPort());
                 SseStream audit = SseStream.open(http.uri("/api/events/audit/stream?activity_code=group.add"),
                         Map.of("Authorization", "Token " + token))) {
                assertThat(audit.status()).isEqualTo(200);
                device.login(setupKey, "device");
                TestPeer.SyncHandle sync = device.sync();
                long serial = sync.nextMatching(0, map -> true, Duration.ofSeconds(30)).getSerial();

                List<String> answeredAfterTheOutage;
                try (GroupWriteLoad load = new GroupWriteLoad(3, PREFIX, http, token)) {
                    await("writes under way").atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged.size() >= 10);
                    postgres.stop();
                    await("clients are told to come back later").atMost(Duration.ofSeconds(30))
                            .until(() -> !load.refused.isEmpty());
                    postgres.restart();
                    int acknowledgedBefore = load.acknowledged.size();
                    await("writes after the restart").atMost(Duration.ofSeconds(60))
                            .until(() -> load.acknowledged.size() >= acknowledgedBefore + 10);
                    load.stop();

                    assertThat(load.refused).as("answers while PostgreSQL was away").allSatisfy(answer -> {
                        assertThat(answer.status()).as("%s", answer).isEqualTo(503);
                        assertThat(answer.retryAfter()).as("%s", answer).isNotEmpty();
                        assertThat(MAPPER.readTree(answer.body()).get("code").asInt()).isEqualTo(503);
                    });
                    assertThat(load.unanswered).as("every request got an answer").isEmpty();

                    List<String> stored = postgres.groupsCreatedInTheEventStore().stream()
                            .filter(name -> name.startsWith(PREFIX + "-")).toList();
                    assertThat(stored).doesNotHaveDuplicates().containsAll(load.acknowledged.keySet());
                    // A 503 may answer a commit PostgreSQL took just before it went down (the client cannot know,
                    // and retries); nothing else can be in the store.
                    List<String> sent = new ArrayList<>(load.acknowledged.keySet());
                    load.refused.forEach(answer -> sent.add(answer.name()));
                    assertThat(sent).containsAll(stored);
                    await("the read model caught up").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                            assertThat(loadGroupNames(http, token)).containsExactlyInAnyOrderElementsOf(stored));
                    answeredAfterTheOutage = new ArrayList<>(load.acknowledged.values());
                }

                // The audit stream stayed open and brought every created group once, in cursor order.
                List<String> streamed = new ArrayList<>();
                List<Long> cursors = new ArrayList<>();
                await("the audit stream brought every group").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    for (SseStream.Event event : audit.drain()) {
                        streamed.add(MAPPER.readTree(event.data()).get("target_id").asText());
                        cursors.add(Long.parseLong(event.id()));
                    }
                    assertThat(streamed).containsAll(answeredAfterTheOutage);
                });
                assertThat(audit.ended()).isFalse();
                assertThat(streamed).doesNotHaveDuplicates();
                assertThat(cursors).isSorted();

                // The Sync stream stayed open: a peer registered after the restart reaches the device on it.
                await("registration works again").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .untilAsserted(() -> latecomer.login(setupKey, "latecomer"));
                assertThat(sync.ended).as("the device's Sync stream is still open").isNotDone();
                sync.nextMatching(serial, map -> AccountFixture.remoteKeys(map).contains(latecomer.publicKey()),
                        Duration.ofSeconds(30));
            }
        }
    }

    private static List<String> loadGroupNames(TestHttp http, String token) {
        TestHttp.Response list = http.get("/api/groups", token);
        assertThat(list.status()).as("%s", list).isEqualTo(200);
        List<String> names = new ArrayList<>();
        for (JsonNode group : list.json()) {
            if (group.get("name").asText().startsWith(PREFIX + "-")) {
                names.add(group.get("name").asText());
            }
        }
        return names;
    }
}
